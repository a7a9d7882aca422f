// The sweep panel's view model: counts, best so far by goal, runs per trial in seed order,
// durations, curves, params' axis kinds, early stopping in words — over plain records, and read
// back from real SQLite stores (sweeps, queue items and metric histories in one store file).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueueStore } from '../../../src/core/queue/queueStore.ts';
import type { QueueItem, QueueLaunch } from '../../../src/core/queue/types.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { SweepStore } from '../../../src/core/sweep/sweepStore.ts';
import { buildSweepView, describeEarlyStopping, topTrialRuns } from '../../../src/core/sweep/sweepView.ts';
import type { SweepRecord, SweepSpec, TrialRecord } from '../../../src/core/sweep/types.ts';
import { loadSweepView } from '../../../src/host/sweeps/sweepPanelData.ts';

const spec: SweepSpec = {
  name: 'ridge',
  program: { kind: 'script', file: 'train.py' },
  paramStyle: 'flags',
  parameters: { alpha: { type: 'float', low: 1e-4, high: 10, log: true }, depth: { type: 'int', low: 1, high: 8 }, solver: { type: 'categorical', values: ['auto', 'svd'] } },
  method: 'random',
  objective: { metric: 'rmse', goal: 'minimize' },
  budget: { trials: 10, minutes: 30 },
  parallelism: 2,
  seeds: [],
  seedParam: 'seed',
  samplerSeed: 0,
  sampler: 'tpe',
  earlyStopping: { rule: 'median', metric: 'val_rmse', startupTrials: 2, warmupSteps: 1, minTrials: 2 },
};

const sweep: SweepRecord = { sweepId: 's1', name: 'ridge', file: '.labbook/sweeps/ridge.yaml', spec, state: 'running', parallelism: 2, parentRunId: 'parent', experimentId: '1', target: '', createdAt: Date.UTC(2026, 0, 1), note: '' };

function trial(number: number, state: TrialRecord['state'], value?: number, note = ''): TrialRecord {
  return { sweepId: 's1', number, params: { alpha: 0.1 * (number + 1), depth: number + 1, solver: number % 2 ? 'svd' : 'auto' }, state, ...(value === undefined ? {} : { value }), createdAt: 0, note };
}

const launch: QueueLaunch = { kind: 'script', file: 'train.py', cwd: '/tmp', experimentName: 'ridge' };

function item(itemId: number, trialNumber: number, fields: Partial<QueueItem>): QueueItem {
  return { itemId, position: itemId, state: 'finished', label: `t${trialNumber}`, launch, pool: '', sweepId: 's1', trialNumber, runNow: false, attempts: 1, createdAt: 0, ...fields };
}

describe('sweep/sweepView: the sweep panel’s view model', () => {
  it('counts trials by state and keeps the best so far by the goal, finished trials only', () => {
    const trials = [trial(2, 'finished', 0.5), trial(0, 'finished', 0.9), trial(1, 'pruned', 0.1), trial(3, 'finished', 0.7), trial(4, 'running'), trial(5, 'queued'), trial(6, 'failed', undefined, 'exit code 1')];
    const view = buildSweepView({ sweep, trials, items: [], curves: new Map(), store: 'local', now: 0 });
    assert.deepEqual(view.counts, { queued: 1, running: 1, finished: 3, failed: 1, killed: 0, pruned: 1, cancelled: 0 });
    assert.deepEqual(view.trials.map((t) => t.number), [0, 1, 2, 3, 4, 5, 6]);
    // The pruned trial's 0.1 is not an objective: it never becomes the best.
    assert.deepEqual(view.trials.map((t) => t.bestSoFar), [0.9, 0.9, 0.5, 0.5, 0.5, 0.5, 0.5]);
    assert.deepEqual(view.best, { number: 2, value: 0.5, runIds: [] });
    assert.equal(view.trials[6]?.note, 'exit code 1');
    const maximize = buildSweepView({ sweep: { ...sweep, spec: { ...spec, objective: { metric: 'acc', goal: 'maximize' } } }, trials, items: [], curves: new Map(), store: 'local', now: 0 });
    assert.deepEqual(maximize.trials.map((t) => t.bestSoFar), [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]);
    assert.equal(maximize.best?.number, 0);
  });

  it('gives each trial its runs in seed order (a retried seed’s latest item), its duration and its first run’s curve', () => {
    const items = [
      item(1, 0, { seed: 2, runId: 'r0-seed2', startedAt: 1_000, endedAt: 9_000 }),
      item(2, 0, { seed: 1, runId: 'r0-seed1-old', state: 'failed', startedAt: 500, endedAt: 700 }),
      item(3, 0, { seed: 1, runId: 'r0-seed1', startedAt: 2_000, endedAt: 5_000 }),
      item(4, 1, { seed: 1, runId: 'r1', state: 'running', startedAt: 4_000 }),
      item(5, 2, { seed: 1, state: 'queued' }),
    ];
    const curves = new Map([
      ['r0-seed1', [{ step: 2, value: 0.4 }, { step: 1, value: 0.6 }]],
      ['r0-seed2', [{ step: 1, value: 9 }]],
    ]);
    const view = buildSweepView({ sweep, trials: [trial(0, 'finished', 0.4), trial(1, 'running'), trial(2, 'queued')], items, curves, store: 'local', now: 10_000 });
    const [t0, t1, t2] = view.trials;
    assert.deepEqual(t0?.runIds, ['r0-seed1', 'r0-seed2']);
    assert.equal(t0?.durationMs, 8_000, 'from the first start (seed 2 at 1 s) to the last end (9 s)');
    assert.deepEqual(t0?.intermediate, [{ step: 1, value: 0.6 }, { step: 2, value: 0.4 }], 'the first seed’s run, by step');
    assert.equal(t1?.durationMs, 6_000, 'a running trial: until now');
    assert.deepEqual(t2?.runIds, []);
    assert.equal(t2?.durationMs, null);
    assert.deepEqual(view.best?.runIds, ['r0-seed1', 'r0-seed2']);
  });

  it('marks where a pruned trial was cut, and describes params, budget and early stopping', () => {
    const view = buildSweepView({
      sweep,
      trials: [trial(0, 'pruned', undefined, 'worse than the median at step 3')],
      items: [item(1, 0, { runId: 'r0', state: 'pruned' })],
      curves: new Map([['r0', [{ step: 1, value: 3 }, { step: 3, value: 2 }]]]),
      store: 'local',
      now: 0,
    });
    assert.equal(view.trials[0]?.prunedAtStep, 3);
    assert.deepEqual(view.params, [{ name: 'alpha', kind: 'log' }, { name: 'depth', kind: 'number' }, { name: 'solver', kind: 'categorical', values: ['auto', 'svd'] }]);
    assert.deepEqual(view.budget, { trials: 10, minutes: 30 });
    assert.match(view.earlyStopping ?? '', /^Median rule on val_rmse: .*2 startup trial/);
    assert.equal(view.curveMetric, 'val_rmse');
    assert.equal(view.startedAt, '2026-01-01T00:00:00.000Z');
    assert.equal(view.endedAt, null);
    assert.match(describeEarlyStopping({ rule: 'asha', metric: 'loss', minResource: 1, reductionFactor: 3, minEarlyStoppingRate: 0 }) ?? '', /ASHA .*1 × 3\^k.*1\/3/);
    assert.equal(describeEarlyStopping(undefined), null);
  });

  it('defaults a grid’s budget to its size', () => {
    const grid: SweepSpec = { ...spec, method: 'grid', budget: {}, parameters: { solver: { type: 'categorical', values: ['a', 'b', 'c'] }, depth: { type: 'int', low: 1, high: 2 } } };
    const view = buildSweepView({ sweep: { ...sweep, spec: grid }, trials: [], items: [], curves: new Map(), store: 'local', now: 0 });
    assert.deepEqual(view.budget, { trials: 6, minutes: null });
    assert.equal(view.best, null);
  });

  it('picks the top finished trials’ first runs, best first', () => {
    const trials = [trial(0, 'finished', 3), trial(1, 'finished', 1), trial(2, 'pruned', 0), trial(3, 'finished', 2), trial(4, 'finished', 1)];
    const items = trials.map((t, i) => item(i + 1, t.number, { runId: `r${t.number}` }));
    const view = buildSweepView({ sweep, trials, items, curves: new Map(), store: 'local', now: 0 });
    assert.deepEqual(topTrialRuns(view, 3), ['r1', 'r4', 'r3']);
    assert.deepEqual(topTrialRuns(view, 10), ['r1', 'r4', 'r3', 'r0']);
  });

  describe('loadSweepView over real stores', () => {
    let dir: string;
    let tracking: SqliteTrackingStore;
    let queue: QueueStore;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'labbook-sweep-view-'));
      const file = path.join(dir, 'tracking.db');
      tracking = new SqliteTrackingStore(file);
      queue = QueueStore.open(file);
    });
    afterEach(async () => {
      queue.close();
      await tracking.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('reads the sweep, its items and each trial’s early-stopping curve from the store', async () => {
      const sweeps = new SweepStore(queue.database);
      sweeps.create({ sweepId: 's1', name: 'ridge', file: '.labbook/sweeps/ridge.yaml', spec, parallelism: 2, target: '' });
      const worker = { id: 'w', pid: process.pid };
      for (const [number, state, value] of [[0, 'finished', 0.3], [1, 'pruned', undefined]] as const) {
        sweeps.putTrial({ ...trial(number, 'running'), createdAt: 1 });
        queue.enqueue(launch, { sweepId: 's1', trialNumber: number, label: `trial ${number}` });
        const claimed = queue.claim(worker);
        assert.ok(claimed);
        const run = await tracking.createRun({ experimentId: '0', runName: `trial ${number}` });
        queue.started(claimed.itemId, run.info.runId, process.pid);
        for (let step = 1; step <= (number === 0 ? 4 : 2); step++) await tracking.logMetric(run.info.runId, { key: 'val_rmse', value: 1 / step, timestamp: step, step });
        queue.finish(claimed.itemId, { state });
        sweeps.putTrial({ ...trial(number, state, value), createdAt: 1, note: state === 'pruned' ? 'cut at step 2' : '' });
      }
      const view = await loadSweepView({ sweeps: () => sweeps, queue: () => queue, stores: (id) => Promise.resolve(id === 'local' ? tracking : undefined) }, 's1');
      assert.equal(view.store, 'local');
      assert.deepEqual(view.counts.finished, 1);
      assert.deepEqual(view.trials.map((t) => t.intermediate.length), [4, 2]);
      assert.equal(view.trials[1]?.prunedAtStep, 2);
      assert.equal(view.trials[1]?.note, 'cut at step 2');
      assert.equal(view.best?.number, 0);
      assert.equal(view.best?.runIds.length, 1);
      await assert.rejects(loadSweepView({ sweeps: () => sweeps, queue: () => queue, stores: () => Promise.resolve(undefined) }, 'nope'), /no sweep 'nope'/);
    });
  });
});
