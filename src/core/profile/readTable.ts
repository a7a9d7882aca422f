// A table's values as the drift engine and the data checks compare them (TableData): the non-null
// numbers of numeric and datetime columns (datetimes as epoch ms), in file order, and the value
// counts of the others (a GROUP BY in DuckDB, so only the counts cross into JavaScript).
import type { DuckDBConnection } from '@duckdb/node-api';
import { readNumbers } from './columnNumbers.ts';
import { assignRoles, numberExpression, parseTimeColumns, scanColumns, type ColumnScan } from './columnRoles.ts';
import { asText, sqlIdentifier, withDuckdb, type DuckdbOptions } from './duckdb.ts';
import { MAX_CATEGORIES, type ColumnValues, type TableData } from './tableData.ts';
import { dropTable, openTable, type TableReadOptions } from './tableSource.ts';

export interface ReadTableOptions extends TableReadOptions, DuckdbOptions {
  /** Only these columns (by name); the others are not read. Unknown names are noted. */
  readonly columns?: readonly string[];
  /**
   * Read the values of row-identifying columns (ids, row numbers, timestamps) too. Default true;
   * drift, which leaves them out unless asked, passes false and gets only their counts and role.
   */
  readonly identifierValues?: boolean;
}

/**
 * Reads a CSV, TSV, Parquet or JSON-lines file. Throws a TableReadError (missing, empty, unknown
 * format, unreadable) or a DuckdbUnavailableError.
 */
export async function readTable(file: string, options: ReadTableOptions = {}): Promise<TableData> {
  return withDuckdb(async (connection) => {
    const opened = await openTable(connection, file, options);
    try {
      const notes = [...opened.notes];
      let columns = opened.columns;
      if (options.columns) {
        const wanted = new Set(options.columns);
        const missing = options.columns.filter((name) => !opened.columns.some((c) => c.name === name));
        if (missing.length) notes.push(`No column named ${missing.join(', ')}.`);
        columns = opened.columns.filter((c) => wanted.has(c.name));
      }
      const timed = await parseTimeColumns(connection, opened.table, columns);
      notes.push(...timed.notes);
      const scans = await scanColumns(connection, opened.table, timed.columns, opened.rows);
      const roles = await assignRoles(connection, opened.table, scans, opened.rows);
      const values: ColumnValues[] = [];
      for (const [i, scan] of scans.entries()) {
        const role = roles[i] ?? { role: 'feature' as const };
        const read = role.role === 'feature' || options.identifierValues !== false;
        const data = read ? await columnValues(connection, opened.table, scan) : { note: 'identifies rows: values not read' };
        values.push({ name: scan.name, type: scan.type, kind: scan.kind, ...role, count: scan.count, nulls: scan.nulls, ...data });
      }
      return { path: file, format: opened.format, rows: opened.rows, columns: values, notes };
    } finally {
      await dropTable(connection, opened);
    }
  }, options);
}

async function columnValues(connection: DuckDBConnection, table: string, scan: ColumnScan): Promise<Pick<ColumnValues, 'numbers' | 'categories' | 'note'>> {
  if (scan.kind === 'numeric' || scan.kind === 'datetime') return { numbers: await readColumnNumbers(connection, table, scan, scan.count - scan.nulls) };
  if (scan.distinct > MAX_CATEGORIES) return { note: `more than ${MAX_CATEGORIES.toLocaleString('en-US')} distinct values (free text): not counted` };
  const id = sqlIdentifier(scan.name);
  // LIMIT one past the cap: the estimate can be low, and the exact count decides.
  const reader = await connection.runAndReadAll(`SELECT CAST(${id} AS VARCHAR) AS v, count(*) AS n FROM ${table} WHERE ${id} IS NOT NULL GROUP BY ALL ORDER BY n DESC, v LIMIT ${MAX_CATEGORIES + 1}`);
  const rows = reader.getRowsJS();
  if (rows.length > MAX_CATEGORIES) return { note: `more than ${MAX_CATEGORIES.toLocaleString('en-US')} distinct values (free text): not counted` };
  const categories = new Map<string, number>();
  for (const [value, count] of rows) categories.set(asText(value), Number(count));
  return { categories };
}

/** The non-null values as DOUBLEs, in file order. */
function readColumnNumbers(connection: DuckDBConnection, table: string, scan: ColumnScan, nonNull: number): Promise<Float64Array> {
  return readNumbers(connection, `SELECT ${numberExpression(scan)} AS x FROM ${table} WHERE ${sqlIdentifier(scan.name)} IS NOT NULL`, nonNull);
}
