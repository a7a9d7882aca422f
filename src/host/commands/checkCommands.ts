// Labbook: Run Data Checks (palette, the checks file's editor title and context menu, and on save
// of the checks file through extension.ts), with a starter file when the folder has none.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CHECKS_FILE, summarize, type CheckRun } from '../../core/checks/index.ts';
import { CheckService } from '../checks/checkService.ts';

const STARTER = `# Labbook data checks: run before tracked launches (labbook.checks.beforeLaunch), on
# "Labbook: Run Data Checks", and by \`labbook check\`. Paths are relative to the workspace folder.
datasets:
  - name: training data
    path: data/train.csv          # a file or a glob (data/*.parquet); or \`inputs: true\` for the run's data paths
    columns:
      id: { type: int, unique: true }
      age: { type: number, min: 0, max: 120, maxNullShare: 0.05 }
      label: { allowed: [0, 1] }
    rows: { min: 100 }
    # drift: { against: models:/my-model@champion, datasetShare: 0.5 }
`;

export interface RunDataChecksOptions {
  /** No notification (on save: the diagnostics and the status bar say it). */
  readonly quiet?: boolean;
}

export function registerCheckCommands(checks: CheckService): vscode.Disposable[] {
  return [
    checks,
    vscode.commands.registerCommand('labbook.runDataChecks', async (arg?: unknown, options?: RunDataChecksOptions): Promise<CheckRun | undefined> => {
      const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
      const folder = CheckService.folderOf(uri?.scheme === 'file' ? uri : undefined);
      if (!folder) {
        void vscode.window.showErrorMessage('Labbook: open a folder first: data checks live in its .labbook/checks.yaml.');
        return undefined;
      }
      if (!CheckService.checksFile(folder)) {
        if (options?.quiet) return undefined;
        const choice = await vscode.window.showInformationMessage(`Labbook: ${folder.name} has no ${CHECKS_FILE} yet.`, 'Create Checks File');
        if (choice) {
          const file = path.join(folder.uri.fsPath, CHECKS_FILE);
          mkdirSync(path.dirname(file), { recursive: true });
          writeFileSync(file, STARTER, { flag: 'wx' });
          await vscode.window.showTextDocument(vscode.Uri.file(file));
        }
        return undefined;
      }
      const inputs = vscode.workspace.getConfiguration('labbook', folder.uri).get<string[]>('dataPaths', []);
      const run = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Labbook: checking data' }, () =>
        checks.run({ folder, selection: { mode: 'all', inputs }, reason: options?.quiet ? 'the checks file was saved' : 'Run Data Checks' }),
      );
      if (run && !options?.quiet) {
        const s = summarize(run.results);
        if (s.failed + s.errors === 0) void vscode.window.showInformationMessage(`Labbook: ${s.passed} data check${s.passed === 1 ? '' : 's'} passed.`);
        else
          void vscode.window
            .showWarningMessage(`Labbook: ${s.failed} data check${s.failed === 1 ? '' : 's'} failed${s.errors ? `, ${s.errors} could not run` : ''}, ${s.passed} passed.`, 'Show Problems')
            .then((c) => (c ? vscode.commands.executeCommand('workbench.actions.view.problems') : undefined));
      }
      return run;
    }),
  ];
}
