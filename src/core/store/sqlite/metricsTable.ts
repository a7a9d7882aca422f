import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../../sqlite/openDatabase.ts';
import { invalidParameter } from '../errors.ts';
import { bucketColumns } from '../bucketColumns.ts';
import type { Metric, MetricBucket, MetricBucketColumns } from '../types.ts';
import { latestByKey } from '../latestMetric.ts';
import { MetricTiles, rowsPerStatement } from './metricTiles.ts';
import { metricFromRow } from './runRows.ts';

/** Thrown inside the fast path's savepoint to roll it back. */
const SOME_DUPLICATE = new Error('some point was a duplicate');
/** Rows per insert statement at most; a shorter run takes the largest power of two that fits. */
const MAX_ROWS = 512;
/** A key with fewer points than this in a batch shares one statement with the batch's other sparse keys. */
const KEYED_MIN = 16;

/** Points of one key (bound once per statement), or of several sparse keys (bound per row). */
export interface PointGroup {
  readonly key: string | undefined;
  readonly points: readonly Metric[];
}

/** Metric points and each run's latest value per key, with the statements prepared once. */
export class MetricsTable {
  private readonly db: SqliteDatabase;
  /** Multi-row inserts by kind (keyed or not, RETURNING or not) and row count (a power of two). */
  private readonly inserts = new Map<string, Statement>();
  /** Inserts a group in a savepoint and keeps it only if every row was new. */
  private readonly insertAllNew: (runKey: number, group: PointGroup) => boolean;
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
    const allNew = db.transaction((runKey: number, group: PointGroup) => {
      if (this.insertGroup(runKey, group, undefined) !== group.points.length) throw SOME_DUPLICATE;
    });
    this.insertAllNew = (runKey, group) => {
      try {
        allNew(runKey, group);
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
    const stored: Metric[][] = [];
    for (const group of groupByKey(metrics)) {
      if (options.fastPath !== false && this.insertAllNew(runKey, group)) stored.push(group.points as Metric[]);
      else {
        const rows: Metric[] = [];
        this.insertGroup(runKey, group, rows);
        stored.push(rows);
      }
    }
    const points: readonly Metric[] = stored.length === 1 ? (stored[0] as Metric[]) : stored.flat();
    for (const m of latestByKey(points).values()) {
      const nan = Number.isNaN(m.value);
      this.upsertLatest.run(runKey, m.key, m.step, m.timestamp, nan ? 0 : m.value, nan ? 1 : 0);
    }
    this.tiles.add(runKey, points);
  }

  /**
   * Inserts a group's points in runs of up to MAX_ROWS rows. Without `returned`, returns how many
   * rows were new; with it, collects the new rows there (RETURNING).
   */
  private insertGroup(runKey: number, group: PointGroup, returned: Metric[] | undefined): number {
    const { key, points } = group;
    const named = key === undefined ? { run: runKey } : { run: runKey, key };
    let changes = 0;
    for (let start = 0; start < points.length; ) {
      const rows = rowsPerStatement(points.length - start, MAX_ROWS);
      // Numbers only when the key is bound once: a NaN binds as NULL, which the SQL turns into
      // value 0 and is_nan 1 (as the table stores NaN).
      const args: unknown[] = [];
      for (let i = start; i < start + rows; i++) {
        const m = points[i] as Metric;
        if (key === undefined) args.push(m.key, m.step, m.timestamp, m.value);
        else args.push(m.step, m.timestamp, m.value);
      }
      const statement = this.insertStatement(rows, key !== undefined, returned !== undefined);
      if (returned) {
        type Row = { key: string; step: number; timestamp: number; value: number; is_nan: number };
        for (const row of statement.all(args, named) as Row[]) returned.push(metricFromRow(row));
      } else changes += statement.run(args, named).changes;
      start += rows;
    }
    return changes;
  }

  private insertStatement(rows: number, keyed: boolean, returning: boolean): Statement {
    const id = `${rows}${keyed ? 'k' : ''}${returning ? 'r' : ''}`;
    let statement = this.inserts.get(id);
    if (!statement) {
      const row = keyed ? '(?, ?, ?)' : '(?, ?, ?, ?)';
      const columns = keyed ? '@key, column1, column2, coalesce(column3, 0), column3 IS NULL' : 'column1, column2, column3, coalesce(column4, 0), column4 IS NULL';
      statement = this.db.prepare(
        `INSERT OR IGNORE INTO metrics (run_key, key, step, timestamp, value, is_nan) SELECT @run, ${columns} FROM (VALUES ${Array.from({ length: rows }, () => row).join(', ')})` +
          (returning ? ' RETURNING key, step, timestamp, value, is_nan' : ''),
      );
      this.inserts.set(id, statement);
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

/**
 * The batch's points by key, in order: a key with KEYED_MIN points or more is a group of its own
 * (its key bound once, three numbers a row); the sparse keys share one group.
 */
export function groupByKey(metrics: readonly Metric[]): PointGroup[] {
  const byKey = new Map<string, Metric[]>();
  let lastKey: string | undefined;
  let last: Metric[] = [];
  for (const m of metrics) {
    if (m.key !== lastKey) {
      lastKey = m.key;
      let group = byKey.get(m.key);
      if (!group) byKey.set(m.key, (group = []));
      last = group;
    }
    last.push(m);
  }
  if (byKey.size === 1 && metrics.length >= KEYED_MIN) return [{ key: lastKey, points: metrics }];
  const groups: PointGroup[] = [];
  const sparse: Metric[] = [];
  for (const [key, points] of byKey) {
    if (points.length >= KEYED_MIN) groups.push({ key, points });
    else for (const m of points) sparse.push(m);
  }
  if (sparse.length) groups.push({ key: undefined, points: sparse });
  return groups;
}
