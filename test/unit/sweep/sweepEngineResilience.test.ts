// The sweep engine's edges, driven by hand over a real SQLite store and queue (items claimed,
// started and finished here, runs logged straight into the store): several steps reported between
// two ticks are judged one by one, as Optuna's pruners would (compared with pruning.ts at each
// step, which test/interop/sweepPruning.test.ts compares with Optuna); the pool and `drives`
// options and never owning a sweep whose store cannot be opened; a failed objective read retried,
// not a failed trial; paused time outside the time budget; a seed lost between two enqueues.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueueStore } from '../../../src/core/queue/queueStore.ts';
import type { QueueItem } from '../../../src/core/queue/types.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { TrackingStore } from '../../../src/core/store/trackingStore.ts';
import { ashaPrune, medianPrune, type Curve } from '../../../src/core/sweep/pruning.ts';
import { SweepEngine, type SweepEngineOptions } from '../../../src/core/sweep/sweepEngine.ts';
import { OBJECTIVE_RETRY } from '../../../src/core/sweep/sweepItems.ts';
import { parseSweepFile } from '../../../src/core/sweep/sweepFile.ts';
import { SweepStore } from '../../../src/core/sweep/sweepStore.ts';
import type { SweepSpec } from '../../../src/core/sweep/types.ts';
import { testPython } from '../../support/python.ts';

const WORKER = { id: 'hand', pid: process.pid };

function specOf(yaml: string): SweepSpec {
  const parsed = parseSweepFile(yaml, 'test.yaml');
  if (!parsed.spec) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  return parsed.spec;
}

describe('sweep/sweepEngine: steps between ticks, pools, unreachable stores, retried reads, pauses, lost seeds', function () {
  this.timeout(60_000);
  let dir: string;
  let store: SqliteTrackingStore;
  let queue: QueueStore;
  let sweeps: SweepStore;
  let clock: number;
  const engines: SweepEngine[] = [];
  const logs: string[] = [];

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-sweep-hand-'));
    const db = path.join(dir, 'tracking.db');
    store = new SqliteTrackingStore(db);
    clock = 1_000_000;
    queue = QueueStore.open(db, {}, () => clock);
    sweeps = new SweepStore(queue.database, () => clock);
    logs.length = 0;
  });
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.dispose();
    queue.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function engine(options: Partial<SweepEngineOptions> & { owner: string }): SweepEngine {
    const e = new SweepEngine({
      queue, sweeps, storeFor: () => store, python: testPython, cwd: dir, now: () => clock,
      stopItem: (id, reason) => Promise.resolve(void queue.finish(id, { state: reason })),
      log: (line) => logs.push(line),
      ...options,
    });
    engines.push(e);
    return e;
  }

  /** Claims the sweep's next item and starts a run for it in the store. */
  async function startNext(sweepId: string, pools: readonly string[] = ['']): Promise<QueueItem & { runId: string }> {
    clock += 10;
    const item = queue.claim(WORKER, { pools, sweepIds: [sweepId] });
    assert.ok(item, `an item of ${sweepId} to claim`);
    const sweep = sweeps.get(sweepId);
    const run = await store.createRun({ experimentId: sweep?.experimentId ?? '0', startTime: clock });
    queue.started(item.itemId, run.info.runId, undefined);
    return { ...(queue.get(item.itemId) as QueueItem), runId: run.info.runId };
  }

  async function log(runId: string, key: string, curve: Curve): Promise<void> {
    await store.logBatch(runId, { metrics: curve.map((p) => ({ key, value: p.value, step: p.step, timestamp: clock })) });
  }

  async function finish(e: SweepEngine, item: QueueItem & { runId: string }, objective?: number): Promise<void> {
    if (objective !== undefined) await log(item.runId, 'score', [{ step: 0, value: objective }]);
    clock += 10;
    await store.updateRun(item.runId, { status: 'FINISHED', endTime: clock });
    const ended = queue.finish(item.itemId, { state: 'finished' });
    assert.ok(ended);
    await e.onItemEnded(ended);
  }

  const steps = (values: number[]): Curve => values.map((value, i) => ({ step: i + 1, value }));

  it('ASHA: a trial reporting steps 1–3 between two ticks is judged at step 1 first, and pruned there as Optuna would', async () => {
    const spec = specOf(`
name: asha
program: trial.py
method: random
objective: { metric: score, goal: minimize }
parameters: { x: { low: 0.0, high: 1.0 } }
budget: 4
parallelism: 4
earlyStopping: { rule: asha, metric: loss, minResource: 1, reductionFactor: 2 }
`);
    const e = engine({ owner: 'w' });
    const sweep = await e.start(spec, '');
    const items = [];
    for (let i = 0; i < 4; i++) items.push(await startNext(sweep.sweepId));
    const others = [steps([0.1, 0.1, 0.1, 0.1]), steps([0.2, 0.2, 0.2, 0.2]), steps([0.3, 0.3, 0.3, 0.3])];
    for (const [i, curve] of others.entries()) await log(items[i]!.runId, 'loss', curve);
    const late = steps([0.9, 0.25, 0.15]);
    await log(items[3]!.runId, 'loss', late);
    await e.tick();

    // What Optuna's SuccessiveHalvingPruner answers after each report, in order.
    const first = [1, 2, 3].find((s) => ashaPrune(spec.earlyStopping as never, late, others, s, 'minimize').prune);
    assert.equal(first, 1, 'the pure rule prunes at the first report');
    assert.equal(ashaPrune(spec.earlyStopping as never, late, others, 3, 'minimize').prune, false, 'judged at step 3 alone it would be promoted');
    assert.equal(queue.get(items[3]!.itemId)?.state, 'pruned', logs.join('\n'));
    assert.match(sweeps.trial(sweep.sweepId, 3)?.note ?? '', /^pruned at step 1 /);
    assert.equal(queue.get(items[0]!.itemId)?.state, 'running', 'the best one goes on');
  });

  it('median: steps arriving between ticks are judged each in turn; a prune at an early step is not lost to a later good one', async () => {
    const spec = specOf(`
name: median
program: trial.py
method: random
objective: { metric: score, goal: minimize }
parameters: { x: { low: 0.0, high: 1.0 } }
budget: 3
parallelism: 2
earlyStopping: { rule: median, metric: loss, startupTrials: 1 }
`);
    const e = engine({ owner: 'w' });
    const sweep = await e.start(spec, '');
    const done = await startNext(sweep.sweepId);
    const doneCurve = steps([0.5, 0.4, 0.3]);
    await log(done.runId, 'loss', doneCurve);
    await finish(e, done, 0.3);
    const item = await startNext(sweep.sweepId);
    // Worse than the median at step 1, then better at 2 and 3 (its best so far beats the median there).
    const curve = steps([0.9, 0.1, 0.05]);
    await log(item.runId, 'loss', curve);
    await e.tick();
    const decisions = [1, 2, 3].map((s) => medianPrune(spec.earlyStopping as never, curve, [doneCurve], s, 'minimize').prune);
    assert.deepEqual(decisions, [true, false, false], 'the pure rule at each step');
    assert.equal(queue.get(item.itemId)?.state, 'pruned', logs.join('\n'));
    assert.match(sweeps.trial(sweep.sweepId, item.trialNumber as number)?.note ?? '', /^pruned at step 1 /);
  });

  it('ASHA: a pruned competitor counts only up to the step it was pruned at, not what it logged before it stopped', async () => {
    const spec = specOf(`
name: order
program: trial.py
method: random
objective: { metric: score, goal: minimize }
parameters: { x: { low: 0.0, high: 1.0 } }
budget: 3
parallelism: 2
earlyStopping: { rule: asha, metric: loss, minResource: 1, reductionFactor: 2 }
`);
    const e = engine({ owner: 'w' });
    const sweep = await e.start(spec, '');
    const a = await startNext(sweep.sweepId);
    const b = await startNext(sweep.sweepId);
    // a is pruned at step 2 (worse than b there) and logs step 4 after that, before it stops.
    await log(a.runId, 'loss', steps([0.5, 0.9]));
    await log(b.runId, 'loss', steps([0.6, 0.2, 0.2, 0.2]));
    await e.tick();
    assert.equal(queue.get(a.itemId)?.state, 'pruned', logs.join('\n'));
    await log(a.runId, 'loss', [{ step: 3, value: 0.01 }, { step: 4, value: 0.01 }]);
    await finish(e, b, 0.2);
    const c = await startNext(sweep.sweepId);
    const curve = steps([0.4, 0.15, 0.12, 0.1]);
    await log(c.runId, 'loss', curve);
    await e.tick();
    // Optuna saw a only up to step 2, and a before b.
    const seen = [steps([0.5, 0.9]), steps([0.6, 0.2, 0.2, 0.2])];
    const expected = [1, 2, 3, 4].find((s) => ashaPrune(spec.earlyStopping as never, curve, seen, s, 'minimize').prune);
    const uncut = [1, 2, 3, 4].find((s) => ashaPrune(spec.earlyStopping as never, curve, [steps([0.5, 0.9, 0.01, 0.01]), seen[1]!], s, 'minimize').prune);
    assert.deepEqual([expected, uncut], [undefined, 4], 'the cut matters in this case');
    assert.equal(queue.get(c.itemId)?.state, 'running', sweeps.trial(sweep.sweepId, c.trialNumber as number)?.note);
  });

  it('ASHA: competitors count in the order they started, not the order they ended', async () => {
    const spec = specOf(`
name: started
program: trial.py
method: random
objective: { metric: score, goal: minimize }
parameters: { x: { low: 0.0, high: 1.0 } }
budget: 4
parallelism: 4
earlyStopping: { rule: asha, metric: loss, minResource: 1, reductionFactor: 2 }
`);
    const e = engine({ owner: 'w' });
    const sweep = await e.start(spec, '');
    const [p, q, r, c] = [await startNext(sweep.sweepId), await startNext(sweep.sweepId), await startNext(sweep.sweepId), await startNext(sweep.sweepId)];
    // p reports sparsely (step 1, then 4): whether it holds rung 2 depends on who reached rung 1 before it.
    const curves: Curve[] = [[{ step: 1, value: 0.5 }, { step: 4, value: 0.2 }], steps([0.1, 0.1, 0.1, 0.1]), steps([0.3, 0.3, 0.3, 0.3])];
    for (const [i, item] of [p, q, r].entries()) {
      await log(item.runId, 'loss', curves[i]!);
      await finish(e, item, 1);
    }
    const curve: Curve = [{ step: 1, value: 0.05 }, { step: 2, value: 0.05 }, { step: 4, value: 0.15 }];
    await log(c.runId, 'loss', curve);
    await e.tick();
    const rule = spec.earlyStopping as never;
    const byStart = [1, 2, 4].find((st) => ashaPrune(rule, curve, curves, st, 'minimize').prune);
    const byEnd = [1, 2, 4].find((st) => ashaPrune(rule, curve, [...curves].reverse(), st, 'minimize').prune);
    assert.deepEqual([byStart, byEnd], [undefined, 4], 'the order matters in this case');
    assert.equal(queue.get(c.itemId)?.state, 'running', sweeps.trial(sweep.sweepId, 3)?.note);
  });

  it("bayes: the first prune answer of Optuna's pruner stops the trial, a later report's 'false' does not undo it", async function () {
    this.timeout(120_000);
    const spec = specOf(`
name: bayes
program: trial.py
method: bayes
objective: { metric: score, goal: minimize }
parameters: { x: { low: 0.0, high: 1.0 } }
budget: 3
parallelism: 1
earlyStopping: { rule: median, metric: loss, startupTrials: 1 }
`);
    const e = engine({ owner: 'w' });
    const sweep = await e.start(spec, '');
    const done = await startNext(sweep.sweepId);
    const doneCurve = steps([0.5, 0.4, 0.3]);
    await log(done.runId, 'loss', doneCurve);
    await e.tick(); // its steps reach the study while it runs
    await finish(e, done, 0.3);
    const item = await startNext(sweep.sweepId);
    // MedianPruner: step 1 is worse than the median (prune), step 2's best is better (no prune).
    const curve = steps([0.9, 0.1]);
    assert.deepEqual([1, 2].map((st) => medianPrune(spec.earlyStopping as never, curve, [doneCurve], st, 'minimize').prune), [true, false]);
    await log(item.runId, 'loss', curve);
    await e.tick();
    assert.equal(queue.get(item.itemId)?.state, 'pruned', logs.join('\n'));
    assert.match(sweeps.trial(sweep.sweepId, item.trialNumber as number)?.note ?? '', /^pruned at step 1 by Optuna's MedianPruner/);
  });

  const PLAIN = `
name: plain
program: trial.py
method: random
objective: { metric: score, goal: minimize }
parameters: { x: { low: 0.0, high: 1.0 } }
budget: 3
parallelism: 1
`;

  it('pool and drives: a CLI engine queues into its pool and adopts nothing; nobody owns a sweep whose store it cannot open, and an owner that loses it lets go', async () => {
    const cli = engine({ owner: 'cli-1', pool: 'cli', drives: () => false });
    const mine = await cli.start(specOf(PLAIN), '');
    assert.equal(sweeps.get(mine.sweepId)?.pool, 'cli');
    assert.deepEqual(queue.list({ sweepId: mine.sweepId }).map((i) => i.pool), ['cli', 'cli']);
    assert.equal(queue.claim(WORKER, { pools: [''] }), undefined, 'the editor pool does not see the CLI trials');

    // A sweep a closed window left (owner released) is not the CLI's to take.
    const win = engine({ owner: 'win-1' });
    const left = await win.start(specOf(PLAIN), '');
    await win.dispose();
    await cli.tick();
    await cli.resumeAll();
    assert.deepEqual(cli.ownedSweeps(), [mine.sweepId]);
    assert.equal(sweeps.owner(left.sweepId)?.owner, '');

    // A remote-target sweep: an engine without that store leaves it alone.
    queue.database.prepare(`UPDATE sweeps SET target = 'remote:https://mlflow.example' WHERE sweep_id = ?`).run(left.sweepId);
    const noRemote = (target: string): TrackingStore => {
      if (target !== '') throw new Error(`no store for ${target}`);
      return store;
    };
    const other = engine({ owner: 'win-2', storeFor: noRemote, drives: (s) => (s.pool ?? '') === '' });
    await other.resumeAll();
    await other.tick();
    assert.deepEqual(other.ownedSweeps(), [], 'neither the CLI sweep (drives) nor the remote one (no store)');
    assert.equal(sweeps.owner(left.sweepId)?.owner, '');

    // One it owns and whose store stops resolving is released, not heart-beaten.
    let reachable = true;
    const flaky = engine({ owner: 'win-3', storeFor: (t) => (reachable ? store : noRemote(t)), drives: (s) => (s.pool ?? '') === '' });
    await flaky.tick();
    assert.deepEqual(flaky.ownedSweeps(), [left.sweepId]);
    reachable = false;
    await flaky.tick();
    assert.deepEqual(flaky.ownedSweeps(), []);
    assert.equal(sweeps.owner(left.sweepId)?.owner, '', 'released at once, for an engine that can drive it');
  });

  it('an objective that cannot be read is read again on the next settle, and fails the trial only after the retry bounds', async () => {
    const unreachable = new SqliteTrackingStore(path.join(dir, 'elsewhere.db'));
    let current: TrackingStore = store;
    const e = engine({ owner: 'w', storeFor: () => current });
    const sweep = await e.start(specOf(PLAIN), '');
    const first = await startNext(sweep.sweepId);
    current = unreachable; // the run is not readable there (as a server that is down or lags)
    await finish(e, first, 0.25);
    assert.ok(['queued', 'running'].includes(sweeps.trial(sweep.sweepId, 0)?.state ?? ''), 'still open: not failed on one failed read');
    current = store;
    await e.tick();
    assert.equal(sweeps.trial(sweep.sweepId, 0)?.state, 'finished');
    assert.equal(sweeps.trial(sweep.sweepId, 0)?.value, 0.25);

    const second = await startNext(sweep.sweepId);
    current = unreachable;
    await finish(e, second, 0.5);
    for (let i = 0; i < OBJECTIVE_RETRY.tries + 1; i++) {
      await e.tick();
      assert.ok(['queued', 'running'].includes(sweeps.trial(sweep.sweepId, 1)?.state ?? ''), `still open after ${i + 2} reads within ${OBJECTIVE_RETRY.ms} ms`);
    }
    clock += OBJECTIVE_RETRY.ms;
    await e.tick();
    const failed = sweeps.trial(sweep.sweepId, 1);
    assert.equal(failed?.state, 'failed');
    assert.match(failed?.note ?? '', /not read: .*tries in \d+ s/);
    await unreachable.close();
  });

  it('a readable finished run without the objective fails its trial at once, saying so', async () => {
    const e = engine({ owner: 'w' });
    const sweep = await e.start(specOf(PLAIN), '');
    const item = await startNext(sweep.sweepId);
    await finish(e, item);
    assert.equal(sweeps.trial(sweep.sweepId, 0)?.state, 'failed');
    assert.match(sweeps.trial(sweep.sweepId, 0)?.note ?? '', /finished without logging score/);
  });

  it('the time budget does not count paused time: a sweep resumed after its minutes have passed on the clock goes on', async () => {
    const e = engine({ owner: 'w' });
    const spec = specOf(PLAIN.replace('budget: 3', 'budget: { trials: 3, minutes: 1 }'));
    const sweep = await e.start(spec, '');
    const item = await startNext(sweep.sweepId);
    clock += 20_000;
    await e.pause(sweep.sweepId);
    assert.equal(queue.get(item.itemId)?.state, 'cancelled');
    clock += 10 * 60_000;
    assert.equal(await e.resume(sweep.sweepId), true);
    const resumed = sweeps.get(sweep.sweepId);
    assert.equal(resumed?.state, 'running', resumed?.note);
    assert.equal(resumed?.pausedMs, 10 * 60_000);
    assert.equal(resumed?.pausedAt, undefined);
    assert.equal(queue.get(item.itemId)?.state, 'queued', 'the paused trial runs again');
    assert.equal(queue.list({ sweepId: sweep.sweepId, states: ['queued'] }).length, 2);
    // 40 s of running time remain: past them, nothing new starts.
    clock += 45_000;
    await e.tick();
    assert.equal(queue.list({ sweepId: sweep.sweepId, states: ['queued'] }).filter((i) => i.attempts === 0).length, 0);
  });

  it('a trial with fewer items than seeds (a crash between enqueues) gets the missing seeds on resume, and is not settled on fewer', async () => {
    const spec = specOf(PLAIN.replace('budget: 3', 'budget: 1\nseeds: [1, 2]'));
    const e = engine({ owner: 'w' });
    const sweep = await e.start(spec, '');
    const [, lost] = queue.list({ sweepId: sweep.sweepId }).sort((a, b) => a.itemId - b.itemId);
    assert.equal(lost?.seed, 2);
    queue.database.prepare('DELETE FROM queue_items WHERE item_id = ?').run(lost?.itemId);
    await e.dispose();
    const next = engine({ owner: 'w2' });
    await next.resumeAll();
    assert.deepEqual(queue.list({ sweepId: sweep.sweepId }).map((i) => i.seed).sort(), [1, 2]);
    const one = await startNext(sweep.sweepId);
    await finish(next, one, 1);
    assert.notEqual(sweeps.trial(sweep.sweepId, 0)?.state, 'finished', 'one seed of two is not a finished trial');
    const two = await startNext(sweep.sweepId);
    await finish(next, two, 3);
    assert.equal(sweeps.trial(sweep.sweepId, 0)?.value, 2);
  });
});
