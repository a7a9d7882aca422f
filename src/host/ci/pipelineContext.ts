// Context keys for the Explorer menu's Add CI Workflow…: the exported pipeline folders (a
// `.labbook-export.json` manifest) and the notebooks they came from. Part of the activation bundle,
// so it reads the manifests itself (no core import) and only after activation, never during it.
import * as path from 'node:path';
import * as vscode from 'vscode';

export const PIPELINE_FOLDERS_KEY = 'labbook.pipelineFolders';
export const NOTEBOOKS_WITH_PIPELINE_KEY = 'labbook.notebooksWithPipeline';

async function refresh(): Promise<void> {
  const manifests = await vscode.workspace.findFiles('**/.labbook-export.json', '**/node_modules/**', 500);
  const folders: string[] = [];
  const notebooks: string[] = [];
  for (const manifest of manifests) {
    const folder = path.dirname(manifest.fsPath);
    folders.push(folder);
    try {
      const json = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(manifest))) as { notebook?: unknown };
      if (typeof json.notebook === 'string') notebooks.push(path.resolve(folder, json.notebook));
    } catch {
      // A manifest that does not read: the folder still gets the menu, its notebook does not.
    }
  }
  // File paths (fsPath), as the when clause's `resourcePath` holds them for file URIs on every
  // platform (VS Code's ResourceContextKey gives a file URI's fsPath, other schemes' path).
  await vscode.commands.executeCommand('setContext', PIPELINE_FOLDERS_KEY, folders);
  await vscode.commands.executeCommand('setContext', NOTEBOOKS_WITH_PIPELINE_KEY, notebooks);
}

/** Keeps the two keys current as pipelines are exported, re-exported or deleted. */
export function trackExportedPipelines(log: vscode.LogOutputChannel): vscode.Disposable {
  if (!vscode.workspace.workspaceFolders?.length) return new vscode.Disposable(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (delayMs: number) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void refresh().catch((err: unknown) => log.warn(`Exported pipelines could not be listed: ${String(err)}`)), delayMs);
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/.labbook-export.json');
  watcher.onDidCreate(() => schedule(500));
  watcher.onDidChange(() => schedule(500));
  watcher.onDidDelete(() => schedule(500));
  schedule(2000);
  return new vscode.Disposable(() => {
    if (timer) clearTimeout(timer);
    watcher.dispose();
  });
}
