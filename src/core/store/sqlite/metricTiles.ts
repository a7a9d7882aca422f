// Downsampling that stays fast at any history length: every accepted point also updates one
// tile per level (widths 16, 64, 256, 4096, 16^4 and 16^5 steps), and a downsampled read merges
// the tiles of the coarsest level whose tiles are at most the bucket width (the fewest rows that
// still give every bucket a tile). A tile joins the bucket its first step falls in, so bucket
// edges are exact to within one tile, and every point is in exactly one bucket: min and max are
// exact, no spike is lost.
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../../sqlite/openDatabase.ts';
import type { Metric, MetricBucket, MetricBucketColumns } from '../types.ts';

/**
 * The tile levels, finest first: each level's width is a multiple of the one before it, and a tile
 * of one level is the merge of the tiles below it. A level is stored by its id: ids 1–5 are widths
 * 16^id (the first schema); id 6, 64 steps wide, came later (schema 4 builds it from level 1)
 * and sits between 1 and 2, so buckets 64–255 steps wide read a quarter of level 1's rows.
 */
interface TileLevel {
  readonly id: number;
  readonly width: number;
}

const TILE_LEVELS: readonly TileLevel[] = [
  { id: 1, width: 16 },
  { id: 6, width: 64 },
  { id: 2, width: 256 },
  { id: 3, width: 4096 },
  { id: 4, width: 65_536 },
  { id: 5, width: 1_048_576 },
];
/** The finest level's width: a point's tile there is floor(step / TILE_BASE). */
const TILE_BASE = (TILE_LEVELS[0] as TileLevel).width;
/** Tile rows per upsert statement at most. */
const MAX_TILE_ROWS = 128;

/**
 * How many of `left` rows the next multi-row statement takes: `max`, or the largest power of two
 * up to `left`, so at most log2(max) + 1 statement sizes are ever prepared.
 */
export function rowsPerStatement(left: number, max: number): number {
  return left >= max ? max : 2 ** Math.floor(Math.log2(left));
}

/** The coarsest tile level whose tiles fit in a bucket `width` steps wide; undefined when none does. */
function tileLevel(width: number): TileLevel | undefined {
  let level: TileLevel | undefined;
  for (const candidate of TILE_LEVELS) {
    if (candidate.width > width) break;
    level = candidate;
  }
  return level;
}

/** One tile (or bucket) being summed up; NaN points count but join neither min nor max. */
export interface Aggregate {
  count: number;
  min: number | null;
  max: number | null;
  firstStep: number;
  lastStep: number;
  lastTimestamp: number;
  /** null for NaN */
  lastValue: number | null;
}

function later(step: number, timestamp: number, value: number | null, than: Aggregate): boolean {
  if (step !== than.lastStep) return step > than.lastStep;
  if (timestamp !== than.lastTimestamp) return timestamp > than.lastTimestamp;
  return (value ?? Number.NEGATIVE_INFINITY) > (than.lastValue ?? Number.NEGATIVE_INFINITY);
}

/** Folds `part` into `into` (both summaries of disjoint point sets). */
export function mergeAggregate(into: Aggregate, part: Aggregate): void {
  into.count += part.count;
  if (part.min !== null) into.min = into.min === null ? part.min : Math.min(into.min, part.min);
  if (part.max !== null) into.max = into.max === null ? part.max : Math.max(into.max, part.max);
  into.firstStep = Math.min(into.firstStep, part.firstStep);
  if (later(part.lastStep, part.lastTimestamp, part.lastValue, into)) {
    into.lastStep = part.lastStep;
    into.lastTimestamp = part.lastTimestamp;
    into.lastValue = part.lastValue;
  }
}

/** `mergeAggregate(into, pointAggregate(m))` without building the point's aggregate. */
function mergePoint(into: Aggregate, m: Metric): void {
  const value = Number.isNaN(m.value) ? null : m.value;
  into.count += 1;
  if (value !== null) {
    into.min = into.min === null ? value : Math.min(into.min, value);
    into.max = into.max === null ? value : Math.max(into.max, value);
  }
  into.firstStep = Math.min(into.firstStep, m.step);
  if (later(m.step, m.timestamp, value, into)) {
    into.lastStep = m.step;
    into.lastTimestamp = m.timestamp;
    into.lastValue = value;
  }
}

export function pointAggregate(m: Metric): Aggregate {
  const value = Number.isNaN(m.value) ? null : m.value;
  return { count: 1, min: value, max: value, firstStep: m.step, lastStep: m.step, lastTimestamp: m.timestamp, lastValue: value };
}

export function toBucket(a: Aggregate): MetricBucket {
  return {
    stepStart: a.firstStep,
    stepEnd: a.lastStep,
    count: a.count,
    min: a.min ?? Number.NaN,
    max: a.max ?? Number.NaN,
    last: a.lastValue ?? Number.NaN,
    lastStep: a.lastStep,
    lastTimestamp: a.lastTimestamp,
  };
}

export class MetricTiles {
  private readonly db: SqliteDatabase;
  /** Multi-row upserts by row count (a power of two). */
  private readonly upserts = new Map<number, Statement>();
  private readonly read: Statement;
  /** Only what the columns need, as arrays (raw): no object per tile. */
  private readonly readColumns: Statement;

  constructor(db: SqliteDatabase) {
    this.db = db;
    this.read = db.prepare(
      'SELECT tile, count, min, max, first_step, last_step, last_timestamp, last_value FROM metric_tiles WHERE run_key = ? AND key = ? AND level = ? ORDER BY tile',
    );
    this.readColumns = db
      .prepare('SELECT tile, min, max, last_step, last_timestamp, last_value FROM metric_tiles WHERE run_key = ? AND key = ? AND level = ? ORDER BY tile')
      .raw();
  }

  /** Adds points that were newly stored (duplicates already left out by the caller). */
  add(runKey: number, points: readonly Metric[]): void {
    // Level 1 from the points, each higher level from the one below: one pass over the points.
    // Points mostly come in step order, so the previous point's tile is checked before the map.
    let tiles = new Map<string, { key: string; tile: number; agg: Aggregate }>();
    let previous: { key: string; tile: number; agg: Aggregate } | undefined;
    for (const m of points) {
      const tile = Math.floor(m.step / TILE_BASE);
      if (previous?.tile === tile && previous.key === m.key) {
        mergePoint(previous.agg, m);
        continue;
      }
      const id = `${m.key}\u0000${tile}`;
      previous = tiles.get(id);
      if (previous) mergePoint(previous.agg, m);
      else {
        previous = { key: m.key, tile, agg: pointAggregate(m) };
        tiles.set(id, previous);
      }
    }
    // Every level's tiles go out in a few multi-row upserts (a (key, level, tile) appears once).
    const rows: unknown[] = [];
    for (const [i, { id: level, width }] of TILE_LEVELS.entries()) {
      for (const { key, tile, agg: a } of tiles.values()) rows.push(key, level, tile, a.count, a.min, a.max, a.firstStep, a.lastStep, a.lastTimestamp, a.lastValue);
      const next = TILE_LEVELS[i + 1];
      if (!next) break;
      const ratio = next.width / width;
      const parents = new Map<string, { key: string; tile: number; agg: Aggregate }>();
      for (const { key, tile, agg } of tiles.values()) {
        const parent = Math.floor(tile / ratio);
        const id = `${key}\u0000${parent}`;
        const entry = parents.get(id);
        if (entry) mergeAggregate(entry.agg, agg);
        else parents.set(id, { key, tile: parent, agg: { ...agg } });
      }
      tiles = parents;
    }
    const named = { run: runKey };
    for (let start = 0; start < rows.length; ) {
      const count = rowsPerStatement((rows.length - start) / TILE_COLUMNS, MAX_TILE_ROWS);
      const end = start + count * TILE_COLUMNS;
      this.upsert(count).run(start === 0 && end === rows.length ? rows : rows.slice(start, end), named);
      start = end;
    }
  }

  private upsert(rows: number): Statement {
    let statement = this.upserts.get(rows);
    if (!statement) {
      statement = this.db.prepare(`
        INSERT INTO metric_tiles (run_key, key, level, tile, count, min, max, first_step, last_step, last_timestamp, last_value)
        SELECT @run, column1, column2, column3, column4, column5, column6, column7, column8, column9, column10
        FROM (VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}) WHERE true
        ON CONFLICT (run_key, key, level, tile) DO UPDATE SET
          count = metric_tiles.count + excluded.count,
          min = CASE WHEN metric_tiles.min IS NULL THEN excluded.min WHEN excluded.min IS NULL THEN metric_tiles.min ELSE min(metric_tiles.min, excluded.min) END,
          max = CASE WHEN metric_tiles.max IS NULL THEN excluded.max WHEN excluded.max IS NULL THEN metric_tiles.max ELSE max(metric_tiles.max, excluded.max) END,
          first_step = min(metric_tiles.first_step, excluded.first_step),
          last_step = CASE WHEN ${laterSql} THEN excluded.last_step ELSE metric_tiles.last_step END,
          last_timestamp = CASE WHEN ${laterSql} THEN excluded.last_timestamp ELSE metric_tiles.last_timestamp END,
          last_value = CASE WHEN ${laterSql} THEN excluded.last_value ELSE metric_tiles.last_value END`);
      this.upserts.set(rows, statement);
    }
    return statement;
  }

  /**
   * Buckets `width` steps wide starting at step `lo`, merged from tiles; undefined when no level
   * is fine enough for that width (the caller then reads the points).
   */
  buckets(runKey: number, key: string, lo: number, width: number): MetricBucket[] | undefined {
    const level = tileLevel(width);
    if (!level) return undefined;
    const tileWidth = level.width;
    const out: Aggregate[] = [];
    let current: Aggregate | undefined;
    let currentBucket = Number.NaN;
    type Row = { tile: number; count: number; min: number | null; max: number | null; first_step: number; last_step: number; last_timestamp: number; last_value: number | null };
    for (const row of this.read.iterate(runKey, key, level.id) as Iterable<Row>) {
      const bucket = Math.max(0, Math.floor((row.tile * tileWidth - lo) / width));
      const agg: Aggregate = { count: row.count, min: row.min, max: row.max, firstStep: row.first_step, lastStep: row.last_step, lastTimestamp: row.last_timestamp, lastValue: row.last_value };
      if (current && bucket === currentBucket) mergeAggregate(current, agg);
      else {
        current = agg;
        currentBucket = bucket;
        out.push(current);
      }
    }
    return out.map(toBucket);
  }

  /**
   * The buckets of buckets() as columns, at most `count` of them, straight from the rows: tiles
   * come in step order, so a bucket's last point is its last tile's and only min and max merge.
   */
  columns(runKey: number, key: string, lo: number, width: number, count: number): MetricBucketColumns | undefined {
    const level = tileLevel(width);
    if (!level) return undefined;
    const tileWidth = level.width;
    type Row = [tile: number, min: number | null, max: number | null, lastStep: number, lastTimestamp: number, lastValue: number | null];
    const rows = this.readColumns.all(runKey, key, level.id) as Row[];
    const size = Math.min(count, rows.length);
    const step = new Float64Array(size);
    const timestamp = new Float64Array(size);
    const min = new Float64Array(size).fill(Number.NaN);
    const max = new Float64Array(size).fill(Number.NaN);
    const last = new Float64Array(size);
    let n = 0;
    let currentBucket = Number.NaN;
    for (const [tile, tileMin, tileMax, lastStep, lastTimestamp, lastValue] of rows) {
      // Clamped: a point logged by another connection after `lo` and `width` were read joins the last bucket.
      const bucket = Math.min(count - 1, Math.max(0, Math.floor((tile * tileWidth - lo) / width)));
      if (bucket !== currentBucket) {
        currentBucket = bucket;
        n++;
      }
      const i = n - 1;
      // NaN never wins a comparison: a bucket of NaN values only keeps NaN.
      if (tileMin !== null && !(tileMin >= (min[i] as number))) min[i] = tileMin;
      if (tileMax !== null && !(tileMax <= (max[i] as number))) max[i] = tileMax;
      step[i] = lastStep;
      timestamp[i] = lastTimestamp;
      last[i] = lastValue ?? Number.NaN;
    }
    const cut = (column: Float64Array) => (n === size ? column : column.slice(0, n));
    return { step: cut(step), timestamp: cut(timestamp), min: cut(min), max: cut(max), last: cut(last) };
  }
}

/** Values a tile row binds (all its columns but run_key). */
const TILE_COLUMNS = 10;

const laterSql = `(excluded.last_step > metric_tiles.last_step
  OR (excluded.last_step = metric_tiles.last_step AND excluded.last_timestamp > metric_tiles.last_timestamp)
  OR (excluded.last_step = metric_tiles.last_step AND excluded.last_timestamp = metric_tiles.last_timestamp
      AND coalesce(excluded.last_value, -9e999) > coalesce(metric_tiles.last_value, -9e999)))`;
