// The one gate before Labbook runs code of the workspace (launches, Feast, installs): trusted, or told how.
import * as vscode from 'vscode';

/** Refuses to run code in Restricted Mode, with a way out. Returns true when trusted. */
export function requireTrust(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  // Not awaited: the command ends now; the button works whenever the user gets to it.
  void vscode.window
    .showErrorMessage(
      `Labbook does not ${what} in Restricted Mode: running code from an untrusted folder could harm your machine. Trust the workspace to launch runs.`,
      'Manage Workspace Trust',
    )
    .then((choice) => (choice ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
  return false;
}
