// Sweeps and their trials in the local store (tables `sweeps` and `sweep_trials`, migration 3).
// This is where a study's state lives: the Optuna driver is stateless and is given the finished
// trials again when it starts, so a sweep resumes after a reload or a crash from these rows alone.
// Every write bumps store_meta.change_seq, like the tracking store's writes, so views that watch
// the store notice sweeps changing. A sweep is driven by one owner at a time (a window, or a
// `labbook sweep run`): the owner heartbeats, and another may take it over once it is stale.
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../sqlite/openDatabase.ts';
import type { ParamValue, SweepRecord, SweepSpec, SweepState, TrialRecord, TrialState } from './types.ts';

interface SweepRow {
  sweep_id: string;
  name: string;
  file: string;
  spec: string;
  state: string;
  parallelism: number;
  parent_run_id: string;
  experiment_id: string;
  target: string;
  pool: string;
  owner: string;
  owner_seen: number;
  created_at: number;
  ended_at: number | null;
  paused_ms: number;
  paused_at: number | null;
  note: string;
}

interface TrialRow {
  sweep_id: string;
  number: number;
  params: string;
  state: string;
  value: number | null;
  optuna_number: number | null;
  created_at: number;
  ended_at: number | null;
  note: string;
}

const ENDED_STATES: ReadonlySet<SweepState> = new Set(['finished', 'stopped', 'failed']);

export interface CreateSweepInput {
  readonly sweepId: string;
  readonly name: string;
  readonly file: string;
  readonly spec: SweepSpec;
  readonly parallelism: number;
  readonly target: string;
  /** The queue pool of its items (default '': the editor windows'). */
  readonly pool?: string;
  readonly parentRunId?: string;
  readonly experimentId?: string;
}

export class SweepStore {
  private readonly bump: Statement;
  private readonly db: SqliteDatabase;
  private readonly now: () => number;

  constructor(db: SqliteDatabase, now: () => number = Date.now) {
    this.db = db;
    this.now = now;
    this.bump = db.prepare('UPDATE store_meta SET change_seq = change_seq + 1 WHERE id = 1');
  }

  /** One IMMEDIATE write transaction that also bumps the store's change sequence. */
  private write<T>(fn: () => T): T {
    return this.db
      .transaction(() => {
        const value = fn();
        this.bump.run();
        return value;
      })
      .immediate();
  }

  create(input: CreateSweepInput): SweepRecord {
    const createdAt = this.now();
    this.write(() =>
      this.db
        .prepare(
          `INSERT INTO sweeps (sweep_id, name, file, spec, state, parallelism, parent_run_id, experiment_id, target, pool, created_at)
           VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)`,
        )
        .run(input.sweepId, input.name, input.file, JSON.stringify(input.spec), input.parallelism, input.parentRunId ?? '', input.experimentId ?? '', input.target, input.pool ?? '', createdAt),
    );
    return this.get(input.sweepId) as SweepRecord;
  }

  get(sweepId: string): SweepRecord | undefined {
    const row = this.db.prepare('SELECT * FROM sweeps WHERE sweep_id = ?').get(sweepId) as SweepRow | undefined;
    return row && sweepOf(row);
  }

  /** Newest first. */
  list(): SweepRecord[] {
    return (this.db.prepare('SELECT * FROM sweeps ORDER BY created_at DESC, rowid DESC').all() as SweepRow[]).map(sweepOf);
  }

  /** The owner and when it was last seen (for takeover decisions and views). */
  owner(sweepId: string): { owner: string; seenAt: number } | undefined {
    const row = this.db.prepare('SELECT owner, owner_seen FROM sweeps WHERE sweep_id = ?').get(sweepId) as Pick<SweepRow, 'owner' | 'owner_seen'> | undefined;
    return row && { owner: row.owner, seenAt: row.owner_seen };
  }

  /**
   * An ended state also records when it ended; `note` replaces the note when given. Entering
   * 'paused' records when; leaving it adds the pause to paused_ms (the time budget skips it).
   */
  setState(sweepId: string, state: SweepState, note?: string): void {
    const now = this.now();
    const endedAt = ENDED_STATES.has(state) ? now : null;
    const paused = state === 'paused' ? 1 : 0;
    this.write(() =>
      this.db
        .prepare(
          `UPDATE sweeps SET state = @state, ended_at = @endedAt, note = COALESCE(@note, note),
             paused_ms = paused_ms + CASE WHEN state = 'paused' AND @paused = 0 AND paused_at IS NOT NULL THEN MAX(0, @now - paused_at) ELSE 0 END,
             paused_at = CASE WHEN @paused = 0 THEN NULL WHEN state = 'paused' AND paused_at IS NOT NULL THEN paused_at ELSE @now END
           WHERE sweep_id = @sweepId`,
        )
        .run({ state, endedAt, note: note ?? null, paused, now, sweepId }),
    );
  }

  /** The queue pool of the engine that drives the sweep now. */
  setPool(sweepId: string, pool: string): void {
    this.write(() => this.db.prepare('UPDATE sweeps SET pool = ? WHERE sweep_id = ?').run(pool, sweepId));
  }

  setParentRun(sweepId: string, runId: string, experimentId: string): void {
    this.write(() => this.db.prepare('UPDATE sweeps SET parent_run_id = ?, experiment_id = ? WHERE sweep_id = ?').run(runId, experimentId, sweepId));
  }

  /** In trial-number order. */
  trials(sweepId: string): TrialRecord[] {
    return (this.db.prepare('SELECT * FROM sweep_trials WHERE sweep_id = ? ORDER BY number').all(sweepId) as TrialRow[]).map(trialOf);
  }

  trial(sweepId: string, number: number): TrialRecord | undefined {
    const row = this.db.prepare('SELECT * FROM sweep_trials WHERE sweep_id = ? AND number = ?').get(sweepId, number) as TrialRow | undefined;
    return row && trialOf(row);
  }

  /** Inserts or replaces the trial (sweepId, number). */
  putTrial(trial: TrialRecord): void {
    this.write(() =>
      this.db
        .prepare(
          `INSERT INTO sweep_trials (sweep_id, number, params, state, value, optuna_number, created_at, ended_at, note)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (sweep_id, number) DO UPDATE SET params = excluded.params, state = excluded.state, value = excluded.value,
             optuna_number = excluded.optuna_number, created_at = excluded.created_at, ended_at = excluded.ended_at, note = excluded.note`,
        )
        .run(
          trial.sweepId, trial.number, JSON.stringify(trial.params), trial.state,
          trial.value !== undefined && Number.isFinite(trial.value) ? trial.value : null,
          trial.optunaNumber ?? null, trial.createdAt, trial.endedAt ?? null, trial.note,
        ),
    );
  }

  /**
   * Makes `owner` the sweep's owner when it already is, when there is none, or when the current
   * one has not been seen for `staleMs`. Atomic: two windows asking at once, one wins.
   */
  takeOwnership(sweepId: string, owner: string, staleMs: number): boolean {
    const now = this.now();
    return this.write(
      () =>
        this.db
          .prepare(`UPDATE sweeps SET owner = ?, owner_seen = ? WHERE sweep_id = ? AND (owner = ? OR owner = '' OR owner_seen < ?)`)
          .run(owner, now, sweepId, owner, now - staleMs).changes > 0,
    );
  }

  /** Keeps `owner`'s claim fresh (no effect when another owns the sweep). */
  heartbeat(sweepId: string, owner: string): void {
    // No change_seq bump: a heartbeat every few seconds is not a change any view shows.
    this.db.prepare('UPDATE sweeps SET owner_seen = ? WHERE sweep_id = ? AND owner = ?').run(this.now(), sweepId, owner);
  }

  /** Lets go of the sweep (its owner stops driving it, e.g. the CLI exits), so another may take it at once. */
  release(sweepId: string, owner: string): void {
    this.db.prepare(`UPDATE sweeps SET owner = '', owner_seen = 0 WHERE sweep_id = ? AND owner = ?`).run(sweepId, owner);
  }
}

function sweepOf(row: SweepRow): SweepRecord {
  return {
    sweepId: row.sweep_id,
    name: row.name,
    file: row.file,
    spec: JSON.parse(row.spec) as SweepSpec,
    state: row.state as SweepState,
    parallelism: row.parallelism,
    parentRunId: row.parent_run_id,
    experimentId: row.experiment_id,
    target: row.target,
    pool: row.pool,
    createdAt: row.created_at,
    ...(row.ended_at !== null ? { endedAt: row.ended_at } : {}),
    pausedMs: row.paused_ms,
    ...(row.paused_at !== null ? { pausedAt: row.paused_at } : {}),
    note: row.note,
  };
}

function trialOf(row: TrialRow): TrialRecord {
  return {
    sweepId: row.sweep_id,
    number: row.number,
    params: JSON.parse(row.params) as Record<string, ParamValue>,
    state: row.state as TrialState,
    ...(row.value !== null ? { value: row.value } : {}),
    ...(row.optuna_number !== null ? { optunaNumber: row.optuna_number } : {}),
    createdAt: row.created_at,
    ...(row.ended_at !== null ? { endedAt: row.ended_at } : {}),
    note: row.note,
  };
}
