// Features ↔ runs in the editor: every run this window launches in a workspace with a Feast
// repository gets the feature views it retrieved as dataset inputs (core/feast/recordFeastInputs.ts,
// which `labbook run` uses too). The code is read as the process starts; the names are resolved,
// once the run ended, against the registries as the Feature Store view last read them.
import * as vscode from 'vscode';
import { featureViewUsers, type FeatureViewUsers } from '../../core/feast/featureViewUsers.ts';
import { featuresInCode, FEAST_FEATURES_TAG, FEAST_SERVICE_TAG, NO_FEATURES_IN_CODE, recordFeastInputs } from '../../core/feast/recordFeastInputs.ts';
import type { LineageRef } from '../../core/lineage/types.ts';
import type { PythonWasmPaths } from '../../core/pipeline/pythonParser.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import type { LaunchService, StartedRun } from '../launch/launchService.ts';
import type { FeatureStoreNode } from './featureStoreModel.ts';
import { findFeastRepos, type FeatureStoreTreeProvider } from './featureStoreTree.ts';

export class FeastLineage implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;

  constructor(
    launches: LaunchService,
    private readonly tree: FeatureStoreTreeProvider,
    private readonly wasm: PythonWasmPaths,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = launches.onDidStartRun((run) => void this.follow(run));
  }

  private async follow(run: StartedRun): Promise<void> {
    // Read as the process starts: the code that runs, not the file as it is when the run ends.
    const inCode = featuresInCode(run.file, this.wasm).catch((err: unknown) => {
      this.log.warn(`Feast inputs of run ${run.runId}: ${run.file} could not be read for feature retrievals (${errorMessage(err)})`);
      return NO_FEATURES_IN_CODE;
    });
    await run.done.catch(() => undefined);
    await recordFeastInputs({
      store: run.store,
      runId: run.runId,
      inCode,
      // Only a run that used features looks for the workspace's repositories (a sweep's trials need not).
      registries: async () => {
        const reads = await Promise.all((await findFeastRepos()).map((repo) => this.tree.registryOf(repo)));
        return reads.flatMap((read) => (read?.ok ? [read.registry] : []));
      },
      unresolvedHint: 'open the Feature Store view to see why',
      log: this.log,
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

/**
 * Which Models Use This Feature View?: the model versions (with their aliases) and runs that
 * recorded the view, in the store launches write to; picking one shows its lineage. Returns what
 * was found (tests), undefined when the node is not a view.
 */
export async function showFeatureViewUsers(launches: LaunchService, node: FeatureStoreNode | undefined, options: { quiet?: boolean } = {}): Promise<FeatureViewUsers | undefined> {
  const object = node?.kind === 'object' ? node.object : undefined;
  if (object?.kind !== 'featureView' && object?.kind !== 'onDemandFeatureView') return undefined;
  const target = await launches.target();
  const users = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Finding what used ${object.name}…` }, () => featureViewUsers(target.store, object.name));
  if (options.quiet) return users;
  if (!users.runs.length) {
    void vscode.window.showInformationMessage(
      `No run has recorded the feature view ${object.name} yet. A tracked launch records it when its code calls get_historical_features with a feature service or a list of references, or when the run sets the ${FEAST_SERVICE_TAG} or ${FEAST_FEATURES_TAG} tag.`,
    );
    return users;
  }
  type Item = vscode.QuickPickItem & { readonly ref?: LineageRef };
  const newest = users.digests[0];
  const items: Item[] = newest
    ? [{ label: `$(type-hierarchy) Show the lineage of ${object.name}`, description: `version ${newest}`, detail: 'the view as the newest run recorded it → runs → logged models → model versions → aliases', ref: { kind: 'dataset', digest: newest, name: object.name } }]
    : [];
  if (users.modelVersions.length) items.push({ label: 'Model versions', kind: vscode.QuickPickItemKind.Separator });
  for (const v of users.modelVersions) {
    items.push({ label: `$(versions) ${v.name} v${v.version}`, description: v.aliases.map((a) => `@${a}`).join(' '), detail: `from run ${users.runs.find((r) => r.runId === v.runId)?.runName ?? v.runId}`, ref: { kind: 'modelVersion', name: v.name, version: v.version } });
  }
  items.push({ label: 'Runs', kind: vscode.QuickPickItemKind.Separator });
  for (const r of users.runs) items.push({ label: `$(beaker) ${r.runName || r.runId}`, description: `${r.status.toLowerCase()} · ${new Date(r.startTime).toLocaleString()}`, ref: { kind: 'run', runId: r.runId } });
  const picked = await vscode.window.showQuickPick(items, {
    title: `What used ${object.name}: ${users.modelVersions.length} model version${users.modelVersions.length === 1 ? '' : 's'}, ${users.runs.length}${users.truncated ? '+' : ''} run${users.runs.length === 1 ? '' : 's'}, ${users.digests.length} version${users.digests.length === 1 ? '' : 's'} of the view`,
    placeHolder: 'Pick one to show its lineage',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (picked?.ref) await vscode.commands.executeCommand('labbook.showLineage', { rootId: target.rootId, ref: picked.ref });
  return users;
}

