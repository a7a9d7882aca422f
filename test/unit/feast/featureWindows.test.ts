// A feature view's file source cut into two periods by its timestamp (DuckDB): the bounds of each
// choice, the rows of each period written as Parquet with only the view's features, and the
// reasons a source cannot be cut.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { featureWindows, FeatureWindowsError, periodBounds } from '../../../src/core/feast/featureWindows.ts';
import { readTable } from '../../../src/core/profile/readTable.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-20T00:00:00Z');

describe('core/feast: a feature view\'s source over two periods', function () {
  this.timeout(60_000);
  let dir: string;
  let source: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-feast-windows-'));
    source = path.join(dir, 'orders.csv');
    // One row an hour for 10 days; the spend doubles on the last 5.
    const rows = Array.from({ length: 240 }, (_, h) => `${h % 7},${h},${h >= 120 ? 20 + (h % 5) : 10 + (h % 5)},${new Date(T0 + h * 3_600_000).toISOString()}`);
    writeFileSync(source, `customer_id,orders_7d,spend_7d,event_timestamp\n${rows.join('\n')}\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('bounds the periods: halves of the range, or the last day or week against the one before', () => {
    assert.deepEqual(periodBounds('halves', 0, 10), { reference: [0, 5], current: [5, 10] });
    assert.deepEqual(periodBounds('day', 0, 10 * DAY), { reference: [8 * DAY, 9 * DAY], current: [9 * DAY, 10 * DAY] });
    assert.deepEqual(periodBounds('week', 0, 20 * DAY), { reference: [6 * DAY, 13 * DAY], current: [13 * DAY, 20 * DAY] });
  });

  it('writes each period\'s rows with the view\'s features only, every row in one period', async () => {
    const windows = await featureWindows(source, 'event_timestamp', ['orders_7d', 'spend_7d', 'not_there'], 'halves', path.join(dir, 'out'), 'customer_orders');
    assert.deepEqual(windows.missing, ['not_there']);
    assert.equal(windows.reference.rows + windows.current.rows, 240);
    assert.equal(windows.reference.start, new Date(T0).toISOString());
    assert.equal(windows.current.end, new Date(T0 + 239 * 3_600_000).toISOString());
    assert.match(path.basename(windows.current.file), /^customer_orders 2026-11-24T23-30-00 to 2026-11-29T23-00-00\.parquet$/);
    const table = await readTable(windows.current.file);
    assert.deepEqual(table.columns.map((c) => c.name), ['orders_7d', 'spend_7d']);
    assert.equal(table.rows, windows.current.rows);
    const day = await featureWindows(source, 'event_timestamp', ['spend_7d'], 'day', path.join(dir, 'out'), 'customer_orders');
    assert.deepEqual([day.reference.rows, day.current.rows], [24, 25], 'the last day ends at the newest event, included');
  });

  it('refuses a source without the timestamp column, or without any of the features', async () => {
    await assert.rejects(featureWindows(source, 'ts', ['spend_7d'], 'halves', path.join(dir, 'out'), 'x'), (err: unknown) => err instanceof FeatureWindowsError && /no timestamp column ts/.test(err.message));
    await assert.rejects(featureWindows(source, 'event_timestamp', ['a', 'b'], 'halves', path.join(dir, 'out'), 'x'), (err: unknown) => err instanceof FeatureWindowsError && /none of the view's features \(a, b\)/.test(err.message));
    assert.equal(existsSync(path.join(dir, 'out', 'x')), false);
  });
});
