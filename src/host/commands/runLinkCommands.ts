// Opening a run from outside VS Code: the URI handler behind the local endpoint's landing page
// (`<scheme>://labbook.labbook/run?run=<id>&experiment=<id>`, what the `mlflow` client's "View run"
// links lead to) and "Open Run by ID…" for when no handler answers. Both open the local store's run.
import * as vscode from 'vscode';
import { parseRunLink, type RunLink } from '../../core/mlflow/server/runLinks.ts';

/** The endpoint serves the local store, so its links name that store's runs. */
const LOCAL_ROOT = 'local';

export interface RunLinks {
  readonly disposables: vscode.Disposable[];
  /** What the registered handler does with a URI (also for tests); resolves with the panel opened, if any. */
  readonly handleUri: (uri: vscode.Uri) => Promise<unknown>;
}

export function registerRunLinks(log: vscode.LogOutputChannel): RunLinks {
  const open = (link: RunLink): Thenable<unknown> => {
    log.info(`Opening run ${link.runId} from a link`);
    return vscode.commands.executeCommand('labbook.openRunDetails', { rootId: LOCAL_ROOT, runId: link.runId });
  };
  const handleUri = async (uri: vscode.Uri): Promise<unknown> => {
    const link = parseRunLink(uri.path, uri.query);
    if (!link) {
      log.warn(`Ignored a Labbook link that names no run: ${uri.path}`);
      void vscode.window.showWarningMessage('Labbook cannot open this link: it does not name a run (expected …/run?run=<run id>).');
      return undefined;
    }
    return open(link);
  };
  const openById = vscode.commands.registerCommand('labbook.openRunById', async (given?: string) => {
    const runId =
      typeof given === 'string'
        ? given
        : await vscode.window.showInputBox({
            title: 'Open Run by ID',
            prompt: 'A run id from the local store, e.g. from the link the mlflow client printed',
            validateInput: (value) => (parseRunLink('/run', new URLSearchParams({ run: value.trim() }).toString()) ? undefined : 'Run ids are letters, digits, - and _.'),
          });
    if (runId === undefined) return undefined;
    const link = parseRunLink('/run', new URLSearchParams({ run: runId.trim() }).toString());
    if (!link) {
      void vscode.window.showWarningMessage(`Labbook: '${runId}' is not a run id.`);
      return undefined;
    }
    return open(link);
  });
  const handler: vscode.UriHandler = {
    handleUri: (uri) => {
      void handleUri(uri);
    },
  };
  return { disposables: [vscode.window.registerUriHandler(handler), openById], handleUri };
}
