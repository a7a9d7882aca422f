// The sweep engine end to end over a real SQLite store, real queue runners and real Python trials:
// the trial budget, seeds, failed trials counted, stopping, and resuming after a crash (a worker
// that died mid-trial, an owner that vanished) with no finished trial repeated and none lost.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { LaunchedItem } from '../../../src/core/queue/types.ts';
import { harness, scoreOf, tagsOf, type Harness } from '../../support/sweepHarness.ts';

/** A pid no process has: a child that already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid;
}

describe('sweep/sweepEngine: trials through the queue, with real Python', function () {
  this.timeout(180_000);
  let h: Harness;
  beforeEach(() => (h = harness()));
  afterEach(() => h.close());

  it('runs a random sweep to its trial budget, children of a parent run that ends with the best trial', async () => {
    const spec = h.spec(`
name: budget
program: trial.py
method: random
objective: { metric: score, goal: minimize }
parameters:
  x: { low: -2.0, high: 4.0 }
budget: 5
parallelism: 2
`);
    const { engine } = h.pair({ owner: 'w1' });
    const started = await engine.start(spec, '.labbook/sweeps/budget.yaml');
    assert.equal(started.state, 'running');
    assert.ok(started.parentRunId);
    const ended = await h.waitForEnd(started.sweepId, engine);
    assert.equal(ended.state, 'finished', h.logs.join('\n'));
    const trials = h.sweeps.trials(started.sweepId);
    assert.deepEqual(trials.map((t) => [t.number, t.state]), [0, 1, 2, 3, 4].map((n) => [n, 'finished']));
    for (const t of trials) assert.ok(Math.abs((t.value as number) - scoreOf(t.params['x'] as number)) < 1e-9, `trial ${t.number}: value from its own params`);
    assert.equal(h.queue.list({ sweepId: started.sweepId }).length, 5, 'one item per trial, nothing extra');

    const runs = await h.runsOf(started.sweepId);
    const children = runs.filter((r) => tagsOf(r)['mlflow.parentRunId'] === started.parentRunId);
    assert.equal(children.length, 5);
    assert.ok(children.every((r) => r.info.status === 'FINISHED'));
    const parent = await h.store.getRun(started.parentRunId);
    assert.equal(parent.info.status, 'FINISHED');
    assert.equal(tagsOf(parent)['labbook.sweep.id'], started.sweepId);
    assert.equal(tagsOf(parent)['mlflow.runName'], 'budget');
    const best = trials.reduce((a, b) => ((a.value as number) <= (b.value as number) ? a : b));
    assert.equal(parent.data.metrics.find((m) => m.key === 'best_score')?.value, best.value);
    assert.equal(tagsOf(parent)['labbook.sweep.best_trial'], String(best.number));
    const bestRun = runs.find((r) => r.info.runId === tagsOf(parent)['labbook.sweep.best_run']);
    assert.equal(tagsOf(bestRun as never)['labbook.sweep.trial'], String(best.number));
    assert.ok(parent.data.params.some((p) => p.key === 'space.x' && p.value.startsWith('float [-2, 4]')));
  });

  it('counts failed trials in the budget, says why they failed, and averages a trial over its seeds', async () => {
    const spec = h.spec(`
name: grid-seeds
program: trial.py
method: grid
objective: { metric: score }
parameters:
  kind: [good, bad, silent]
  x: [0, 3]
seeds: [0, 2]
parallelism: 3
`);
    const { engine } = h.pair({ owner: 'w1', slots: 3 });
    const started = await engine.start(spec, '');
    const ended = await h.waitForEnd(started.sweepId, engine);
    assert.equal(ended.state, 'finished', h.logs.join('\n'));
    const trials = h.sweeps.trials(started.sweepId);
    assert.equal(trials.length, 6, 'the whole grid, failures included');
    for (const t of trials) {
      if (t.params['kind'] === 'good') {
        assert.equal(t.state, 'finished');
        assert.equal(t.value, (scoreOf(t.params['x'] as number, 0) + scoreOf(t.params['x'] as number, 2)) / 2, 'the mean over seeds 0 and 2');
      } else if (t.params['kind'] === 'bad') {
        assert.equal(t.state, 'failed');
        assert.match(t.note, /seed \d failed/);
        assert.equal(t.value, undefined);
      } else {
        assert.equal(t.state, 'failed');
        assert.match(t.note, /without logging score/);
      }
    }
    assert.equal(h.queue.list({ sweepId: started.sweepId }).length, 12, 'one item per (trial, seed)');
    const parent = await h.store.getRun(started.parentRunId);
    assert.equal(tagsOf(parent)['labbook.sweep.best_trial'], String(trials.find((t) => t.params['kind'] === 'good' && t.params['x'] === 0)?.number));
  });

  it('a time budget: no trial is queued after it, trials that never started are cancelled, the sweep ends', async () => {
    const spec = h.spec(`
name: minutes
program: trial.py
method: random
objective: { metric: score }
parameters:
  x: { low: 0.0, high: 2.0 }
budget: { trials: 50, minutes: 0.01 }
parallelism: 1
env: { TRIAL_SLEEP: "0.4" }
`);
    const { engine } = h.pair({ owner: 'w1' });
    const started = await engine.start(spec, '');
    const ended = await h.waitForEnd(started.sweepId, engine);
    assert.equal(ended.state, 'finished', h.logs.join('\n'));
    const trials = h.sweeps.trials(started.sweepId);
    assert.ok(trials.length < 50 && trials.length >= 2, `${trials.length} trials`);
    const states = trials.map((t) => t.state);
    assert.ok(states.includes('finished'), JSON.stringify(states));
    assert.ok(states.every((s) => s === 'finished' || s === 'cancelled'), JSON.stringify(states));
    assert.ok(h.queue.list({ sweepId: started.sweepId, states: ['cancelled'] }).every((i) => i.attempts === 0), 'only never-started items were cancelled');
  });

  it('stop: queued items cancelled, running ones stopped, the parent run KILLED, no more trials', async () => {
    const spec = h.spec(`
name: stopme
program: trial.py
method: random
objective: { metric: score }
parameters:
  x: { low: 0.0, high: 2.0 }
budget: 50
parallelism: 2
env: { TRIAL_SLEEP: "2" }
`);
    const { engine, runner } = h.pair({ owner: 'w1' });
    const started = await engine.start(spec, '');
    await h.waitFor('a trial to run', () => h.queue.list({ sweepId: started.sweepId, states: ['running'] }).some((i) => i.runId), engine);
    await engine.stop(started.sweepId);
    assert.equal(h.sweeps.get(started.sweepId)?.state, 'stopped');
    assert.equal((await h.store.getRun(started.parentRunId)).info.status, 'KILLED');
    await h.waitFor('the stopped trials to end', () => h.queue.list({ sweepId: started.sweepId, states: ['queued', 'running'] }).length === 0, engine);
    await runner.idle();
    await engine.tick();
    const trials = h.sweeps.trials(started.sweepId);
    assert.ok(trials.length <= 3, `no trial made after the stop (${trials.length})`);
    assert.ok(trials.every((t) => t.state === 'cancelled'), JSON.stringify(trials.map((t) => t.state)));
    const runs = await h.runsOf(started.sweepId);
    assert.ok(runs.filter((r) => r.info.runId !== started.parentRunId).every((r) => r.info.status === 'KILLED'));
  });

  for (const method of ['random', 'bayes'] as const) {
    it(`resumes a ${method} sweep after a crash: the dead worker's trial is retried once, finished trials are not repeated, the budget is met`, async () => {
      const spec = h.spec(`
name: crash-${method}
program: trial.py
method: ${method}
objective: { metric: score }
parameters:
  x: { low: -1.0, high: 3.0 }
budget: 6
parallelism: 2
env: { TRIAL_SLEEP: "0.5" }
`);
      // The first "window": its worker's pid is dead, as after a crash; once crashed, it records nothing more.
      let crashed = false;
      const launchedBeforeCrash: LaunchedItem[] = [];
      const first = h.pair({
        owner: 'window-1',
        workerPid: deadPid(),
        wrapLaunch: (launched) => {
          launchedBeforeCrash.push(launched);
          return { ...launched, done: launched.done.then((r) => (crashed ? new Promise<never>(() => undefined) : r)) };
        },
      });
      const started = await first.engine.start(spec, '');
      // A trial runs ~1.5 s: crash while one that started less than half a second ago runs.
      const young = () => h.queue.list({ sweepId: started.sweepId, states: ['running'] }).find((i) => i.runId && Date.now() - (i.startedAt ?? 0) < 500);
      await h.waitFor('a finished trial and one just started', () => h.sweeps.trials(started.sweepId).some((t) => t.state === 'finished') && young() !== undefined, first.engine);
      const cut = young()?.trialNumber;
      // The crash: nothing of window 1 runs on; its processes die with it.
      crashed = true;
      await first.runner.dispose();
      await Promise.all(launchedBeforeCrash.map((l) => l.stop()));
      const finishedBefore = h.sweeps.trials(started.sweepId).filter((t) => t.state === 'finished').map((t) => t.number);

      // Window 2 starts 31 s later (by its clock), so window 1's claim on the sweep is stale.
      const second = h.pair({ owner: 'window-2', sweepsNow: () => Date.now() + 31_000 });
      await second.engine.resumeAll();
      assert.deepEqual(second.engine.ownedSweeps(), [started.sweepId]);
      const ended = await h.waitForEnd(started.sweepId, second.engine);
      assert.equal(ended.state, 'finished', h.logs.join('\n'));

      const trials = h.sweeps.trials(started.sweepId);
      assert.equal(trials.length, 6, 'the budget, no more, no less');
      assert.ok(trials.every((t) => t.state === 'finished'), JSON.stringify(trials.map((t) => [t.number, t.state, t.note])));
      const runs = (await h.runsOf(started.sweepId)).filter((r) => r.info.runId !== started.parentRunId);
      for (const t of trials) {
        const finishedRuns = runs.filter((r) => tagsOf(r)['labbook.sweep.trial'] === String(t.number) && r.info.status === 'FINISHED');
        assert.equal(finishedRuns.length, 1, `trial ${t.number} finished exactly once`);
      }
      for (const n of finishedBefore) {
        const items = h.queue.list({ sweepId: started.sweepId }).filter((i) => i.trialNumber === n);
        assert.deepEqual(items.map((i) => i.attempts), [1], `trial ${n} finished before the crash and was not run again`);
      }
      const items = h.queue.list({ sweepId: started.sweepId }).filter((i) => i.trialNumber === cut);
      assert.deepEqual(items.map((i) => [i.state, i.attempts]), [['finished', 2]], `trial ${cut}, cut by the crash, ran once more`);
      assert.ok(h.logs.some((line) => line.includes(`trial ${cut} is queued again (its worker (pid`)), h.logs.join('\n'));
      assert.equal(new Set(trials.map((t) => JSON.stringify(t.params))).size, 6, 'six different configurations');
      assert.equal((await h.store.getRun(started.parentRunId)).info.status, 'FINISHED');
    });
  }
});
