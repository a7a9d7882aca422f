// The compare charts' series cache over a real SQLite store: merged tiles are served again, a
// stale entry is checked against the store and read again only when its history grew (a running
// run keeps updating), entries are kept per bucket count, and the cache stays within its bound.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { metricSeries, readSeries } from '../../../src/core/compare/series.ts';
import { SeriesCache } from '../../../src/core/compare/seriesCache.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Metric } from '../../../src/core/store/types.ts';

const T0 = 1_700_000_000_000;

async function logSteps(store: SqliteTrackingStore, runId: string, key: string, from: number, to: number, value: (step: number) => number): Promise<void> {
  for (let start = from; start < to; start += 1000) {
    const metrics: Metric[] = [];
    for (let step = start; step < Math.min(to, start + 1000); step++) metrics.push({ key, value: value(step), step, timestamp: T0 + step });
    await store.logBatch(runId, { metrics });
  }
}

describe('core/compare: the series cache', function () {
  this.timeout(60_000);
  let dir: string;
  let store: SqliteTrackingStore;
  let running: string;
  let finished: string;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-series-cache-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'), { now: () => T0, user: 'ada' });
    running = (await store.createRun({ experimentId: '0', runName: 'running', startTime: T0 })).info.runId;
    finished = (await store.createRun({ experimentId: '0', runName: 'finished', startTime: T0 })).info.runId;
    await logSteps(store, running, 'loss', 0, 5000, (s) => 1 / (1 + s));
    await logSteps(store, finished, 'loss', 0, 5000, (s) => 2 / (1 + s));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shares a read under way: two requests for the same series at once read the store once', async () => {
    const cache = new SeriesCache();
    const [one, two] = await Promise.all([cache.read(store, running, 'loss', 100), cache.read(store, running, 'loss', 100)]);
    assert.equal(one, two);
    assert.deepEqual(cache.stats, { hits: 0, confirmed: 0, reads: 1 });
  });

  it('serves a (run, key, buckets) read before without asking the store, with the same data as an uncached read', async () => {
    const cache = new SeriesCache();
    const first = await cache.read(store, running, 'loss', 100);
    const again = await cache.read(store, running, 'loss', 100);
    assert.equal(again, first);
    assert.deepEqual(cache.stats, { hits: 1, confirmed: 0, reads: 1 });
    assert.deepEqual(first, await readSeries(store, running, 'loss', 100));
    // Another bucket count is another entry.
    const finer = await cache.read(store, running, 'loss', 400);
    assert.ok((finer?.step.length ?? 0) > (first?.step.length ?? 0));
    assert.equal(cache.stats.reads, 2);
  });

  it('after the store changed, reads again only the history that grew: the running run updates, the finished one is served', async () => {
    const cache = new SeriesCache();
    const before = await metricSeries(store, [running, finished], ['loss'], 100, cache);
    assert.equal(before[0]?.step.at(-1), 4999);
    // The running run logs on; the hub tells the panel, which marks the cache stale.
    await logSteps(store, running, 'loss', 5000, 6000, () => 0.5);
    cache.markStale();
    const after = await metricSeries(store, [running, finished], ['loss'], 100, cache);
    assert.equal(after[0]?.step.at(-1), 5999, 'the new points are drawn, not the cached history');
    assert.equal(after[0]?.last.at(-1), 0.5);
    assert.deepEqual(after[0], await readSeries(store, running, 'loss', 100));
    assert.equal(after[1], before[1], 'the finished run is served from the cache');
    assert.deepEqual(cache.stats, { hits: 0, confirmed: 1, reads: 3 });
    // Nothing changed since: both are served without a check.
    await metricSeries(store, [running, finished], ['loss'], 100, cache);
    assert.equal(cache.stats.hits, 2);
  });

  it('notices a point logged inside the history (same last step), not only at its end', async () => {
    const cache = new SeriesCache();
    await cache.read(store, finished, 'loss', 50);
    await store.logBatch(finished, { metrics: [{ key: 'loss', value: 99, step: 2500, timestamp: T0 + 2500 }] });
    cache.markStale();
    const series = await cache.read(store, finished, 'loss', 50);
    assert.equal(Math.max(...(series?.max ?? [])), 99);
  });

  it('leaves out runs that are gone, and keeps within its bound by dropping the least recently used', async () => {
    const cache = new SeriesCache({ maxBuckets: 150 });
    assert.equal(await cache.read(store, 'f'.repeat(32), 'loss', 100), undefined);
    assert.deepEqual((await metricSeries(store, [running, 'f'.repeat(32)], ['loss'], 100, cache)).map((s) => s.runId), [running]);
    await cache.read(store, finished, 'loss', 100); // evicts running's entry (100 + 100 > 150)
    const reads = cache.stats.reads;
    await cache.read(store, finished, 'loss', 100);
    assert.equal(cache.stats.reads, reads, 'the latest entry is kept');
    await cache.read(store, running, 'loss', 100);
    assert.equal(cache.stats.reads, reads + 1, 'the evicted one is read again');
  });
});
