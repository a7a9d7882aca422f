// `labbook sweep run` and `labbook queue`, as processes over a real store with real Python trials:
// a sweep to its end (exit 0, the best trial printed), a bad sweep file (exit 2, where the problem
// is), Ctrl-C pausing a sweep that --resume then finishes without repeating a trial, the
// queue's list, cancel and retry, and a recipe sweep that runs only its own items (never the
// editor's queued runs, another sweep's trials nor a closed window's sweep), whatever the editor's Pause.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueueStore } from '../../../src/core/queue/queueStore.ts';
import { parseSweepFile } from '../../../src/core/sweep/sweepFile.ts';
import { SweepStore } from '../../../src/core/sweep/sweepStore.ts';
import { queueItemLauncher } from '../../../src/cli/queueLaunch.ts';
import type { QueueItem } from '../../../src/core/queue/types.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { CLI_ENTRY, runCli } from '../../support/cli.ts';
import { QUIET_PYTHON_ENV, testPython } from '../../support/python.ts';
import { TRIAL_SCRIPT } from '../../support/sweepHarness.ts';

const SWEEP = (extra = '') => `
name: cli-sweep
program: trial.py
method: random
objective: { metric: score, goal: minimize }
parameters:
  x: { low: -2.0, high: 4.0 }
budget: 4
parallelism: 2
${extra}`;

describe('cli: labbook sweep run / labbook queue', function () {
  this.timeout(180_000);
  let dir: string;
  const env = () => ({ ...process.env, ...QUIET_PYTHON_ENV });
  const sweepFile = () => path.join(dir, '.labbook', 'sweeps', 'cli-sweep.yaml');
  const dbFile = () => path.join(dir, '.labbook', 'tracking.db');

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-cli-sweep-'));
    mkdirSync(path.join(dir, '.labbook', 'sweeps'), { recursive: true });
    writeFileSync(path.join(dir, 'trial.py'), TRIAL_SCRIPT);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a sweep to its end: exit 0, every trial finished, the best trial in the JSON', async () => {
    writeFileSync(sweepFile(), SWEEP());
    const result = await runCli(['sweep', 'run', '.labbook/sweeps/cli-sweep.yaml', '--python', testPython(), '--workers', '2', '--json'], { cwd: dir, env: env(), timeoutMs: 120_000 });
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as { state: string; file: string; trials: { number: number; state: string; value: number; params: { x: number } }[]; best: { number: number; value: number } };
    assert.equal(out.state, 'finished');
    assert.equal(out.file, '.labbook/sweeps/cli-sweep.yaml');
    assert.equal(out.trials.length, 4);
    assert.ok(out.trials.every((t) => t.state === 'finished' && Math.abs(t.value - (t.params.x - 1) ** 2) < 1e-9));
    assert.equal(out.best.value, Math.min(...out.trials.map((t) => t.value)));
    assert.match(result.stderr, /\[labbook\] sweep cli-sweep \(/);
    assert.match(result.stderr, /trial 3 finished \(score = /);

    const list = await runCli(['queue', 'list', '--json'], { cwd: dir, env: env() });
    assert.equal(list.code, 0, list.stderr);
    const queue = JSON.parse(list.stdout) as { items: { itemId: number; state: string; trialNumber: number }[] };
    assert.equal(queue.items.length, 4);
    assert.ok(queue.items.every((i) => i.state === 'finished'));
    const table = await runCli(['queue', 'list'], { cwd: dir, env: env() });
    assert.match(table.stdout, /^ID\s+STATE\s+LABEL/m);
    assert.match(table.stdout, /cli-sweep #0/);

    const id = String(queue.items[0]?.itemId);
    const retried = await runCli(['queue', 'retry', id], { cwd: dir, env: env() });
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(retried.stdout, /queued again/);
    const cancelled = await runCli(['queue', 'cancel', id], { cwd: dir, env: env() });
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.match(cancelled.stdout, /cancelled/);
    const again = await runCli(['queue', 'cancel', '99999'], { cwd: dir, env: env() });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /No queue item 99999/);
    const usage = await runCli(['queue', 'retry', 'abc'], { cwd: dir, env: env() });
    assert.equal(usage.code, 2);
  });

  it('refuses a bad sweep file with where the problem is (exit 2), and a missing file', async () => {
    writeFileSync(sweepFile(), SWEEP().replace('method: random', 'method: annealing'));
    const bad = await runCli(['sweep', 'run', sweepFile(), '--python', testPython()], { cwd: dir, env: env() });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /cli-sweep\.yaml:\d+:\d+: .*method/);
    const missing = await runCli(['sweep', 'run', 'nope.yaml'], { cwd: dir, env: env() });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /could not be read/);
    const noFile = await runCli(['sweep', 'run'], { cwd: dir, env: env() });
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /give the sweep file/);
  });

  it('Ctrl-C pauses the sweep (exit 1); --resume finishes it without repeating a finished trial', async () => {
    writeFileSync(sweepFile(), SWEEP('env: { TRIAL_SLEEP: "0.7" }'));
    const child = spawn(process.execPath, [CLI_ENTRY, 'sweep', 'run', sweepFile(), '--python', testPython(), '--workers', '2'], { cwd: dir, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Once the first trial finished and another runs, Ctrl-C.
    for (let i = 0; i < 600 && !(/trial \d finished/.test(stderr)); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(stderr, /trial \d finished/);
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await exited;
    clearTimeout(timer);
    assert.equal(code, 1, stderr);
    assert.match(stdout, /Sweep cli-sweep paused/);
    assert.match(stdout, /--resume goes on/);

    const queue = QueueStore.open(dbFile());
    let finishedBefore: number[];
    try {
      const sweeps = new SweepStore(queue.database);
      const [sweep] = sweeps.list();
      assert.equal(sweep?.state, 'paused');
      finishedBefore = sweeps.trials(sweep.sweepId).filter((t) => t.state === 'finished').map((t) => t.number);
      assert.ok(finishedBefore.length >= 1 && finishedBefore.length < 4);
      assert.equal(queue.list({ states: ['running'] }).length, 0, 'nothing left running');
    } finally {
      queue.close();
    }

    const resumed = await runCli(['sweep', 'run', sweepFile(), '--python', testPython(), '--resume', '--json'], { cwd: dir, env: env(), timeoutMs: 120_000 });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /resuming sweep cli-sweep/);
    const out = JSON.parse(resumed.stdout) as { state: string; trials: { number: number; state: string }[] };
    assert.equal(out.state, 'finished');
    assert.deepEqual(out.trials.map((t) => [t.number, t.state]), [0, 1, 2, 3].map((n) => [n, 'finished']));
    const after = QueueStore.open(dbFile());
    try {
      for (const n of finishedBefore) {
        const items = after.list({}).filter((i) => i.trialNumber === n);
        assert.deepEqual(items.map((i) => [i.state, i.attempts]), [['finished', 1]], `trial ${n} was not run again`);
      }
    } finally {
      after.close();
    }
  });

  it('runs a recipe sweep from runs.json through the paused editor queue, claiming none of the editor’s items nor adopting its sweep', async () => {
    writeFileSync(path.join(dir, '.labbook', 'runs.json'), JSON.stringify({ recipes: [{ name: 'train', program: 'trial.py' }] }));
    const recipeSweep = SWEEP().replace('program: trial.py', 'program: { recipe: train }').replace('budget: 4', 'budget: 2');
    writeFileSync(sweepFile(), recipeSweep);
    const spec = parseSweepFile(recipeSweep, 'cli-sweep.yaml').spec;
    assert.ok(spec);
    const before = QueueStore.open(dbFile());
    let editorItem: number;
    let otherTrial: number;
    try {
      const sweeps = new SweepStore(before.database);
      // A closed window's sweep (owner '') and another CLI's sweep, each with a queued item, and a run queued in the editor.
      sweeps.create({ sweepId: 'editor-sweep', name: 'editor-sweep', file: '.labbook/sweeps/other.yaml', spec, parallelism: 2, target: '' });
      sweeps.create({ sweepId: 'other-cli', name: 'other-cli', file: '.labbook/sweeps/other.yaml', spec, parallelism: 2, target: '', pool: 'cli' });
      const launch = { kind: 'script' as const, file: path.join(dir, 'trial.py'), cwd: dir, experimentName: 'editor-queued' };
      editorItem = before.enqueue(launch).itemId;
      otherTrial = before.enqueue(launch, { sweepId: 'other-cli', trialNumber: 0, pool: 'cli' }).itemId;
      before.setPaused(true);
    } finally {
      before.close();
    }

    // One GPU slot, from the variable, as on a GPU box.
    const result = await runCli(['sweep', 'run', sweepFile(), '--python', testPython(), '--json'], { cwd: dir, env: { ...env(), CUDA_VISIBLE_DEVICES: '7' }, timeoutMs: 120_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /paused/);
    const out = JSON.parse(result.stdout) as { sweepId: string; state: string; trials: { state: string }[] };
    assert.equal(out.state, 'finished');
    assert.deepEqual(out.trials.map((t) => t.state), ['finished', 'finished']);
    const after = QueueStore.open(dbFile());
    try {
      assert.equal(after.get(editorItem)?.state, 'queued', 'the editor’s queued run is the editor’s');
      assert.equal(after.get(otherTrial)?.state, 'queued', 'another sweep’s trial is its own process’s');
      assert.deepEqual(after.list({ sweepId: out.sweepId }).map((i) => [i.pool, i.state, i.gpu]), [['cli', 'finished', '7'], ['cli', 'finished', '7']]);
      const editorSweep = new SweepStore(after.database).get('editor-sweep');
      assert.equal(editorSweep?.state, 'running', 'the CLI did not adopt the closed window’s sweep');
      assert.equal(editorSweep?.note, '');
      assert.equal(editorSweep?.pool, '');
    } finally {
      after.close();
    }
  });

  it('--python wins over the program’s python for the trials; an item for another target is refused', async () => {
    writeFileSync(sweepFile(), SWEEP().replace('program: trial.py', 'program: { script: trial.py, python: /nonexistent/python3 }').replace('budget: 4', 'budget: 1'));
    const result = await runCli(['sweep', 'run', sweepFile(), '--python', testPython(), '--json'], { cwd: dir, env: env(), timeoutMs: 120_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual((JSON.parse(result.stdout) as { trials: { state: string }[] }).trials.map((t) => t.state), ['finished']);

    const store = new SqliteTrackingStore(dbFile());
    try {
      const launch = queueItemLauncher({ store, trackingUri: 'http://127.0.0.1:9', python: testPython(), owner: 'cli-test' });
      const item: QueueItem = { itemId: 1, position: 0, state: 'running', label: 'remote run', pool: 'cli', runNow: false, attempts: 1, createdAt: 0,
        launch: { kind: 'script', file: path.join(dir, 'trial.py'), cwd: dir, experimentName: 'e', target: 'https://mlflow.example.com' } };
      await assert.rejects(launch(item, {}), /logs to https:\/\/mlflow\.example\.com; labbook sweep run runs items of the local store only/);
      assert.deepEqual(await store.searchExperiments({}).then((r) => r.items.map((e) => e.name).filter((n) => n === 'e')), [], 'nothing was logged');
    } finally {
      await store.close();
    }
  });
});
