// The DuckDB engine the profiler, the drift engine and the data checks read tables with. Loaded on
// first use only (a dynamic import): its native library is ~70 MB, and neither activation nor a
// command that never reads a table should pay for it. In the bundles (dist/container.js,
// dist/cli.js) esbuild.mjs redirects `@duckdb/node-bindings` to the copy of the platform's binding
// in dist/duckdb/; from source (tests, bench) npm's own copy is found as usual.
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { errorFirstLine } from '../../shared/errorMessage.ts';

type DuckdbModule = typeof import('@duckdb/node-api');

/** The native engine could not be loaded (missing binding for this platform, a broken install). */
export class DuckdbUnavailableError extends Error {
  override readonly name = 'DuckdbUnavailableError';
  readonly detail: string;
  constructor(detail: string) {
    super(`The DuckDB engine (used to read data files) could not be loaded on ${process.platform}-${process.arch}: ${detail}`);
    this.detail = detail;
  }
}

export interface DuckdbOptions {
  /**
   * Worker threads for the queries. Default: DuckDB's own (all cores). Profiling beside a training
   * process passes fewer, so that the training keeps its CPUs.
   */
  readonly threads?: number;
  /**
   * Queries may return rows in any order (DuckDB's preserve_insertion_order off): reading a CSV
   * into a table is then a good deal faster. The profiler, which only aggregates, asks for it;
   * readTable, whose numbers are in file order, does not.
   */
  readonly unordered?: boolean;
}

let loading: Promise<DuckdbModule> | undefined;
const instances = new Map<string, Promise<DuckDBInstance>>();
/** Where this process's instances spill big aggregates and temporary tables; removed on close and exit. */
const tempDirectory = path.join(os.tmpdir(), `labbook-duckdb-${process.pid}`);
let exitHook = false;

/**
 * DuckDB's memory for one instance: a quarter of the machine's RAM (at least 512 MB). DuckDB's own
 * default is 80%, too much beside a training process in the same machine (or inside the editor's
 * extension host); past the limit it spills to the temp directory instead.
 */
export function duckdbMemoryLimit(totalBytes = os.totalmem()): string {
  return `${Math.max(512, Math.floor(totalBytes / 4 / 1024 ** 2))}MB`;
}

/**
 * Closes every shared instance (their memory goes back) and removes the temp directory. The
 * extension calls it when it is disposed; a later withDuckdb opens a new instance.
 */
export async function closeDuckdb(): Promise<void> {
  const open = [...instances.values()];
  instances.clear();
  for (const instance of open) {
    try {
      (await instance).closeSync();
    } catch {
      // An instance that failed to open has nothing to close.
    }
  }
  removeTempDirectory();
}

function removeTempDirectory(): void {
  try {
    rmSync(tempDirectory, { recursive: true, force: true });
  } catch {
    // Best effort: a file still held open (Windows) stays until the system cleans its temp folder.
  }
}

/** Loads @duckdb/node-api (and its native addon) once; a DuckdbUnavailableError when it cannot. */
export function loadDuckdb(): Promise<DuckdbModule> {
  loading ??= import('@duckdb/node-api').catch((err: unknown) => {
    // Let a later call try again (say, after the user installed a missing library).
    loading = undefined;
    throw new DuckdbUnavailableError(errorFirstLine(err));
  });
  return loading;
}

/** The DuckDB library version, e.g. `v1.5.6`; a DuckdbUnavailableError when it cannot load. */
export async function duckdbVersion(): Promise<string> {
  return (await loadDuckdb()).version();
}

/**
 * Runs `fn` with a fresh connection to a shared in-memory database (one per options) and
 * closes the connection after. Connections are cheap; the instance and its caches are kept.
 */
export async function withDuckdb<T>(fn: (connection: DuckDBConnection) => Promise<T>, options: DuckdbOptions = {}): Promise<T> {
  const threads = options.threads !== undefined && options.threads > 0 ? Math.floor(options.threads) : 0;
  const ordered = options.unordered !== true;
  const key = `${threads}/${ordered}`;
  let instance = instances.get(key);
  if (!instance) {
    instance = createInstance(threads, ordered);
    instances.set(key, instance);
    const opening = instance;
    opening.catch(() => {
      if (instances.get(key) === opening) instances.delete(key);
    });
  }
  const connection = await (await instance).connect();
  try {
    return await fn(connection);
  } finally {
    connection.closeSync();
  }
}

async function createInstance(threads: number, ordered: boolean): Promise<DuckDBInstance> {
  const { DuckDBInstance } = await loadDuckdb();
  // An in-memory database spills big aggregates to `.tmp` in the current directory by default,
  // which is `/` in the extension host: use the system's temp directory instead.
  mkdirSync(tempDirectory, { recursive: true });
  if (!exitHook) {
    // The CLI (and an editor that quits without disposing) leaves by process exit: no spill files left behind.
    exitHook = true;
    process.once('exit', removeTempDirectory);
  }
  const config: Record<string, string> = { temp_directory: tempDirectory, preserve_insertion_order: String(ordered), memory_limit: duckdbMemoryLimit() };
  if (threads > 0) config['threads'] = String(threads);
  try {
    return await DuckDBInstance.create(':memory:', config);
  } catch (err) {
    throw new DuckdbUnavailableError(errorFirstLine(err));
  }
}

/** The first row of a query's result as an object (empty when there is none). */
export async function firstRow(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS()[0] ?? {};
}

/** A SQL string literal (paths and values go into table functions this way; they take no parameters). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A quoted SQL identifier (column names come from the user's file). */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A value read back from DuckDB as text (VARCHAR casts come back as strings; anything else, shown). */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return value === null || value === undefined ? '' : JSON.stringify(value);
}
