import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { QueueItem } from '../../src/core/queue/types.ts';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { parseSweepFile } from '../../src/core/sweep/sweepFile.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import type { SweepPanel } from '../../src/host/panels/sweepPanel.ts';
import type { QueueNode } from '../../src/host/queue/queueModel.ts';
import type { ExplorerNode } from '../../src/host/trees/experimentsTree.ts';
import { SWEEP_VIEW_TYPE } from '../../src/protocol/sweepTypes.ts';
import { COMPARE_VIEW_TYPE } from '../../src/protocol/compare.ts';
import { until, workspaceStore } from './support.ts';

const workspace = (): string => {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test opens a workspace folder');
  return folder.uri.fsPath;
};

// A trial: its loss is smallest at x = 0.3; `--sleep` keeps it running a while.
const TRIAL_SCRIPT = [
  'import argparse, time',
  'p = argparse.ArgumentParser()',
  'p.add_argument("--x", type=float, default=0.0)',
  'p.add_argument("--sleep", type=float, default=0.0)',
  'a = p.parse_args()',
  'time.sleep(a.sleep)',
  'for step in range(3):',
  '    print(f"labbook: metric loss={(a.x - 0.3) ** 2 + 0.01 * (2 - step)} step={step}")',
  '',
].join('\n');

const GRID_SWEEP = ['name: grid4', 'program: sweep_trial.py', 'method: grid', 'parameters:', '  x: [0.1, 0.2, 0.3, 0.4]', 'objective:', '  metric: loss', '  goal: minimize', 'parallelism: 2', ''].join('\n');

const tabsOf = (viewType: string) =>
  vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(viewType));

describe('Labbook sweeps and the run queue in the real host (real Python)', function () {
  this.timeout(300_000);
  let api: LabbookApi;
  let other: SqliteTrackingStore;
  let root: string;
  let sweepId: string;

  const queue = () => {
    const q = api.sweeps.queue();
    assert.ok(q, 'the queue is open');
    return q;
  };
  const ended = (item: QueueItem | undefined) => item !== undefined && item.state !== 'queued' && item.state !== 'running';

  before(async function () {
    const python = process.env.LABBOOK_TEST_PYTHON;
    if (!python) throw new Error('LABBOOK_TEST_PYTHON must name the test venv (scripts/test.mjs sets it)');
    ({ api, other } = await workspaceStore());
    root = workspace();
    await vscode.workspace.getConfiguration('labbook.python').update('path', python, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('labbook.launch').update('stopGraceSeconds', 1, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('labbook.queue').update('workers', 2, vscode.ConfigurationTarget.Workspace);
    writeFileSync(path.join(root, 'sweep_trial.py'), TRIAL_SCRIPT);
    mkdirSync(path.join(root, '.labbook', 'sweeps'), { recursive: true });
    writeFileSync(path.join(root, '.labbook', 'sweeps', 'grid4.yaml'), GRID_SWEEP);
  });

  after(async () => {
    if (api) await vscode.commands.executeCommand('labbook.resumeQueue');
    for (const key of ['python.path', 'launch.stopGraceSeconds', 'queue.workers']) {
      const [section, name] = key.split('.') as [string, string];
      await vscode.workspace.getConfiguration(`labbook.${section}`).update(name, undefined, vscode.ConfigurationTarget.Workspace);
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await other?.close();
  });

  it('starts a grid sweep of 4 trials from its YAML with parallelism 2: the Queue view shows it, every trial ends finished as a child of the parent run', async () => {
    const started = await vscode.commands.executeCommand<{ sweepId: string } | undefined>('labbook.startSweep', vscode.Uri.file(path.join(root, '.labbook', 'sweeps', 'grid4.yaml')));
    assert.ok(started, 'labbook.startSweep started the sweep');
    sweepId = started.sweepId;

    const roots = await api.queue.getChildren();
    const node = roots.find((n): n is Extract<QueueNode, { kind: 'sweep' }> => n.kind === 'sweep' && n.summary.sweep.sweepId === sweepId);
    assert.ok(node, 'the Queue view has the sweep at its root');
    assert.equal(api.queue.getTreeItem(node).label, 'grid4');
    const items = await api.queue.getChildren(node);
    assert.ok(items.length >= 2, `the sweep's first trials are its children (${items.length})`);
    assert.ok(items.every((n) => n.kind === 'item' && n.item.sweepId === sweepId));

    const sweeps = api.sweeps.sweeps();
    assert.ok(sweeps);
    const done = await until('the sweep to end', () => Promise.resolve(sweeps.get(sweepId)?.state === 'running' ? undefined : sweeps.get(sweepId)), 240_000);
    assert.equal(done.state, 'finished', done.note);
    const trials = sweeps.trials(sweepId);
    assert.deepEqual(trials.map((t) => t.state), ['finished', 'finished', 'finished', 'finished']);
    const best = trials.reduce((a, b) => ((b.value ?? Infinity) < (a.value ?? Infinity) ? b : a));
    assert.equal(best.params['x'], 0.3);

    const finished = queue().list({ sweepId });
    assert.equal(finished.length, 4);
    for (const item of finished) {
      assert.equal(item.state, 'finished', item.error);
      assert.ok(item.runId);
      const run = await other.getRun(item.runId);
      assert.equal(run.info.status, 'FINISHED');
      assert.equal(run.data.tags.find((t) => t.key === 'mlflow.parentRunId')?.value, done.parentRunId, 'a child of the sweep parent run');
      assert.equal(run.data.tags.find((t) => t.key === 'labbook.sweep.id')?.value, sweepId);
    }

    // The sweep's node now reads 4/4 with the best value; its items show pass icons.
    await until('the view to show the ended sweep', async () => {
      const node2 = (await api.queue.getChildren()).find((n) => n.kind === 'sweep' && n.summary.sweep.sweepId === sweepId);
      const description = node2 ? String(api.queue.getTreeItem(node2).description) : '';
      return /^4\/4 · best /.test(description) && description.includes('finished') ? description : undefined;
    });

    // The Experiments view nests the trials under the parent run when grouped by parent.
    await vscode.commands.executeCommand('labbook.groupRuns', { kind: 'parent' });
    const parentNode = await until('the parent run in the Experiments view', async () => {
      const [local] = await api.experiments.getChildren();
      const experiments = await api.experiments.getChildren(local);
      for (const experiment of experiments.filter((n) => n.kind === 'experiment')) {
        const found = (await api.experiments.getChildren(experiment)).find((n): n is Extract<ExplorerNode, { kind: 'run' }> => n.kind === 'run' && n.run.info.runId === done.parentRunId);
        if (found) return found;
      }
      return undefined;
    });
    const nested = (await api.experiments.getChildren(parentNode)).filter((n) => n.kind === 'run').map((n) => (n.kind === 'run' ? n.run.info.runId : ''));
    assert.deepEqual(new Set(nested), new Set(finished.map((i) => i.runId)));
    await vscode.commands.executeCommand('labbook.groupRuns', null);
  });

  it('opens the sweep panel, and its Compare Top 3 compares exactly the runs of the 3 best trials by loss', async () => {
    const panel = await vscode.commands.executeCommand<SweepPanel | undefined>('labbook.openSweep', sweepId);
    assert.ok(panel, 'labbook.openSweep opened the panel');
    await until('the sweep panel', () => Promise.resolve(tabsOf(SWEEP_VIEW_TYPE).find((t) => t.label === 'Sweep: grid4')));
    // The expected runs, from the store: the trials ranked by their loss (x = 0.3, then 0.2 and 0.4; not 0.1).
    const trials = (api.sweeps.sweeps()?.trials(sweepId) ?? []).filter((t) => t.value !== undefined).sort((a, b) => (a.value ?? 0) - (b.value ?? 0));
    assert.equal(trials.length, 4);
    const top = trials.slice(0, 3);
    assert.deepEqual(new Set(top.map((t) => t.params['x'])), new Set([0.3, 0.2, 0.4]));
    const runOf = (number: number) => queue().list({ sweepId }).find((i) => i.trialNumber === number)?.runId ?? '';
    const expected = top.map((t) => runOf(t.number));
    assert.ok(expected.every(Boolean));
    const comparesBefore = tabsOf(COMPARE_VIEW_TYPE).length;
    const reply = await panel.dispatch({ kind: 'request', id: 1, method: 'compareTop', params: { n: 3 } });
    assert.ok(reply?.ok, JSON.stringify(reply));
    await until('the compare panel', () => Promise.resolve(tabsOf(COMPARE_VIEW_TYPE).length > comparesBefore ? true : undefined));
    // The panel Compare Top opened is the one comparing exactly these runs: asking for them reveals it, opens no other.
    const same = await vscode.commands.executeCommand<{ source: { runIds: readonly string[] } } | undefined>('labbook.compareRuns', undefined, expected.map((runId) => ({ rootId: 'local', runId })));
    assert.deepEqual(new Set(same?.source.runIds), new Set(expected));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(tabsOf(COMPARE_VIEW_TYPE).length, comparesBefore + 1, 'no second compare panel: Compare Top compared exactly the top 3');
  });

  it('refuses a sweep file with a problem, and shows it in the Problems view at its line', async () => {
    const bad = path.join(root, '.labbook', 'sweeps', 'broken.yaml');
    writeFileSync(bad, GRID_SWEEP.replace('name: grid4', 'name: broken').replace('parallelism: 2', 'parallelism: -1'));
    const started = await vscode.commands.executeCommand<{ sweepId: string } | undefined>('labbook.startSweep', vscode.Uri.file(bad));
    assert.equal(started, undefined, 'not started');
    const problems = vscode.languages.getDiagnostics(vscode.Uri.file(bad));
    assert.ok(problems.length > 0, 'the problem is in the Problems view');
    assert.equal(problems[0]?.range.start.line, GRID_SWEEP.split('\n').findIndex((l) => l.startsWith('parallelism')), 'on the parallelism line');
    assert.ok(!(api.sweeps.sweeps()?.list() ?? []).some((s) => s.name === 'broken'));
  });

  it('writes a new sweep from a template, and one around a finished trial run, each a valid sweep file', async () => {
    // A name from a command argument cannot write outside .labbook/sweeps.
    const escaped = await vscode.commands.executeCommand<vscode.Uri | undefined>('labbook.newSweep', vscode.Uri.file(path.join(root, 'sweep_trial.py')), { name: '../../escaped' });
    assert.equal(escaped, undefined);
    assert.ok(!existsSync(path.join(root, 'escaped.yaml')), 'nothing written outside .labbook/sweeps');
    const runEscaped = await vscode.commands.executeCommand<vscode.Uri | undefined>('labbook.sweepAroundRun', { rootId: 'local', runId: queue().list({ sweepId })[0]?.runId ?? '' }, { name: '../around-escaped' });
    assert.equal(runEscaped, undefined);
    assert.ok(!existsSync(path.join(root, '.labbook', 'around-escaped.yaml')));
    const created = await vscode.commands.executeCommand<vscode.Uri | undefined>('labbook.newSweep', vscode.Uri.file(path.join(root, 'sweep_trial.py')), { name: 'from-template' });
    assert.ok(created && existsSync(created.fsPath));
    assert.deepEqual(parseSweepFile(readFileSync(created.fsPath, 'utf8'), 'from-template.yaml').problems, []);
    const runId = queue().list({ sweepId })[0]?.runId;
    assert.ok(runId);
    const around = await vscode.commands.executeCommand<vscode.Uri | undefined>('labbook.sweepAroundRun', { rootId: 'local', runId }, { name: 'around-trial' });
    assert.ok(around && existsSync(around.fsPath));
    const text = readFileSync(around.fsPath, 'utf8');
    assert.deepEqual(parseSweepFile(text, 'around-trial.yaml').problems, []);
    assert.match(text, /sweep_trial\.py/);
    assert.match(text, /^\s+x:/m, 'the space holds the run\'s param x');
  });

  it('pauses the queue: queued runs wait; moves one, cancels one, retries it; after resume all run', async () => {
    await vscode.commands.executeCommand('labbook.pauseQueue');
    assert.equal(queue().isPaused(), true);
    const file = vscode.Uri.file(path.join(root, 'sweep_trial.py'));
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const queued = await vscode.commands.executeCommand<{ itemId: number } | undefined>('labbook.queueRun', file);
      assert.ok(queued, 'labbook.queueRun queued the file');
      ids.push(queued.itemId);
    }
    const [a, b, c] = ids as [number, number, number];
    const order = () => queue().list({ states: ['queued'] }).map((i) => i.itemId).filter((id) => ids.includes(id));
    assert.deepEqual(order(), [a, b, c]);
    // The view shows them as single runs with their place in the queue.
    const roots = await api.queue.getChildren();
    const first = roots.find((n) => n.kind === 'item' && n.item.itemId === a);
    assert.ok(first, 'a queued single run is a root node');
    assert.match(String(api.queue.getTreeItem(first).description), /^#\d+ in queue/);
    assert.equal(api.queue.getTreeItem(first).contextValue, 'labbook.queueItem.queued');

    await vscode.commands.executeCommand('labbook.moveQueuedDown', a);
    assert.deepEqual(order(), [b, a, c]);
    await vscode.commands.executeCommand('labbook.moveQueuedUp', c);
    assert.deepEqual(order(), [b, c, a]);

    await vscode.commands.executeCommand('labbook.cancelQueued', c);
    assert.equal(queue().get(c)?.state, 'cancelled');
    // Paused: nothing started meanwhile.
    assert.deepEqual([a, b].map((id) => queue().get(id)?.state), ['queued', 'queued']);
    await vscode.commands.executeCommand('labbook.retryQueued', c);
    assert.equal(queue().get(c)?.state, 'queued');

    await vscode.commands.executeCommand('labbook.resumeQueue');
    assert.equal(queue().isPaused(), false);
    const all = await until('the queued runs to end', () => Promise.resolve(ids.every((id) => ended(queue().get(id))) ? ids.map((id) => queue().get(id)) : undefined), 180_000);
    for (const item of all) assert.equal(item?.state, 'finished', item?.error);
  });
  it('checks Optuna in the interpreter its driver runs in, not the trials\' program.python', async () => {
    // /usr/bin/python3 has no Optuna; the window's interpreter (the test venv) has. The trials need none.
    const file = path.join(root, '.labbook', 'sweeps', 'bayes-sys.yaml');
    writeFileSync(file, ['name: bayes-sys', 'program: { script: sweep_trial.py, python: /usr/bin/python3 }', 'method: bayes', 'parameters:', '  x: { low: 0.0, high: 1.0 }', 'objective: { metric: loss }', 'budget: 2', 'parallelism: 1', ''].join('\n'));
    const started = await vscode.commands.executeCommand<{ sweepId: string } | undefined>('labbook.startSweep', vscode.Uri.file(file));
    assert.ok(started, 'started: the driver has Optuna');
    const sweeps = api.sweeps.sweeps();
    assert.ok(sweeps);
    const done = await until('the bayes sweep to end', () => Promise.resolve(sweeps.get(started.sweepId)?.state === 'running' ? undefined : sweeps.get(started.sweepId)), 180_000);
    assert.equal(done.state, 'finished', done.note);
  });

  it('queued runs and sweeps pass the data checks first: "block" queues nothing and starts no sweep, "warn" goes ahead', async () => {
    mkdirSync(path.join(root, 'gate'), { recursive: true });
    writeFileSync(path.join(root, 'gate', 'people.csv'), 'id,age\n1,34\n2,212\n');
    const checksFile = path.join(root, '.labbook', 'checks.yaml');
    writeFileSync(checksFile, 'datasets:\n  - path: gate/people.csv\n    columns:\n      age: { type: int, min: 0, max: 120 }\n');
    const gated = path.join(root, '.labbook', 'sweeps', 'gated.yaml');
    writeFileSync(gated, `${GRID_SWEEP.replace('name: grid4', 'name: gated')}dataPaths: [gate/people.csv]\n`);
    await vscode.workspace.getConfiguration('labbook').update('dataPaths', ['gate/people.csv'], vscode.ConfigurationTarget.Workspace);
    try {
      const before = queue().list().length;
      const queued = await vscode.commands.executeCommand<{ itemId: number } | undefined>('labbook.queueRun', vscode.Uri.file(path.join(root, 'sweep_trial.py')));
      assert.equal(queued, undefined, 'Queue Run was blocked by the failing check');
      assert.equal(queue().list().length, before, 'nothing queued');
      const started = await vscode.commands.executeCommand<{ sweepId: string } | undefined>('labbook.startSweep', vscode.Uri.file(gated));
      assert.equal(started, undefined, 'the sweep did not start');
      assert.ok(!(api.sweeps.sweeps()?.list() ?? []).some((s) => s.name === 'gated'), 'no sweep record');

      await vscode.workspace.getConfiguration('labbook.checks').update('beforeLaunch', 'warn', vscode.ConfigurationTarget.Workspace);
      const warned = await vscode.commands.executeCommand<{ itemId: number } | undefined>('labbook.queueRun', vscode.Uri.file(path.join(root, 'sweep_trial.py')));
      assert.ok(warned, '"warn": queued');
      const item = await until('the warned run to end', () => Promise.resolve(ended(queue().get(warned.itemId)) ? queue().get(warned.itemId) : undefined), 120_000);
      assert.equal(item?.state, 'finished', item?.error);
    } finally {
      rmSync(checksFile, { force: true });
      await vscode.workspace.getConfiguration('labbook').update('dataPaths', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.workspace.getConfiguration('labbook.checks').update('beforeLaunch', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('follows labbook.store.localPath: the queue moves to the new store, and back', async () => {
    const original = queue().database.name;
    const moved = path.join(mkdtempSync(path.join(tmpdir(), 'labbook-queue-move-')), 'moved.db');
    await vscode.workspace.getConfiguration('labbook.store').update('localPath', moved, vscode.ConfigurationTarget.Workspace);
    try {
      await vscode.commands.executeCommand('labbook.pauseQueue');
      assert.equal(queue().database.name, moved, 'the queue is the moved store\'s');
      assert.equal(queue().isPaused(), true);
      assert.ok(existsSync(moved));
    } finally {
      await vscode.workspace.getConfiguration('labbook.store').update('localPath', undefined, vscode.ConfigurationTarget.Workspace);
    }
    assert.equal(queue().database.name, original, 'back on the workspace\'s store');
    assert.equal(queue().isPaused(), false, 'the pause was the moved store\'s');
    rmSync(path.dirname(moved), { recursive: true, force: true });
  });
});
