// Offers the merge editor when a conflicted notebook is opened, and keeps the context key that
// shows the merge button in the notebook's title bar. Git's raw conflict markers make the notebook
// editor fail to open the file, so tabs (which exist even then) and text documents are watched.
// This runs in the light activation layer (extension.ts): node built-ins only, nothing at
// activation itself; on open of an .ipynb it reads at most 128 KB of it and, when that shows no
// markers, and a merge is in progress in a trusted workspace, asks git (one `git ls-files -u`) whether the file is unmerged. Results are kept by path
// and mtime, so opening the same notebook again costs one stat.
import { open, stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../../shared/errorMessage.ts';
import { gitHasUnmerged, mergeInProgress, textHasConflictMarkers } from './conflictScan.ts';

/** The context key holding the conflicted notebooks' paths (package.json: `resourcePath in labbook.conflictedNotebooks`). */
export const CONFLICTED_NOTEBOOKS_KEY = 'labbook.conflictedNotebooks';

/** How much of each end of a notebook the quick scan reads. */
const SCAN_BYTES = 64 * 1024;

/** The first and last SCAN_BYTES of `file` (the whole of a small one). */
async function ends(file: string, size: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const read = async (position: number, length: number) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead).toString('utf8');
    };
    if (size <= 2 * SCAN_BYTES) return await read(0, size);
    return `${await read(0, SCAN_BYTES)}\n${await read(size - SCAN_BYTES, SCAN_BYTES)}`;
  } finally {
    await handle.close();
  }
}

/** Whether `file` looks conflicted: Labbook's cell markers or git's markers near its ends, else git has it unmerged. */
export async function looksConflicted(file: string, size: number): Promise<boolean> {
  if (textHasConflictMarkers(await ends(file, size))) return true;
  // Git runs commands a repository configures (core.fsmonitor, filters): never in Restricted Mode.
  // And only while a merge is in progress there (a few stats), so opening notebooks spawns no git otherwise.
  return vscode.workspace.isTrusted && (await mergeInProgress(file)) && (await gitHasUnmerged(file));
}

/** Once per file per session, a notice with a button to the merge editor; the title-bar button for conflicted notebooks. */
export function watchConflictedNotebooks(log: vscode.LogOutputChannel): vscode.Disposable[] {
  const offered = new Set<string>();
  const checking = new Set<string>();
  /** path → `mtime:size` it was checked at, and whether it was conflicted then. */
  const known = new Map<string, { stamp: string; conflicted: boolean }>();
  const publish = () => {
    const paths = [...known].filter(([, v]) => v.conflicted).map(([p]) => p);
    void vscode.commands.executeCommand('setContext', CONFLICTED_NOTEBOOKS_KEY, paths);
  };
  const check = async (uri: vscode.Uri | undefined) => {
    if (!uri || uri.scheme !== 'file' || !uri.fsPath.endsWith('.ipynb') || checking.has(uri.fsPath)) return;
    const file = uri.fsPath;
    checking.add(file);
    try {
      const info = await stat(file).catch(() => undefined);
      if (!info) return;
      const stamp = `${info.mtimeMs}:${info.size}`;
      let entry = known.get(file);
      if (entry?.stamp !== stamp) {
        entry = { stamp, conflicted: await looksConflicted(file, info.size) };
        const was = known.get(file)?.conflicted ?? false;
        known.set(file, entry);
        if (was !== entry.conflicted) publish();
        // Resolved since: a later conflict of the same file is offered again.
        if (!entry.conflicted) offered.delete(file);
      }
      if (!entry.conflicted || offered.has(file)) return;
      offered.add(file);
      const choice = await vscode.window.showWarningMessage(`${path.basename(file)} has merge conflicts.`, 'Open Merge Editor');
      if (choice) await vscode.commands.executeCommand('labbook.openNotebookMerge', uri);
    } catch (err) {
      log.warn(`Notebook merge: could not offer the merge editor for ${file}: ${errorMessage(err)}`);
    } finally {
      checking.delete(file);
    }
  };
  const tabUri = (tab: vscode.Tab): vscode.Uri | undefined => {
    const input = tab.input;
    return input instanceof vscode.TabInputNotebook || input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
  };
  // Tabs already open when Labbook activates (activation may come from opening this very notebook): checked after activation.
  const initial = setTimeout(() => {
    for (const group of vscode.window.tabGroups.all) for (const tab of group.tabs) void check(tabUri(tab));
  }, 0);
  return [
    { dispose: () => clearTimeout(initial) },
    vscode.window.tabGroups.onDidChangeTabs((e) => {
      for (const tab of e.opened) void check(tabUri(tab));
    }),
    // Trusted now: what was not asked of git is asked again.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      known.clear();
      for (const group of vscode.window.tabGroups.all) for (const tab of group.tabs) void check(tabUri(tab));
    }),
    vscode.workspace.onDidOpenTextDocument((doc) => void check(doc.uri)),
    vscode.workspace.onDidOpenNotebookDocument((nb) => void check(nb.uri)),
    // Saved after a resolution (or a new conflict written by the driver): the title-bar button follows.
    vscode.workspace.onDidSaveNotebookDocument((nb) => void check(nb.uri)),
  ];
}
