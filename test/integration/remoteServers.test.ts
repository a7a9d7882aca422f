import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startLocalTrackingServer, type LocalTrackingServer } from '../../src/core/mlflow/server/localTrackingServer.ts';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import { activateLabbook, openStore } from './support.ts';

const TOKEN = 'sekret-token-1234567890';

describe('Labbook remote tracking servers (credentials in SecretStorage)', () => {
  let dir: string;
  let store: SqliteTrackingStore;
  let server: LocalTrackingServer;
  let api: LabbookApi;

  before(async () => {
    const labbook = await activateLabbook();
    api = labbook.api;
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-remote-'));
    // An MLflow-compatible server that wants a bearer token: Labbook's own endpoint.
    store = openStore(labbook.ext, path.join(dir, 'tracking.db'));
    server = await startLocalTrackingServer({ store, token: TOKEN });
  });
  after(async () => {
    await vscode.commands.executeCommand('labbook.removeRemoteServer', { url: server.url });
    await server?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const configured = () => vscode.workspace.getConfiguration('labbook').inspect<unknown[]>('remoteServers')?.globalValue ?? [];

  it('refuses to add a server that rejects the credentials', async () => {
    const added = await vscode.commands.executeCommand<boolean>('labbook.addRemoteServer', { url: server.url, auth: 'bearer', secret: 'wrong-token' });
    assert.equal(added, false);
    assert.deepEqual(configured(), []);
  });

  it('adds a server: the address in settings, the token only in SecretStorage', async () => {
    const added = await vscode.commands.executeCommand<boolean>('labbook.addRemoteServer', { url: `${server.url}/`, auth: 'bearer', secret: TOKEN });
    assert.equal(added, true);
    assert.deepEqual(configured(), [{ url: server.url, auth: 'bearer' }]);
    assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('labbook')).includes(TOKEN), 'the token leaked into settings');
    const remote = await api.openRemoteStore(server.url);
    const experiments = await remote.searchExperiments();
    assert.deepEqual(experiments.items.map((e) => e.name), ['Default']);
    await remote.createExperiment('from-vscode');
    assert.equal((await store.getExperimentByName('from-vscode'))?.name, 'from-vscode');
  });

  it('launches a tracked run into the server (labbook.launch.target): the script gets the token, Labbook\'s writes go through the outbox', async function () {
    this.timeout(120_000);
    const python = process.env.LABBOOK_TEST_PYTHON;
    assert.ok(python);
    copyFileSync(path.join(process.env.LABBOOK_ROOT ?? '', 'test', 'fixtures', 'launch', 'printed_metrics.py'), path.join(dir, 'printed_metrics.py'));
    await vscode.workspace.getConfiguration('labbook.python').update('path', python, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('labbook.launch').update('target', server.url, vscode.ConfigurationTarget.Workspace);
    try {
      const launched = await vscode.commands.executeCommand<{ runId: string; rootId: string }>('labbook.runWithArguments', vscode.Uri.file(path.join(dir, 'printed_metrics.py')), '--lr 0.25 --epochs 2');
      assert.ok(launched);
      assert.equal(launched.rootId, `remote:${server.url}`);
      await api.launches.get(launched.runId)?.tracked.done;
      const run = await store.getRun(launched.runId);
      assert.equal(run.info.status, 'FINISHED');
      assert.equal(run.data.params.find((p) => p.key === 'lr')?.value, '0.25');
      assert.deepEqual((await store.getMetricHistory(launched.runId, 'loss')).map((m) => m.step), [0, 1]);
      // Nothing waits in the server's outbox; the server's node says so by saying nothing.
      const root = (await api.experiments.getChildren()).find((n) => n.kind === 'store' && n.root.id === `remote:${server.url}`);
      assert.ok(root);
      assert.doesNotMatch(String(api.experiments.getTreeItem(root).description), /waiting/);
      assert.equal(await vscode.commands.executeCommand('labbook.uploadQueuedWrites', root), 0);
    } finally {
      await vscode.workspace.getConfiguration('labbook.launch').update('target', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.workspace.getConfiguration('labbook.python').update('path', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('removes a server and forgets its token', async () => {
    assert.equal(await vscode.commands.executeCommand<boolean>('labbook.removeRemoteServer', { url: server.url }), true);
    assert.deepEqual(configured(), []);
    await assert.rejects(api.openRemoteStore(server.url), /not one of Labbook's tracking servers/);
  });
});
