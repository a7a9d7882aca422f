// Hovers on parameters in the real extension host: an argparse line of a script with runs in the
// workspace's store lists the values those runs used (best first by the objective metric, runs of
// other files left out), with the chart and a filter link that filters the Experiments view; a key
// of a config file a launch passed lists that launch's value; lines that are no param give none.
import * as assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import { workspaceStore } from './support.ts';

const SCRIPT = [
  'import argparse',
  '',
  'parser = argparse.ArgumentParser()',
  'parser.add_argument("--lr", type=float, default=0.1)',
  'parser.add_argument("--epochs", type=int, default=3)',
  'args = parser.parse_args()',
  '',
].join('\n');

const CONFIG = 'optimizer:\n  lr: 0.05\n  name: adam\n';

/** The Markdown of every hover at `needle` (its first occurrence) in the document. */
async function hoverAt(document: vscode.TextDocument, needle: string): Promise<string> {
  const offset = document.getText().indexOf(needle);
  assert.ok(offset >= 0, `${needle} is in ${document.uri.toString()}`);
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, document.positionAt(offset + 1))) ?? [];
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n---\n');
}

async function hoverText(file: string, needle: string): Promise<string> {
  return hoverAt(await vscode.workspace.openTextDocument(file), needle);
}

/** A notebook whose first cell is tagged `parameters`; the second holds a plain assignment. */
const NOTEBOOK = JSON.stringify({
  cells: [
    { id: 'p', cell_type: 'code', metadata: { tags: ['parameters'] }, execution_count: null, outputs: [], source: 'alpha = 0.5\n' },
    { id: 'q', cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: 'beta = 2\n' },
  ],
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  nbformat: 4,
  nbformat_minor: 5,
});

describe('Labbook hovers on parameters', function () {
  this.timeout(120_000);
  let api: LabbookApi;
  let other: SqliteTrackingStore;
  let script: string;
  let config: string;
  let notebook: string;

  before(async () => {
    ({ api, other } = await workspaceStore());
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test opens a workspace folder');
    script = path.join(folder.uri.fsPath, 'hover_train.py');
    config = path.join(folder.uri.fsPath, 'hover_config.yaml');
    writeFileSync(script, SCRIPT);
    writeFileSync(config, CONFIG);
    notebook = path.join(folder.uri.fsPath, 'hover_sweep.ipynb');
    writeFileSync(notebook, NOTEBOOK);
    await vscode.workspace.getConfiguration('labbook.explorer').update('keyMetrics', ['val_loss'], vscode.ConfigurationTarget.Workspace);
    const experimentId = await other.createExperiment('param-hover');
    const seed = async (source: string, lr: string, loss: number, recipe?: object) => {
      const tags = [{ key: 'mlflow.source.name', value: source }, ...(recipe ? [{ key: 'labbook.launch.kind', value: 'script' }] : [])];
      const run = await other.createRun({ experimentId, runName: `hover-${lr}`, startTime: Date.now(), tags });
      await other.logBatch(run.info.runId, { params: [{ key: recipe ? 'optimizer.lr' : 'lr', value: lr }], metrics: [{ key: 'val_loss', value: loss, timestamp: 1, step: 0 }] });
      if (recipe) await other.writeArtifact(run.info.runId, 'labbook/launch.json', new TextEncoder().encode(JSON.stringify(recipe)));
      await other.updateRun(run.info.runId, { status: 'FINISHED', endTime: Date.now() });
    };
    await seed(script, '0.1', 0.5);
    await seed(script, '0.01', 0.2);
    await seed(script, '0.01', 0.3);
    await seed(script, '0.003', 0.4);
    await seed(path.join(folder.uri.fsPath, 'other_train.py'), '9.5', 0.01);
    const recipe = { version: 1, kind: 'script', file: 'hover_train.py', cwd: '', root: folder.uri.fsPath, rootKind: 'cwd', args: ['--config', 'hover_config.yaml'], parameters: {}, envNames: [], dataPaths: [], configFiles: ['hover_config.yaml'], python: 'python3', experimentName: 'param-hover', runName: 'cfg', git: { commit: null, branch: null, repoUrl: null, dirty: false, patch: null }, reproduces: null };
    await seed(script, '0.05', 0.25, recipe);
    for (const [alpha, loss] of [['0.5', 0.4], ['0.9', 0.1]] as const) {
      const run = await other.createRun({ experimentId, runName: `nb-${alpha}`, startTime: Date.now(), tags: [{ key: 'mlflow.source.name', value: notebook }] });
      await other.logBatch(run.info.runId, { params: [{ key: 'alpha', value: alpha }, { key: 'beta', value: '2' }], metrics: [{ key: 'val_loss', value: loss, timestamp: 1, step: 0 }] });
      await other.updateRun(run.info.runId, { status: 'FINISHED', endTime: Date.now() });
    }
  });

  after(async () => {
    await vscode.commands.executeCommand('labbook.clearRunFilter');
    await vscode.workspace.getConfiguration('labbook.explorer').update('keyMetrics', undefined, vscode.ConfigurationTarget.Workspace);
    await other?.close();
    rmSync(script, { force: true });
    rmSync(config, { force: true });
    rmSync(notebook, { force: true });
  });

  it("lists the values this script's runs used for --lr, best first, with the chart and a filter link", async () => {
    const text = await hoverText(script, 'default=0.1');
    assert.match(text, /\*\*lr\*\*: 3 values in 4 of 5 runs of hover\\_train\\\.py/, text);
    const rows = text.split('\n').filter((l) => l.startsWith('| ['));
    assert.deepEqual(rows.map((r) => /^\| \[([^\]]+)\]/.exec(r)?.[1]), ['0\\.01', '0\\.003', '0\\.1']);
    assert.match(rows[0] ?? '', /\| 0\\\.2 \| 2 \|$/);
    assert.ok(!text.includes('9\\.5'), 'runs of another file are left out');
    assert.match(text, /data:image\/svg\+xml;base64,/);
    const link = /\[Filter runs by this param\]\(command:labbook\.filterRuns\?([^ )]+)/.exec(text);
    assert.ok(link, text);
    const [filter] = JSON.parse(decodeURIComponent(link[1] ?? '')) as [string];
    assert.equal(filter, "params.`lr` = '0.01'");
    await vscode.commands.executeCommand('labbook.filterRuns', filter);
    assert.equal(api.experiments.query.filter, filter);
  });

  it('lists the value a launch took from a config file it passed', async () => {
    const text = await hoverText(config, 'lr:');
    assert.match(text, /\*\*optimizer\\\.lr\*\*: 1 value in 1 of 1 run of hover\\_config\\\.yaml/, text);
    assert.match(text, /\| \[0\\\.05\]/);
  });

  it("lists the values in a notebook's parameters cell, and nothing in its other cells", async () => {
    const document = await vscode.workspace.openNotebookDocument(vscode.Uri.file(notebook));
    const [parameters, plain] = document.getCells();
    assert.ok(parameters && plain);
    const text = await hoverAt(parameters.document, 'alpha');
    assert.match(text, /\*\*alpha\*\*: 2 values in 2 of 2 runs of hover\\_sweep\\\.ipynb/, text);
    assert.deepEqual(text.split('\n').filter((l) => l.startsWith('| [')).map((r) => /^\| \[([^\]]+)\]/.exec(r)?.[1]), ['0\\.9', '0\\.5']);
    assert.ok(!(await hoverAt(plain.document, 'beta')).includes('labbook.filterRuns'), 'an untagged cell is no parameters cell');
  });

  it('gives no Labbook hover where no param is defined, nor for a param no run logged', async () => {
    for (const needle of ['import argparse', 'args = parser', 'default=3', 'name: adam']) {
      const file = needle === 'name: adam' ? config : script;
      assert.ok(!(await hoverText(file, needle)).includes('labbook.filterRuns'), needle);
    }
  });
});
