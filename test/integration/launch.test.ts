import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Run } from '../../src/core/store/types.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import { until, workspaceStore } from './support.ts';

const workspace = (): string => {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test opens a workspace folder');
  return folder.uri.fsPath;
};
const fixtures = () => path.join(process.env.LABBOOK_ROOT ?? '', 'test', 'fixtures', 'launch');
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', timeout: 30_000 });
const tags = (run: Run) => Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
const params = (run: Run) => Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));

describe('Labbook tracked runs launched from the editor (real Python)', function () {
  this.timeout(240_000);
  let api: LabbookApi;
  let other: SqliteTrackingStore;
  let root: string;

  const launched = async (command: string, ...args: unknown[]) => {
    const result = await vscode.commands.executeCommand<{ runId: string; rootId: string } | undefined>(command, ...args);
    assert.ok(result, `${command} launched a run`);
    return result;
  };
  /** The run once it has ended and its captures (git, environment, data, recipe), which may come after the status, are attached. */
  const finished = async (runId: string) => {
    const tracked = api.launches.get(runId)?.tracked;
    if (tracked) await Promise.all([tracked.done, tracked.captured]);
    await until(`run ${runId} to end`, async () => {
      const run = await other.getRun(runId);
      return run.info.status === 'RUNNING' ? undefined : run;
    });
    // Without the tracked run (it ended before we asked): wait for the recipe, which Reproduce reads.
    if (!tracked) await until(`run ${runId}'s recipe`, () => other.readArtifact(runId, 'labbook/launch.json').then(() => true, () => undefined));
    return other.getRun(runId);
  };
  const text = async (runId: string, artifact: string) => new TextDecoder().decode(await other.readArtifact(runId, artifact));

  before(async function () {
    const python = process.env.LABBOOK_TEST_PYTHON;
    if (!python) throw new Error('LABBOOK_TEST_PYTHON must name the test venv (scripts/test.mjs sets it)');
    ({ api, other } = await workspaceStore());
    root = workspace();
    await vscode.workspace.getConfiguration('labbook.python').update('path', python, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('labbook.launch').update('stopGraceSeconds', 1, vscode.ConfigurationTarget.Workspace);
    for (const file of ['mlflow_train.py', 'printed_metrics.py', 'crash.py', 'slow_metrics.py', 'repro.py']) copyFileSync(path.join(fixtures(), file), path.join(root, file));
    mkdirSync(path.join(root, 'data'), { recursive: true });
    writeFileSync(path.join(root, 'data', 'train.csv'), Array.from({ length: 30 }, (_, i) => `${i},${i % 7},${2 * i + 1}`).join('\n'));
    writeFileSync(path.join(root, 'data', 'numbers.txt'), '1 2 3 4\n');
    writeFileSync(path.join(root, '.gitignore'), '.labbook/\n.vscode/\n');
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'config', 'user.email', 'ada@example.com');
    git(root, 'config', 'user.name', 'Ada');
    git(root, 'add', '.');
    git(root, 'commit', '-qm', 'the project');
  });

  after(async () => {
    await vscode.workspace.getConfiguration('labbook.python').update('path', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('labbook.launch').update('stopGraceSeconds', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('labbook').update('dataPaths', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await other?.close();
  });

  it('runs a script that uses the mlflow client: its params, stepped metrics, artifact and sklearn autolog land in the run, with code, git, environment and data', async () => {
    await vscode.workspace.getConfiguration('labbook').update('dataPaths', ['data/train.csv'], vscode.ConfigurationTarget.Workspace);
    // An uncommitted edit: the run must record the dirty patch.
    writeFileSync(path.join(root, 'mlflow_train.py'), `# tuned by hand\n${git(root, 'show', 'HEAD:mlflow_train.py')}`);
    const { runId, rootId } = await launched('labbook.runPythonFile', vscode.Uri.file(path.join(root, 'mlflow_train.py')));
    assert.equal(rootId, 'local');
    assert.ok(api.launches.get(runId), 'the run is tracked as in progress');
    assert.equal(api.launches.runs().length, 1);
    const run = await finished(runId);
    const log = await text(runId, 'labbook/logs/output.log');
    assert.equal(run.info.status, 'FINISHED', log);
    assert.ok(vscode.window.terminals.some((t) => t.name === `Labbook: ${run.info.runName}`), 'the live output has a terminal named after the run');
    assert.equal((await other.getMetricHistory(runId, 'loss')).length, 200, 'every stepped point');
    assert.ok(run.data.metrics.some((m) => m.key === 'training_score'), 'sklearn autolog metrics');
    const p = params(run);
    assert.equal(p['model'], 'ridge');
    assert.equal(p['alpha'], '0.5');
    const t = tags(run);
    assert.equal(t['mlflow.source.git.commit'], git(root, 'rev-parse', 'HEAD').trim());
    assert.equal(t['labbook.git.dirty'], 'true');
    assert.match(await text(runId, 'labbook/code/git.patch'), /\+# tuned by hand/);
    assert.match(await text(runId, 'labbook/code/mlflow_train.py'), /^# tuned by hand/);
    assert.match(t['labbook.data.fingerprint'] ?? '', /^[0-9a-f]{64}$/);
    assert.match(await text(runId, 'labbook/environment/requirements.txt'), /^mlflow==/m);
    assert.equal(await text(runId, 'outputs/summary.txt'), 'weights: 1 2 3\n');
    assert.equal(api.launches.runs().length, 0, 'no run left in progress');
    git(root, 'checkout', '-q', '--', 'mlflow_train.py');
    await vscode.workspace.getConfiguration('labbook').update('dataPaths', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('runs a script with arguments (remembered per file): params parsed from the command line, printed metric lines logged', async () => {
    const file = vscode.Uri.file(path.join(root, 'printed_metrics.py'));
    const { runId } = await launched('labbook.runWithArguments', file, '--lr 0.5 --epochs=4 --name "two words" --verbose');
    const run = await finished(runId);
    assert.equal(run.info.status, 'FINISHED');
    const p = params(run);
    assert.deepEqual([p['lr'], p['epochs'], p['name'], p['verbose'], p['optimizer']], ['0.5', '4', 'two words', 'true', 'adam']);
    assert.deepEqual((await other.getMetricHistory(runId, 'loss')).map((m) => m.step), [0, 1, 2, 3]);
    assert.equal(tags(run)['stage'], 'fine tune');
  });

  it('marks a crashing script FAILED, with its traceback in the log', async () => {
    const { runId } = await launched('labbook.runPythonFile', vscode.Uri.file(path.join(root, 'crash.py')));
    const run = await finished(runId);
    assert.equal(run.info.status, 'FAILED');
    assert.match(await text(runId, 'labbook/logs/output.log'), /ValueError: boom: the data loader fell over/);
    assert.equal(tags(run)['labbook.exitCode'], '1');
  });

  it('marks a script killed with SIGKILL mid-run KILLED, keeping every point it had logged', async () => {
    const { runId } = await launched('labbook.runPythonFile', vscode.Uri.file(path.join(root, 'slow_metrics.py')));
    const pid = api.launches.get(runId)?.tracked.pid;
    assert.ok(pid, 'the process has a pid');
    await until('a few acknowledged points', async () => ((await other.getMetricHistory(runId, 'acked')).length >= 5 ? true : undefined));
    process.kill(pid, 'SIGKILL');
    const run = await finished(runId);
    assert.equal(run.info.status, 'KILLED');
    const acked = (await other.getMetricHistory(runId, 'acked')).map((m) => m.step);
    assert.deepEqual(acked, acked.map((_, i) => i), 'no hole in the acknowledged steps');
  });

  it('stops a run from the UI: the process group ends and the run is KILLED', async () => {
    const { runId } = await launched('labbook.runPythonFile', vscode.Uri.file(path.join(root, 'slow_metrics.py')));
    await until('the run to log', async () => ((await other.getMetricHistory(runId, 'acked')).length >= 2 ? true : undefined));
    const status = await vscode.commands.executeCommand<string>('labbook.stopRun', { rootId: 'local', runId });
    assert.equal(status, 'KILLED');
    const run = await finished(runId);
    assert.equal(run.info.status, 'KILLED');
    const pid = Number(tags(run)['labbook.launch.pid']);
    assert.throws(() => process.kill(pid, 0), 'the process is gone');
  });

  it('runs a notebook with an injected parameter: the executed notebook is an artifact and its metrics are logged', async () => {
    const notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
      cells: [
        { id: 'p', cell_type: 'code', metadata: { tags: ['parameters'] }, execution_count: null, outputs: [], source: 'alpha = 1.0\n' },
        { id: 'm', cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: 'import mlflow\nmlflow.log_metric("alpha_squared", alpha ** 2)\nprint("alpha is", alpha)\n' },
      ],
    };
    const file = path.join(root, 'sweep.ipynb');
    writeFileSync(file, JSON.stringify(notebook));
    const { runId } = await launched('labbook.runNotebook', vscode.Uri.file(file), { alpha: 3 });
    const run = await finished(runId);
    assert.equal(run.info.status, 'FINISHED', await text(runId, 'labbook/logs/output.log'));
    assert.equal(run.data.metrics.find((m) => m.key === 'alpha_squared')?.value, 9);
    assert.equal(params(run)['alpha'], '3');
    const executed = JSON.parse(await text(runId, 'labbook/notebook/sweep.ipynb')) as { cells: { metadata: { tags?: string[] }; outputs?: { text?: string | string[] }[] }[] };
    assert.ok(executed.cells.some((c) => c.metadata.tags?.includes('injected-parameters')), 'the injected parameters cell');
    assert.match(JSON.stringify(executed.cells.at(-1)?.outputs), /alpha is 3/);
  });

  it('reproduces a run from a commit that is no longer checked out: same params and metrics, linked to the original', async () => {
    const file = vscode.Uri.file(path.join(root, 'repro.py'));
    const first = await launched('labbook.runWithArguments', file, '--seed 7 --data data/numbers.txt');
    const original = await finished(first.runId);
    assert.equal(original.info.status, 'FINISHED');
    // The code moves on: the run's commit is no longer what is checked out.
    writeFileSync(path.join(root, 'repro.py'), git(root, 'show', 'HEAD:repro.py').replace('SCALE = 1.0', 'SCALE = 2.0'));
    git(root, 'commit', '-qam', 'double the scale');
    const again = await vscode.commands.executeCommand<{ runId: string } | undefined>('labbook.reproduceRun', { rootId: 'local', runId: first.runId }, { confirm: false });
    assert.ok(again, 'the reproduction launched');
    await finished(again.runId);
    // When the reproduction ended before `finished` could find it running, only its recipe was
    // waited for; its git capture (attached after the status, by design) may come a moment later.
    const copy = await until(`the reproduction's git capture`, async () => {
      const run = await other.getRun(again.runId);
      return tags(run)['mlflow.source.git.commit'] !== undefined ? run : undefined;
    });
    assert.equal(copy.info.status, 'FINISHED', await text(again.runId, 'labbook/logs/output.log'));
    assert.equal(tags(copy)['labbook.reproduces'], first.runId);
    assert.equal(tags(copy)['mlflow.source.git.commit'], tags(original)['mlflow.source.git.commit']);
    assert.deepEqual(params(copy), params(original));
    const scores = async (id: string) => (await other.getMetricHistory(id, 'score')).map((m) => [m.step, m.value]);
    assert.deepEqual(await scores(again.runId), await scores(first.runId));
  });

  it('marks runs a closed window left RUNNING when it finds them', async () => {
    const experiment = await other.getExperimentByName('Default');
    assert.ok(experiment);
    const orphan = await other.createRun({
      experimentId: experiment.experimentId,
      runName: 'left-behind',
      tags: [
        { key: 'labbook.launch.pid', value: '999999' },
        { key: 'labbook.launch.host', value: (await import('node:os')).hostname() },
        { key: 'labbook.launch.owner', value: 'a-window-that-closed' },
      ],
    });
    assert.ok((await api.launches.recover()) >= 1);
    assert.equal((await other.getRun(orphan.info.runId)).info.status, 'FAILED');
  });

  it('copies the tracking URI a script needs to log into the same store', async () => {
    const text = await vscode.commands.executeCommand<string>('labbook.copyTrackingUri');
    assert.match(text, /^MLFLOW_TRACKING_URI=http:\/\/127\.0\.0\.1:\d+\nMLFLOW_TRACKING_TOKEN=\S+$/);
    assert.equal(await vscode.env.clipboard.readText(), text);
  });
});
