import * as vscode from 'vscode';
import type { ModelVersion } from '../../core/store/types.ts';
import { WHAT_CHANGED_VIEW_TYPE, type WhatChangedSource } from '../../protocol/whatChanged.ts';
import { WhatChangedPanel, type WhatChangedDeps } from '../panels/whatChangedPanel.ts';
import type { ExplorerNode } from '../trees/experimentsTree.ts';
import { quotedName } from '../trees/modelsModel.ts';
import type { VersionNode } from '../trees/treeNodes.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

/** The alias "Compare with @champion" uses when the model has it. */
const DEFAULT_ALIAS = 'champion';
/** Versions offered in the picker (newest first). */
const MAX_VERSIONS_LISTED = 500;

/** A run named by a tree node or by `{ rootId, runId }` (the Runs Table, tests). */
type RunArg = Extract<ExplorerNode, { kind: 'run' }> | { readonly rootId: string; readonly runId: string };

function runRef(arg: RunArg): { store: string; runId: string; startTime: number | null } {
  return 'kind' in arg ? { store: arg.root.id, runId: arg.run.info.runId, startTime: arg.run.info.startTime } : { store: arg.rootId, runId: arg.runId, startTime: null };
}

function versionRef(v: Pick<ModelVersion, 'name' | 'version'>): WhatChangedSource['base'] {
  return { kind: 'version', name: v.name, version: v.version };
}

/**
 * What Changed: from a model version (Compare with Version…, Compare with @alias), from two runs
 * selected in the Experiments view or the Runs Table; and the panel's restore. Each command also
 * takes its answers as arguments (the other version, the alias), as tests and automation pass them.
 */
export function registerWhatChangedCommands(deps: WhatChangedDeps & { readonly view: vscode.TreeView<ExplorerNode> }): vscode.Disposable[] {
  const show = (source: WhatChangedSource) => WhatChangedPanel.show(source, deps);
  const failed = (err: unknown) => void vscode.window.showErrorMessage(`Labbook could not compare: ${errorMessage(err)}`);

  const compareWithVersion = async (node: VersionNode, other?: string): Promise<WhatChangedPanel | undefined> => {
    let chosen = other;
    if (chosen === undefined) {
      const store = await node.root.open();
      if (!store) return undefined;
      let versions: readonly ModelVersion[];
      try {
        versions = (await store.searchModelVersions({ filter: `name = ${quotedName(node.version.name)}`, maxResults: MAX_VERSIONS_LISTED })).items;
      } catch (err) {
        failed(err);
        return undefined;
      }
      const others = versions.filter((v) => v.version !== node.version.version).sort((a, b) => Number(b.version) - Number(a.version));
      if (others.length === 0) {
        void vscode.window.showInformationMessage(`${node.version.name} has no other version to compare with.`);
        return undefined;
      }
      const picked = await vscode.window.showQuickPick(
        others.map((v) => ({ label: `Version ${v.version}`, description: v.aliases.map((a) => `@${a}`).join(' '), detail: v.source, version: v.version })),
        { title: `Compare ${node.version.name} v${node.version.version} with…`, placeHolder: 'The version to compare with (the baseline)', matchOnDescription: true },
      );
      chosen = picked?.version;
    }
    if (chosen === undefined) return undefined;
    return show({ store: node.root.id, base: versionRef({ name: node.version.name, version: chosen }), remote: versionRef(node.version) });
  };

  const compareWithAlias = async (node: VersionNode, alias?: string): Promise<WhatChangedPanel | undefined> => {
    const store = await node.root.open();
    if (!store) return undefined;
    let aliases: readonly { alias: string; version: string }[];
    try {
      aliases = (await store.getRegisteredModel(node.version.name)).aliases;
    } catch (err) {
      failed(err);
      return undefined;
    }
    const chosen =
      alias ??
      (aliases.some((a) => a.alias === DEFAULT_ALIAS)
        ? DEFAULT_ALIAS
        : aliases.length === 0
          ? undefined
          : (await vscode.window.showQuickPick(aliases.map((a) => ({ label: `@${a.alias}`, description: `version ${a.version}`, alias: a.alias })), { title: `Compare ${node.version.name} v${node.version.version} with…` }))?.alias);
    if (chosen === undefined) {
      if (aliases.length === 0) void vscode.window.showInformationMessage(`${node.version.name} has no alias (such as @${DEFAULT_ALIAS}) to compare with.`);
      return undefined;
    }
    const target = aliases.find((a) => a.alias === chosen);
    if (!target) {
      void vscode.window.showErrorMessage(`${node.version.name} has no alias @${chosen}.`);
      return undefined;
    }
    if (target.version === node.version.version) {
      void vscode.window.showInformationMessage(`${node.version.name} v${target.version} holds @${chosen} itself: pick another version with Compare with Version….`);
      return undefined;
    }
    return show({ store: node.root.id, base: versionRef({ name: node.version.name, version: target.version }), remote: versionRef(node.version) });
  };

  return [
    vscode.window.registerWebviewPanelSerializer(WHAT_CHANGED_VIEW_TYPE, WhatChangedPanel.serializer(deps)),
    { dispose: () => WhatChangedPanel.disposeAll() },
    vscode.commands.registerCommand('labbook.compareModelVersionWith', compareWithVersion),
    vscode.commands.registerCommand('labbook.compareModelVersionWithAlias', compareWithAlias),
    // Two runs: the older is the baseline, whichever was selected first.
    vscode.commands.registerCommand('labbook.whatChangedRuns', async (node?: RunArg, selected?: readonly (ExplorerNode | RunArg)[]) => {
      try {
        const picked = (selected?.length ? selected : node ? [node] : deps.view.selection).filter((n): n is RunArg => !('kind' in n) || n.kind === 'run');
        const runs = picked.map(runRef);
        const [first, second] = runs;
        if (runs.length !== 2 || !first || !second || first.store !== second.store) {
          void vscode.window.showInformationMessage('Select two runs of one tracking store to see what changed between them.');
          return undefined;
        }
        // Runs named by id only: their start times from the store (as given when it cannot say).
        if (first.startTime === null || second.startTime === null) {
          const store = await deps.stores(first.store);
          for (const r of runs) r.startTime ??= store ? await store.getRun(r.runId).then((run) => run.info.startTime, () => 0) : 0;
        }
        const [base, remote] = (first.startTime ?? 0) <= (second.startTime ?? 0) ? [first, second] : [second, first];
        return show({ store: base.store, base: { kind: 'run', runId: base.runId }, remote: { kind: 'run', runId: remote.runId } });
      } catch (err) {
        failed(err);
        return undefined;
      }
    }),
  ];
}
