import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../../sqlite/openDatabase.ts';
import { invalidParameter } from '../errors.ts';
import type { Metric, MetricBucket } from '../types.ts';
import { metricFromRow } from './runRows.ts';

/** Metric points and each run's latest value per key, with the statements prepared once. */
export class MetricsTable {
  private readonly insertPoint: Statement;
  private readonly upsertLatest: Statement;
  private readonly history: Statement;
  private readonly range: Statement;
  private readonly buckets: Statement;

  constructor(db: SqliteDatabase) {
    // An exact duplicate (same key, step, timestamp and value) is ignored: retried batches from
    // clients or the outbox never double a point.
    this.insertPoint = db.prepare(
      'INSERT OR IGNORE INTO metrics (run_key, key, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?)',
    );
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
    this.range = db.prepare('SELECT min(step) AS lo, max(step) AS hi FROM metrics WHERE run_key = ? AND key = ?');
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

  insert(runKey: number, metrics: readonly Metric[]): void {
    const latest = new Map<string, Metric>();
    for (const m of metrics) {
      const nan = Number.isNaN(m.value);
      this.insertPoint.run(runKey, m.key, m.step, m.timestamp, nan ? 0 : m.value, nan ? 1 : 0);
      const best = latest.get(m.key);
      if (!best || m.step > best.step || (m.step === best.step && (m.timestamp > best.timestamp || (m.timestamp === best.timestamp && m.value > best.value)))) {
        latest.set(m.key, m);
      }
    }
    for (const m of latest.values()) {
      const nan = Number.isNaN(m.value);
      this.upsertLatest.run(runKey, m.key, m.step, m.timestamp, nan ? 0 : m.value, nan ? 1 : 0);
    }
  }

  getHistory(runKey: number, key: string): Metric[] {
    return (this.history.all(runKey, key) as Parameters<typeof metricFromRow>[0][]).map(metricFromRow);
  }

  getDownsampled(runKey: number, key: string, buckets: number): MetricBucket[] {
    if (!Number.isInteger(buckets) || buckets < 1) throw invalidParameter(`The number of buckets must be a positive integer, got ${buckets}.`);
    const { lo, hi } = this.range.get(runKey, key) as { lo: number | null; hi: number | null };
    if (lo === null || hi === null) return [];
    const width = Math.max(1, Math.ceil((hi - lo + 1) / buckets));
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
