// Feature statistics over time: a feature view's offline file source cut into two periods by its
// timestamp field, each written as a Parquet file of the view's features, for the drift panel to
// profile and compare (the same DuckDB profiler and tests as any data). The periods: the two
// halves of the data's time range, or the last day / week against the one before it (ending at
// the newest event). Read and written by DuckDB; nothing of Feast runs.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { asText, firstRow, sqlIdentifier, sqlString, withDuckdb } from '../profile/duckdb.ts';
import { dropTable, openTable } from '../profile/tableSource.ts';

export type PeriodChoice = 'halves' | 'day' | 'week';

export interface Period {
  readonly start: string;
  readonly end: string;
  readonly rows: number;
  /** The Parquet file of the period's rows (the view's features). */
  readonly file: string;
}

export interface FeatureWindows {
  readonly reference: Period;
  readonly current: Period;
  /** Columns asked for that the source does not have. */
  readonly missing: readonly string[];
}

export class FeatureWindowsError extends Error {}

const DAY_MS = 86_400_000;

/** The two periods' bounds (epoch ms, [start, end) each, the last one closed) for a choice over data from `min` to `max`. */
export function periodBounds(choice: PeriodChoice, min: number, max: number): { reference: [number, number]; current: [number, number] } {
  if (choice === 'halves') {
    const mid = min + (max - min) / 2;
    return { reference: [min, mid], current: [mid, max] };
  }
  const span = choice === 'day' ? DAY_MS : 7 * DAY_MS;
  return { reference: [max - 2 * span, max - span], current: [max - span, max] };
}

/** A period as a file-name part: 2026-12-03T10-00-00. */
const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '').replace(/:/g, '-');

/** Cuts `source` (CSV, TSV, Parquet, JSON lines) into the two periods of `choice` by `timestampField`, keeping `columns`; files go to `outDir` named after `name`. */
export async function featureWindows(source: string, timestampField: string, columns: readonly string[], choice: PeriodChoice, outDir: string, name: string): Promise<FeatureWindows> {
  mkdirSync(outDir, { recursive: true });
  return withDuckdb(async (connection) => {
    const opened = await openTable(connection, source);
    try {
      const known = new Set(opened.columns.map((c) => c.name));
      if (!known.has(timestampField)) throw new FeatureWindowsError(`${source} has no timestamp column ${timestampField}`);
      const kept = columns.filter((c) => known.has(c));
      const missing = columns.filter((c) => !known.has(c));
      if (!kept.length) throw new FeatureWindowsError(`${source} has none of the view's features (${columns.join(', ')})`);
      const ts = `epoch_ms(CAST(${sqlIdentifier(timestampField)} AS TIMESTAMP))`;
      const range = await firstRow(connection, `SELECT min(${ts}) AS lo, max(${ts}) AS hi FROM ${opened.table}`);
      if (range['lo'] === null || range['lo'] === undefined) throw new FeatureWindowsError(`${source} has no rows with a ${timestampField}`);
      const [lo, hi] = [Number(asText(range['lo'])), Number(asText(range['hi']))];
      const bounds = periodBounds(choice, lo, hi);
      const select = kept.map(sqlIdentifier).join(', ');
      const write = async ([start, end]: [number, number], last: boolean): Promise<Period> => {
        const file = path.join(outDir, `${name} ${stamp(start)} to ${stamp(end)}.parquet`);
        const where = `${ts} >= ${Math.floor(start)} AND ${ts} ${last ? '<=' : '<'} ${Math.ceil(end)}`;
        await connection.run(`COPY (SELECT ${select} FROM ${opened.table} WHERE ${where}) TO ${sqlString(file)} (FORMAT parquet)`);
        const counted = await firstRow(connection, `SELECT count(*) AS n FROM ${opened.table} WHERE ${where}`);
        return { start: new Date(start).toISOString(), end: new Date(end).toISOString(), rows: Number(asText(counted['n'])), file };
      };
      const reference = await write(bounds.reference, false);
      const current = await write(bounds.current, true);
      return { reference, current, missing };
    } finally {
      await dropTable(connection, opened);
    }
  });
}
