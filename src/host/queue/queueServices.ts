// The queue and the sweeps of this window: the durable queue in the local store's database, its
// runner (this window's workers) and the sweep engine. All created on first need, never at
// activation: the view's first read opens the queue only when the store file exists, and the
// runner starts only when something is queued or running, or a sweep starts.
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { defaultWorkers, detectGpuSlots } from '../../core/queue/gpuSlots.ts';
import { QueueRunner } from '../../core/queue/queueRunner.ts';
import { QueueStore } from '../../core/queue/queueStore.ts';
import type { QueueItem, QueueLaunch } from '../../core/queue/types.ts';
import type { SqliteRuntime } from '../../core/sqlite/openDatabase.ts';
import type { TrackingStore } from '../../core/store/trackingStore.ts';
import { gridSize } from '../../core/sweep/space.ts';
import { SweepEngine } from '../../core/sweep/sweepEngine.ts';
import { SweepStore } from '../../core/sweep/sweepStore.ts';
import type { SweepRecord, SweepSpec, TrialRecord } from '../../core/sweep/types.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { resolveInterpreter } from '../launch/interpreter.ts';
import type { LaunchService } from '../launch/launchService.ts';
import { workspaceRecipe } from '../../core/sweep/recipeTrials.ts';
import type { LocalStore } from '../stores/localStore.ts';
import { localStorePath } from '../stores/localStore.ts';
import { LOCAL_ROOT_ID } from '../stores/storeRoot.ts';
import type { QueueSnapshot } from './queueTree.ts';

/** Sweeps are ticked (budget, pruning, next trials) this often while one runs. */
const TICK_MS = 3000;

export interface QueueServicesDeps {
  readonly sqlite: SqliteRuntime;
  readonly local: LocalStore;
  readonly launches: LaunchService;
  readonly log: vscode.LogOutputChannel;
  /** A sweep ended (the status bar's notification). */
  readonly onSweepEnded?: (sweep: SweepRecord, best: TrialRecord | undefined) => void;
}

/** Whether a process still runs (EPERM: it does, as someone else's). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Workers from `labbook.queue.workers` (0: cores − 1, at least 1). */
export function queueSlots(): number {
  const setting = vscode.workspace.getConfiguration('labbook.queue').get<number>('workers', 0);
  return Number.isInteger(setting) && setting > 0 ? setting : defaultWorkers(os.availableParallelism());
}

/** The store root a new run or sweep logs into, from `labbook.launch.target` ('' for the local store). */
export function launchTargetRoot(launches: LaunchService): Promise<string> {
  return launches.target().then((t) => (t.rootId === LOCAL_ROOT_ID ? '' : t.rootId));
}

export class QueueServices implements vscode.Disposable {
  private readonly deps: QueueServicesDeps;
  private queueStore: QueueStore | undefined;
  /** The store file the queue was opened on (labbook.store.localPath may move it). */
  private openedFile: string | undefined;
  private sweepStore: SweepStore | undefined;
  private runner: QueueRunner | undefined;
  private engine: SweepEngine | undefined;
  private tick: ReturnType<typeof setInterval> | undefined;
  private python = 'python3';
  /** Stores of remote targets, opened before the engine asks for them (its storeFor is synchronous). */
  private readonly remoteStores = new Map<string, TrackingStore>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** The queue or a sweep changed (as this window saw it; other processes' changes come through the store watcher). */
  readonly onDidChange = this.changed.event;
  private disposed = false;

  constructor(deps: QueueServicesDeps) {
    this.deps = deps;
  }

  /** The queue; opened (and the store created) only when `create`, or when the store file exists. */
  queue(create = false): QueueStore | undefined {
    if (this.disposed) return undefined;
    const file = localStorePath();
    if (!file) return undefined;
    if (this.queueStore && this.openedFile !== path.resolve(file)) this.leaveStore(file);
    if (this.queueStore) return this.queueStore;
    if (!existsSync(file)) {
      if (!create) return undefined;
      // The tracking store makes the file with its full schema; the queue then shares it.
      this.deps.local.get();
    }
    this.queueStore = QueueStore.open(file, this.deps.sqlite);
    this.openedFile = path.resolve(file);
    this.sweepStore = new SweepStore(this.queueStore.database);
    this.deps.log.info(`Opened the run queue in ${file}`);
    return this.queueStore;
  }

  sweeps(create = false): SweepStore | undefined {
    return this.queue(create) ? this.sweepStore : undefined;
  }

  /** The engine, if the runner runs (for tests and the panel). */
  sweepEngine(): SweepEngine | undefined {
    return this.engine;
  }

  /** What the Queue view shows. */
  snapshot(): Promise<QueueSnapshot | undefined> {
    const queue = this.queue();
    const sweeps = this.sweepStore;
    if (!queue || !sweeps) return Promise.resolve(undefined);
    const items = queue.list();
    const bySweep = new Map<string, QueueItem[]>();
    const singles: QueueItem[] = [];
    for (const item of items) {
      if (!item.sweepId) singles.push(item);
      else {
        let list = bySweep.get(item.sweepId);
        if (!list) bySweep.set(item.sweepId, (list = []));
        list.push(item);
      }
    }
    const summaries = sweeps.list().map((sweep) => ({ sweep, trials: sweeps.trials(sweep.sweepId), items: bySweep.get(sweep.sweepId) ?? [], total: budgetTrials(sweep.spec) }));
    return Promise.resolve({ sweeps: summaries, singles, queued: items.filter((i) => i.state === 'queued'), paused: queue.isPaused() });
  }

  /**
   * Starts the runner and the engine when there is work (or `force`: a sweep or an item is about to
   * be queued). Refused in Restricted Mode: the runner runs code.
   */
  async ensureRunning(force = false): Promise<boolean> {
    if (this.engine) return true;
    if (!vscode.workspace.isTrusted || this.disposed) return false;
    const queue = this.queue(force);
    const sweeps = this.sweepStore;
    if (!queue || !sweeps) return false;
    const recovered = queue.recoverDeadWorkers(isProcessAlive);
    for (const item of recovered) this.deps.log.info(`Queue item ${item.itemId} (${item.label}) was left ${item.state} by a closed window`);
    const counts = queue.counts();
    const liveSweeps = sweeps.list().filter((s) => s.state === 'running');
    if (!force && counts.queued + counts.running === 0 && liveSweeps.length === 0) return false;
    this.python = (await resolveInterpreter(undefined, this.deps.log)).path;
    for (const sweep of liveSweeps) await this.prepareTarget(sweep.target);
    // CUDA_VISIBLE_DEVICES, else nvidia-smi's GPUs (bounded in time; none when it is missing).
    const gpus = await detectGpuSlots(process.env);
    if (this.engine || this.disposed) return Boolean(this.engine);
    // The store moved while this waited: the new store's own start is under way.
    if (this.queueStore !== queue) return false;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
    const log = (line: string) => this.deps.log.info(line);
    const runner = new QueueRunner({
      queue,
      worker: { id: `${vscode.env.sessionId}-${process.pid}`, pid: process.pid },
      slots: queueSlots,
      gpus,
      launch: (item, extraEnv) => this.deps.launches.launchQueued(item, extraEnv),
      onChange: () => this.changed.fire(),
      // Called only once the runner has started, after the engine exists.
      onItemEnded: (item) => engine.onItemEnded(item),
      log,
    });
    const engine: SweepEngine = new SweepEngine({
      queue,
      sweeps,
      storeFor: (target) => this.storeFor(target),
      owner: this.deps.launches.owner,
      python: () => this.python,
      cwd: folder,
      resolveRecipe: (name) => workspaceRecipe(folder, name),
      // The editor windows' shared pool; a sweep a `labbook sweep run` started (pool 'cli') is its to drive.
      pool: '',
      drives: (sweep) => sweep.pool === '',
      stopItem: (itemId, reason) => runner.stopItem(itemId, reason),
      onChange: () => this.changed.fire(),
      onSweepEnded: (sweep, best) => {
        this.changed.fire();
        this.deps.onSweepEnded?.(sweep, best);
      },
      log,
    });
    this.runner = runner;
    this.engine = engine;
    runner.start();
    this.tick = setInterval(() => void this.tickSweeps(), TICK_MS);
    try {
      await engine.resumeAll();
    } catch (err) {
      this.deps.log.error(`Resuming the sweeps failed: ${errorMessage(err)}`);
    }
    this.changed.fire();
    return true;
  }

  private async tickSweeps(): Promise<void> {
    const engine = this.engine;
    if (!engine) return;
    if (!(this.sweepStore?.list().some((s) => s.state === 'running') ?? false)) return;
    try {
      await engine.tick();
    } catch (err) {
      this.deps.log.warn(`A sweep tick failed: ${errorMessage(err)}`);
    }
  }

  /** Opens a remote target's store ahead of the engine's synchronous storeFor. */
  async prepareTarget(target: string): Promise<void> {
    if (!target || target === LOCAL_ROOT_ID || this.remoteStores.has(target)) return;
    // The launches' store for that server: its writes go through the outbox, as the trials' own do.
    // (Its updateRun answers whether the write was queued; the engine does not read the answer.)
    const { store } = await this.deps.launches.target(target);
    this.remoteStores.set(target, store as unknown as TrackingStore);
  }

  private storeFor(target: string): TrackingStore {
    if (!target || target === LOCAL_ROOT_ID) {
      const store = this.deps.local.get();
      if (!store) throw new Error('Open a folder first: the local tracking store lives in the workspace folder.');
      return store;
    }
    const store = this.remoteStores.get(target);
    if (!store) throw new Error(`The tracking server ${target} is not open.`);
    return store;
  }

  /** Starts a sweep; resolves with its record once its first trials are queued. */
  async startSweep(spec: SweepSpec, file: string, target: string): Promise<SweepRecord> {
    await this.prepareTarget(target);
    if (!(await this.ensureRunning(true)) || !this.engine) throw new Error('The run queue could not start: open a trusted folder.');
    this.python = (await resolveInterpreter(undefined, this.deps.log)).path;
    const record = await this.engine.start(spec, file, { target });
    this.runner?.kick();
    this.changed.fire();
    return record;
  }

  async stopSweep(sweepId: string): Promise<void> {
    if (!this.engine) await this.ensureRunning(true);
    await this.engine?.stop(sweepId);
    this.changed.fire();
  }

  /** Queues a single run and makes sure a worker will take it. */
  async enqueue(launch: QueueLaunch, label: string): Promise<QueueItem> {
    const queue = this.queue(true);
    if (!queue) throw new Error('Open a folder first: the run queue lives in the workspace\'s local store.');
    const item = queue.enqueue(launch, { label });
    await this.ensureRunning(true);
    this.runner?.kick();
    this.changed.fire();
    return item;
  }

  /** Cancels an item: a queued one at once, a running one through its worker (or the store when another window runs it). */
  async cancel(itemId: number): Promise<void> {
    const queue = this.queue();
    const item = queue?.get(itemId);
    if (!queue || !item) return;
    if (item.state === 'running' && this.runner?.running().some((i) => i.itemId === itemId)) await this.runner.stopItem(itemId, 'cancelled');
    else queue.cancel(itemId);
    this.runner?.kick();
    this.changed.fire();
  }

  /**
   * Applies `what` to the queue, then lets the runner look again (a retried or run-now item may
   * start); false (nothing done) when the workspace has no store yet, unless `create` makes it.
   */
  async change(what: (queue: QueueStore) => void, start = false, create = false): Promise<boolean> {
    const queue = this.queue(create);
    if (!queue) return false;
    what(queue);
    if (start) await this.ensureRunning(true);
    this.runner?.kick();
    this.changed.fire();
    return true;
  }

  /** Resolves when this window's runner has nothing claimable nor running (tests). */
  async idle(): Promise<void> {
    await this.runner?.idle();
  }

  /**
   * The local store moved (labbook.store.localPath): the queue follows it, as the tracking store
   * does. This window's runner and engine leave the old one as a closed window would (its running
   * items are stopped; the old store keeps what was queued), and the new store's waiting work starts.
   */
  private leaveStore(file: string): void {
    this.deps.log.info(`The local store moved to ${file}: the run queue follows it`);
    this.detach();
    setTimeout(() => {
      void this.ensureRunning(false).then(
        () => this.changed.fire(),
        (err: unknown) => this.deps.log.warn(`Starting the queue of the new store failed: ${errorMessage(err)}`),
      );
    }, 0);
  }

  /** Lets go of the queue: the engine first (it stops asking for trials), then the runner (it stops its runs), then the connection. */
  private detach(): void {
    clearInterval(this.tick);
    const engine = this.engine;
    const runner = this.runner;
    const queue = this.queueStore;
    this.engine = undefined;
    this.runner = undefined;
    this.queueStore = undefined;
    this.sweepStore = undefined;
    this.openedFile = undefined;
    void (async () => {
      await engine?.dispose().catch(() => undefined);
      await runner?.dispose().catch(() => undefined);
      queue?.close();
    })();
  }

  dispose(): void {
    this.disposed = true;
    this.detach();
    this.changed.dispose();
  }
}

/** Trials the budget allows, when known: `budget.trials`, else a grid's size. */
function budgetTrials(spec: SweepSpec): number | undefined {
  if (spec.budget.trials !== undefined) return spec.budget.trials;
  if (spec.method !== 'grid') return undefined;
  try {
    return gridSize(spec);
  } catch {
    return undefined;
  }
}

