// The two questions a profile cannot always answer, asked of the file in DuckDB: which values
// repeat (uniqueness, when the distinct count is an estimate) and which values are not allowed
// (when the top values do not cover the column). Only the few worst values and a count come back.
import { asText, sqlIdentifier, sqlString, withDuckdb } from '../profile/duckdb.ts';
import { dropTable, openTable } from '../profile/tableSource.ts';

export interface ValueCount {
  readonly value: string;
  readonly count: number;
}

/** The most frequent offending values (up to `LIMIT`), and how many distinct values offend. */
export interface Offenders {
  readonly values: readonly ValueCount[];
  readonly distinct: number;
}

const LIMIT = 5;

async function offenders(file: string, column: string, where: (col: string) => string, having = ''): Promise<Offenders> {
  return withDuckdb(async (connection) => {
    const opened = await openTable(connection, file);
    try {
      if (!opened.columns.some((c) => c.name === column)) throw new Error(`${file} has no column ${column}`);
      const col = sqlIdentifier(column);
      const sql =
        `SELECT CAST(v AS VARCHAR) AS value, n, count(*) OVER () AS total FROM ` +
        `(SELECT ${col} AS v, count(*) AS n FROM ${opened.table} WHERE ${col} IS NOT NULL AND (${where(col)}) GROUP BY ${col} ${having}) ` +
        `ORDER BY n DESC, value LIMIT ${LIMIT}`;
      const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS();
      return { values: rows.map((r) => ({ value: asText(r['value']), count: Number(r['n']) })), distinct: Number(rows[0]?.['total'] ?? 0) };
    } finally {
      await dropTable(connection, opened);
    }
  });
}

/** Values of `column` that appear in more than one row (nulls aside). */
export function repeatedValues(file: string, column: string): Promise<Offenders> {
  return offenders(file, column, () => 'true', 'HAVING count(*) > 1');
}

/**
 * Values of `column` outside `allowed`, matched as the checks file means them: as text, by number
 * (1 allows 1.0), and booleans whatever their case.
 */
export function disallowedValues(file: string, column: string, allowed: readonly (string | number | boolean)[]): Promise<Offenders> {
  const strings = [...new Set(allowed.map(String))];
  const numbers = [...new Set(allowed.map((v) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN)).filter((n) => Number.isFinite(n)))];
  const booleans = allowed.filter((v) => typeof v === 'boolean').map(String);
  return offenders(file, column, (col) => {
    const text = `CAST(${col} AS VARCHAR)`;
    const ok = [`${text} IN (${strings.map(sqlString).join(', ')})`];
    if (numbers.length) ok.push(`coalesce(TRY_CAST(${text} AS DOUBLE) IN (${numbers.map((n) => `${n}::DOUBLE`).join(', ')}), false)`);
    if (booleans.length) ok.push(`lower(${text}) IN (${booleans.map(sqlString).join(', ')})`);
    return `NOT (${ok.join(' OR ')})`;
  });
}
