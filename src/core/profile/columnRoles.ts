// What each column is (its kind) and what it is for (its role), shared by readTable and the
// profiler so that a profile and a table read from the same file agree.
//
// Kinds follow the engine's type, as Evidently's column typing does (a numeric dtype is numerical):
// - integer, decimal and floating types → numeric, whatever their number of distinct values. A
//   numeric column with few values (0/1 flags, ratings) stays numeric here; the drift engine
//   decides how to test it (Evidently switches to chi-square / z-test at ≤ 5 distinct values).
// - BOOLEAN → boolean; DATE and TIMESTAMP types → datetime.
// - VARCHAR → categorical when it repeats (≤ 20 distinct, or fewer distinct values than half its
//   non-null rows, and never past MAX_CATEGORIES), else text. Other types (lists, structs, blobs,
//   TIME) → text.
// Roles: `timestamp` (a datetime column, or a numeric one named like a time whose values are all
// epoch seconds or milliseconds of 2001–2096 — travel_time or response_time_ms in small numbers are
// durations, features; text named like a time whose every value parses is read as TIMESTAMP first,
// see parseTimeColumns),
// `row-number` (integers 0..n-1 or 1..n, each once), `id` (unique in every row: integers named like
// an id, or short strings without spaces named so or in a table of 20 rows or more), else `feature`.
// An integer feature of a small file is often unique too, and a feature taken for an id would drop
// out of drift silently, hence the name for integers. Uniqueness is checked exactly, on candidates.
import type { DuckDBConnection } from '@duckdb/node-api';
import { isIntegerType } from './columnTypes.ts';
import { firstRow, sqlIdentifier } from './duckdb.ts';
import { MAX_CATEGORIES } from './tableData.ts';
import type { ColumnKind, ColumnRole } from './types.ts';

export interface ColumnScan {
  readonly name: string;
  readonly type: string;
  readonly kind: ColumnKind;
  readonly count: number;
  readonly nulls: number;
  /** approx_count_distinct (HyperLogLog, within a few percent). */
  readonly distinct: number;
  /** numeric and datetime (epoch ms) columns. */
  readonly min?: number;
  readonly max?: number;
  /** numeric and datetime values that are not finite (inf, -inf, NaN): left out of min, max and moments. */
  readonly nonFinite?: number;
  /** numeric columns, when asked for (scanColumns' `moments`): mean and sample std (ddof 1, as pandas). */
  readonly mean?: number;
  readonly std?: number;
}

export interface RoleAssignment {
  readonly role: ColumnRole;
  readonly roleReason?: string;
}

const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL(\(.*\))?)$/;
const DATETIME_TYPE = /^(DATE|TIMESTAMP(_S|_MS|_NS)?|TIMESTAMP WITH TIME ZONE)$/;
// A name's words: separated by _ - . or a space (any case: user_ID, Event-Date), or camelCase
// humps, which only a capital starts (userId, dateOfBirth). A case-insensitive camelCase part would
// take any word ending in the letters for one (runtime, update, paid, valid, monkey), and a column
// taken for a time or an id drops out of drift silently.
/** time, date, timestamp, datetime, ts as a word of the name, or a trailing _at. */
const TIME_WORD = /(^|[_\s.-])(time|date|timestamp|datetime|ts)([_\s.-]|$)|_at$/i;
const TIME_CAMEL = /[a-z0-9](Time|Date|Timestamp|DateTime)$|^([Tt]ime|[Dd]ate|[Tt]imestamp|[Dd]ate[Tt]ime)(?=[A-Z0-9])/;
/** id, key, uuid, guid as a word of the name (user_id, userId, ID, key). */
const ID_WORD = /(^|[_\s.-])(id|key|uuid|guid)([_\s.-]|$)/i;
const ID_CAMEL = /[a-z0-9](Id|ID|Key|Uuid|UUID|Guid|GUID)$/;

/** Whether a column's name says it holds times (created_at, eventTime, dateOfBirth; not runtime, update). */
export function namedLikeTime(name: string): boolean {
  return TIME_WORD.test(name) || TIME_CAMEL.test(name);
}

/** Whether a column's name says it is an id or a key (user_id, userId, ID; not paid, valid, monkey). */
export function namedLikeId(name: string): boolean {
  return ID_WORD.test(name) || ID_CAMEL.test(name);
}

/** The kind a column's type gives before its values are seen (VARCHAR needs its distinct count). */
export function kindOfType(type: string): ColumnKind | 'varchar' {
  if (NUMERIC_TYPE.test(type)) return 'numeric';
  if (DATETIME_TYPE.test(type)) return 'datetime';
  if (type === 'BOOLEAN') return 'boolean';
  if (type === 'VARCHAR') return 'varchar';
  return 'text';
}

/** categorical or text for a VARCHAR column, by how often its values repeat. */
export function kindOfVarchar(distinct: number, nonNull: number): ColumnKind {
  if (distinct > MAX_CATEGORIES) return 'text';
  return distinct <= 20 || distinct * 2 <= nonNull ? 'categorical' : 'text';
}

/** The column as a DOUBLE (datetimes as epoch milliseconds), for numeric and datetime columns. */
export function numberExpression(column: { name: string; type: string }): string {
  const id = sqlIdentifier(column.name);
  if (column.type === 'DATE') return `CAST(epoch_ms(CAST(${id} AS TIMESTAMP)) AS DOUBLE)`;
  if (DATETIME_TYPE.test(column.type)) return `CAST(epoch_ms(${id}) AS DOUBLE)`;
  return `CAST(${id} AS DOUBLE)`;
}

/** SQL true when a numeric or datetime column's value is finite (not inf, -inf, NaN; DuckDB's isfinite). */
export function finiteCondition(column: { name: string; type: string }): string {
  const id = sqlIdentifier(column.name);
  return DATETIME_TYPE.test(column.type) ? `isfinite(${id})` : `isfinite(CAST(${id} AS DOUBLE))`;
}

/**
 * Text columns named like a time whose every value parses as one (JSON has no date type; a CSV
 * sniffer can miss a format) become TIMESTAMP columns of the temporary table. Returns the columns
 * as they are now, and a note per converted column.
 */
export async function parseTimeColumns(connection: DuckDBConnection, table: string, columns: readonly { name: string; type: string }[]): Promise<{ columns: { name: string; type: string }[]; notes: string[] }> {
  const notes: string[] = [];
  const out: { name: string; type: string }[] = [];
  for (const column of columns) {
    const id = sqlIdentifier(column.name);
    if (column.type === 'VARCHAR' && namedLikeTime(column.name)) {
      const row = await firstRow(connection, `SELECT count(${id}) AS n, count(try_cast(${id} AS TIMESTAMP)) AS t FROM ${table}`);
      if (Number(row['n']) > 0 && row['n'] === row['t']) {
        await connection.run(`ALTER TABLE ${table} ALTER ${id} TYPE TIMESTAMP USING try_cast(${id} AS TIMESTAMP)`);
        notes.push(`Column ${column.name} holds text; read as TIMESTAMP (it is named like a time and every value parses as one).`);
        out.push({ name: column.name, type: 'TIMESTAMP' });
        continue;
      }
    }
    out.push(column);
  }
  return { columns: out, notes };
}

/** One pass: counts, nulls, approximate distinct counts and numeric ranges (and moments) of every column. */
export async function scanColumns(connection: DuckDBConnection, table: string, columns: readonly { name: string; type: string }[], rows: number, options: { moments?: boolean } = {}): Promise<ColumnScan[]> {
  const select: string[] = [];
  columns.forEach((column, i) => {
    const id = sqlIdentifier(column.name);
    select.push(`count(${id}) AS c${i}`, `approx_count_distinct(${id}) AS d${i}`);
    const kind = kindOfType(column.type);
    // One inf in a column would make its range infinite and stddev_samp throw ("out of range"):
    // the statistics are of the finite values, and the others are counted.
    const finite = `FILTER (WHERE ${finiteCondition(column)})`;
    if (kind === 'numeric' || kind === 'datetime') {
      select.push(`min(${numberExpression(column)}) ${finite} AS lo${i}`, `max(${numberExpression(column)}) ${finite} AS hi${i}`);
      select.push(`count(${id}) FILTER (WHERE NOT ${finiteCondition(column)}) AS f${i}`);
    }
    if (kind === 'numeric' && options.moments) select.push(`avg(${numberExpression(column)}) ${finite} AS m${i}`, `stddev_samp(${numberExpression(column)}) ${finite} AS s${i}`);
  });
  const row = (await connection.runAndReadAll(`SELECT ${select.join(', ')} FROM ${table}`)).getRowObjectsJS()[0] ?? {};
  return columns.map((column, i) => {
    const nonNull = Number(row[`c${i}`] ?? 0);
    const distinct = Math.min(Number(row[`d${i}`] ?? 0), nonNull);
    const typeKind = kindOfType(column.type);
    const kind = typeKind === 'varchar' ? kindOfVarchar(distinct, nonNull) : typeKind;
    const lo = row[`lo${i}`];
    const hi = row[`hi${i}`];
    const mean = row[`m${i}`];
    const std = row[`s${i}`];
    const nonFinite = Number(row[`f${i}`] ?? 0);
    return {
      name: column.name,
      type: column.type,
      kind,
      count: rows,
      nulls: rows - nonNull,
      distinct,
      ...(typeof lo === 'number' ? { min: lo } : {}),
      ...(typeof hi === 'number' ? { max: hi } : {}),
      ...(nonFinite > 0 ? { nonFinite } : {}),
      ...(typeof mean === 'number' && Number.isFinite(mean) ? { mean } : {}),
      ...(typeof std === 'number' && Number.isFinite(std) ? { std } : {}),
    };
  });
}

/** Roles of the scanned columns (see the file comment); a few exact queries on candidates only. */
export async function assignRoles(connection: DuckDBConnection, table: string, scans: readonly ColumnScan[], rows: number): Promise<RoleAssignment[]> {
  const roles: RoleAssignment[] = [];
  for (const scan of scans) roles.push(await roleOf(connection, table, scan, rows));
  return roles;
}

async function roleOf(connection: DuckDBConnection, table: string, scan: ColumnScan, rows: number): Promise<RoleAssignment> {
  const id = sqlIdentifier(scan.name);
  if (scan.kind === 'datetime') return { role: 'timestamp', roleReason: `a ${scan.type === 'DATE' ? 'date' : 'date-time'} column` };
  if (namedLikeTime(scan.name) && scan.count > scan.nulls) {
    if (scan.kind === 'numeric' && epochLike(scan)) return { role: 'timestamp', roleReason: 'named like a time, with epoch values' };
  }
  // Unique keys: no nulls, at least 2 rows, and an estimate close enough to every row to check.
  const integer = isIntegerType(scan.type);
  if (rows < 2 || scan.nulls > 0 || scan.distinct < rows * 0.9 || !(integer || scan.type === 'VARCHAR')) return { role: 'feature' };
  if (integer) {
    const unique = await isUnique(connection, table, id, rows, scan);
    if (!unique) return { role: 'feature' };
    if ((scan.min === 0 && scan.max === rows - 1) || (scan.min === 1 && scan.max === rows)) {
      return { role: 'row-number', roleReason: `the row numbers ${scan.min}…${scan.max}, each once` };
    }
    return namedLikeId(scan.name) ? { role: 'id', roleReason: 'named like an id, an integer unique in every row' } : { role: 'feature' };
  }
  if (!namedLikeId(scan.name) && rows < 20) return { role: 'feature' };
  const keyLike = await firstRow(connection, `SELECT max(length(${id})) <= 64 AND NOT bool_or(regexp_matches(${id}, '\\s')) AS ok FROM ${table}`);
  if (keyLike['ok'] !== true) return { role: 'feature' };
  return (await isUnique(connection, table, id, rows)) ? { role: 'id', roleReason: 'a short string key unique in every row' } : { role: 'feature' };
}

/** Epoch seconds (1e9 s is 2001-09, 4e9 s is 2096) or milliseconds in the same years: every finite value in range. */
const EPOCH_RANGES: readonly (readonly [number, number])[] = [
  [1e9, 4e9],
  [1e12, 4e12],
];

/** Whether a numeric column's finite values all look like epoch times (a duration is far smaller). */
function epochLike(scan: ColumnScan): boolean {
  const { min, max } = scan;
  if (min === undefined || max === undefined) return false;
  return EPOCH_RANGES.some(([lo, hi]) => min >= lo && max <= hi);
}

/** Whether every row holds a different value (no nulls, as checked before). */
async function isUnique(connection: DuckDBConnection, table: string, id: string, rows: number, range?: { min?: number; max?: number }): Promise<boolean> {
  const { min, max } = range ?? {};
  if (min !== undefined && max !== undefined && Number.isSafeInteger(min) && Number.isSafeInteger(max) && max - min < BITMAP_RANGE) {
    // Integers in a bounded range: one bit per possible value, set when seen; as many bits set as
    // rows means no repeat. A tenth of the time of count(DISTINCT) on 10M rows.
    if (max - min + 1 < rows) return false;
    const row = await firstRow(connection, `SELECT bit_count(bitstring_agg(CAST(${id} AS BIGINT), ${min}, ${max})) AS n FROM ${table}`);
    return Number(row['n']) === rows;
  }
  const row = await firstRow(connection, `SELECT count(DISTINCT ${id}) AS n FROM ${table}`);
  return Number(row['n']) === rows;
}

/** Integer ranges up to this wide are checked for repeats with a bitmap (12.5 MB at most). */
const BITMAP_RANGE = 100_000_000;
