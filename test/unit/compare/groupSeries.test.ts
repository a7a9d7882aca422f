// A group of runs as one line: mean, sample std, min and max per x bucket, checked against a plain
// reference computation on random runs (fast-check, fixed seed), on runs that log at different
// steps, and end to end over a real SQLite store; and the groups a panel accepts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { aggregateGroup, checkGroups, groupSeries, InvalidGroupsError, type GroupMember } from '../../../src/core/compare/groupSeries.ts';
import { SeriesCache } from '../../../src/core/compare/seriesCache.ts';
import { seriesFacts } from '../../../src/core/compare/series.ts';
import type { GroupSeries, MetricSeries } from '../../../src/core/compare/types.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Metric } from '../../../src/core/store/types.ts';

const T0 = 1_700_000_000_000;

function seriesOf(runId: string, points: readonly { step: number; value: number }[]): MetricSeries {
  const column = (f: (p: { step: number; value: number }) => number) => Float64Array.from(points, f);
  const columns = { step: column((p) => p.step), timestamp: column((p) => T0 + p.step * 1000), min: column((p) => p.value), max: column((p) => p.value), last: column((p) => p.value) };
  return { runId, key: 'loss', ...columns, facts: seriesFacts(columns) };
}

/** The obvious computation: every run's last value per bucket, then the statistics of those values. */
function reference(members: readonly GroupMember[], buckets: number): { x: number; mean: number; std: number; min: number; max: number; runs: number }[] {
  const points = members.flatMap((m) => [...m.series.step].map((x, i) => ({ run: m.series.runId, x, y: m.series.last[i] as number })).filter((p) => Number.isFinite(p.y)));
  if (points.length === 0) return [];
  const lo = Math.min(...points.map((p) => p.x));
  const hi = Math.max(...points.map((p) => p.x));
  const width = hi > lo ? (hi - lo) / buckets : 1;
  const byBucket = new Map<number, Map<string, { x: number; y: number }>>();
  for (const p of points) {
    const b = Math.min(buckets - 1, Math.floor((p.x - lo) / width));
    const runs = byBucket.get(b) ?? new Map<string, { x: number; y: number }>();
    const seen = runs.get(p.run);
    if (!seen || p.x >= seen.x) runs.set(p.run, { x: p.x, y: p.y });
    byBucket.set(b, runs);
  }
  return [...byBucket.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, runs]) => {
      const ys = [...runs.values()].map((v) => v.y);
      const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
      const std = ys.length > 1 ? Math.sqrt(ys.reduce((a, y) => a + (y - mean) ** 2, 0) / (ys.length - 1)) : 0;
      return { x: Math.max(...[...runs.values()].map((v) => v.x)), mean, std, min: Math.min(...ys), max: Math.max(...ys), runs: ys.length };
    });
}

function rows(g: GroupSeries): { x: number; mean: number; std: number; min: number; max: number; runs: number }[] {
  return [...g.x].map((x, i) => ({ x, mean: g.mean[i] as number, std: g.std[i] as number, min: g.min[i] as number, max: g.max[i] as number, runs: g.runs[i] as number }));
}

function assertClose(actual: ReturnType<typeof rows>, expected: ReturnType<typeof rows>): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] as (typeof expected)[number];
    assert.equal(a.x, e.x);
    assert.equal(a.runs, e.runs);
    assert.equal(a.min, e.min);
    assert.equal(a.max, e.max);
    for (const k of ['mean', 'std'] as const) assert.ok(Math.abs(a[k] - e[k]) <= 1e-9 * Math.max(1, Math.abs(e[k])), `${k} ${a[k]} vs ${e[k]} at ${i}`);
  });
}

describe('core/compare: groups of runs as a mean line with a band', function () {
  this.timeout(60_000);

  it('matches the reference computation on random runs of different lengths and steps (300 cases)', () => {
    const run = fc.array(fc.record({ step: fc.integer({ min: 0, max: 500 }), value: fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(Number.NaN)) }), { maxLength: 60 });
    fc.assert(
      fc.property(fc.array(run, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 40 }), (runs, buckets) => {
        // A run's series comes in step order, one point per step.
        const members = runs.map((points, r) => ({ series: seriesOf(`r${r}`, [...new Map(points.map((p) => [p.step, p])).values()].sort((a, b) => a.step - b.step)), startTime: T0 }));
        assertClose(rows(aggregateGroup('g', 'loss', members, 'step', buckets)), reference(members, buckets));
      }),
      { seed: 1314, numRuns: 300 },
    );
  });

  it('aggregates over the runs that have a bucket when runs log at different steps', () => {
    const early = seriesOf('early', Array.from({ length: 10 }, (_, i) => ({ step: i, value: 1 })));
    const late = seriesOf('late', Array.from({ length: 10 }, (_, i) => ({ step: 5 + i, value: 3 })));
    const group = aggregateGroup('g', 'loss', [{ series: early, startTime: T0 }, { series: late, startTime: T0 }], 'step', 15);
    assert.deepEqual([...group.x], Array.from({ length: 15 }, (_, i) => i));
    assert.deepEqual([...group.runs], [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1]);
    assert.deepEqual([...group.mean], [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]);
    assert.deepEqual([...group.std].map((s) => Number(s.toFixed(6))), [0, 0, 0, 0, 0, 1.414214, 1.414214, 1.414214, 1.414214, 1.414214, 0, 0, 0, 0, 0]);
    assert.deepEqual(group.runIds, ['early', 'late']);
  });

  it('reads a group from a real store, by step and by time since each run started', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-group-series-'));
    const store = new SqliteTrackingStore(path.join(dir, 'tracking.db'), { now: () => T0, user: 'ada' });
    try {
      const ids: string[] = [];
      for (const [i, level] of [1, 2, 6].entries()) {
        // Seeds started at different times, each logging a step per second.
        const start = T0 + i * 3_600_000;
        const run = await store.createRun({ experimentId: '0', runName: `seed-${i}`, startTime: start });
        const metrics: Metric[] = Array.from({ length: 100 }, (_, step) => ({ key: 'loss', value: level, step, timestamp: start + step * 1000 }));
        await store.logBatch(run.info.runId, { metrics });
        ids.push(run.info.runId);
      }
      const groups = [{ label: 'lr=0.1', runIds: ids }];
      const cache = new SeriesCache();
      for (const mode of ['step', 'relative'] as const) {
        const [group] = await groupSeries(store, groups, ['loss'], 100, mode, cache);
        assert.ok(group);
        assert.equal(group.x.length, 100, mode);
        assert.deepEqual([...new Set(group.runs)], [3]);
        assert.deepEqual([...new Set(group.mean)], [3]);
        assert.ok([...group.std].every((s) => Math.abs(s - Math.sqrt(7)) < 1e-12));
        assert.deepEqual([...new Set(group.min)], [1]);
        assert.deepEqual([...new Set(group.max)], [6]);
        assert.equal(group.x.at(-1), 99);
      }
      // The per-run series were read once and shared by both axes.
      assert.equal(cache.stats.reads, 3);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts groups of compared runs only, each run once, empty groups dropped', () => {
    assert.deepEqual(checkGroups(['a', 'b', 'c'], [{ label: 'x', runIds: ['a', 'b', 'a'] }, { label: 'empty', runIds: [] }]), [{ label: 'x', runIds: ['a', 'b'] }]);
    assert.throws(() => checkGroups(['a', 'b'], [{ label: 'x', runIds: ['a', 'z'] }]), (err: unknown) => err instanceof InvalidGroupsError && /names the run z, which is not among the compared runs/.test(err.message));
    assert.throws(() => checkGroups(['a'], [{ label: ' ', runIds: ['a'] }]), InvalidGroupsError);
  });
});
