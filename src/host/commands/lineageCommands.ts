import * as path from 'node:path';
import * as vscode from 'vscode';
import { currentDataHash } from '../../core/lineage/staleness.ts';
import type { LineageRef } from '../../core/lineage/types.ts';
import { LINEAGE_VIEW_TYPE, MAX_HOPS } from '../../protocol/lineage.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { LineagePanel, type LineagePanelDeps } from '../panels/lineagePanel.ts';
import type { StoreResolver } from '../panels/notebookDiffPanel.ts';
import { RunDetailsPanel } from '../panels/runDetailsPanel.ts';
import type { StoreChangeEvent } from '../stores/storeChanges.ts';
import { LOCAL_ROOT_ID, type StoreRoot } from '../stores/storeRoot.ts';
import type { ExplorerNode, ModelsNode } from '../trees/treeNodes.ts';

export interface LineageCommandDeps {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  readonly stores: StoreResolver;
  readonly roots: () => readonly StoreRoot[];
  readonly onDidChangeStore: StoreChangeEvent;
}

/**
 * What Show Lineage starts from: a run of the Experiments view, a version (or an aliased version) of
 * the Models view, a registered model's alias (its node: the alias is asked when it has several), a
 * file or folder of the Explorer, or, from code and tests, a ref in a store (or a file with the
 * store to search named).
 */
export type ShowLineageArg =
  | Extract<ExplorerNode, { kind: 'run' }>
  | Extract<ModelsNode, { kind: 'version' }>
  | Extract<ModelsNode, { kind: 'model' }>
  | vscode.Uri
  | { readonly rootId: string; readonly ref: LineageRef }
  | { readonly rootId: string; readonly uri: vscode.Uri };

/** Hashing a data file to find the runs that read it stops after this. */
const HASH_TIMEOUT_MS = 120_000;

export function configuredHops(): number {
  const hops = vscode.workspace.getConfiguration('labbook').get<number>('lineage.hops', 2);
  return Number.isFinite(hops) ? Math.min(MAX_HOPS, Math.max(1, Math.floor(hops))) : 2;
}

/** Which store to search for a file's readers: the only one, else the user's pick (the local store first). */
async function pickRoot(roots: readonly StoreRoot[], file: string): Promise<StoreRoot | undefined> {
  if (roots.length <= 1) return roots[0];
  const sorted = [...roots].sort((a, b) => Number(b.id === LOCAL_ROOT_ID) - Number(a.id === LOCAL_ROOT_ID));
  const picked = await vscode.window.showQuickPick(
    sorted.map((root) => ({ label: root.label, description: root.description, root })),
    { title: `Show Lineage of ${path.basename(file)}: which tracking store's runs?` },
  );
  return picked?.root;
}

/** Show Lineage, from a run, a model version or alias, or a data file; and the panel's restore after a reload. */
export function registerLineageCommands(deps: LineageCommandDeps): vscode.Disposable[] {
  const panelDeps: LineagePanelDeps = { stores: deps.stores, extensionUri: deps.extensionUri, log: deps.log, onDidChange: deps.onDidChangeStore, defaultHops: configuredHops };

  const ofFile = async (uri: vscode.Uri, rootId?: string): Promise<LineagePanel | undefined> => {
    if (uri.scheme !== 'file') {
      void vscode.window.showErrorMessage('Show Lineage works on files and folders on disk.');
      return undefined;
    }
    const roots = deps.roots();
    const root = rootId !== undefined ? roots.find((r) => r.id === rootId) : await pickRoot(roots, uri.fsPath);
    if (!root) return undefined;
    const hash = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Labbook: hashing ${path.basename(uri.fsPath)} to find the runs that read it` },
      async () => (await currentDataHash(uri.fsPath, { timeoutMs: HASH_TIMEOUT_MS })).sha256,
    );
    if (!hash) {
      void vscode.window.showErrorMessage(`Labbook could not hash ${path.basename(uri.fsPath)}.`);
      return undefined;
    }
    return LineagePanel.show({ store: root.id, ref: { kind: 'data', hash } }, panelDeps);
  };

  const show = async (arg?: ShowLineageArg): Promise<LineagePanel | undefined> => {
    if (arg instanceof vscode.Uri) return ofFile(arg);
    // Run from the title bar of a Run Details panel: that run.
    const details = arg ? undefined : RunDetailsPanel.activePanel();
    if (details) return LineagePanel.show({ store: details.ref.store, ref: { kind: 'run', runId: details.ref.runId } }, panelDeps);
    if (!arg) {
      void vscode.window.showInformationMessage('Show Lineage from a run (Experiments view), a model version (Models view) or a data file (Explorer).');
      return undefined;
    }
    if ('kind' in arg && arg.kind === 'model') {
      const { name, aliases } = arg.model;
      const alias =
        aliases.length <= 1
          ? aliases[0]?.alias
          : (await vscode.window.showQuickPick(aliases.map((a) => ({ label: `@${a.alias}`, description: `version ${a.version}`, alias: a.alias })), { title: `Show the lineage of which alias of ${name}?` }))?.alias;
      if (alias === undefined) {
        if (aliases.length === 0) void vscode.window.showInformationMessage(`${name} has no alias yet: show the lineage of one of its versions.`);
        return undefined;
      }
      return LineagePanel.show({ store: arg.root.id, ref: { kind: 'alias', name, alias } }, panelDeps);
    }
    if ('kind' in arg) {
      const ref: LineageRef = arg.kind === 'run' ? { kind: 'run', runId: arg.run.info.runId } : { kind: 'modelVersion', name: arg.version.name, version: arg.version.version };
      return LineagePanel.show({ store: arg.root.id, ref }, panelDeps);
    }
    if ('uri' in arg) return ofFile(arg.uri, arg.rootId);
    return LineagePanel.show({ store: arg.rootId, ref: arg.ref }, panelDeps);
  };

  return [
    vscode.window.registerWebviewPanelSerializer(LINEAGE_VIEW_TYPE, LineagePanel.serializer(panelDeps)),
    { dispose: () => LineagePanel.disposeAll() },
    vscode.commands.registerCommand('labbook.showLineage', async (arg?: ShowLineageArg) => {
      try {
        return await show(arg);
      } catch (err) {
        deps.log.error('Show Lineage failed', err);
        void vscode.window.showErrorMessage(`Labbook could not show the lineage: ${errorMessage(err)}`);
        return undefined;
      }
    }),
  ];
}
