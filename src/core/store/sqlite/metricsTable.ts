import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../../sqlite/openDatabase.ts';
import { invalidParameter } from '../errors.ts';
import { bucketColumns } from '../bucketColumns.ts';
import type { Metric, MetricBucket, MetricBucketColumns } from '../types.ts';
import { MetricTiles } from './metricTiles.ts';
import { metricFromRow } from './runRows.ts';

/** Thrown inside the fast path's savepoint to roll it back. */
const SOME_DUPLICATE = new Error('some point was a duplicate');

/** Metric points and each run's latest value per key, with the statements prepared once. */
export class MetricsTable {
  private readonly db: SqliteDatabase;
  /** Multi-row inserts by row count; RETURNING gives back exactly the rows that were new. */
  private readonly inserts = new Map<number, Statement>();
  /** The same inserts without RETURNING: the fast path when no point is a duplicate. */
  private readonly plainInserts = new Map<number, Statement>();
  /** Inserts a chunk in a savepoint and keeps it only if every row was new. */
  private readonly insertAllNew: (args: unknown[], rows: number) => boolean;
  private readonly upsertLatest: Statement;
  private readonly history: Statement;
  private readonly firstStep: Statement;
  private readonly lastStep: Statement;
  private readonly buckets: Statement;
  private readonly tiles: MetricTiles;

  constructor(db: SqliteDatabase) {
    this.db = db;
    this.tiles = new MetricTiles(db);
    // Building 1000 result rows costs more than the insert itself, and a batch rarely holds a
    // duplicate: insert plainly, and only when some row was ignored undo that and ask RETURNING.
    const allNew = db.transaction((args: unknown[], rows: number) => {
      if (this.insertStatement(rows, false).run(args).changes !== rows) throw SOME_DUPLICATE;
    });
    this.insertAllNew = (args, rows) => {
      try {
        allNew(args, rows);
        return true;
      } catch (err) {
        if (err === SOME_DUPLICATE) return false;
        throw err;
      }
    };
    // MLflow's rule for the latest value: highest step, then latest timestamp, then largest value.
    this.upsertLatest = db.prepare(`
      INSERT INTO latest_metrics (run_key, key, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (run_key, key) DO UPDATE SET step = excluded.step, timestamp = excluded.timestamp,
        value = excluded.value, is_nan = excluded.is_nan
      WHERE excluded.step > latest_metrics.step
        OR (excluded.step = latest_metrics.step AND excluded.timestamp > latest_metrics.timestamp)
        OR (excluded.step = latest_metrics.step AND excluded.timestamp = latest_metrics.timestamp AND excluded.value > latest_metrics.value)`);
    this.history = db.prepare(
      'SELECT key, value, timestamp, step, is_nan FROM metrics WHERE run_key = ? AND key = ? ORDER BY step, timestamp, value',
    );
    // Separate statements: SQLite answers a lone min() or max() from the index in O(log n).
    this.firstStep = db.prepare('SELECT min(step) AS step FROM metrics WHERE run_key = ? AND key = ?').pluck();
    this.lastStep = db.prepare('SELECT max(step) AS step FROM metrics WHERE run_key = ? AND key = ?').pluck();
    // One pass over the key's points in (step, timestamp) order: per bucket the min and max (NaN
    // points excluded from both), the count, and the last point (window function picks it).
    this.buckets = db.prepare(`
      WITH points AS (
        SELECT step, timestamp, value, is_nan, (step - CAST(@lo AS INTEGER)) / CAST(@width AS INTEGER) AS b,
               row_number() OVER (PARTITION BY (step - CAST(@lo AS INTEGER)) / CAST(@width AS INTEGER) ORDER BY step DESC, timestamp DESC, value DESC) AS rank_from_end
        FROM metrics WHERE run_key = @run AND key = @key
      )
      SELECT b, min(step) AS stepStart, max(step) AS stepEnd, count(*) AS count,
             min(CASE WHEN is_nan THEN NULL ELSE value END) AS min,
             max(CASE WHEN is_nan THEN NULL ELSE value END) AS max,
             max(CASE WHEN rank_from_end = 1 THEN (CASE WHEN is_nan THEN NULL ELSE value END) END) AS last,
             max(CASE WHEN rank_from_end = 1 THEN is_nan END) AS lastIsNan,
             max(CASE WHEN rank_from_end = 1 THEN step END) AS lastStep,
             max(CASE WHEN rank_from_end = 1 THEN timestamp END) AS lastTimestamp
      FROM points GROUP BY b ORDER BY b`);
  }

  /**
   * Stores points; an exact duplicate (same key, step, timestamp and value) is ignored, so
   * retried batches from clients or the outbox never double a point. `fastPath: false` always
   * takes the RETURNING path (the tests compare both).
   */
  insert(runKey: number, metrics: readonly Metric[], options: { fastPath?: boolean } = {}): void {
    const latest = new Map<string, Metric>();
    // Until some chunk holds a duplicate, the accepted points are `metrics` itself (no copy).
    let accepted: Metric[] | undefined;
    const CHUNK = 250;
    for (let start = 0; start < metrics.length; start += CHUNK) {
      const end = Math.min(start + CHUNK, metrics.length);
      const args: unknown[] = [];
      for (let i = start; i < end; i++) {
        const m = metrics[i] as Metric;
        const nan = Number.isNaN(m.value);
        args.push(runKey, m.key, m.step, m.timestamp, nan ? 0 : m.value, nan ? 1 : 0);
      }
      if (options.fastPath !== false && this.insertAllNew(args, end - start)) {
        if (accepted) for (let i = start; i < end; i++) accepted.push(metrics[i] as Metric);
        continue;
      }
      accepted ??= metrics.slice(0, start);
      type Row = { key: string; step: number; timestamp: number; value: number; is_nan: number };
      for (const row of this.insertStatement(end - start, true).all(args) as Row[]) accepted.push(metricFromRow(row));
    }
    const stored: readonly Metric[] = accepted ?? metrics;
    for (const m of stored) {
      const best = latest.get(m.key);
      if (!best || m.step > best.step || (m.step === best.step && (m.timestamp > best.timestamp || (m.timestamp === best.timestamp && m.value > best.value)))) {
        latest.set(m.key, m);
      }
    }
    for (const m of latest.values()) {
      const nan = Number.isNaN(m.value);
      this.upsertLatest.run(runKey, m.key, m.step, m.timestamp, nan ? 0 : m.value, nan ? 1 : 0);
    }
    this.tiles.add(runKey, stored);
  }

  private insertStatement(rows: number, returning: boolean): Statement {
    const cache = returning ? this.inserts : this.plainInserts;
    let statement = cache.get(rows);
    if (!statement) {
      const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?)').join(', ');
      statement = this.db.prepare(
        `INSERT OR IGNORE INTO metrics (run_key, key, step, timestamp, value, is_nan) VALUES ${values}${returning ? ' RETURNING key, step, timestamp, value, is_nan' : ''}`,
      );
      cache.set(rows, statement);
    }
    return statement;
  }

  getHistory(runKey: number, key: string): Metric[] {
    return (this.history.all(runKey, key) as Parameters<typeof metricFromRow>[0][]).map(metricFromRow);
  }

  /** Where the buckets start and how many steps each spans; undefined for an empty history. */
  private bucketRange(runKey: number, key: string, buckets: number): { lo: number; width: number } | undefined {
    if (!Number.isInteger(buckets) || buckets < 1) throw invalidParameter(`The number of buckets must be a positive integer, got ${buckets}.`);
    const lo = this.firstStep.get(runKey, key) as number | null;
    const hi = this.lastStep.get(runKey, key) as number | null;
    if (lo === null || hi === null) return undefined;
    return { lo, width: Math.max(1, Math.ceil((hi - lo + 1) / buckets)) };
  }

  /** getDownsampled's buckets as columns, built from the tiles' rows without an object per bucket. */
  getDownsampledColumns(runKey: number, key: string, buckets: number): MetricBucketColumns {
    const range = this.bucketRange(runKey, key, buckets);
    if (!range) return bucketColumns([]);
    return this.tiles.columns(runKey, key, range.lo, range.width, buckets) ?? bucketColumns(this.getDownsampled(runKey, key, buckets));
  }

  getDownsampled(runKey: number, key: string, buckets: number): MetricBucket[] {
    const range = this.bucketRange(runKey, key, buckets);
    if (!range) return [];
    const { lo, width } = range;
    // Wide buckets come from the pre-aggregated tiles; narrow ones read the points.
    const merged = this.tiles.buckets(runKey, key, lo, width);
    if (merged) return merged;
    type Row = Omit<MetricBucket, 'min' | 'max' | 'last'> & { min: number | null; max: number | null; last: number | null; lastIsNan: number };
    return (this.buckets.all({ lo, width, run: runKey, key }) as Row[]).map((r) => ({
      stepStart: r.stepStart,
      stepEnd: r.stepEnd,
      count: r.count,
      min: r.min ?? Number.NaN,
      max: r.max ?? Number.NaN,
      last: r.lastIsNan ? Number.NaN : (r.last ?? Number.NaN),
      lastStep: r.lastStep,
      lastTimestamp: r.lastTimestamp,
    }));
  }
}
