// Opening a tabular file in DuckDB: which format it is (by extension, else by its first bytes), the
// reader call for it, and a temporary table holding it for the queries that follow. Each
// connection has its own temporary tables, so concurrent reads do not meet.
import { open, stat } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { errorMessage } from '../../shared/errorMessage.ts';
import { asText, DuckdbUnavailableError, sqlIdentifier, sqlString } from './duckdb.ts';
import { TABULAR_EXTENSIONS, tabularFormatOf } from './tabularFiles.ts';
import type { TableFormat } from './types.ts';

export type TableErrorReason = 'missing' | 'empty' | 'unknown-format' | 'unreadable' | 'engine';

/** A file that cannot be read as a table, with a reason a person can act on. */
export class TableReadError extends Error {
  override readonly name = 'TableReadError';
  readonly reason: TableErrorReason;
  readonly file: string;
  constructor(file: string, reason: TableErrorReason, message: string) {
    super(message);
    this.file = file;
    this.reason = reason;
  }
}

export interface TableReadOptions {
  /** Read as this format whatever the extension says. */
  readonly format?: TableFormat;
}

export interface SourceColumn {
  readonly name: string;
  /** DuckDB's type name: BIGINT, DOUBLE, VARCHAR, TIMESTAMP, … */
  readonly type: string;
}

export interface OpenedTable {
  /** The temporary table's quoted name, for `FROM`. */
  readonly table: string;
  readonly format: TableFormat;
  readonly size: number;
  readonly mtime: string;
  readonly rows: number;
  readonly columns: readonly SourceColumn[];
  readonly notes: string[];
}

/**
 * The table format a path names by its extension (compressed `.csv.gz` too), or undefined: the
 * tabular list (tabularFiles.ts), and `.json` read as JSON lines when a file is named explicitly
 * (a folder's or a run's `.json` files are not taken for tables).
 */
export function tableFormatOf(file: string): TableFormat | undefined {
  return tabularFormatOf(file) ?? (/\.json(\.(gz|zst))?$/i.test(file) ? 'jsonl' : undefined);
}

/** Format by extension, else by the first bytes: Parquet's magic, a JSON object, a tab or a comma. */
export async function detectFormat(file: string, options: TableReadOptions = {}): Promise<DetectedFormat> {
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    throw new TableReadError(file, 'missing', `${file} cannot be read: ${errorMessage(err)}`);
  }
  if (!info.isFile()) throw new TableReadError(file, 'missing', `${file} is not a file`);
  if (info.size === 0) throw new TableReadError(file, 'empty', `${file} is empty`);
  const base = { size: info.size, mtime: info.mtime.toISOString() };
  const known = options.format ?? tableFormatOf(file);
  if (known === 'parquet' || known === 'jsonl' || file.toLowerCase().match(/\.(gz|zst)$/)) return { format: known ?? 'csv', ...base };
  const handle = await open(file, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const text = head.toString('utf8');
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  if (known === 'tsv') return { format: 'tsv', delimiter: '\t', ...base };
  if (known === 'csv') return { format: 'csv', delimiter: delimiterOf(firstLine), ...base };
  if (head.subarray(0, 4).toString('latin1') === 'PAR1') return { format: 'parquet', ...base };
  if (head.includes(0)) throw new TableReadError(file, 'unknown-format', `${file} is a binary file that is not Parquet: profiles read CSV, TSV, Parquet and JSON lines`);
  if (/^\s*[{[]/.test(text)) return { format: 'jsonl', ...base };
  if (firstLine.includes('\t')) return { format: 'tsv', delimiter: '\t', ...base };
  if (/[,;|]/.test(firstLine)) return { format: 'csv', delimiter: delimiterOf(firstLine), ...base };
  throw new TableReadError(file, 'unknown-format', `${file}: cannot tell its format from the name or the content (profiles read ${TABULAR_EXTENSIONS.join(' ')})`);
}

export interface DetectedFormat {
  readonly format: TableFormat;
  readonly size: number;
  readonly mtime: string;
  /** CSV and TSV: the field separator, from the header line. */
  readonly delimiter?: string;
}

/** The most frequent of , ; | tab in the header line outside quotes (',' when none). */
function delimiterOf(line: string): string {
  const unquoted = line.replace(/"[^"]*"/g, '');
  let best = ',';
  let most = 0;
  for (const d of [',', ';', '|', '\t']) {
    const n = unquoted.split(d).length - 1;
    if (n > most) [best, most] = [d, n];
  }
  return best;
}

function readerCall(file: string, detected: DetectedFormat, fullSample: boolean): string {
  const sample = fullSample ? ', sample_size = -1' : '';
  // The delimiter is given and no line may be skipped: left to guess both, DuckDB's sniffer reads a
  // ragged file as one text column, or skips its first lines, rather than failing.
  const csv = (delimiter: string) => `read_csv(${sqlString(file)}, delim = ${sqlString(delimiter)}, skip = 0, strict_mode = true${sample})`;
  switch (detected.format) {
    case 'csv':
      return csv(detected.delimiter ?? ',');
    case 'tsv':
      return csv('\t');
    case 'parquet':
      return `read_parquet(${sqlString(file)})`;
    case 'jsonl':
      return `read_json_auto(${sqlString(file)}${fullSample ? ', sample_size = -1' : ''})`;
  }
}

let tableCounter = 0;

/**
 * Reads the file into a temporary table on `connection` (one parse of a CSV, then columnar queries
 * over it), and describes it. Throws a TableReadError with the reason when it cannot.
 */
export async function openTable(connection: DuckDBConnection, file: string, options: TableReadOptions = {}): Promise<OpenedTable> {
  const detected = await detectFormat(file, options);
  const { format, size, mtime } = detected;
  const table = sqlIdentifier(`labbook_table_${++tableCounter}`);
  const notes: string[] = [];
  try {
    await connection.run(`CREATE TEMP TABLE ${table} AS SELECT * FROM ${readerCall(file, detected, false)}`);
  } catch (err) {
    // The type sniffer looks at the first rows only; a later value that does not fit ("n/a" in a
    // number column) fails the read. Sniff from every row once before giving up.
    if (!/convert|cast/i.test(errorMessage(err)) || format === 'parquet') throw readError(file, detected, err);
    try {
      await connection.run(`CREATE TEMP TABLE ${table} AS SELECT * FROM ${readerCall(file, detected, true)}`);
      notes.push('Column types were guessed from every row (the first rows alone misled the guess).');
    } catch (again) {
      throw readError(file, detected, again);
    }
  }
  const described = (await connection.runAndReadAll(`DESCRIBE ${table}`)).getRowObjectsJS();
  const columns = described.map((row) => ({ name: asText(row['column_name']), type: asText(row['column_type']) }));
  const counted = (await connection.runAndReadAll(`SELECT count(*) AS n FROM ${table}`)).getRowObjectsJS();
  const rows = Number(counted[0]?.['n'] ?? 0);
  if (columns.length === 0) throw new TableReadError(file, 'empty', `${file} has no columns`);
  return { table, format, size, mtime, rows, columns, notes };
}

function readError(file: string, detected: DetectedFormat, err: unknown): TableReadError {
  if (err instanceof DuckdbUnavailableError) return new TableReadError(file, 'engine', err.message);
  const what = detected.format.toUpperCase();
  const message = errorMessage(err);
  if (/not possible to automatically detect the CSV parsing dialect/.test(message)) {
    const delimiter = detected.delimiter === '\t' ? 'tab' : `'${detected.delimiter ?? ','}'`;
    return new TableReadError(file, 'unreadable', `${file} cannot be read as ${what}: its lines do not split into the same number of fields with the delimiter ${delimiter} (a ragged row or an unclosed quote)`);
  }
  // DuckDB's messages run to many lines of hints; the first few carry the cause.
  const detail = message.split('\n').filter((line) => line.trim()).slice(0, 3).join(' ');
  return new TableReadError(file, 'unreadable', `${file} cannot be read as ${what}: ${detail}`);
}

/** Frees the temporary table before the connection closes (a big file's copy can be large). */
export async function dropTable(connection: DuckDBConnection, opened: OpenedTable): Promise<void> {
  await connection.run(`DROP TABLE IF EXISTS ${opened.table}`);
}
