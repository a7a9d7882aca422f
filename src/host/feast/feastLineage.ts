// Features ↔ runs: every run this window launches in a workspace with a Feast repository gets the
// feature views it retrieved as dataset inputs (src/core/feast/featureInputs.ts). What it used is
// read two ways and merged:
//   - explicitly, from the run's tags when it ends: `labbook.feast.feature_service` (service
//     names) and `labbook.feast.features` (`view:feature` references), set any way a run sets
//     tags (mlflow.set_tag, a printed `labbook: tag` line, a recipe's tags);
//   - from its code as the process starts (featureRetrievals.ts: get_historical_features with a
//     service or a literal list), where the code says so unambiguously.
// The names are resolved against the registry as the Feature Store view last read it (the
// repository whose project knows them), so the digest is the views' version while the run ran.
// Nothing happens without a Feast repository in the workspace, or when the run used no features.
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { featureInputs, namesOf, type FeaturesUsed } from '../../core/feast/featureInputs.ts';
import { featureRetrievals, notebookPython } from '../../core/feast/featureRetrievals.ts';
import type { FeastRegistry } from '../../core/feast/feastRegistry.ts';
import { featureViewUsers, type FeatureViewUsers } from '../../core/feast/featureViewUsers.ts';
import type { LineageRef } from '../../core/lineage/types.ts';
import { initPythonParser, type PythonWasmPaths } from '../../core/pipeline/pythonParser.ts';
import { writesRunInputs } from '../../core/store/trackingStore.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import type { LaunchService, StartedRun } from '../launch/launchService.ts';
import type { FeatureStoreNode } from './featureStoreModel.ts';
import { findFeastRepos, type FeatureStoreTreeProvider } from './featureStoreTree.ts';

/** The explicit tags a run sets to say which features it retrieved. */
export const FEAST_SERVICE_TAG = 'labbook.feast.feature_service';
export const FEAST_FEATURES_TAG = 'labbook.feast.features';
/** Set by Labbook: the views recorded as the run's inputs, and how they were found. */
export const FEAST_VIEWS_TAG = 'labbook.feast.feature_views';
export const FEAST_FOUND_TAG = 'labbook.feast.found';

const MAX_SOURCE_BYTES = 2 * 1024 * 1024;

/** The features the file's code retrieves; none for a file that cannot be read or parsed. */
async function usedInCode(file: string, wasm: PythonWasmPaths): Promise<FeaturesUsed & { unresolved: number }> {
  const none = { services: [], references: [], unresolved: 0 };
  const lower = file.toLowerCase();
  if (!lower.endsWith('.py') && !lower.endsWith('.ipynb')) return none;
  const text = await readFile(file, 'utf8');
  if (text.length > MAX_SOURCE_BYTES) return none;
  const source = lower.endsWith('.ipynb') ? notebookPython((JSON.parse(text) as { cells?: { cell_type: string; source: string | string[] }[] }).cells ?? []) : text;
  if (!source.includes('get_historical_features')) return none;
  return featureRetrievals(source, await initPythonParser(wasm));
}

/** The project of the registry that knows every name used (the first project of a repository otherwise). */
function projectFor(registries: readonly { registry: FeastRegistry }[], used: FeaturesUsed) {
  const knows = (p: FeastRegistry['projects'][number]) =>
    used.services.every((s) => p.featureServices.some((f) => f.name === s)) &&
    used.references.every((r) => [...p.featureViews, ...p.onDemandFeatureViews].some((v) => v.name === r.split(':')[0]));
  for (const { registry } of registries) {
    const project = registry.projects.find((p) => p.name === registry.project && knows(p)) ?? registry.projects.find(knows);
    if (project) return { project, registry };
  }
  const first = registries[0];
  const fallback = first?.registry.projects.find((p) => p.name === first.registry.project);
  return first && fallback ? { project: fallback, registry: first.registry } : undefined;
}

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
    try {
      // Read as the process starts: the code that runs, not the file as it is when the run ends.
      const inCode = usedInCode(run.file, this.wasm).catch((err: unknown) => {
        this.log.warn(`Feast inputs of run ${run.runId}: ${run.file} could not be read for feature retrievals (${errorMessage(err)})`);
        return { services: [], references: [], unresolved: 0 };
      });
      await run.done.catch(() => undefined);
      const code = await inCode;
      const tags = new Map((await run.store.getRun(run.runId)).data.tags.map((t) => [t.key, t.value]));
      const tagged = { services: namesOf(tags.get(FEAST_SERVICE_TAG)), references: namesOf(tags.get(FEAST_FEATURES_TAG)) };
      const fromCode = code.services.length + code.references.length > 0;
      const fromTags = tagged.services.length + tagged.references.length > 0;
      if (code.unresolved) this.log.info(`Run ${run.runId}: ${code.unresolved} get_historical_features call(s) whose features the code does not name literally; set the ${FEAST_SERVICE_TAG} or ${FEAST_FEATURES_TAG} tag to record them.`);
      if (!fromCode && !fromTags) return;
      const used = { services: [...new Set([...tagged.services, ...code.services])], references: [...new Set([...tagged.references, ...code.references])] };
      // Only a run that used features looks for the workspace's repositories (a sweep's trials need not).
      const repos = await findFeastRepos();
      const registries = (await Promise.all(repos.map((repo) => this.tree.registryOf(repo)))).flatMap((read) => (read?.ok ? [{ registry: read.registry }] : []));
      const found = projectFor(registries, used);
      if (!found) {
        this.log.warn(`Run ${run.runId} used Feast features (${[...used.services, ...used.references].join(', ')}), but no Feast registry of this workspace could be read: open the Feature Store view to see why.`);
        return;
      }
      const result = featureInputs(found.project, used, found.registry.registry.path);
      if (result.unknown.length) this.log.warn(`Run ${run.runId}: the Feast project ${found.project.name} has no ${result.unknown.join(', ')}`);
      if (!result.inputs.length) return;
      const how = fromCode && fromTags ? 'code+tags' : fromCode ? 'code' : 'tags';
      if (!writesRunInputs(run.store)) {
        this.log.warn(`Run ${run.runId} used the Feast feature views ${result.views.join(', ')}, but its store cannot record dataset inputs.`);
        return;
      }
      await run.store.logInputs(run.runId, result.inputs);
      await run.store.setTag(run.runId, { key: FEAST_VIEWS_TAG, value: result.views.join(',') });
      await run.store.setTag(run.runId, { key: FEAST_FOUND_TAG, value: how });
      this.log.info(`Run ${run.runId}: Feast feature views ${result.views.join(', ')} recorded as inputs (from ${how})`);
    } catch (err) {
      this.log.warn(`Feast inputs of run ${run.runId} not recorded: ${errorMessage(err)}`);
    }
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

