// The Compare host's reads for its page over a real SQLite store: the first chart's metric is the
// one the Charts tab draws first (one rule, chartMetrics), read ahead while the page loads at the
// bucket count the last page asked for, so the page's own request reads nothing more; a
// comparison built ahead is served once, and nothing built before a store change is served after.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CompareReader } from '../../../src/core/compare/compareReader.ts';
import { readSeries } from '../../../src/core/compare/series.ts';
import { SeriesCache } from '../../../src/core/compare/seriesCache.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Metric } from '../../../src/core/store/types.ts';
import { chartMetrics } from '../../../src/shared/chartMetrics.ts';

const T0 = 1_700_000_000_000;

/** The store with its run reads (getRun) counted. */
function countingRunReads(target: SqliteTrackingStore): { store: SqliteTrackingStore; reads: number } {
  const counted = { store: target, reads: 0 };
  counted.store = new Proxy(target, {
    get(base, property, receiver) {
      const value: unknown = Reflect.get(base, property, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...a: unknown[]) => unknown;
      if (property !== 'getRun') return method.bind(base);
      return (...args: unknown[]) => {
        counted.reads++;
        return method.apply(base, args);
      };
    },
  });
  return counted;
}

describe('core/compare: the Compare host reader', function () {
  this.timeout(60_000);
  let dir: string;
  let store: SqliteTrackingStore;
  let a: string;
  let b: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-compare-reader-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'), { now: () => T0, user: 'ada' });
    a = (await store.createRun({ experimentId: '0', runName: 'a', startTime: T0 })).info.runId;
    b = (await store.createRun({ experimentId: '0', runName: 'b', startTime: T0 })).info.runId;
    const log = async (runId: string, key: string, n: number) => {
      const metrics: Metric[] = Array.from({ length: n }, (_, step) => ({ key, value: 1 / (step + 1), step, timestamp: T0 + step }));
      for (let i = 0; i < n; i += 1000) await store.logBatch(runId, { metrics: metrics.slice(i, i + 1000) });
    };
    // Shared: loss and lr; only a: accuracy (first in the alphabet, so not first to chart).
    await log(a, 'accuracy', 500);
    for (const run of [a, b]) {
      await log(run, 'loss', 5000);
      await log(run, 'lr', 100);
    }
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => CompareReader.forgetBuckets());

  const open = (cache = new SeriesCache()) => ({ cache, reader: new CompareReader(() => Promise.resolve(store), { store: 'local', runIds: [a, b] }, cache) });

  it('answers the first chart with the metric the Charts tab draws first, and its histories', async () => {
    const { reader } = open();
    const model = await reader.comparison({});
    assert.deepEqual(chartMetrics(model, null), ['loss', 'lr']);
    const first = await reader.firstChart(null, 100);
    assert.equal(first.key, 'loss');
    assert.deepEqual(first.series.map((s) => s.runId), [a, b]);
    assert.deepEqual(first.series[0], await readSeries(store, a, 'loss', 100));
    // Both runs logged the same steps: one column (one buffer to the page, one x axis).
    assert.equal(first.series[0]?.step, first.series[1]?.step);
    // A saved choice: its first metric that a run has.
    assert.equal((await reader.firstChart(['gone', 'accuracy', 'loss'], 100)).key, 'accuracy');
    // Every compared run is answered; b has no history of it.
    assert.deepEqual((await reader.firstChart(['accuracy'], 100)).series.map((s) => s.step.length), [100, 0]);
    // Nothing to chart.
    assert.deepEqual(await reader.firstChart(['gone'], 100), { key: null, series: [] });
  });

  it('reads the first chart ahead at the bucket count the last page asked for, so the page asks nothing of the store', async () => {
    // Nothing is read ahead before any page asked: the count is not known.
    const first = open();
    first.reader.readFirstChartAhead();
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(first.cache.stats, { hits: 0, confirmed: 0, reads: 0 });
    await first.reader.firstChart(null, 300);

    const next = open();
    next.reader.readFirstChartAhead();
    // The page asks while the read ahead may still be running: it waits for it, never reads twice.
    const answer = await next.reader.firstChart(null, 300);
    assert.equal(answer.key, 'loss');
    assert.deepEqual(next.cache.stats, { hits: 2, confirmed: 0, reads: 2 }, 'two runs read once (ahead), then served');
    assert.deepEqual(answer.series[1], await readSeries(store, b, 'loss', 300));
  });

  it('serves a comparison built ahead once, and builds again after the store changed', async () => {
    const { reader } = open();
    await reader.firstChart(null, 100);
    // Run reads counted: a comparison reads each of its two runs once.
    const counted = countingRunReads(store);
    const other = new CompareReader(() => Promise.resolve(counted.store), { store: 'local', runIds: [a, b] }, new SeriesCache());
    other.readFirstChartAhead();
    await other.firstChart(null, 100);
    const ahead = await other.comparison({});
    assert.equal(counted.reads, 2, 'built once ahead: the first chart and the page’s request use it');
    assert.equal(await other.comparison({}) === ahead, false, 'a second request builds anew');
    assert.equal(counted.reads, 4);
    // A restored page's direction overrides: the comparison built ahead with them is the one it asks for.
    counted.reads = 0;
    const restored = new CompareReader(() => Promise.resolve(counted.store), { store: 'local', runIds: [a, b] }, new SeriesCache());
    restored.readFirstChartAhead(null, { loss: 'higher' });
    await restored.firstChart(null, 100);
    const asked = await restored.comparison({ loss: 'higher' });
    assert.equal(counted.reads, 2, 'the comparison built ahead with the saved overrides is served');
    assert.ok(asked.rows.length > 0);
    const runAhead = open();
    runAhead.reader.readFirstChartAhead();
    await runAhead.reader.firstChart(null, 100);
    runAhead.reader.changed();
    await store.logParam(a, 'extra', '1');
    const after = await runAhead.reader.comparison({});
    assert.ok(after.rows.some((r) => r.id === 'param:extra'), 'the comparison after the change shows it');
  });

  it('groups on a relative time axis take the runs’ start times from the comparison built, not from the store again', async () => {
    const counted = countingRunReads(store);
    const groups = [{ label: 'both', runIds: [a, b] }];
    const reader = new CompareReader(() => Promise.resolve(counted.store), { store: 'local', runIds: [a, b], groups }, new SeriesCache());
    // No comparison yet: each run's start is read once.
    const cold = await reader.groupSeries(groups, ['loss'], 100, 'relative');
    assert.equal(counted.reads, 2);
    await reader.comparison({});
    counted.reads = 0;
    const warm = await reader.groupSeries(groups, ['loss'], 100, 'relative');
    assert.equal(counted.reads, 0, 'the comparison knew the start times');
    assert.deepEqual(warm, cold);
    assert.equal(warm[0]?.runs[0], 2, 'both runs in the group');
  });
});
