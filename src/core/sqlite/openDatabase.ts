import Database from 'better-sqlite3';
import { errorMessage } from '../../shared/errorMessage.ts';

/** Where better-sqlite3's native addon lives. In the bundled extension it sits next to the bundle
 *  (`dist/better_sqlite3.node`); in plain Node (tests, CLI from source) the package finds its own
 *  prebuild, so this is left undefined. */
export interface SqliteRuntime {
  readonly nativeBinding?: string;
}

export type SqliteDatabase = Database.Database;

export class SqliteUnavailableError extends Error {
  override readonly name = 'SqliteUnavailableError';
  readonly detail: string;
  constructor(detail: string) {
    super(`The SQLite engine could not be loaded: ${detail}`);
    this.detail = detail;
  }
}

export interface OpenDatabaseOptions {
  readonly readonly?: boolean;
  /** Milliseconds a writer waits for another process's lock before failing. */
  readonly busyTimeoutMs?: number;
}

/** Opens (creating if needed) a SQLite database in WAL mode, safe for several processes. */
export function openDatabase(file: string, runtime: SqliteRuntime, options: OpenDatabaseOptions = {}): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(file, {
      readonly: options.readonly ?? false,
      timeout: options.busyTimeoutMs ?? 5000,
      ...(runtime.nativeBinding === undefined ? {} : { nativeBinding: runtime.nativeBinding }),
    });
  } catch (err) {
    if (isAddonLoadError(err)) throw new SqliteUnavailableError(errorMessage(err));
    throw err;
  }
  if (!options.readonly && file !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  return db;
}

/** The SQLite library version the native addon was built with, or a SqliteUnavailableError. */
export function sqliteVersion(runtime: SqliteRuntime): string {
  const db = openDatabase(':memory:', runtime);
  try {
    const row = db.prepare('select sqlite_version() as version').get() as { version: string };
    return row.version;
  } finally {
    db.close();
  }
}

function isAddonLoadError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_DLOPEN_FAILED' || /\.node\b/.test(errorMessage(err));
}

