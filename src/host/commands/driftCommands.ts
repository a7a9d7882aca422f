import * as vscode from 'vscode';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import { DRIFT_VIEW_TYPE, driftPanelSource, driftSideRef, type DriftPanelSource, type DriftSideRef } from '../../protocol/drift.ts';
import { conforms } from '../../protocol/requests.ts';
import { TABULAR_DIALOG_EXTENSIONS } from '../../core/profile/tabularFiles.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { DriftPanel, type DriftPanelDeps } from '../panels/driftPanel.ts';
import type { StoreResolver } from '../panels/notebookDiffPanel.ts';
import { LOCAL_ROOT_ID, type StoreRoot } from '../stores/storeRoot.ts';
import type { ExplorerNode } from '../trees/experimentsTree.ts';

export interface DriftCommandDeps extends DriftPanelDeps {
  readonly stores: StoreResolver;
  readonly roots: () => readonly StoreRoot[];
  readonly view: vscode.TreeView<ExplorerNode>;
}

/** Runs offered in the run picker (newest first), and experiments searched for them. */
const MAX_RUNS_LISTED = 300;
const MAX_EXPERIMENTS = 200;
/** The file types the drift engine reads (the one list, core/profile/tabularFiles.ts). */
const TABLE_FILES = { 'Data files': [...TABULAR_DIALOG_EXTENSIONS] };

/** A run as the commands get it: a tree node, or `{ rootId, runId }` (Run Details, Compare, Lineage, tests). */
type RunArg = Extract<ExplorerNode, { kind: 'run' }> | { readonly rootId: string; readonly runId: string };
const runOf = (arg: RunArg): { store: string; runId: string } => ('kind' in arg ? { store: arg.root.id, runId: arg.run.info.runId } : { store: arg.rootId, runId: arg.runId });
const isRunArg = (v: unknown): v is RunArg =>
  typeof v === 'object' && v !== null && (('kind' in v && v.kind === 'run') || (typeof (v as { rootId?: unknown }).rootId === 'string' && typeof (v as { runId?: unknown }).runId === 'string'));

type SideKind = DriftSideRef['kind'];

/**
 * A reference handed to a command, when it is one. VS Code calls Explorer and tree menu commands
 * as (item, selectedItems): the second argument is then an array, not a side, and the user picks.
 */
const givenSide = (value: unknown): DriftSideRef | undefined => (value !== undefined && conforms(driftSideRef, value) ? value : undefined);

/** The workspace's local store when it is listed, else the first store. */
function defaultRootId(roots: readonly StoreRoot[]): string | null {
  return (roots.find((r) => r.id === LOCAL_ROOT_ID) ?? roots[0])?.id ?? null;
}

async function pickRoot(roots: readonly StoreRoot[], title: string): Promise<StoreRoot | undefined> {
  if (roots.length <= 1) return roots[0];
  const sorted = [...roots].sort((a, b) => Number(b.id === LOCAL_ROOT_ID) - Number(a.id === LOCAL_ROOT_ID));
  return (await vscode.window.showQuickPick(sorted.map((root) => ({ label: root.label, description: root.description, root })), { title: `${title}: which tracking store?` }))?.root;
}

async function pickRun(store: ReadableStore, title: string, exclude?: string): Promise<string | undefined> {
  const experiments = (await store.searchExperiments({ maxResults: MAX_EXPERIMENTS })).items;
  const names = new Map(experiments.map((e) => [e.experimentId, e.name]));
  const runs = experiments.length === 0 ? [] : (await store.searchRuns({ experimentIds: experiments.map((e) => e.experimentId), orderBy: ['attributes.start_time DESC'], maxResults: MAX_RUNS_LISTED })).items;
  const items = runs
    .filter((r) => r.info.runId !== exclude)
    .map((r) => ({ label: r.info.runName || r.info.runId, description: `${names.get(r.info.experimentId) ?? ''} · ${r.info.runId.slice(0, 8)}`, detail: r.info.startTime > 0 ? new Date(r.info.startTime).toLocaleString() : undefined, runId: r.info.runId }));
  if (items.length === 0) {
    void vscode.window.showInformationMessage('The tracking store has no other run to compare with.');
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { title, matchOnDescription: true }))?.runId;
}

/**
 * Drift panel commands: Compare Data… (both sides picked), from two runs (Compare panel, the
 * Experiments view), from one run (Run Details' Data tab, the Lineage view), Compare Data with
 * Training Data… on a data file; and the panel's restore. Each takes its answers as arguments too.
 */
export function registerDriftCommands(deps: DriftCommandDeps): vscode.Disposable[] {
  const failed = (err: unknown) => {
    deps.log.error('Compare Data failed', err);
    void vscode.window.showErrorMessage(`Labbook could not compare the data: ${errorMessage(err)}`);
    return undefined;
  };
  const show = (source: DriftPanelSource) => DriftPanel.show(source, deps);

  /** One side, as the user picks it; `only` narrows the choice (e.g. no file for a training reference). */
  const pickSide = async (role: string, storeId: string | null, only: readonly SideKind[], exclude?: string): Promise<{ ref: DriftSideRef; store: string | null } | undefined> => {
    const choices = [
      { side: 'run' as const, label: 'A run’s data', detail: 'The tabular file a run read (its profile when the file changed)' },
      { side: 'alias' as const, label: 'A model alias’s training data', detail: 'models:/name@alias: the data its training run read' },
      { side: 'file' as const, label: 'A file…', detail: 'CSV, TSV, Parquet or JSON lines' },
    ].filter((c) => only.includes(c.side));
    const kind = choices.length === 1 ? choices[0]?.side : (await vscode.window.showQuickPick(choices, { title: `Compare Data: the ${role}` }))?.side;
    if (!kind) return undefined;
    if (kind === 'file') {
      const [uri] = (await vscode.window.showOpenDialog({ title: `Compare Data: the ${role} file`, canSelectMany: false, filters: TABLE_FILES })) ?? [];
      return uri ? { ref: { kind: 'file', path: uri.fsPath }, store: storeId } : undefined;
    }
    const root = storeId !== null ? deps.roots().find((r) => r.id === storeId) : await pickRoot(deps.roots(), `Compare Data: the ${role}`);
    if (!root) return undefined;
    const store = await deps.stores(root.id);
    if (!store) throw new Error(`The tracking store '${root.label}' is not available in this window.`);
    if (kind === 'run') {
      const runId = await pickRun(store, `Compare Data: the ${role} run`, exclude);
      return runId ? { ref: { kind: 'run', runId }, store: root.id } : undefined;
    }
    const alias = await pickAliasRef(store, `Compare Data: the ${role} (a model alias’s training data)`);
    return alias ? { ref: { kind: 'alias', ...alias }, store: root.id } : undefined;
  };

  const compareData = async (source?: unknown): Promise<DriftPanel | undefined> => {
    if (source !== undefined) {
      if (!conforms(driftPanelSource, source)) throw new Error('the sides to compare are not a reference and a current side (a file, a run or a model alias)');
      return show(source);
    }
    const reference = await pickSide('reference', null, ['run', 'alias', 'file']);
    if (!reference) return undefined;
    const current = await pickSide('current', reference.store, ['run', 'file', 'alias'], reference.ref.kind === 'run' ? reference.ref.runId : undefined);
    if (!current) return undefined;
    return show({ store: reference.store ?? current.store, reference: reference.ref, current: current.ref });
  };

  /**
   * Two runs: the older one is the reference. More: the oldest (the training run) against the
   * newest, the later ones being evaluation runs whose metrics make the model section's trends.
   */
  const compareRuns = async (node?: RunArg, selected?: readonly unknown[]): Promise<DriftPanel | undefined> => {
    const picked = (selected?.length ? selected : node ? [node] : deps.view.selection).filter(isRunArg).map(runOf);
    const storeId = picked[0]?.store;
    if (picked.length < 2 || storeId === undefined || picked.some((r) => r.store !== storeId)) {
      void vscode.window.showInformationMessage('Select two runs of one tracking store to compare their data (or more: the oldest is the training run, the others evaluate its model).');
      return undefined;
    }
    const store = await deps.stores(storeId);
    const starts = new Map<string, number>();
    for (const r of picked) starts.set(r.runId, store ? await store.getRun(r.runId).then((run) => run.info.startTime, () => 0) : 0);
    const ordered = [...new Set(picked.map((r) => r.runId))].sort((x, y) => (starts.get(x) ?? 0) - (starts.get(y) ?? 0));
    const [reference, ...later] = ordered;
    const current = later.at(-1);
    if (!reference || !current) return undefined;
    return show({ store: storeId, reference: { kind: 'run', runId: reference }, current: { kind: 'run', runId: current }, ...(later.length > 1 ? { evaluationRuns: later } : {}) });
  };

  /** One run (Run Details, Lineage): it is the current side; the reference is picked. */
  const compareRunWith = async (arg?: RunArg, given?: unknown): Promise<DriftPanel | undefined> => {
    if (!arg || !isRunArg(arg)) {
      void vscode.window.showInformationMessage('Compare Data with… starts from a run (Run Details, the Experiments view or the Lineage view).');
      return undefined;
    }
    const { store, runId } = runOf(arg);
    const ref = givenSide(given) ?? (await pickSide('reference', store, ['run', 'alias', 'file'], runId))?.ref;
    return ref ? show({ store, reference: ref, current: { kind: 'run', runId } }) : undefined;
  };

  /** A data file (Explorer, Lineage): it is the current side; the reference is a run's or an alias's training data. */
  const compareFileWithTraining = async (uri?: vscode.Uri | { readonly rootId: string; readonly uri: vscode.Uri }, given?: unknown): Promise<DriftPanel | undefined> => {
    const target = uri instanceof vscode.Uri ? { uri, rootId: undefined } : uri;
    if (!target || !(target.uri instanceof vscode.Uri) || target.uri.scheme !== 'file') {
      void vscode.window.showInformationMessage('Compare Data with Training Data works on CSV, TSV, Parquet and JSON-lines files on disk.');
      return undefined;
    }
    const current: DriftSideRef = { kind: 'file', path: target.uri.fsPath };
    const reference = givenSide(given);
    // A reference given by the caller (a run id, an alias) is in the store named, else the workspace's.
    if (reference) return show({ store: reference.kind === 'file' ? (target.rootId ?? null) : (target.rootId ?? defaultRootId(deps.roots())), reference, current });
    const picked = await pickSide('training data', target.rootId ?? null, ['alias', 'run']);
    if (!picked) return undefined;
    return show({ store: picked.store, reference: picked.ref, current });
  };

  const guarded =
    <A extends unknown[]>(run: (...args: A) => Promise<DriftPanel | undefined>) =>
    async (...args: A): Promise<DriftPanel | undefined> => {
      try {
        return await run(...args);
      } catch (err) {
        return failed(err);
      }
    };

  return [
    vscode.window.registerWebviewPanelSerializer(DRIFT_VIEW_TYPE, DriftPanel.serializer(deps)),
    { dispose: () => DriftPanel.disposeAll() },
    vscode.commands.registerCommand('labbook.compareData', guarded(compareData)),
    vscode.commands.registerCommand('labbook.compareDataRuns', guarded(compareRuns)),
    vscode.commands.registerCommand('labbook.compareDataWith', guarded(compareRunWith)),
    vscode.commands.registerCommand('labbook.compareDataWithTrainingData', guarded(compareFileWithTraining)),
  ];
}

async function pickAliasRef(store: ReadableStore, title: string): Promise<{ model: string; alias: string } | undefined> {
  const models = (await store.searchRegisteredModels({ maxResults: 500 })).items;
  const items = models.flatMap((m) => m.aliases.map((a) => ({ label: `models:/${m.name}@${a.alias}`, description: `version ${a.version}`, model: m.name, alias: a.alias })));
  if (items.length === 0) {
    void vscode.window.showInformationMessage('No registered model has an alias (such as @champion) in this tracking store.');
    return undefined;
  }
  items.sort((a, b) => Number(b.alias === 'champion') - Number(a.alias === 'champion') || a.label.localeCompare(b.label));
  const picked = await vscode.window.showQuickPick(items, { title, matchOnDescription: true });
  return picked ? { model: picked.model, alias: picked.alias } : undefined;
}
