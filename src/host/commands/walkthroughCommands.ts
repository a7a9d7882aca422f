import * as vscode from 'vscode';

/** The id of Labbook's walkthrough in package.json (`contributes.walkthroughs`). */
export const WALKTHROUGH_ID = 'gettingStarted';

/** Labbook: Get Started opens the walkthrough; VS Code names it `<publisher>.<name>#<id>`. */
export function registerWalkthroughCommands(extensionId: string): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('labbook.openWalkthrough', () =>
      vscode.commands.executeCommand('workbench.action.openWalkthrough', `${extensionId}#${WALKTHROUGH_ID}`, false),
    ),
  ];
}
