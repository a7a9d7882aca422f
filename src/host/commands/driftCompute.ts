import * as vscode from 'vscode';
import type { DriftDeps } from '../../core/drift/driftSources.ts';
import type { DriftPanelSource, ModelDriftView } from '../../protocol/drift.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import type { DriftCompute } from '../panels/driftPanel.ts';
import type { StoreResolver } from '../panels/notebookDiffPanel.ts';

/** Relative file paths are read from the first workspace folder (the launches' working directory). */
function workspaceCwd(): string {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
}

/**
 * The drift panel's computation: both sides through the drift engine (src/core/drift), tables read
 * by DuckDB (src/core/profile). Both are imported on first use, so the engine and its native
 * library stay off the activation path.
 */
export function driftCompute(stores: StoreResolver, log: vscode.LogOutputChannel): DriftCompute {
  return async (source: DriftPanelSource, options) => {
    const store = source.store === null ? undefined : await stores(source.store);
    if (source.store !== null && !store) throw new Error(`The tracking store '${source.store}' is not available in this window.`);
    const [{ driftBetween }, { readTable }] = await Promise.all([import('../../core/drift/driftSources.ts'), import('../../core/profile/readTable.ts')]);
    const deps: DriftDeps = { ...(store ? { store } : {}), cwd: workspaceCwd(), readTable };
    const report = await driftBetween(source.reference, source.current, deps, options);
    let model: ModelDriftView | null = null;
    try {
      if (store) model = await (await import('./driftModel.ts')).modelView(source, report, { ...deps, store }, options);
    } catch (err) {
      // The data drift stands on its own: a model section that cannot be read is left out, and logged.
      log.warn(`Drift panel: no model drift: ${errorMessage(err)}`);
    }
    return { report, model };
  };
}
