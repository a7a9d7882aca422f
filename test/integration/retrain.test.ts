// Continuous training in the real extension host: Add CI Workflow… writes CI files that validate
// against the published schemas (and keeps them on a second run), and a recipe with
// `retrain: { when: "data-changed" }` offers retraining when its watched CSV changes (through the
// FileSystemWatcher), and the retraining run carries the tags linking it to the change.
import * as assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import type { AddCiResult } from '../../src/host/ci/ciWorkflowCommand.ts';
import type { RetrainEvent } from '../../src/host/retrain/retrainTriggers.ts';
import { until, waitFor, workspaceStore } from './support.ts';

const workspace = (): string => {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test opens a workspace folder');
  return folder.uri.fsPath;
};
const python = (): string => {
  const p = process.env.LABBOOK_TEST_PYTHON;
  if (!p) throw new Error('LABBOOK_TEST_PYTHON must name the test venv (scripts/test.mjs sets it)');
  return p;
};

describe('Labbook continuous training: CI workflows and retraining triggers', function () {
  this.timeout(240_000);
  let api: LabbookApi;
  let other: SqliteTrackingStore;
  let root: string;
  let recipesBefore: string | undefined;
  const recipes = () => path.join(root, '.labbook', 'runs.json');

  before(async () => {
    ({ api, other } = await workspaceStore());
    root = workspace();
    await vscode.workspace.getConfiguration('labbook.python').update('path', python(), vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('labbook.retrain').update('debounceSeconds', 0.5, vscode.ConfigurationTarget.Workspace);
    recipesBefore = existsSync(recipes()) ? readFileSync(recipes(), 'utf8') : undefined;
  });
  after(async () => {
    if (recipesBefore === undefined) rmSync(recipes(), { force: true });
    else writeFileSync(recipes(), recipesBefore);
    await vscode.workspace.getConfiguration('labbook.retrain').update('debounceSeconds', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('Add CI Workflow writes a GitHub workflow and GitLab jobs that validate, and keeps them unless forced', async () => {
    const pipeline = path.join(root, 'pipelines', 'ci-demo');
    mkdirSync(path.join(pipeline, 'tests'), { recursive: true });
    writeFileSync(path.join(pipeline, 'pipeline.py'), 'print("pipeline")\n');
    writeFileSync(path.join(pipeline, 'requirements.txt'), 'pandas\n');
    writeFileSync(path.join(pipeline, '.labbook-export.json'), JSON.stringify({ generator: 'labbook', version: 1, notebook: '../../ci-demo.ipynb', files: {} }));
    const answers = { pipelineDir: 'pipelines/ci-demo', model: 'ci-demo-model', platforms: 'both', schedule: '0 4 * * 1-5', dataPaths: ['data/ci.csv'], force: true, open: false };
    const result = await vscode.commands.executeCommand<AddCiResult | undefined>('labbook.addCiWorkflow', answers);
    assert.ok(result, 'the command wrote the files');
    assert.ok(result.written.includes('.github/workflows/labbook-ci-demo.yml'));
    assert.ok(result.written.includes('ci/labbook-ci-demo.gitlab-ci.yml'));
    assert.match(result.secrets.join('\n'), /MLFLOW_TRACKING_URI \(required\)/);
    const checks: [string, string][] = [['.github/workflows/labbook-ci-demo.yml', 'vendor.github-workflows'], ['ci/labbook-ci-demo.gitlab-ci.yml', 'vendor.gitlab-ci']];
    for (const [file, schema] of checks) {
      const check: SpawnSyncReturns<string> = spawnSync(python(), ['-m', 'check_jsonschema', '--builtin-schema', schema, path.join(result.root, file)], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(check.status, 0, `${file}: ${check.stdout}${check.stderr}`);
    }
    const workflow = readFileSync(path.join(result.root, '.github/workflows/labbook-ci-demo.yml'), 'utf8');
    assert.match(workflow, /cron: 0 4 \* \* 1-5/);
    assert.match(workflow, /gate "\$LABBOOK_MODEL" "\$candidate" --against @champion --promote @champion/);

    writeFileSync(path.join(result.root, '.github/workflows/labbook-ci-demo.yml'), '# ours now\n');
    const again = await vscode.commands.executeCommand<AddCiResult | undefined>('labbook.addCiWorkflow', { ...answers, force: false });
    assert.ok(again);
    assert.deepEqual(again.written, []);
    assert.ok(again.kept.includes('.github/workflows/labbook-ci-demo.yml'));
    assert.equal(readFileSync(path.join(result.root, '.github/workflows/labbook-ci-demo.yml'), 'utf8'), '# ours now\n');
  });

  it('a data-changed trigger offers retraining when the watched CSV changes; the retraining run is linked to the change', async () => {
    mkdirSync(path.join(root, 'data'), { recursive: true });
    const csv = path.join(root, 'data', 'retrain.csv');
    writeFileSync(csv, 'x,y\n1,2\n2,4\n3,6\n');
    writeFileSync(path.join(root, 'retrain_fit.py'), 'import csv\nrows = list(csv.reader(open("data/retrain.csv")))\nprint(f"rows={len(rows) - 1}")\n');
    mkdirSync(path.dirname(recipes()), { recursive: true });
    writeFileSync(recipes(), JSON.stringify({ recipes: [{ name: 'retrain-fit', program: 'retrain_fit.py', dataPaths: ['data/retrain.csv'], experiment: 'retrain-it', retrain: { when: 'data-changed' } }] }, null, 2));
    api.retrain.reload();

    const first = await vscode.commands.executeCommand<{ runId: string } | undefined>('labbook.runRecipe', 'retrain-fit');
    assert.ok(first, 'the recipe launched');
    const tracked = api.launches.get(first.runId)?.tracked;
    if (tracked) await Promise.all([tracked.done, tracked.captured]);
    const firstRun = await until('the first run to end', async () => {
      const run = await other.getRun(first.runId);
      return run.info.status === 'RUNNING' ? undefined : run;
    });
    assert.equal(firstRun.info.status, 'FINISHED');

    // Unchanged data: nothing to offer.
    const quiet = await vscode.commands.executeCommand<RetrainEvent[] | undefined>('labbook.checkRetrainTriggers', 'retrain-fit');
    assert.equal(quiet?.[0]?.action, 'none', JSON.stringify(quiet));

    // The watcher sees the change and the trigger offers retraining.
    const seen: string[] = [];
    const log = api.retrain.onDidDecide((e) => seen.push(`${e.recipe}: ${e.action} (${e.decision.reason})`));
    const offered = waitFor(api.retrain.onDidDecide, (e) => e.recipe === 'retrain-fit' && e.action === 'offered', 60_000, 'the retraining offer');
    writeFileSync(csv, 'x,y\n1,2\n2,4\n3,6\n4,8\n');
    let offer: RetrainEvent;
    try {
      offer = await offered;
    } catch (err) {
      const now = await vscode.commands.executeCommand<RetrainEvent[] | undefined>('labbook.checkRetrainTriggers', 'retrain-fit');
      throw new Error(`${String(err)}; decisions seen: ${seen.join(' | ') || 'none'}; asked now: ${JSON.stringify(now)}`, { cause: err });
    } finally {
      log.dispose();
    }
    assert.ok(offer.decision.retrain);
    assert.match(offer.decision.reason, /data\/retrain\.csv changed since the last run of "retrain-fit"/);

    // Retrain (what the notification's button does), then the run's link tags.
    const started = await vscode.commands.executeCommand<RetrainEvent[] | undefined>('labbook.checkRetrainTriggers', 'retrain-fit', { start: true });
    const runId = started?.[0]?.runId;
    assert.ok(runId, JSON.stringify(started));
    const retrained = await until('the retraining run to end', async () => {
      const run = await other.getRun(runId);
      return run.info.status === 'RUNNING' ? undefined : run;
    });
    const tags = Object.fromEntries(retrained.data.tags.map((t) => [t.key, t.value]));
    assert.equal(tags['labbook.retrain.trigger'], 'data-changed');
    assert.equal(tags['labbook.retrain.previousRun'], first.runId);
    assert.equal(tags['labbook.retrain.changedPaths'], 'data/retrain.csv');
    assert.equal(tags['labbook.recipe'], 'retrain-fit');
  });
});
