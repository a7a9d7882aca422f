// The sweep panel in the real extension host: a finished sweep written to the workspace's local
// store (its trials, their queue items and runs with a val_loss history, one trial pruned) opens
// with Labbook: Open Sweep; the real page asks for the view, the host answers through the panel's
// request path; run links and Compare Top 5 open the run panels; a trial changing in the store is
// pushed to the page.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { QueueStore } from '../../src/core/queue/queueStore.ts';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { SweepStore } from '../../src/core/sweep/sweepStore.ts';
import type { SweepSpec, TrialRecord } from '../../src/core/sweep/types.ts';
import type { SweepPanel } from '../../src/host/panels/sweepPanel.ts';
import { COMPARE_VIEW_TYPE } from '../../src/protocol/compare.ts';
import { RUN_DETAILS_VIEW_TYPE } from '../../src/protocol/runDetails.ts';
import type { SweepView } from '../../src/protocol/sweep.ts';
import { activateLabbook, firstRequest, until, workspaceStore } from './support.ts';

const spec: SweepSpec = {
  name: 'panel-sweep',
  program: { kind: 'script', file: 'train.py' },
  paramStyle: 'flags',
  parameters: { lr: { type: 'float', low: 1e-4, high: 1e-1, log: true }, opt: { type: 'categorical', values: ['adam', 'sgd'] } },
  method: 'random',
  objective: { metric: 'val_loss', goal: 'minimize' },
  budget: { trials: 3 },
  parallelism: 2,
  seeds: [],
  seedParam: 'seed',
  samplerSeed: 0,
  sampler: 'tpe',
  earlyStopping: { rule: 'median', metric: 'val_loss', startupTrials: 1, warmupSteps: 0, minTrials: 1 },
};

const tabsOf = (viewType: string) => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(viewType));

async function ask<T>(panel: SweepPanel, method: string, params: unknown = null): Promise<T> {
  const reply = await panel.dispatch({ kind: 'request', id: 1, method, params });
  assert.ok(reply?.ok, `${method} answered: ${JSON.stringify(reply)}`);
  return reply.result as T;
}

describe('Labbook sweep panel', () => {
  const sweepId = `it-sweep-${Date.now()}`;
  let other: SqliteTrackingStore;
  let queue: QueueStore;
  let sweeps: SweepStore;
  const runs: string[] = [];
  let panel: SweepPanel | undefined;

  before(async () => {
    const { ext } = await activateLabbook();
    const opened = await workspaceStore();
    other = opened.other;
    const file = (await opened.api.readStatus()).store.path;
    assert.ok(file);
    queue = QueueStore.open(file, { nativeBinding: path.join(ext.extensionPath, 'dist', 'better_sqlite3.node') });
    sweeps = new SweepStore(queue.database);
    const finals = [0.4, 0.9, 0.2];
    for (const [n, final] of finals.entries()) {
      const run = await other.createRun({ experimentId: '0', runName: `panel-sweep trial ${n}` });
      runs.push(run.info.runId);
      const steps = n === 1 ? 2 : 5;
      for (let step = 1; step <= steps; step++) await other.logMetric(run.info.runId, { key: 'val_loss', value: final + 1 / step, timestamp: step, step });
    }
    // All in one synchronous block: the window's engine and runner (in this process) never see the
    // sweep running nor its items queued, so they neither drive it nor launch its trials.
    sweeps.create({ sweepId, name: 'panel-sweep', file: '.labbook/sweeps/panel-sweep.yaml', spec, parallelism: 2, target: '' });
    sweeps.setState(sweepId, 'finished');
    const worker = { id: 'it-sweep-worker', pid: process.pid };
    finals.forEach((final, n) => {
      const state: TrialRecord['state'] = n === 1 ? 'pruned' : 'finished';
      const queued = queue.enqueue({ kind: 'script', file: 'train.py', cwd: '.', experimentName: 'panel-sweep' }, { sweepId, trialNumber: n, label: `trial ${n}` });
      queue.runNow(queued.itemId);
      const claimed = queue.claim(worker, { runNowOnly: true });
      assert.equal(claimed?.itemId, queued.itemId);
      queue.started(queued.itemId, runs[n] as string, undefined);
      queue.finish(queued.itemId, { state });
      sweeps.putTrial({ sweepId, number: n, params: { lr: 10 ** -(n + 2), opt: n ? 'sgd' : 'adam' }, state, ...(state === 'finished' ? { value: final } : {}), createdAt: Date.now(), note: state === 'pruned' ? 'worse than the median at step 2' : '' });
    });
  });
  after(async () => {
    panel?.dispose();
    queue?.database.prepare('DELETE FROM queue_items WHERE sweep_id = ?').run(sweepId);
    queue?.database.prepare('DELETE FROM sweep_trials WHERE sweep_id = ?').run(sweepId);
    queue?.database.prepare('DELETE FROM sweeps WHERE sweep_id = ?').run(sweepId);
    queue?.close();
    for (const runId of runs) await other?.deleteRun(runId);
    await other?.close();
  });

  it('opens from Labbook: Open Sweep, answers the page, and reveals the same panel for the same sweep', async () => {
    panel = await vscode.commands.executeCommand<SweepPanel | undefined>('labbook.openSweep', sweepId);
    assert.ok(panel, 'a sweep panel opened');
    const asked = await firstRequest(panel);
    assert.deepEqual(asked, { method: 'getSweep', ok: true });
    const view = await ask<SweepView>(panel, 'getSweep');
    assert.equal(view.name, 'panel-sweep');
    assert.equal(view.state, 'finished');
    assert.equal(view.counts.finished, 2);
    assert.equal(view.counts.pruned, 1);
    assert.deepEqual(view.best, { number: 2, value: 0.2, runIds: [runs[2]] });
    assert.equal(view.trials[1]?.prunedAtStep, 2);
    assert.deepEqual(view.trials.map((t) => t.intermediate.length), [5, 2, 5]);
    assert.deepEqual(view.params.map((p) => p.kind), ['log', 'categorical']);
    const again = await vscode.commands.executeCommand<SweepPanel | undefined>('labbook.openSweep', { sweepId });
    assert.equal(again, panel, 'the open panel is revealed, not a second one');
  });

  it('opens a trial’s run and the top trials in the run panels', async function () {
    this.timeout(90_000);
    assert.ok(panel);
    await ask(panel, 'openRun', { runId: runs[2] });
    await ask(panel, 'compareTop', { n: 5 });
    // The tab model follows the panels a moment later.
    await until('a Compare tab', () => Promise.resolve(tabsOf(COMPARE_VIEW_TYPE)[0]), 30_000);
    await until('a Run Details tab', () => Promise.resolve(tabsOf(RUN_DETAILS_VIEW_TYPE)[0]), 30_000);
  });

  it('pushes a fresh view when a trial changes in the store', async function () {
    this.timeout(120_000);
    assert.ok(panel);
    const shown = panel;
    // Compare opened over it: a hidden page is not pushed to (it asks again when shown).
    shown.panel.reveal();
    await until('the sweep panel shown', () => Promise.resolve(shown.panel.visible ? true : undefined), 30_000);
    sweeps.putTrial({ sweepId, number: 1, params: { lr: 1e-3, opt: 'sgd' }, state: 'finished', value: 0.1, createdAt: Date.now(), note: '' });
    await until('the panel read the changed trial', () => Promise.resolve(shown.lastView()?.counts.finished === 3 ? true : undefined), 60_000);
    assert.equal(shown.lastView()?.best?.number, 1);
  });
});
