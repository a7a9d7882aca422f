// Stores that change or break while the views show them: a TensorBoard folder a training job is
// still writing (Refresh and the watcher show new runs; damaged records are reported on the node
// and in the log), and a server that goes away (each failing node gets its own error row).
import * as assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startLocalTrackingServer, type LocalTrackingServer } from '../../src/core/mlflow/server/localTrackingServer.ts';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import type { ExplorerNode } from '../../src/host/trees/experimentsTree.ts';
import type { ModelsNode } from '../../src/host/trees/modelsTree.ts';
import { concat, fileVersionEvent, frame, scalarEvent } from '../unit/readers/eventBytes.ts';
import { activateLabbook, openStore } from './support.ts';

type StoreNode = Extract<ExplorerNode, { kind: 'store' }>;

const EVENT_FILE = 'events.out.tfevents.1700000000.host';

function eventFile(dir: string, records: readonly Uint8Array[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, EVENT_FILE), concat(frame(fileVersionEvent()), ...records));
}

/** Polls `check` every 200 ms until it holds, at most `tries` times. */
async function eventually(what: string, check: () => boolean | Promise<boolean>, tries = 150): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`${what}: not after ${tries} tries`);
}

/** The text of every log file under `dir` (bounded depth). */
function logText(dir: string, depth = 4): string {
  let text = '';
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return '';
  }
  for (const name of entries) {
    const full = path.join(dir, name);
    const stat = statSync(full, { throwIfNoEntry: false });
    if (stat?.isDirectory() && depth > 0) text += logText(full, depth - 1);
    else if (stat?.isFile() && name.endsWith('.log')) text += readFileSync(full, 'utf8');
  }
  return text;
}

describe('Labbook stores that change or break while shown', function () {
  this.timeout(120_000);
  let api: LabbookApi;
  let dir: string;

  before(async () => {
    ({ api } = await activateLabbook());
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-changing-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('re-reads TensorBoard logs on Refresh and while watched, and shows the damaged records it skipped on the node and in the log', async () => {
    const logs = path.join(dir, 'tb');
    eventFile(path.join(logs, 'run-a'), [frame(scalarEvent('loss', 0, 1))]);
    const id = await vscode.commands.executeCommand<string>('labbook.openExistingStore', 'tensorboard', logs);
    assert.ok(id, 'the logs opened');
    const root = async (): Promise<StoreNode> => {
      const found = (await api.experiments.getChildren()).find((n): n is StoreNode => n.kind === 'store' && n.root.id === id);
      assert.ok(found, 'the logs are a root');
      return found;
    };
    const runNames = async (): Promise<string[]> => {
      const [experiment] = await api.experiments.getChildren(await root());
      assert.ok(experiment?.kind === 'experiment', JSON.stringify(experiment));
      return (await api.experiments.getChildren(experiment)).flatMap((n) => (n.kind === 'run' ? [n.run.info.runName] : [])).sort();
    };
    try {
      assert.deepEqual(await runNames(), ['run-a']);

      // Refresh: a run written since shows at once.
      eventFile(path.join(logs, 'run-b'), [frame(scalarEvent('loss', 0, 2))]);
      await vscode.commands.executeCommand('labbook.refreshExperiments');
      assert.deepEqual(await runNames(), ['run-a', 'run-b']);

      // The watcher: a training job adds a run, the view follows without Refresh. One of its
      // records is damaged (wrong checksum): skipped, and said so.
      const damaged = frame(scalarEvent('loss', 1, 3));
      damaged[damaged.length - 1] = (damaged[damaged.length - 1] ?? 0) ^ 0xff;
      eventFile(path.join(logs, 'run-c'), [frame(scalarEvent('loss', 0, 3)), damaged]);
      // The job goes on writing (the file watcher may take a moment to start watching the folder,
      // or miss it: the look every 10 s behind it then sees the files change).
      let step = 2;
      await eventually('the watched folder shows run-c', async () => {
        if ((await runNames()).includes('run-c')) return true;
        appendFileSync(path.join(logs, 'run-c', EVENT_FILE), frame(scalarEvent('loss', step++, 3)));
        return false;
      });

      const item = api.experiments.getTreeItem(await root());
      assert.match(String(item.description), /TensorBoard logs · read-only · 1 damaged entry skipped/);
      assert.match(typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? ''), new RegExp(`Skipped 1 damaged record in ${path.join(logs, 'run-c').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      const logDir = path.dirname(api.logUri.fsPath);
      await eventually('the log names the damaged run', () => logText(logDir).includes(`TensorBoard logs ${logs}: Skipped 1 damaged record in ${path.join(logs, 'run-c')}`), 50);
    } finally {
      const node = (await api.experiments.getChildren()).find((n) => n.kind === 'store' && n.root.id === id);
      if (node) await vscode.commands.executeCommand('labbook.closeStore', node);
    }
  });

  it('reports the damaged records the first read skipped, on the node and in the log', async () => {
    const logs = path.join(dir, 'tb-damaged');
    const damaged = frame(scalarEvent('loss', 1, 3));
    damaged[damaged.length - 1] = (damaged[damaged.length - 1] ?? 0) ^ 0xff;
    eventFile(path.join(logs, 'broken'), [frame(scalarEvent('loss', 0, 3)), damaged]);
    const id = await vscode.commands.executeCommand<string>('labbook.openExistingStore', 'tensorboard', logs);
    const root = (await api.experiments.getChildren()).find((n): n is StoreNode => n.kind === 'store' && n.root.id === id);
    assert.ok(root, 'the logs are a root');
    try {
      assert.match(String(api.experiments.getTreeItem(root).description), /TensorBoard logs · read-only · 1 damaged entry skipped/);
      const logDir = path.dirname(api.logUri.fsPath);
      await eventually('the log names the damaged run', () => logText(logDir).includes(`TensorBoard logs ${logs}: Skipped 1 damaged record in ${path.join(logs, 'broken')}`), 50);
    } finally {
      await vscode.commands.executeCommand('labbook.closeStore', root);
    }
  });

  describe('a tracking server that goes away', () => {
    let store: SqliteTrackingStore;
    let server: LocalTrackingServer;
    const TOKEN = 'changing-token-1234567890';

    before(async () => {
      const { ext } = await activateLabbook();
      store = openStore(ext, path.join(dir, 'server.db'));
      server = await startLocalTrackingServer({ store, token: TOKEN });
      await store.createExperiment('alpha');
      await store.createExperiment('beta');
      await store.createRegisteredModel('churn');
      await store.createRegisteredModel('fraud');
      assert.equal(await vscode.commands.executeCommand<boolean>('labbook.addRemoteServer', { url: server.url, auth: 'bearer', secret: TOKEN }), true);
    });
    after(async () => {
      await vscode.commands.executeCommand('labbook.removeRemoteServer', { url: server.url });
      await server?.close();
      await store?.close();
    });

    it('gives the error rows of experiments and models that fail together ids of their own', async () => {
      const rootId = `remote:${server.url}`;
      const root = (await api.experiments.getChildren()).find((n) => n.kind === 'store' && n.root.id === rootId);
      assert.ok(root, 'the server is a root');
      const experiments = (await api.experiments.getChildren(root)).filter((n) => n.kind === 'experiment' && ['alpha', 'beta'].includes(n.experiment.name));
      assert.equal(experiments.length, 2);
      const modelsRoot = (await api.models.getChildren()).find((n) => n.kind === 'store' && n.root.id === rootId);
      assert.ok(modelsRoot, 'the server is a root of the Models view');
      const models = (await api.models.getChildren(modelsRoot)).filter((n): n is Extract<ModelsNode, { kind: 'model' }> => n.kind === 'model');
      assert.equal(models.length, 2);

      await server.close();
      const [rowsA, rowsB] = await Promise.all(experiments.map((e) => api.experiments.getChildren(e)));
      const errorIds = [...(rowsA ?? []), ...(rowsB ?? [])].map((n) => {
        assert.ok(n.kind === 'message' && n.error, JSON.stringify(n));
        return api.experiments.getTreeItem(n).id;
      });
      assert.equal(errorIds.length, 2);
      assert.notEqual(errorIds[0], errorIds[1], `both error rows have the id ${errorIds[0]}`);

      const modelRows = (await Promise.all(models.map((m) => api.models.getChildren(m)))).flat();
      const modelIds = modelRows.map((n) => {
        assert.ok(n.kind === 'message' && n.error, JSON.stringify(n));
        return api.models.getTreeItem(n).id;
      });
      assert.equal(modelIds.length, 2);
      assert.notEqual(modelIds[0], modelIds[1], `both error rows have the id ${modelIds[0]}`);
    });
  });
});
