// The run queue: durable items in the local store (table queue_items), claimed atomically by
// workers in any process (windows, `labbook sweep run`), launched as tracked runs.

export type QueueItemState = 'queued' | 'running' | 'finished' | 'failed' | 'killed' | 'pruned' | 'cancelled';

/** The launch an item makes, resolved when it is queued (a recipe's name is kept as a tag). Plain JSON. */
export interface QueueLaunch {
  readonly kind: 'script' | 'notebook';
  /** Absolute, or relative to `cwd`. */
  readonly file: string;
  readonly args?: readonly string[];
  readonly parameters?: Readonly<Record<string, unknown>>;
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly dataPaths?: readonly string[];
  readonly experimentName: string;
  readonly runName?: string;
  /** The interpreter; undefined: the one selected when it starts. */
  readonly python?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Where it logs: '' for the local store, else a remote root id (host) or server URI (CLI). */
  readonly target?: string;
}

export interface QueueItem {
  readonly itemId: number;
  /** Order among queued items: lower first (run-now items before all). */
  readonly position: number;
  readonly state: QueueItemState;
  readonly label: string;
  readonly launch: QueueLaunch;
  /** Which workers may run it: '' the editor windows' shared pool, 'cli' a `labbook sweep run`. */
  readonly pool: string;
  readonly sweepId?: string;
  readonly trialNumber?: number;
  readonly seed?: number;
  /** Started at once, whatever the free slots and the pause. */
  readonly runNow: boolean;
  /** Set by cancel (or a pruning decision) on a running item; its worker stops the run. */
  readonly stopRequested?: 'cancelled' | 'pruned';
  readonly attempts: number;
  readonly workerId?: string;
  readonly workerPid?: number;
  /** The machine of the worker (os.hostname()): its pid is judged only there. */
  readonly workerHost?: string;
  readonly runId?: string;
  /**
   * The run's own process (not the worker's), once launched. When its worker dies, recovery on
   * the same host SIGTERMs this process group (QueueStore.recoverDeadWorkers), so the orphan does
   * not run on beside its retry.
   */
  readonly runPid?: number;
  /** CUDA_VISIBLE_DEVICES given to it. */
  readonly gpu?: string;
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly error?: string;
}

export interface EnqueueOptions {
  readonly label?: string;
  readonly sweepId?: string;
  readonly trialNumber?: number;
  readonly seed?: number;
  /** Before every queued item instead of after. */
  readonly front?: boolean;
  /** The pool whose workers may run it (default '': the editor windows'). */
  readonly pool?: string;
}

/** Which items a worker may claim. */
export interface ClaimOptions {
  /** Only run-now items (the worker's slots are full). */
  readonly runNowOnly?: boolean;
  /** Items of these pools only (default ['']: the editor windows' shared pool). */
  readonly pools?: readonly string[];
  /** When given, only items of these sweeps (a `labbook sweep run` runs its own sweep's trials only). */
  readonly sweepIds?: readonly string[];
}

/** Whose claim a write is for: a worker's write lands only while the item is still its claim. */
export interface ItemFence {
  readonly workerId: string;
  readonly attempts: number;
}

export interface QueueWorker {
  /** Unique per runner (e.g. `${owner}-${pid}`). */
  readonly id: string;
  /** The process that runs the items; a dead pid frees its items (recoverDeadWorkers). */
  readonly pid: number;
  /** Its machine (default os.hostname()): only workers of the same host are judged by pid. */
  readonly host?: string;
}

/** How an item ended, as its worker reports it. */
export interface ItemOutcome {
  readonly state: 'finished' | 'failed' | 'killed' | 'pruned' | 'cancelled';
  readonly error?: string;
}

/** A launched item, as the runner's `launch` callback returns it (a TrackedRun fits). */
export interface LaunchedItem {
  readonly runId: string;
  readonly pid: number | undefined;
  /** Resolves (never rejects) with the run's final status. */
  readonly done: Promise<{ readonly status: 'FINISHED' | 'FAILED' | 'KILLED'; readonly error?: string }>;
  stop(): Promise<unknown>;
}

/** Counts per state, for a view's badge and a sweep's progress. */
export type QueueCounts = Readonly<Record<QueueItemState, number>>;
