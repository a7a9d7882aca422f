import * as vscode from 'vscode';
import { normalizeServerUrl, type NewRemoteServer, type RemoteAuthKind, type RemoteServers } from '../stores/remoteServers.ts';
import { problemFrom } from './validation.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

/** Arguments for automation (and tests): with them the command asks nothing. */
export type AddRemoteServerArgs = NewRemoteServer;

async function promptForServer(): Promise<NewRemoteServer | undefined> {
  const raw = await vscode.window.showInputBox({
    title: 'Add MLflow Tracking Server (1/3)',
    prompt: 'The address of the MLflow tracking server',
    placeHolder: 'http://mlflow.example.com:5000',
    ignoreFocusOut: true,
    validateInput: problemFrom(normalizeServerUrl),
  });
  if (raw === undefined) return undefined;
  const url = normalizeServerUrl(raw);
  const kinds: (vscode.QuickPickItem & { auth: RemoteAuthKind })[] = [
    { label: 'No authentication', auth: 'none' },
    { label: 'Bearer token', description: 'MLFLOW_TRACKING_TOKEN', auth: 'bearer' },
    { label: 'Username and password', description: 'MLFLOW_TRACKING_USERNAME / _PASSWORD', auth: 'basic' },
  ];
  const picked = await vscode.window.showQuickPick(kinds, { title: 'Add MLflow Tracking Server (2/3)', placeHolder: 'How does the server authenticate?', ignoreFocusOut: true });
  if (!picked) return undefined;
  if (picked.auth === 'none') return { url, auth: 'none' };
  let username: string | undefined;
  if (picked.auth === 'basic') {
    username = await vscode.window.showInputBox({ title: 'Add MLflow Tracking Server (3/3)', prompt: 'Username', ignoreFocusOut: true });
    if (username === undefined) return undefined;
  }
  const secret = await vscode.window.showInputBox({
    title: 'Add MLflow Tracking Server (3/3)',
    prompt: picked.auth === 'bearer' ? 'Token (kept in VS Code\'s secret storage)' : 'Password (kept in VS Code\'s secret storage)',
    password: true,
    ignoreFocusOut: true,
  });
  if (secret === undefined) return undefined;
  return { url, auth: picked.auth, secret, ...(username ? { username } : {}) };
}

/** Registers Add/Remove MLflow Tracking Server. Both resolve to whether they changed anything. */
export function registerRemoteServerCommands(servers: RemoteServers): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('labbook.addRemoteServer', async (args?: AddRemoteServerArgs): Promise<boolean> => {
      const server = args ?? (await promptForServer());
      if (!server) return false;
      try {
        await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Connecting to ${server.url}…`, cancellable: false },
          () => servers.test(server),
        );
      } catch (err) {
        const message = `Labbook could not reach the tracking server ${server.url}: ${errorMessage(err)}`;
        if (args) {
          void vscode.window.showErrorMessage(message);
          return false;
        }
        const choice = await vscode.window.showErrorMessage(message, 'Save Anyway');
        if (choice !== 'Save Anyway') return false;
      }
      await servers.add(server);
      void vscode.window.showInformationMessage(`Labbook will use the tracking server ${server.url}.`);
      return true;
    }),
    vscode.commands.registerCommand('labbook.removeRemoteServer', async (args?: { url: string }): Promise<boolean> => {
      let url = args?.url;
      if (!url) {
        const picked = await vscode.window.showQuickPick(
          servers.list().map((s) => ({ label: s.name ?? s.url, description: s.name ? s.url : undefined, url: s.url })),
          { title: 'Remove MLflow Tracking Server', placeHolder: 'The server Labbook should forget (its credentials are deleted too)' },
        );
        url = picked?.url;
      }
      return url ? servers.remove(url) : false;
    }),
  ];
}
