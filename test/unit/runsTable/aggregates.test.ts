// Group aggregates against a reference computation: a direct two-pass mean and sample standard
// deviation, property-tested over random groups, and end to end over a real store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { GroupAggregator, RunningStats } from '../../../src/core/runsTable/aggregates.ts';
import { RunsTableModel } from '../../../src/core/runsTable/runsTableModel.ts';
import type { Cell, MetricAggregates } from '../../../src/core/runsTable/types.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { FUZZ_SEED, fuzzRuns, fuzzTitle } from '../fuzz/fuzzing.ts';

/** The textbook two-pass computation the one-pass aggregates must match. */
function reference(values: readonly number[]): MetricAggregates | undefined {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return undefined;
  const n = finite.length;
  const mean = finite.reduce((s, v) => s + v, 0) / n;
  const std = n > 1 ? Math.sqrt(finite.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, std, min: Math.min(...finite), max: Math.max(...finite) };
}

function assertClose(actual: MetricAggregates | undefined, expected: MetricAggregates | undefined, scale: number): void {
  if (expected === undefined) {
    assert.equal(actual, undefined);
    return;
  }
  assert.ok(actual, 'aggregates expected');
  assert.equal(actual.n, expected.n);
  assert.equal(actual.min, expected.min);
  assert.equal(actual.max, expected.max);
  const tolerance = 1e-9 * Math.max(1, scale);
  assert.ok(Math.abs(actual.mean - expected.mean) <= tolerance, `mean ${actual.mean} vs ${expected.mean}`);
  assert.ok(Math.abs(actual.std - expected.std) <= tolerance, `std ${actual.std} vs ${expected.std}`);
}

const RUNS = fuzzRuns(300);

describe('core/runsTable: group aggregates', () => {
  it(fuzzTitle('one-pass count, mean, sample std, min and max match a two-pass reference', RUNS), () => {
    const value = fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(Number.NaN), fc.constant(Number.POSITIVE_INFINITY));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 200 }), (values) => {
        const stats = new RunningStats();
        values.forEach((v) => stats.add(v));
        assertClose(stats.result(), reference(values), 1e6);
      }),
      { seed: FUZZ_SEED, numRuns: RUNS },
    );
  });

  it(fuzzTitle('moments of chunks merged (Chan et al.) match the two-pass reference over all the values', RUNS), () => {
    const value = fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e9, max: 1e9 + 1, noNaN: true }));
    fc.assert(
      fc.property(fc.array(fc.array(value, { maxLength: 40 }), { maxLength: 12 }), (chunks) => {
        const merged = new RunningStats();
        for (const chunk of chunks) {
          // Each chunk's moments as the store's two-level query gives them: the mean, then the squares about it.
          const own = reference(chunk);
          if (!own) continue;
          merged.merge({ n: own.n, mean: own.mean, m2: chunk.reduce((s, v) => s + (v - own.mean) ** 2, 0), min: own.min, max: own.max });
        }
        const all = chunks.flat();
        assertClose(merged.result(), reference(all), Math.max(1, ...all.map(Math.abs)));
      }),
      { seed: FUZZ_SEED, numRuns: RUNS },
    );
  });

  it(fuzzTitle('groups runs by their key values and aggregates each metric per group', RUNS), () => {
    const run = fc.record({ group: fc.constantFrom<Cell>('a', 'b', '10', '9', null), loss: fc.option(fc.double({ min: -100, max: 100, noNaN: true }), { nil: null }), acc: fc.double({ min: 0, max: 1, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(run, { maxLength: 120 }), (runs) => {
        const aggregator = new GroupAggregator(['metrics.loss', 'metrics.acc']);
        for (const r of runs) aggregator.add([r.group], (id) => (id === 'metrics.loss' ? r.loss : r.acc));
        const groups = aggregator.result();
        const keys = [...new Set(runs.map((r) => r.group))];
        assert.equal(groups.length, keys.length);
        for (const g of groups) {
          const members = runs.filter((r) => r.group === g.key[0]);
          assert.equal(g.count, members.length);
          assertClose(g.metrics['metrics.loss'], reference(members.flatMap((m) => (m.loss === null ? [] : [m.loss]))), 100);
          assertClose(g.metrics['metrics.acc'], reference(members.map((m) => m.acc)), 1);
        }
        // Numbers in numeric order, then text, the missing value last.
        const order = groups.map((g) => g.key[0] ?? null);
        const want = (['9', '10', 'a', 'b', null] as Cell[]).filter((k) => keys.includes(k));
        assert.deepEqual(order, want);
      }),
      { seed: FUZZ_SEED, numRuns: RUNS },
    );
  });

  it('over a real store: a 200-run sweep grouped by everything except the seed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-runs-table-groups-'));
    const store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    try {
      const experimentId = await store.createExperiment('seeds');
      const logged: { lr: string; depth: string; acc: number; loss: number | undefined }[] = [];
      let x = 7;
      const random = () => (x = (x * 48271) % 2147483647) / 2147483647;
      for (let i = 0; i < 200; i++) {
        const run = await store.createRun({ experimentId, runName: `r${i}` });
        const lr = ['0.1', '0.01', '0.001'][i % 3] as string;
        const depth = String(2 + (i % 2));
        const acc = 0.5 + random() / 2;
        const loss = i % 7 === 0 ? undefined : random() * 3;
        await store.logBatch(run.info.runId, {
          params: [{ key: 'lr', value: lr }, { key: 'depth', value: depth }, { key: 'seed', value: String(i) }],
          metrics: [{ key: 'acc', value: acc, timestamp: 1, step: 0 }, ...(loss === undefined ? [] : [{ key: 'loss', value: loss, timestamp: 1, step: 0 }])],
        });
        logged.push({ lr, depth, acc, loss });
      }
      const table = new RunsTableModel(store, [experimentId], { storeId: 'local', storeLabel: 'Local', pageSize: 32 });
      const schema = await table.schema();
      assert.equal((await table.setView({ ...schema.view, groupBy: ['params.lr', 'params.depth'] })).error, undefined);
      const groups = await table.groups();
      assert.equal(groups.length, 6);
      assert.deepEqual(groups.map((g) => g.key), [['0.001', '2'], ['0.001', '3'], ['0.01', '2'], ['0.01', '3'], ['0.1', '2'], ['0.1', '3']]);
      for (const g of groups) {
        const members = logged.filter((r) => r.lr === g.key[0] && r.depth === g.key[1]);
        assert.equal(g.count, members.length);
        assertClose(g.metrics['metrics.acc'], reference(members.map((m) => m.acc)), 1);
        assertClose(g.metrics['metrics.loss'], reference(members.flatMap((m) => (m.loss === undefined ? [] : [m.loss]))), 3);
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
