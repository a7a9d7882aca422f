// Debug Run in the real extension host. The Python debugger extension (ms-python.debugpy) cannot
// be installed here, so no debug session starts: the command's prepare-only mode (`start: false`)
// returns the debugpy configuration it would start, with the breakpoints it copied onto the
// worktree, and ends the run; without `start: false` it must explain what to install.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Run } from '../../src/core/store/types.ts';
import type { DebugRunResult } from '../../src/host/commands/debugRunCommands.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import { until, workspaceStore } from './support.ts';

const tags = (run: Run) => Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));

describe('Labbook Debug Run (configuration and breakpoints; the Python debugger is not installable here)', function () {
  this.timeout(240_000);
  let api: LabbookApi;
  let other: SqliteTrackingStore;
  let repo: string;
  let original: string;
  const added: vscode.SourceBreakpoint[] = [];

  before(async function () {
    const python = process.env.LABBOOK_TEST_PYTHON;
    if (!python) throw new Error('LABBOOK_TEST_PYTHON must name the test venv (scripts/test.mjs sets it)');
    ({ api, other } = await workspaceStore());
    await vscode.workspace.getConfiguration('labbook.python').update('path', python, vscode.ConfigurationTarget.Workspace);
    // A repository of its own, outside the workspace: the other suites' git state is left alone.
    repo = mkdtempSync(path.join(tmpdir(), 'labbook-debug-run-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', timeout: 30_000 });
    copyFileSync(path.join(process.env.LABBOOK_ROOT ?? '', 'test', 'fixtures', 'launch', 'repro.py'), path.join(repo, 'repro.py'));
    mkdirSync(path.join(repo, 'data'));
    writeFileSync(path.join(repo, 'data', 'numbers.txt'), '1 2 3 4\n');
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'ada@example.com');
    git('config', 'user.name', 'Ada');
    git('add', '.');
    git('commit', '-qm', 'the project');
    const launched = await api.launches.launch({ file: path.join(repo, 'repro.py'), cwd: repo, args: ['--seed', '7', '--data', 'data/numbers.txt'], env: { LABBOOK_DEBUG_SEED: 'then' } });
    assert.ok(launched, 'the original run launched');
    assert.equal((await launched.done).status, 'FINISHED');
    original = launched.runId;
    await until('the recipe', () => other.readArtifact(original, 'labbook/launch.json').then(() => true, () => undefined));
    // The code moves on after the run.
    writeFileSync(path.join(repo, 'repro.py'), git('show', 'HEAD:repro.py').replace('SCALE = 1.0', 'SCALE = 2.0'));
    git('commit', '-qam', 'double the scale');
  });

  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
    vscode.debug.removeBreakpoints(added);
    delete process.env.LABBOOK_DEBUG_SEED;
    await vscode.workspace.getConfiguration('labbook.python').update('path', undefined, vscode.ConfigurationTarget.Workspace);
    await other?.close();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  const endpoint = async (): Promise<Record<string, string>> => {
    const text = await vscode.commands.executeCommand<string>('labbook.copyTrackingUri', { rootId: 'local', runId: original });
    return Object.fromEntries(text.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  };

  it('at the recorded commit: the debugpy configuration runs the worktree copy with the exact arguments into a new tracked run, and the workspace breakpoints are copied onto it', async () => {
    const inRepo = new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(path.join(repo, 'repro.py')), new vscode.Position(11, 0)), true, 'args.seed == 7');
    const elsewhere = new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(path.join(tmpdir(), 'unrelated.py')), new vscode.Position(2, 0)));
    added.push(inRepo, elsewhere);
    vscode.debug.addBreakpoints([inRepo, elsewhere]);
    process.env.LABBOOK_DEBUG_SEED = 'now';
    const result = await vscode.commands.executeCommand<DebugRunResult | undefined>('labbook.debugRun', { rootId: 'local', runId: original }, { code: 'worktree', start: false, confirm: false });
    assert.ok(result && 'config' in result, `prepared: ${JSON.stringify(result)}`);
    const { config, runId, breakpoints } = result;
    const worktree = path.dirname(config.program);
    assert.equal(config.type, 'debugpy');
    assert.equal(config.request, 'launch');
    assert.equal(path.basename(config.program), 'repro.py');
    assert.notEqual(worktree, repo, 'not the workspace copy');
    assert.deepEqual(config.args, ['--seed', '7', '--data', 'data/numbers.txt']);
    assert.equal(config.cwd, worktree);
    const ep = await endpoint();
    assert.equal(config.env['MLFLOW_TRACKING_URI'], ep['MLFLOW_TRACKING_URI']);
    assert.equal(config.env['MLFLOW_TRACKING_TOKEN'], ep['MLFLOW_TRACKING_TOKEN']);
    assert.equal(config.env['MLFLOW_RUN_ID'], runId);
    assert.equal(config.env['LABBOOK_DEBUG_SEED'], 'now', "the variable's current value (values are never recorded)");
    assert.deepEqual(breakpoints, [{ file: config.program, line: 11 }], 'only the breakpoint under the repository, on the worktree copy');
    assert.ok(!vscode.debug.breakpoints.some((bp) => bp instanceof vscode.SourceBreakpoint && bp.location.uri.fsPath.startsWith(worktree)), 'the copies go with the session');
    assert.ok(vscode.debug.breakpoints.includes(inRepo), "the user's own breakpoint stays");
    assert.equal(existsSync(worktree), false, 'the worktree goes with the session');
    const run = await other.getRun(runId);
    assert.equal(tags(run)['labbook.reproduces'], original);
    assert.equal(tags(run)['labbook.debug'], 'true');
    assert.equal(run.info.status, 'KILLED', 'a session that never started ends the run');
  });

  it('on the current code: the repository file, no copied breakpoints', async () => {
    const result = await vscode.commands.executeCommand<DebugRunResult | undefined>('labbook.debugRun', { rootId: 'local', runId: original }, { code: 'current', start: false, confirm: false });
    assert.ok(result && 'config' in result, `prepared: ${JSON.stringify(result)}`);
    const { config, breakpoints, runId } = result;
    assert.equal(config.program, path.join(repo, 'repro.py'));
    assert.equal(config.cwd, repo);
    assert.deepEqual(breakpoints, []);
    assert.equal(tags(await other.getRun(runId))['labbook.debug'], 'true');
  });

  it('explains what to install when the Python debugger extension is missing, and refuses a notebook run', async function () {
    if (vscode.extensions.getExtension('ms-python.debugpy')) this.skip();
    const before = (await other.searchRuns({ experimentIds: [(await other.getRun(original)).info.experimentId], maxResults: 1000 })).items.length;
    const missing = await vscode.commands.executeCommand<DebugRunResult | undefined>('labbook.debugRun', { rootId: 'local', runId: original }, { code: 'worktree' });
    assert.ok(missing && 'refused' in missing, JSON.stringify(missing));
    assert.equal(missing.refused, 'NO_DEBUGGER');
    assert.match(missing.message, /Python Debugger extension \(ms-python\.debugpy\)/);
    const afterCount = (await other.searchRuns({ experimentIds: [(await other.getRun(original)).info.experimentId], maxResults: 1000 })).items.length;
    assert.equal(afterCount, before, 'no run is created');

    // Its own experiment, deleted after: other suites list the workspace store's experiments.
    const experimentId = await other.createExperiment(`debug-notebook-${Date.now()}`);
    cleanups.push(() => other.deleteExperiment(experimentId));
    const nb = await other.createRun({ experimentId });
    const recipe = {
      version: 1, kind: 'notebook', file: 'explore.ipynb', cwd: '', root: repo, rootKind: 'cwd', args: [], parameters: { alpha: 3 }, envNames: [], dataPaths: [], configFiles: [],
      python: 'python', experimentName: 'nb', runName: 'nb-run', git: { commit: null, branch: null, repoUrl: null, dirty: false, patch: null }, reproduces: null,
    };
    await other.writeArtifact(nb.info.runId, 'labbook/launch.json', new TextEncoder().encode(JSON.stringify(recipe)));
    const refused = await vscode.commands.executeCommand<DebugRunResult | undefined>('labbook.debugRun', { rootId: 'local', runId: nb.info.runId }, { start: false });
    assert.ok(refused && 'refused' in refused, JSON.stringify(refused));
    assert.equal(refused.refused, 'NOT_DEBUGGABLE');
    assert.match(refused.message, /notebook explore\.ipynb with parameters alpha=3/);
  });
});
