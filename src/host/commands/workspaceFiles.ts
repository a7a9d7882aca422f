import * as path from 'node:path';
import * as vscode from 'vscode';

/** Folders whose files are never what a user means to run, diff or export. */
const IGNORED = '**/{node_modules,.git,.venv,venv,.labbook}/**';

/**
 * One of the workspace's scripts or notebooks, picked by the user: for commands run from the
 * palette or a walkthrough button, where no editor of that kind is active. Undefined when the
 * workspace has none or the user cancels.
 */
export async function pickWorkspaceFile(ext: '.py' | '.ipynb', title: string): Promise<vscode.Uri | undefined> {
  const files = await vscode.workspace.findFiles(`**/*${ext}`, IGNORED, 500);
  if (files.length === 0) return undefined;
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri), uri })),
    // Kept open when focus moves: from a walkthrough button, the walkthrough ticks the step and
    // re-renders as the command runs, which took the focus and closed the pick just shown.
    { title, placeHolder: ext === '.py' ? 'The Python file' : 'The notebook', matchOnDescription: true, ignoreFocusOut: true },
  );
  return picked?.uri;
}
