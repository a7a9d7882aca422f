// The local store's downsampled histories as columns (getMetricHistoryColumns), read straight from
// its tiles without an object per tile: the same buckets as getMetricHistoryDownsampled, at any
// bucket count (tiles or points), with NaN, spikes and points logged out of order; and both read
// the coarsest tile level whose tiles fit in a bucket.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bucketColumns } from '../../../src/core/store/bucketColumns.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';

describe('core/store: downsampled histories as columns', function () {
  this.timeout(60_000);
  let dir: string;
  let store: SqliteTrackingStore;
  let runId: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-columns-'));
    store = new SqliteTrackingStore(path.join(dir, 't.db'));
    runId = (await store.createRun({ experimentId: '0' })).info.runId;
    // 100k points from step 7, logged out of order, with NaNs, a NaN-only stretch and spikes.
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const steps = Array.from({ length: 100_000 }, (_, i) => i + 7).sort(() => random() - 0.5);
    const value = (step: number) => (step === 4242 ? 1e6 : step === 77_777 ? -1e6 : step % 5000 === 0 || (step >= 30_000 && step < 30_600) ? Number.NaN : Math.cos(step / 900));
    for (let i = 0; i < steps.length; i += 1000) {
      await store.logBatch(runId, { metrics: steps.slice(i, i + 1000).map((step) => ({ key: 'loss', value: value(step), timestamp: 1000 + step, step })) });
    }
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the buckets of getMetricHistoryDownsampled, column by column, at every bucket count', async () => {
    for (const n of [1, 7, 97, 333, 1000, 1500, 4000, 20_000]) {
      const columns = await store.getMetricHistoryColumns(runId, 'loss', n);
      const expected = bucketColumns(await store.getMetricHistoryDownsampled(runId, 'loss', n));
      assert.ok(columns.step.length > 0 && columns.step.length <= n, `${columns.step.length} buckets for ${n}`);
      for (const field of ['step', 'timestamp', 'min', 'max', 'last'] as const) assert.deepEqual(columns[field], expected[field], `${field} with ${n} buckets`);
    }
    const fine = await store.getMetricHistoryColumns(runId, 'loss', 1500);
    assert.equal(fine.max.reduce((a, b) => (b > a ? b : a), -Infinity), 1e6);
    assert.equal(fine.min.reduce((a, b) => (b < a ? b : a), Infinity), -1e6);
    assert.equal(fine.step.at(-1), 100_006);
    assert.equal(fine.last.at(-1), Math.cos(100_006 / 900));
    // A bucket inside the NaN-only stretch keeps NaN, not 0.
    const inside = fine.step.findIndex((s) => s >= 30_100 && s < 30_500);
    assert.ok(inside >= 0 && Number.isNaN(fine.min[inside]) && Number.isNaN(fine.last[inside]));
    assert.deepEqual(await store.getMetricHistoryColumns(runId, 'missing', 100), bucketColumns([]));
  });

  it('reads the coarsest tiles that fit in a bucket: 333 buckets of 301 steps start on 256-step tiles', async () => {
    const buckets = await store.getMetricHistoryDownsampled(runId, 'loss', 333);
    assert.ok(buckets.length >= 330 && buckets.length <= 333, `${buckets.length} buckets`);
    // 16-step tiles (a quarter of a bucket or less) would start buckets between 256-step edges.
    assert.ok(buckets.slice(1).every((b) => b.stepStart % 256 === 0), 'every bucket after the first starts on a 256-step tile');
    assert.equal(buckets.reduce((sum, b) => sum + b.count, 0), 100_000);
  });
});
