// How the metrics insert splits a log-batch: points grouped by key (a key with enough points binds
// it once per statement, sparse keys share one group), and multi-row statements of a few sizes
// only. Then, through the store, batches shaped to take every path: one key, many sparse keys, a
// mix, more tile rows than one upsert holds, NaN and duplicates, checked against the points sent.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { groupByKey } from '../../../src/core/store/sqlite/metricsTable.ts';
import { rowsPerStatement } from '../../../src/core/store/sqlite/metricTiles.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Metric } from '../../../src/core/store/types.ts';

const point = (key: string, step: number, value = step): Metric => ({ key, value, timestamp: 1000 + step, step });

describe('store/metricsTable: grouping a batch for the insert', () => {
  it('gives a key with 16 points or more a group of its own and puts the sparse keys in one group, each point once and in order', () => {
    const batch: Metric[] = [];
    for (let step = 0; step < 20; step++) batch.push(point('loss', step), point('acc', step));
    batch.push(point('lr', 0), point('epoch', 0), point('lr', 1));
    for (let step = 0; step < 15; step++) batch.push(point('sparse', step));
    const groups = groupByKey(batch);
    assert.deepEqual(groups.map((g) => [g.key, g.points.length]), [['loss', 20], ['acc', 20], [undefined, 18]]);
    assert.deepEqual(groups[0]?.points.map((m) => m.step), Array.from({ length: 20 }, (_, i) => i));
    assert.deepEqual(groups[2]?.points.map((m) => m.key), ['lr', 'lr', 'epoch', ...Array.from({ length: 15 }, () => 'sparse')]);
    assert.equal(groups.reduce((n, g) => n + g.points.length, 0), batch.length);
  });

  it('takes a one-key batch as it is, and a small one as a sparse group', () => {
    const one = Array.from({ length: 1000 }, (_, i) => point('loss', i));
    assert.equal(groupByKey(one)[0]?.points, one);
    assert.deepEqual(groupByKey(one.slice(0, 3)).map((g) => [g.key, g.points.length]), [[undefined, 3]]);
    assert.deepEqual(groupByKey([]), []);
  });

  it('splits rows into statements of at most the cap, else a power of two, so few statement sizes exist', () => {
    const split = (n: number, max: number) => {
      const sizes: number[] = [];
      for (let left = n; left > 0; left -= sizes.at(-1) ?? left) sizes.push(rowsPerStatement(left, max));
      return sizes;
    };
    assert.deepEqual(split(1000, 512), [512, 256, 128, 64, 32, 8]);
    assert.deepEqual(split(1, 512), [1]);
    assert.deepEqual(split(300, 128), [128, 128, 32, 8, 4]);
    const sizes = new Set<number>();
    for (let n = 1; n <= 2000; n++) for (const size of split(n, 512)) sizes.add(size);
    assert.deepEqual([...sizes].sort((a, b) => a - b), [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]);
  });
});

describe('store/metricsTable: batches of every shape, stored exactly', () => {
  let dir: string;
  let store: SqliteTrackingStore;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-groups-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Sends the batches, then reads every key's history back and checks it against the points sent. */
  async function roundTrip(batches: readonly (readonly Metric[])[]): Promise<void> {
    const { info } = await store.createRun({ experimentId: '0' });
    for (const batch of batches) await store.logBatch(info.runId, { metrics: batch });
    const expected = new Map<string, Map<string, Metric>>();
    for (const m of batches.flat()) {
      const byPoint = expected.get(m.key) ?? new Map<string, Metric>();
      byPoint.set(JSON.stringify([m.step, m.timestamp, Number.isNaN(m.value) ? 'NaN' : m.value]), m);
      expected.set(m.key, byPoint);
    }
    const order = (a: Metric, b: Metric) => a.step - b.step || a.timestamp - b.timestamp || a.value - b.value;
    for (const [key, byPoint] of expected) {
      const history = await store.getMetricHistory(info.runId, key);
      assert.deepStrictEqual([...history].sort(order), [...byPoint.values()].map(({ key: k, value, timestamp, step }) => ({ key: k, value, timestamp, step })).sort(order), key);
      const buckets = await store.getMetricHistoryDownsampled(info.runId, key, 1);
      assert.equal(buckets.reduce((n, b) => n + b.count, 0), byPoint.size, `${key}: every point is in the tiles`);
    }
    const run = await store.getRun(info.runId);
    assert.deepEqual(run.data.metrics.map((m) => m.key).sort(), [...expected.keys()].sort());
  }

  it('stores a one-key batch, a batch of 1000 sparse keys and a mix, NaN and ±Infinity included', async () => {
    const oneKey = Array.from({ length: 1000 }, (_, i) => point('loss', i, i % 97 === 0 ? Number.NaN : Math.sin(i)));
    const sparse = Array.from({ length: 1000 }, (_, i) => point(`m${i}`, 3, i % 2 ? Number.POSITIVE_INFINITY : Number.NaN));
    const mixed = Array.from({ length: 900 }, (_, i) => point(i % 3 ? 'acc' : `s${i % 7}`, 2000 + i, i % 5 ? i / 7 : Number.NEGATIVE_INFINITY));
    await roundTrip([oneKey, sparse, mixed]);
  });

  it('upserts more tile rows than one statement holds (steps 16 apart: a tile a point at every level below the top)', async () => {
    await roundTrip([Array.from({ length: 1000 }, (_, i) => point('wide', i * 16 * 17, i)), Array.from({ length: 1000 }, (_, i) => point('wide', i * 16 * 17 + 1, -i - 0.5))]);
  });

  it('keeps one copy of points sent twice, in one batch or in a retried one, on the keyed and the sparse path', async () => {
    const keyed = Array.from({ length: 40 }, (_, i) => point('loss', i % 20, i % 20 === 7 ? Number.NaN : i % 20));
    const sparse = [point('a', 1), point('a', 1), point('b', 2, Number.NaN), point('b', 2, Number.NaN)];
    await roundTrip([keyed, keyed, sparse, [...sparse, ...keyed]]);
  });
});
