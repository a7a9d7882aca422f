import { PythonExtension } from '@vscode/python-extension';
import * as vscode from 'vscode';
import { errorMessage } from '../../shared/errorMessage.ts';

export interface Interpreter {
  readonly path: string;
  /** Where the choice came from, for the log and the run's tags. */
  readonly source: 'python-extension' | 'setting' | 'default';
}

const PYTHON_EXTENSION = 'ms-python.python';

/**
 * The interpreter a launch uses: the one selected in the Python extension for that file, else the
 * `labbook.python.path` setting, else `python3` from PATH.
 */
export async function resolveInterpreter(resource: vscode.Uri | undefined, log: vscode.LogOutputChannel): Promise<Interpreter> {
  if (vscode.extensions.getExtension(PYTHON_EXTENSION)) {
    try {
      const api = await PythonExtension.api();
      const active = api.environments.getActiveEnvironmentPath(resource);
      const resolved = await api.environments.resolveEnvironment(active);
      const executable = resolved?.executable.uri?.fsPath;
      if (executable) return { path: executable, source: 'python-extension' };
    } catch (err) {
      log.warn(`The Python extension did not give an interpreter: ${errorMessage(err)}`);
    }
  }
  const setting = vscode.workspace.getConfiguration('labbook.python', resource).get<string>('path', '').trim();
  if (setting) return { path: setting, source: 'setting' };
  return { path: 'python3', source: 'default' };
}
