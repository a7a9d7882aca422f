// Writes meant for a remote MLflow server go first into a durable local queue (a SQLite file),
// and are shipped in order. While the server is unreachable the queue keeps them; when it is back
// they go out, each exactly once: metric points are deduplicated by the server (MLflow ignores an
// exact duplicate), and params, tags, run updates and run inputs are idempotent. Runs are created
// on the server directly (`QueuedStore.createRun`): a launch needs the run id before it starts.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { openDatabase, type SqliteDatabase, type SqliteRuntime } from '../../sqlite/openDatabase.ts';
import { TrackingError } from '../errors.ts';
import { splitLogBatch } from '../logBatchChunks.ts';
import type { RunInputsWriter, TrackingWriter } from '../trackingStore.ts';
import type { DatasetInput, LogBatchInput, Tag, UpdateRunInput } from '../types.ts';
import { validateBatch, validateTag } from '../validation.ts';
import { errorMessage } from '../../../shared/errorMessage.ts';

/** A queued write; `ref` is the id of the remote run it applies to. */
export type OutboxOperation =
  | { readonly op: 'logBatch'; readonly ref: string; readonly batch: LogBatchInput }
  | { readonly op: 'setTag'; readonly ref: string; readonly tag: Tag }
  | { readonly op: 'updateRun'; readonly ref: string; readonly update: UpdateRunInput }
  | { readonly op: 'logInputs'; readonly ref: string; readonly datasets: readonly DatasetInput[]; readonly models: readonly { readonly modelId: string }[] };

/** Where the outbox ships to; a remote without `logInputs` refuses queued inputs for good (kept aside). */
export type OutboxRemote = Pick<TrackingWriter, 'logBatch' | 'setTag' | 'updateRun'> & Partial<RunInputsWriter>;

export interface OutboxState {
  /** Operations waiting to be shipped. */
  readonly pending: number;
  /** Operations the server refused for good (bad values, unknown ids); kept, never dropped. */
  readonly failed: number;
  readonly lastError: string | null;
  readonly lastShippedAt: number | null;
}

/** Errors that mean "try again later", not "this can never succeed". */
const TRANSIENT = new Set(['TEMPORARILY_UNAVAILABLE', 'REQUEST_LIMIT_EXCEEDED', 'INTERNAL_ERROR', 'UNAUTHENTICATED', 'PERMISSION_DENIED']);

export class Outbox {
  readonly file: string;
  private readonly db: SqliteDatabase;
  private readonly remote: OutboxRemote;
  private readonly now: () => number;
  private flushing: Promise<number> | undefined;

  constructor(file: string, remote: OutboxRemote, options: { runtime?: SqliteRuntime; now?: () => number } = {}) {
    this.file = path.resolve(file);
    mkdirSync(path.dirname(this.file), { recursive: true });
    this.db = openDatabase(this.file, options.runtime ?? {}, { busyTimeoutMs: 15_000 });
    // The queue is the only copy until shipped: every enqueue is durable before it returns.
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS queue (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        enqueued_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS queue_pending ON queue (state, seq);
      CREATE TABLE IF NOT EXISTS status (id INTEGER PRIMARY KEY CHECK (id = 1), last_error TEXT, last_shipped_at INTEGER);
      INSERT OR IGNORE INTO status (id) VALUES (1);`);
    this.remote = remote;
    this.now = options.now ?? Date.now;
  }

  // ── enqueue (never touches the network) ─────────────────────────────────────────────────────

  /**
   * Queues metrics/params/tags, cut by `splitLogBatch` into entries one MLflow request takes
   * (per-kind counts, entities and bytes). Nothing is queued if any entry is invalid.
   */
  logBatch(ref: string, batch: LogBatchInput): void {
    const parts: LogBatchInput[] = splitLogBatch(batch);
    for (const part of parts) validateBatch(part);
    this.db.transaction(() => {
      for (const part of parts) this.enqueue({ op: 'logBatch', ref, batch: part });
    })();
  }

  setTag(ref: string, tag: Tag): void {
    validateTag(tag);
    this.enqueue({ op: 'setTag', ref, tag });
  }

  /** Queues a run update; returns its sequence number (see `entryState`). */
  updateRun(ref: string, update: UpdateRunInput): number {
    return this.enqueue({ op: 'updateRun', ref, update });
  }

  /** Queues a run's inputs (datasets with their tags, logged models) as one entry; nothing if a tag is invalid. */
  logInputs(ref: string, datasets: readonly DatasetInput[], models: readonly { modelId: string }[] = []): void {
    for (const input of datasets) input.tags.forEach(validateTag);
    this.enqueue({ op: 'logInputs', ref, datasets, models });
  }

  private enqueue(operation: OutboxOperation): number {
    return Number(this.db.prepare('INSERT INTO queue (payload, enqueued_at) VALUES (?, ?)').run(JSON.stringify(operation), this.now()).lastInsertRowid);
  }

  // ── shipping ────────────────────────────────────────────────────────────────────────────────

  /** Where one queued operation is: shipped (gone from the queue), still pending, or refused for good. */
  entryState(seq: number): { readonly state: 'shipped' } | { readonly state: 'pending' | 'failed'; readonly error: string | null } {
    const row = this.db.prepare('SELECT state, error FROM queue WHERE seq = ?').get(seq) as { state: 'pending' | 'failed'; error: string | null } | undefined;
    return row ? { state: row.state, error: row.error } : { state: 'shipped' };
  }

  state(): OutboxState {
    const count = (state: string) => this.db.prepare('SELECT count(*) FROM queue WHERE state = ?').pluck().get(state) as number;
    const status = this.db.prepare('SELECT last_error, last_shipped_at FROM status WHERE id = 1').get() as { last_error: string | null; last_shipped_at: number | null };
    return { pending: count('pending'), failed: count('failed'), lastError: status.last_error, lastShippedAt: status.last_shipped_at };
  }

  /** The operations the server refused for good, with its answer, oldest first. */
  failures(): { seq: number; operation: OutboxOperation; error: string }[] {
    return (this.db.prepare("SELECT seq, payload, error FROM queue WHERE state = 'failed' ORDER BY seq").all() as { seq: number; payload: string; error: string | null }[]).map(
      (row) => ({ seq: row.seq, operation: JSON.parse(row.payload) as OutboxOperation, error: row.error ?? '' }),
    );
  }

  /**
   * Ships pending operations in order until the queue is empty or the server is unreachable.
   * Resolves with the number shipped; never rejects for a server problem (see `state()`).
   * Concurrent calls share one flush.
   */
  flush(maxOperations = 100_000): Promise<number> {
    this.flushing ??= this.ship(maxOperations).finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async ship(maxOperations: number): Promise<number> {
    let shipped = 0;
    const next = this.db.prepare("SELECT seq, payload FROM queue WHERE state = 'pending' ORDER BY seq LIMIT 1");
    while (shipped < maxOperations) {
      const row = next.get() as { seq: number; payload: string } | undefined;
      if (!row) break;
      const operation = JSON.parse(row.payload) as OutboxOperation;
      try {
        await this.apply(operation);
      } catch (err) {
        const message = errorMessage(err);
        const code = err instanceof TrackingError ? err.code : 'TEMPORARILY_UNAVAILABLE';
        this.db.prepare('UPDATE queue SET attempts = attempts + 1, error = ? WHERE seq = ?').run(message, row.seq);
        this.db.prepare('UPDATE status SET last_error = ? WHERE id = 1').run(message);
        if (TRANSIENT.has(code)) return shipped; // keep it at the head of the queue; try later
        // The server will never accept this one: set it aside (kept, visible) and go on.
        this.db.prepare("UPDATE queue SET state = 'failed' WHERE seq = ?").run(row.seq);
        continue;
      }
      this.db.transaction(() => {
        this.db.prepare('DELETE FROM queue WHERE seq = ?').run(row.seq);
        this.db.prepare('UPDATE status SET last_error = NULL, last_shipped_at = ? WHERE id = 1').run(this.now());
      })();
      shipped++;
    }
    return shipped;
  }

  private async apply(operation: OutboxOperation): Promise<void> {
    switch (operation.op) {
      case 'logBatch':
        await this.remote.logBatch(operation.ref, operation.batch);
        return;
      case 'setTag':
        await this.remote.setTag(operation.ref, operation.tag);
        return;
      case 'updateRun':
        await this.remote.updateRun(operation.ref, operation.update);
        return;
      case 'logInputs':
        if (!this.remote.logInputs) throw new TrackingError('INVALID_STATE', `The store the outbox ships to cannot log dataset inputs (run ${operation.ref}).`);
        await this.remote.logInputs(operation.ref, operation.datasets, operation.models);
        return;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
