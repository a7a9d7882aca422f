import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LabbookApi } from '../../src/host/extension.ts';
import { HOME_VIEW_TYPE } from '../../src/protocol/home.ts';
import { waitFor } from './support.ts';

const EXTENSION_ID = 'labbook.labbook';

interface Manifest {
  contributes: {
    commands: { command: string; category: string }[];
    views: Record<string, { id: string }[]>;
    viewsContainers: { activitybar: { id: string }[] };
  };
}

function extension(): vscode.Extension<LabbookApi> {
  const ext = vscode.extensions.getExtension<LabbookApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed in this extension host`);
  return ext;
}

async function api(): Promise<LabbookApi> {
  return extension().activate();
}

function homeTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(HOME_VIEW_TYPE));
}

describe('Labbook in a real VS Code extension host', () => {
  it('runs in an extension host on Node >= 22', () => {
    const [major = 0] = process.versions.node.split('.').map(Number);
    assert.ok(major >= 22, `extension host Node is ${process.versions.node}`);
    assert.ok(vscode.version.length > 0);
  });

  it('activates', async () => {
    await api();
    assert.equal(extension().isActive, true);
  });

  it('registers every command it contributes, all under the Labbook category', async () => {
    // Asking for a view's provider starts Labbook's services, which replace the commands' activation
    // stand-ins with the real commands: a command the services forget is missing here.
    assert.ok((await api()).experiments);
    const manifest = extension().packageJSON as Manifest;
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = manifest.contributes.commands;
    assert.ok(contributed.length >= 4);
    for (const { command, category } of contributed) {
      assert.ok(registered.has(command), `${command} is contributed but not registered`);
      assert.equal(category, 'Labbook');
    }
  });

  it('contributes the Labbook container with the Experiments and Models views, and opens it', async () => {
    const manifest = extension().packageJSON as Manifest;
    assert.deepEqual(manifest.contributes.viewsContainers.activitybar.map((c) => c.id), ['labbook']);
    assert.deepEqual(manifest.contributes.views.labbook?.map((v) => v.id), ['labbook.experiments', 'labbook.models', 'labbook.queue', 'labbook.featureStore']);
    const registered = new Set(await vscode.commands.getCommands(true));
    // The Feature Store view is known to the workbench even where it is hidden (no Feast repository).
    assert.ok(registered.has('labbook.featureStore.focus'), 'the Feature Store view is not registered with the workbench');
    // VS Code creates a focus command for each view it knows; opening the container must work.
    assert.ok(registered.has('labbook.experiments.focus'), 'the Experiments view is not registered with the workbench');
    assert.ok(registered.has('labbook.models.focus'), 'the Models view is not registered with the workbench');
    await vscode.commands.executeCommand('workbench.view.extension.labbook');
    await vscode.commands.executeCommand('labbook.experiments.focus');
    await vscode.commands.executeCommand('labbook.refreshExperiments');
  });

  it('opens the workspace\'s local store with the native SQLite binary next to the bundle', async () => {
    const status = await (await api()).readStatus();
    assert.equal(status.store.error, null);
    assert.ok((status.store.experiments ?? 0) >= 1, 'the local store has at least the Default experiment');
    const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    assert.equal(status.store.path, `${workspace}/.labbook/tracking.db`);
    assert.match(status.store.sqliteVersion ?? '', /^3\.\d+\.\d+$/);
    assert.equal(status.store.kind, 'local');
  });

  it('opens the Home panel, whose webview sends a typed request and gets its answer', async () => {
    const labbook = await api();
    const panel = labbook.showHome();
    const answered = waitFor(panel.onDidHandleRequest, (e) => e.method === 'getStatus', 60_000, 'the webview to request getStatus');
    const handled = await answered;
    assert.equal(handled.ok, true);
    assert.equal(panel.isReady, true, 'the webview answered before its ready handshake');
    assert.equal(homeTabs().length, 1, 'the Home panel is not open in an editor group');
    // Running the command again reveals the same panel instead of opening a second one.
    await vscode.commands.executeCommand('labbook.openHome');
    assert.equal(homeTabs().length, 1);
    const closed = waitFor(vscode.window.tabGroups.onDidChangeTabs, () => homeTabs().length === 0, 10_000, 'the tab to close');
    panel.dispose();
    await closed;
  });

  it('refuses commands the Home panel may not run and reports the error to the webview', async () => {
    const labbook = await api();
    const panel = labbook.showHome();
    const answered = waitFor(panel.onDidHandleRequest, (e) => e.method === 'getStatus', 60_000, 'the webview to load');
    await answered;
    const reply = await panel.dispatch({ kind: 'request', id: 990, method: 'runCommand', params: { command: 'workbench.action.quit' } });
    assert.deepEqual(reply, { kind: 'response', id: 990, ok: false, error: { code: 'badParams', message: "runCommand: 'command' must be one of labbook.showLog, labbook.openSettings, labbook.refreshExperiments" } });
    panel.dispose();
  });
});
