// Numbers out of DuckDB into JavaScript: a column's non-null values streamed chunk by chunk into a
// Float64Array (readTable's numbers, the profiler's quantiles), and exact quantiles of a sorted
// array with numpy's default (linear) interpolation. Sorting a million doubles in JavaScript is far
// quicker than DuckDB's quantile_cont over a list of 101 probabilities.
import type { DuckDBConnection, DuckDBVector } from '@duckdb/node-api';

/** The first column of `sql`'s rows as numbers (nulls as NaN); `capacity` is the row count expected. */
export async function readNumbers(connection: DuckDBConnection, sql: string, capacity: number): Promise<Float64Array> {
  const result = await connection.stream(sql);
  let numbers = new Float64Array(Math.max(capacity, 0));
  let at = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const vector = chunk.getColumnVector(0) as DuckDBVector<number>;
    if (at + vector.itemCount > numbers.length) {
      const grown = new Float64Array(Math.max(numbers.length * 2, at + vector.itemCount));
      grown.set(numbers.subarray(0, at));
      numbers = grown;
    }
    for (let i = 0; i < vector.itemCount; i++) numbers[at++] = vector.getItem(i) ?? Number.NaN;
  }
  return at === numbers.length ? numbers : numbers.slice(0, at);
}

/**
 * Every column of `sql`'s rows as numbers, in one scan: per column its finite values (nulls, NaN
 * and ±inf left out, as the profile's statistics leave them out; in result order). `capacity` is the row count expected (arrays grow past it).
 */
export async function readNumberColumns(connection: DuckDBConnection, sql: string, capacity: number): Promise<Float64Array[]> {
  const result = await connection.stream(sql);
  const columns: Float64Array[] = [];
  const lengths: number[] = [];
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (let c = 0; c < chunk.columnCount; c++) {
      const vector = chunk.getColumnVector(c) as DuckDBVector<number>;
      let values = columns[c] ?? new Float64Array(Math.max(capacity, vector.itemCount));
      let at = lengths[c] ?? 0;
      if (at + vector.itemCount > values.length) {
        const grown = new Float64Array(Math.max(values.length * 2, at + vector.itemCount));
        grown.set(values.subarray(0, at));
        values = grown;
      }
      for (let i = 0; i < vector.itemCount; i++) {
        const value = vector.getItem(i);
        if (value !== null && Number.isFinite(value)) values[at++] = value;
      }
      columns[c] = values;
      lengths[c] = at;
    }
  }
  return columns.map((values, c) => values.slice(0, lengths[c] ?? 0));
}

/** Quantiles at `probabilities` of ascending `sorted` values: numpy.quantile's linear method. */
export function sortedQuantiles(sorted: Float64Array, probabilities: readonly number[]): number[] {
  const n = sorted.length;
  if (n === 0) return [];
  return probabilities.map((p) => {
    const position = p * (n - 1);
    const lo = Math.floor(position);
    const hi = Math.min(lo + 1, n - 1);
    const a = sorted[lo] ?? Number.NaN;
    const b = sorted[hi] ?? Number.NaN;
    const t = position - lo;
    // numpy's _lerp: from the nearer end, so that p = 1 gives the maximum exactly.
    return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
  });
}
