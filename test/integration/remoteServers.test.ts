import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
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

  it('removes a server and forgets its token', async () => {
    assert.equal(await vscode.commands.executeCommand<boolean>('labbook.removeRemoteServer', { url: server.url }), true);
    assert.deepEqual(configured(), []);
    await assert.rejects(api.openRemoteStore(server.url), /not one of Labbook's tracking servers/);
  });
});
