// The queue and sweep features, wired once by the container: the services, the Queue view's data,
// the status bar, the commands and the sweep panel. Refreshes come from this window's runner and
// engine, and from the store watcher (other windows, `labbook sweep run` in a terminal).
import * as vscode from 'vscode';
import type { SqliteRuntime } from '../../core/sqlite/openDatabase.ts';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import { paramImportance } from '../../core/sweep/importance.ts';
import { SweepEndWatch } from '../../core/sweep/sweepEnds.ts';
import type { SweepRecord, TrialRecord } from '../../core/sweep/types.ts';
import { resolveInterpreter } from '../launch/interpreter.ts';
import type { LaunchService } from '../launch/launchService.ts';
import { registerSweepPanel } from '../panels/sweepPanel.ts';
import type { LocalStore } from '../stores/localStore.ts';
import { affectsRoot, type StoreChanges } from '../stores/storeChanges.ts';
import { LOCAL_ROOT_ID } from '../stores/storeRoot.ts';
import { registerSweepCommands } from '../sweeps/sweepCommands.ts';
import { notifySweepEnded, SweepStatus, topTrialRuns } from '../sweeps/sweepStatus.ts';
import type { ExplorerNode } from '../trees/experimentsTree.ts';
import { bestTrial, type QueueNode } from './queueModel.ts';
import { registerQueueCommands } from './queueCommands.ts';
import { QueueServices } from './queueServices.ts';
import { QueueTreeProvider } from './queueTree.ts';

/** Bursts of writes (a trial ending writes its item, its trial and its run) make one refresh. */
const REFRESH_DEBOUNCE_MS = 300;
/** While an item runs, its elapsed time and ETA are redrawn this often. */
const RUNNING_REDRAW_MS = 5000;

export interface QueueFeatureDeps {
  readonly extensionUri: vscode.Uri;
  readonly sqlite: SqliteRuntime;
  readonly local: LocalStore;
  readonly launches: LaunchService;
  readonly changes: StoreChanges;
  readonly stores: (rootId: string) => Promise<ReadableStore | undefined>;
  readonly queueView: vscode.TreeView<QueueNode>;
  readonly experimentsView: vscode.TreeView<ExplorerNode>;
  readonly log: vscode.LogOutputChannel;
}

export interface QueueFeatures {
  readonly tree: QueueTreeProvider;
  readonly services: QueueServices;
  readonly disposables: vscode.Disposable[];
  /** Starts the runner when the queue has work a closed window left (soon after the services start). */
  resumePending(): Promise<boolean>;
}

export function startQueueFeatures(deps: QueueFeatureDeps): QueueFeatures {
  const { log } = deps;
  const status = new SweepStatus();
  // Every window that watched a sweep tells its end once: this window's engine at once, the others
  // (another window, `labbook sweep run`) when a refresh sees it go from running to ended.
  const ends = new SweepEndWatch();
  const tell = (sweep: SweepRecord, best: TrialRecord | undefined) =>
    void notifySweepEnded(sweep, best, () => topTrialRuns(sweep, services.sweeps()?.trials(sweep.sweepId) ?? [], services.queue()?.list({ sweepId: sweep.sweepId }) ?? [], 5));
  const services: QueueServices = new QueueServices({
    sqlite: deps.sqlite,
    local: deps.local,
    launches: deps.launches,
    log,
    onSweepEnded: (sweep, best) => {
      if (ends.claim(sweep.sweepId)) tell(sweep, best);
    },
  });
  // The pause is the queue's, shared with other windows and the CLI: the title's toggle follows each read.
  let paused: boolean | undefined;
  const tree = new QueueTreeProvider(async () => {
    const snapshot = await services.snapshot();
    if ((snapshot?.paused ?? false) !== paused) {
      paused = snapshot?.paused ?? false;
      void vscode.commands.executeCommand('setContext', 'labbook.queue.paused', paused);
    }
    return snapshot;
  });
  let debounce: ReturnType<typeof setTimeout> | undefined;
  const refresh = () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      tree.refresh();
      void services.snapshot().then(
        (snapshot) => {
          const summaries = snapshot?.sweeps ?? [];
          status.update(summaries);
          for (const sweep of ends.look(summaries.map((x) => x.sweep))) tell(sweep, bestTrial(sweep, summaries.find((x) => x.sweep.sweepId === sweep.sweepId)?.trials ?? []));
        },
        (err: unknown) => log.warn(`Reading the sweeps failed: ${String(err)}`),
      );
    }, REFRESH_DEBOUNCE_MS);
  };
  // Elapsed times and ETAs move on their own while something runs.
  const redraw = setInterval(() => {
    const snapshot = tree.current();
    if (deps.queueView.visible && snapshot && [...snapshot.singles, ...snapshot.sweeps.flatMap((s) => s.items)].some((i) => i.state === 'running')) tree.refresh();
  }, RUNNING_REDRAW_MS);
  const panel = registerSweepPanel({
    extensionUri: deps.extensionUri,
    log,
    sweeps: () => services.sweeps(),
    queue: () => services.queue(),
    stores: deps.stores,
    importance: async (spec, trials) => paramImportance((await resolveInterpreter(undefined, log)).path, spec, trials),
    stop: (sweepId) => services.stopSweep(sweepId),
    onDidChangeStore: deps.changes.onDidChange,
    onDidChangeQueue: services.onDidChange,
  });
  const disposables: vscode.Disposable[] = [
    services,
    tree,
    status,
    { dispose: () => clearTimeout(debounce) },
    { dispose: () => clearInterval(redraw) },
    services.onDidChange(refresh),
    deps.changes.onDidChange((change) => {
      if (affectsRoot(change, LOCAL_ROOT_ID)) refresh();
    }),
    ...panel,
    ...registerQueueCommands({ services, tree, view: deps.queueView, launches: deps.launches, log }),
    ...registerSweepCommands({ services, launches: deps.launches, stores: deps.stores, view: deps.experimentsView, log }),
  ];
  return {
    tree,
    services,
    disposables,
    resumePending: async () => {
      const started = await services.ensureRunning(false);
      refresh();
      return started;
    },
  };
}
