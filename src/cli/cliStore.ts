// The store a `labbook` command reads and writes: a local store file (--store, else
// .labbook/tracking.db here), or, when no --store is given and MLFLOW_TRACKING_URI names an
// http(s) server, that server, with MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/_PASSWORD as
// the mlflow client reads them.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { SqliteRuntime } from '../core/sqlite/openDatabase.ts';
import type { TrackingStore } from '../core/store/trackingStore.ts';
import { displayUri } from '../shared/displayUri.ts';
import { UsageError } from './usage.ts';

export interface CliStoreRequest {
  readonly store?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly sqliteRuntime?: SqliteRuntime;
  /** Refuse a local store file that does not exist yet instead of creating it. */
  readonly mustExist?: boolean;
}

/** The store and where it is. A remote server gets two attempts per request: a CI step fails fast. */
export async function openCliStore(request: CliStoreRequest): Promise<{ store: TrackingStore; description: string }> {
  const uri = request.env['MLFLOW_TRACKING_URI']?.trim();
  if (request.store === undefined && uri) {
    if (!/^https?:\/\//i.test(uri)) throw new UsageError(`MLFLOW_TRACKING_URI=${displayUri(uri)} is not an http(s) server; unset it, or pass --store FILE for a local store`);
    // The address only: CI logs and reports must not carry a password or token embedded in the URI.
    return { store: await serverStore(uri, request.env, { maxAttempts: 2 }), description: displayUri(uri) };
  }
  const file = path.resolve(request.cwd, request.store ?? path.join('.labbook', 'tracking.db'));
  if (request.mustExist && !existsSync(file)) throw new UsageError(`there is no store at ${file}: pass --store FILE, or set MLFLOW_TRACKING_URI to a server`);
  const { SqliteTrackingStore } = await import('../core/store/sqlite/sqliteTrackingStore.ts');
  return { store: new SqliteTrackingStore(file, { runtime: request.sqliteRuntime ?? {} }), description: file };
}

/** The MLflow server at `uri`, with the credentials the mlflow client would read from `env`. */
export async function serverStore(uri: string, env: NodeJS.ProcessEnv, retry?: { maxAttempts: number }): Promise<TrackingStore> {
  const { RestTrackingStore } = await import('../core/store/rest/restStore.ts');
  const token = env['MLFLOW_TRACKING_TOKEN'];
  const username = env['MLFLOW_TRACKING_USERNAME'];
  const auth = token ? { kind: 'bearer' as const, token } : username ? { kind: 'basic' as const, username, password: env['MLFLOW_TRACKING_PASSWORD'] ?? '' } : { kind: 'none' as const };
  return new RestTrackingStore({ baseUrl: uri, auth, ...(retry ? { retry } : {}) });
}
