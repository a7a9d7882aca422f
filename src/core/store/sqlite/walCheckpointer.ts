// WAL checkpoints off the write path. By default SQLite checkpoints inside the COMMIT that takes
// the WAL past 1000 pages; with synchronous=NORMAL a checkpoint also pays two fsyncs (~8 ms each on
// this machine's disk, ~17 ms a checkpoint), so one 1000-point log-batch in ~40 stalls for it.
// The store's connection instead asks for a checkpoint once the WAL holds about 2000 pages, and
// when writes pause for a second (a burst's last commits are synced soon after), on a later turn of
// the event loop — after the reply to the request that wrote has gone out. A worker thread with its
// own connection runs it (walCheckpointWorker.ts), so its copying and fsyncs overlap the next
// requests; where the worker cannot start, this thread runs it. PASSIVE checkpoints never wait for
// a lock and never block readers or writers in any process.
// SQLite's own automatic checkpoint stays on as the hard bound, at 4096 pages: the WAL cannot grow
// past it unless a reader pins it. Under sustained writes it is also what restarts the WAL: SQLite
// rewinds the WAL only when a writer starts with every frame copied back, which a checkpoint
// running beside the writes never leaves behind; by then the worker has copied (and synced) all
// but the last few hundred frames, so that in-commit checkpoint is short. It also covers a writer
// that never yields to the event loop (a loop that awaits only store calls runs on microtasks).
// The WAL file keeps its largest size and is rewritten in place, as SQLite does by default (cutting
// it back would make every cycle allocate its blocks again); SQLite removes it at the last close.
import type { Statement } from 'better-sqlite3';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { errorMessage } from '../../../shared/errorMessage.ts';
import type { SqliteDatabase, SqliteRuntime } from '../../sqlite/openDatabase.ts';
import type { CheckpointReply, CheckpointWorkerData } from './walCheckpointWorker.ts';

export interface WalCheckpointOptions {
  /** Estimated WAL pages after which a checkpoint is scheduled (default 2000: 8 MB of 4 KB pages). */
  readonly pages?: number;
  /** Milliseconds without a write after which a checkpoint runs (default 1000). */
  readonly idleMs?: number;
  /** WAL pages at which SQLite checkpoints inside a commit (default 4096: 16 MB). */
  readonly hardLimitPages?: number;
  /** Checkpoint on a worker thread when its script is there (default true). */
  readonly worker?: boolean;
}

/** What the checkpointer did, for tests and diagnostics. */
export interface WalCheckpointStats {
  /** Checkpoints run (on the worker or on this thread). */
  checkpoints: number;
  /** Of those, how many ran on the worker thread. */
  onWorker: number;
  /** Of those, how many found another connection checkpointing (skipped; the next one catches up). */
  busy: number;
  /** WAL frames the last checkpoint saw, and how many of them it copied back. */
  lastLogFrames: number;
  lastCheckpointedFrames: number;
  /** Why the worker stopped being used, if it did. */
  workerError?: string;
}

const DEFAULTS = { pages: 2000, idleMs: 1000, hardLimitPages: 4096 };
/** The longest a store's close waits for the worker's connection to close. */
const CLOSE_WAIT_MS = 5000;
/** Pages a commit writes besides its rows' (B-tree interior and edge pages, the change counter). */
const PAGES_PER_COMMIT = 3;
/** Rows per 4 KB page, low: a 1000-point log-batch (~1080 rows with tiles) writes ~25 pages. */
const ROWS_PER_PAGE = 40;

/** The worker's script: bundled beside the SQLite addon, or this folder's .ts when run from source. */
function workerScript(runtime: SqliteRuntime): string | undefined {
  const file = runtime.nativeBinding
    ? path.join(path.dirname(runtime.nativeBinding), 'walCheckpointWorker.js')
    : fileURLToPath(new URL('./walCheckpointWorker.ts', import.meta.url));
  return existsSync(file) ? file : undefined;
}

export class WalCheckpointer {
  private readonly db: SqliteDatabase;
  private readonly pagesLimit: number;
  private readonly idleMs: number;
  private readonly checkpoint: Statement | undefined;
  private readonly totalChanges: Statement | undefined;
  /** total_changes() after the last write: the rows each write changed are the difference. */
  private lastTotalChanges = 0;
  /** WAL pages estimated since the last checkpoint. */
  private pages = 0;
  /** The checkpoint due now (after the reply), or the idle one. */
  private soon: NodeJS.Immediate | undefined;
  private idle: NodeJS.Timeout | undefined;
  private readonly workerData: CheckpointWorkerData;
  private workerFile: string | undefined;
  private worker: Worker | undefined;
  /** A checkpoint is running on the worker; `again`: another became due meanwhile. */
  private inFlight = false;
  private again = false;
  private disposed = false;
  readonly stats: WalCheckpointStats = { checkpoints: 0, onWorker: 0, busy: 0, lastLogFrames: 0, lastCheckpointedFrames: 0 };

  constructor(db: SqliteDatabase, target: { file: string; runtime: SqliteRuntime }, options: WalCheckpointOptions = {}) {
    this.db = db;
    this.pagesLimit = options.pages ?? DEFAULTS.pages;
    this.idleMs = options.idleMs ?? DEFAULTS.idleMs;
    this.workerData = { file: target.file, runtime: target.runtime, closed: new SharedArrayBuffer(4) };
    // Only a WAL connection checkpoints (a read-only or rollback-journal file is left as it is).
    if (db.pragma('journal_mode', { simple: true }) !== 'wal') return;
    db.pragma(`wal_autocheckpoint = ${Math.max(1, Math.floor(options.hardLimitPages ?? DEFAULTS.hardLimitPages))}`);
    this.checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
    this.totalChanges = db.prepare('SELECT total_changes()').pluck();
    this.lastTotalChanges = this.totalChanges.get() as number;
    if (options.worker !== false) this.workerFile = workerScript(target.runtime);
  }

  /** Called after each committed write: counts its pages and schedules a checkpoint, never runs one. */
  afterWrite(): void {
    if (!this.totalChanges) return;
    const changes = this.totalChanges.get() as number;
    this.pages += PAGES_PER_COMMIT + (changes - this.lastTotalChanges) / ROWS_PER_PAGE;
    this.lastTotalChanges = changes;
    if (this.pages >= this.pagesLimit) {
      // setImmediate runs after this turn's microtasks, where the endpoint sends its reply.
      this.soon ??= setImmediate(() => this.run());
      return;
    }
    if (this.idle) this.idle.refresh();
    else {
      this.idle = setTimeout(() => this.run(), this.idleMs);
      // A pending checkpoint must not keep a CLI or test process alive; SQLite checkpoints at close.
      this.idle.unref();
    }
  }

  /**
   * Cancels pending checkpoints and ends the worker (before the connection closes). Waits, at most
   * CLOSE_WAIT_MS, for the worker's connection to close (it may be mid-checkpoint or still
   * starting), so once the store is closed nothing of it holds the file: a caller may delete it.
   */
  dispose(): void {
    this.disposed = true;
    this.cancel();
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    worker.postMessage('close');
    Atomics.wait(new Int32Array(this.workerData.closed), 0, 0, CLOSE_WAIT_MS);
  }

  private cancel(): void {
    if (this.soon) clearImmediate(this.soon);
    clearTimeout(this.idle);
    this.soon = undefined;
    this.idle = undefined;
  }

  private run(): void {
    this.cancel();
    if (!this.checkpoint || !this.db.open || this.disposed) return;
    this.pages = 0;
    const worker = this.startWorker();
    if (!worker) {
      this.runHere();
      return;
    }
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    worker.postMessage('checkpoint');
  }

  private runHere(): void {
    try {
      this.record(this.checkpoint?.get() as CheckpointReply, false);
    } catch {
      // Housekeeping only: the commits are in the WAL already, the next writes schedule another
      // try and SQLite's own bound still holds. (This connection may be mid-iteration of a read.)
    }
  }

  private record(reply: CheckpointReply, onWorker: boolean): void {
    if ('error' in reply) return;
    this.stats.checkpoints++;
    if (onWorker) this.stats.onWorker++;
    if (reply.busy) this.stats.busy++;
    this.stats.lastLogFrames = reply.log;
    this.stats.lastCheckpointedFrames = reply.checkpointed;
  }

  private startWorker(): Worker | undefined {
    if (this.worker || !this.workerFile) return this.worker;
    let worker: Worker;
    try {
      worker = new Worker(this.workerFile, { workerData: this.workerData });
    } catch (err) {
      this.stats.workerError = errorMessage(err);
      this.workerFile = undefined;
      return undefined;
    }
    const failed = (why: string) => {
      if (this.worker !== worker) return;
      this.stats.workerError = why;
      this.workerFile = undefined;
      this.worker = undefined;
      const wasInFlight = this.inFlight;
      this.inFlight = false;
      // The checkpoint it was asked for runs here instead.
      if (wasInFlight && !this.disposed && this.db.open) this.runHere();
    };
    worker.unref();
    worker.on('message', (reply: CheckpointReply) => {
      this.inFlight = false;
      this.record(reply, true);
      if (this.again) {
        this.again = false;
        this.run();
      }
    });
    worker.on('error', (err) => failed(errorMessage(err)));
    worker.on('exit', (code) => failed(`the checkpoint worker exited (${code})`));
    this.worker = worker;
    return worker;
  }
}
