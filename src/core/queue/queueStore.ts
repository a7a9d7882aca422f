// The durable run queue: items in the local store's file (queue_items, migration 3), shared by
// every window and `labbook sweep run` process on the machine. Each write is one IMMEDIATE
// transaction, and a claim is one UPDATE … RETURNING under SQLite's write lock, so two workers in
// two processes never take the same item.
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Statement } from 'better-sqlite3';
import { isProcessAlive, killGroup } from '../launch/processes.ts';
import { openDatabase, type SqliteDatabase, type SqliteRuntime } from '../sqlite/openDatabase.ts';
import { migrate } from '../store/sqlite/migrations.ts';
import { TrackingError } from '../store/errors.ts';
import { defaultLabel, LIST_ORDER, NEXT_CLAIMABLE, QUEUE_ITEM_STATES, toQueueItem, type QueueItemRow } from './queueRows.ts';
import type { ClaimOptions, EnqueueOptions, ItemFence, ItemOutcome, QueueCounts, QueueItem, QueueItemState, QueueLaunch, QueueWorker } from './types.ts';

export interface QueueListFilter {
  readonly states?: readonly QueueItemState[];
  readonly sweepId?: string;
  readonly limit?: number;
}

export interface RecoverOptions {
  /** This machine (default os.hostname()): only its workers' pids are judged. */
  readonly host?: string;
  /** Stops a dead worker's run process (default: SIGTERM to its group when it is alive). */
  readonly stopOrphan?: (runPid: number) => void;
}

interface ClaimParams {
  runNowOnly: number;
  pools: string;
  sweepIds: string | null;
}

export class QueueStore {
  readonly database: SqliteDatabase;
  private readonly now: () => number;
  private readonly ownsDatabase: boolean;
  private readonly bumpChangeSeq: Statement;
  private readonly readChangeSeq: Statement;
  private readonly selectItem: Statement<[number], QueueItemRow>;
  private readonly claimNext: Statement<ClaimParams & { workerId: string; workerPid: number; workerHost: string; now: number }, QueueItemRow>;
  private readonly peekNext: Statement<ClaimParams, { item_id: number }>;

  /** Opens its own connection to the store file (WAL, busy timeout) and brings the schema up to date. */
  static open(file: string, runtime: SqliteRuntime = {}, now?: () => number): QueueStore {
    const resolved = file === ':memory:' ? file : path.resolve(file);
    if (resolved !== ':memory:') mkdirSync(path.dirname(resolved), { recursive: true });
    const db = openDatabase(resolved, runtime, { busyTimeoutMs: 15_000 });
    try {
      db.pragma('synchronous = NORMAL');
      migrate(db);
      return new QueueStore(db, now, true);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** Over a connection someone else owns (and closes), already migrated. */
  constructor(db: SqliteDatabase, now: () => number = Date.now, ownsDatabase = false) {
    this.database = db;
    this.now = now;
    this.ownsDatabase = ownsDatabase;
    this.bumpChangeSeq = db.prepare('UPDATE store_meta SET change_seq = change_seq + 1 WHERE id = 1');
    this.readChangeSeq = db.prepare('SELECT change_seq FROM store_meta WHERE id = 1').pluck();
    this.selectItem = db.prepare('SELECT * FROM queue_items WHERE item_id = ?');
    this.claimNext = db.prepare(`
      UPDATE queue_items SET state = 'running', worker_id = @workerId, worker_pid = @workerPid, worker_host = @workerHost, started_at = @now,
        attempts = attempts + 1, stop_requested = NULL, run_id = NULL, run_pid = NULL, gpu = NULL, ended_at = NULL
      WHERE state = 'queued' AND item_id = (${NEXT_CLAIMABLE})
      RETURNING *`);
    this.peekNext = db.prepare(NEXT_CLAIMABLE);
  }

  enqueue(launch: QueueLaunch, options: EnqueueOptions = {}): QueueItem {
    return this.write(() => {
      const position = options.front ? this.frontPosition() : this.backPosition();
      const row = this.database
        .prepare(
          `INSERT INTO queue_items (position, state, label, launch, sweep_id, trial_number, seed, created_at, pool)
           VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
        )
        .get(
          position,
          options.label?.trim() || defaultLabel(launch),
          JSON.stringify(launch),
          options.sweepId ?? null,
          options.trialNumber ?? null,
          options.seed ?? null,
          this.now(),
          options.pool ?? '',
        ) as QueueItemRow;
      return toQueueItem(row);
    });
  }

  get(itemId: number): QueueItem | undefined {
    const row = this.selectItem.get(itemId);
    return row ? toQueueItem(row) : undefined;
  }

  /** Queued items in the order they start, then running ones, then ended ones newest first. */
  list(filter: QueueListFilter = {}): QueueItem[] {
    const where: string[] = [];
    const values: unknown[] = [];
    if (filter.states) {
      if (filter.states.length === 0) return [];
      where.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
      values.push(...filter.states);
    }
    if (filter.sweepId !== undefined) {
      where.push('sweep_id = ?');
      values.push(filter.sweepId);
    }
    const limit = filter.limit !== undefined && Number.isFinite(filter.limit) ? ` LIMIT ${Math.max(0, Math.floor(filter.limit))}` : '';
    const sql = `SELECT * FROM queue_items ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${LIST_ORDER}${limit}`;
    return (this.database.prepare(sql).all(...values) as QueueItemRow[]).map(toQueueItem);
  }

  counts(sweepId?: string): QueueCounts {
    const rows = (
      sweepId === undefined
        ? this.database.prepare('SELECT state, COUNT(*) AS n FROM queue_items GROUP BY state').all()
        : this.database.prepare('SELECT state, COUNT(*) AS n FROM queue_items WHERE sweep_id = ? GROUP BY state').all(sweepId)
    ) as { state: string; n: number }[];
    const counts = Object.fromEntries(QUEUE_ITEM_STATES.map((s) => [s, 0])) as Record<QueueItemState, number>;
    for (const row of rows) if (row.state in counts) counts[row.state as QueueItemState] += row.n;
    return counts;
  }

  /**
   * Takes the next startable item for `worker` among its pools (and sweeps, when given), or
   * undefined. Atomic across processes: the choice and the update are one statement under the write lock.
   */
  claim(worker: QueueWorker, options: ClaimOptions = {}): QueueItem | undefined {
    return this.write(
      () => {
        const row = this.claimNext.get({ ...claimParams(options), workerId: worker.id, workerPid: worker.pid, workerHost: worker.host ?? os.hostname(), now: this.now() });
        return row ? toQueueItem(row) : undefined;
      },
      (item) => item !== undefined,
    );
  }

  /** Whether claim() would return an item now (a read, no lock taken). */
  hasClaimable(options: ClaimOptions = {}): boolean {
    return this.peekNext.get(claimParams(options)) !== undefined;
  }

  /**
   * Records the run a claimed item launched. With `fence`, only while the item is still that
   * claim (same worker, same attempt): false when it is not (ended by recovery, re-claimed), and nothing changes.
   */
  started(itemId: number, runId: string, pid: number | undefined, gpu?: string, fence?: ItemFence): boolean {
    return this.write(
      () =>
        this.database
          .prepare(
            `UPDATE queue_items SET run_id = ?, run_pid = ?, gpu = ? WHERE item_id = ? AND state = 'running'
               AND (? IS NULL OR (worker_id = ? AND attempts = ?))`,
          )
          .run(runId, pid ?? null, gpu ?? null, itemId, fence ? 1 : null, fence?.workerId ?? null, fence?.attempts ?? null).changes > 0,
      (changed) => changed,
    );
  }

  /**
   * Records how a running item ended. A run that failed or was killed after a stop was asked
   * for ended for that reason (cancelled, pruned). An item already ended (recovered as killed
   * by another window, say) keeps its first ending. With `fence`, a worker whose claim is gone
   * (the item was recovered, retried and claimed again) changes nothing and gets undefined.
   */
  finish(itemId: number, outcome: ItemOutcome): QueueItem;
  finish(itemId: number, outcome: ItemOutcome, fence: ItemFence): QueueItem | undefined;
  finish(itemId: number, outcome: ItemOutcome, fence?: ItemFence): QueueItem | undefined {
    return this.write(() => {
      const row = this.requireRow(itemId);
      if (fence && (row.worker_id !== fence.workerId || row.attempts !== fence.attempts)) return undefined;
      if (row.state !== 'running') return toQueueItem(row);
      const stop = row.stop_requested === 'cancelled' || row.stop_requested === 'pruned' ? row.stop_requested : undefined;
      const state = stop !== undefined && outcome.state !== 'finished' ? stop : outcome.state;
      const ended = this.database
        .prepare(`UPDATE queue_items SET state = ?, ended_at = ?, error = ? WHERE item_id = ? RETURNING *`)
        .get(state, this.now(), outcome.error ?? null, itemId) as QueueItemRow;
      return toQueueItem(ended);
    });
  }

  /** A queued item is cancelled at once; a running one is asked to stop (its worker stops it). */
  cancel(itemId: number): QueueItem {
    return this.endOrStop(itemId, 'cancelled');
  }

  requestStop(itemId: number, reason: 'cancelled' | 'pruned'): void {
    this.endOrStop(itemId, reason);
  }

  /** Puts an ended item back at the front of the queue, as the same item. */
  retry(itemId: number): QueueItem {
    return this.write(() => {
      const row = this.requireRow(itemId);
      if (row.state === 'queued') return toQueueItem(row);
      if (row.state === 'running') throw new TrackingError('INVALID_STATE', `Queue item ${itemId} (${row.label}) is still running; cancel it first.`);
      const note = row.run_id ? `retried; previous run ${row.run_id}` : null;
      const retried = this.database
        .prepare(
          `UPDATE queue_items SET state = 'queued', position = ?, run_now = 0, stop_requested = NULL, worker_id = NULL,
             worker_pid = NULL, run_id = NULL, run_pid = NULL, gpu = NULL, started_at = NULL, ended_at = NULL, error = ?
           WHERE item_id = ? RETURNING *`,
        )
        .get(this.frontPosition(), note, itemId) as QueueItemRow;
      return toQueueItem(retried);
    });
  }

  /** Reorders a queued item: up/down swap it with its neighbour; top/bottom put it first/last. */
  move(itemId: number, where: 'up' | 'down' | 'top' | 'bottom'): void {
    this.write(() => {
      const row = this.requireRow(itemId);
      if (row.state !== 'queued') throw new TrackingError('INVALID_STATE', `Queue item ${itemId} (${row.label}) is ${row.state}; only queued items move.`);
      const setPosition = this.database.prepare('UPDATE queue_items SET position = ? WHERE item_id = ?');
      if (where === 'top' || where === 'bottom') {
        setPosition.run(where === 'top' ? this.frontPosition() : this.backPosition(), itemId);
        return;
      }
      const neighbour = this.database
        .prepare(
          where === 'up'
            ? `SELECT item_id, position FROM queue_items WHERE state = 'queued' AND position < ? ORDER BY position DESC LIMIT 1`
            : `SELECT item_id, position FROM queue_items WHERE state = 'queued' AND position > ? ORDER BY position LIMIT 1`,
        )
        .get(row.position) as { item_id: number; position: number } | undefined;
      if (!neighbour) return;
      setPosition.run(neighbour.position, itemId);
      setPosition.run(row.position, neighbour.item_id);
    });
  }

  /** Marks a queued item to start now, whatever the free slots and the pause. */
  runNow(itemId: number): void {
    this.write(() => {
      const row = this.requireRow(itemId);
      if (row.state !== 'queued') throw new TrackingError('INVALID_STATE', `Queue item ${itemId} (${row.label}) is ${row.state}, not queued.`);
      this.database.prepare('UPDATE queue_items SET run_now = 1 WHERE item_id = ?').run(itemId);
    });
  }

  setPaused(paused: boolean): void {
    this.write(() => {
      this.database.prepare('UPDATE queue_state SET paused = ? WHERE id = 1').run(paused ? 1 : 0);
    });
  }

  isPaused(): boolean {
    return this.database.prepare('SELECT paused FROM queue_state WHERE id = 1').pluck().get() === 1;
  }

  /**
   * Ends the running items of workers that died (a closed window, a killed CLI): killed, with the
   * reason, so their slots free and the queue goes on. This process's own workers are alive. Only
   * workers of this host are judged: a pid means nothing on another machine (a shared workspace)
   * or in another pid namespace of a different hostname (a container). A dead worker's run process
   * (runPid, detached: the leader of its group) would go on beside its retry, holding its GPU, so
   * it gets SIGTERM when it is alive, unless it was recorded before this machine's last boot (the
   * pid is then someone else's).
   */
  recoverDeadWorkers(isAlive: (pid: number) => boolean, options: RecoverOptions = {}): QueueItem[] {
    const host = options.host ?? os.hostname();
    const where = `state = 'running' AND worker_pid IS NOT NULL AND worker_host = ? AND NOT (worker_pid = ? AND worker_host = ?)`;
    const self = [host, process.pid, os.hostname()];
    const candidates = this.database.prepare(`SELECT COUNT(*) FROM queue_items WHERE ${where}`).pluck().get(...self) as number;
    // The common case (no other worker's items) takes no write lock and changes nothing.
    if (candidates === 0) return [];
    const recovered = this.write(() => {
      const running = this.database.prepare(`SELECT * FROM queue_items WHERE ${where}`).all(...self) as QueueItemRow[];
      const kill = this.database.prepare(`UPDATE queue_items SET state = 'killed', ended_at = ?, error = ? WHERE item_id = ? AND state = 'running' RETURNING *`);
      const recovered: QueueItem[] = [];
      for (const row of running) {
        const pid = row.worker_pid ?? 0;
        if (safeIsAlive(isAlive, pid)) continue;
        const ended = kill.get(this.now(), `its worker (pid ${pid}) died`, row.item_id) as QueueItemRow | undefined;
        if (ended) recovered.push(toQueueItem(ended));
      }
      return recovered;
    }, (items) => items.length > 0);
    // After the transaction: signals take no lock. A run pid is this machine's only when the host is.
    if (host !== os.hostname()) return recovered;
    const bootedAt = Date.now() - os.uptime() * 1000;
    for (const item of recovered) {
      if (item.runPid === undefined || (item.startedAt ?? 0) < bootedAt) continue;
      try {
        (options.stopOrphan ?? stopOrphanRun)(item.runPid);
      } catch {
        // A failed stop leaves the orphan as it was; the item is ended either way.
      }
    }
    return recovered;
  }

  /** Changes whenever anything in the store file is written, by any connection: cheap to poll. */
  changeToken(): string {
    return String(this.readChangeSeq.get());
  }

  close(): void {
    if (this.ownsDatabase && this.database.open) this.database.close();
  }

  private endOrStop(itemId: number, reason: 'cancelled' | 'pruned'): QueueItem {
    return this.write(() => {
      const row = this.requireRow(itemId);
      let updated: QueueItemRow | undefined;
      if (row.state === 'queued') {
        updated = this.database
          .prepare(`UPDATE queue_items SET state = ?, ended_at = ? WHERE item_id = ? RETURNING *`)
          .get(reason, this.now(), itemId) as QueueItemRow;
      } else if (row.state === 'running' && row.stop_requested === null) {
        // The first reason wins: a cancelled trial the engine then prunes stays cancelled.
        updated = this.database.prepare(`UPDATE queue_items SET stop_requested = ? WHERE item_id = ? RETURNING *`).get(reason, itemId) as QueueItemRow;
      }
      return toQueueItem(updated ?? row);
    });
  }

  private requireRow(itemId: number): QueueItemRow {
    const row = this.selectItem.get(itemId);
    if (!row) throw new TrackingError('RESOURCE_DOES_NOT_EXIST', `No queue item ${itemId}: it may have been removed with its sweep.`);
    return row;
  }

  private frontPosition(): number {
    const min = this.database.prepare(`SELECT MIN(position) FROM queue_items WHERE state = 'queued'`).pluck().get() as number | null;
    return min === null ? this.backPosition() : min - 1;
  }

  private backPosition(): number {
    const max = this.database.prepare(`SELECT MAX(position) FROM queue_items WHERE state = 'queued'`).pluck().get() as number | null;
    if (max !== null) return max + 1;
    // An empty queue: continue after every position ever used, so new items sort after old ones.
    const any = this.database.prepare('SELECT MAX(position) FROM queue_items').pluck().get() as number | null;
    return any === null ? 0 : Math.floor(any) + 1;
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction (the write lock up front: no deadlock between two
   * processes) and bumps change_seq when it changed something, so idle polls refresh no view.
   */
  private write<T>(fn: () => T, changed: (value: T) => boolean = () => true): T {
    return this.database
      .transaction(() => {
        const value = fn();
        if (changed(value)) this.bumpChangeSeq.run();
        return value;
      })
      .immediate();
  }
}

function claimParams(options: ClaimOptions): ClaimParams {
  return {
    runNowOnly: options.runNowOnly ? 1 : 0,
    pools: JSON.stringify(options.pools ?? ['']),
    sweepIds: options.sweepIds === undefined ? null : JSON.stringify(options.sweepIds),
  };
}

/** A dead worker's run: SIGTERM to its process group (its children too) when it is still alive. */
function stopOrphanRun(runPid: number): void {
  if (isProcessAlive(runPid)) killGroup(runPid, 'SIGTERM');
}

function safeIsAlive(isAlive: (pid: number) => boolean, pid: number): boolean {
  try {
    return isAlive(pid);
  } catch {
    // Unknown counts as alive: never kill an item on a failed check.
    return true;
  }
}
