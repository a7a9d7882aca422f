// The two MLflow-speaking trackers interop tests run one body against: a real `mlflow server`, and
// Labbook's local store served over its MLflow-compatible endpoint, started once per describe.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalTrackingServer, type LocalTrackingServer } from '../../src/core/mlflow/server/localTrackingServer.ts';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { startMlflowServer, type MlflowServer } from './mlflowServer.ts';

export interface Trackers {
  /** A temp folder for the test's files; the local store is `tracking.db` in it. */
  readonly dir: string;
  readonly storePath: string;
  readonly store: SqliteTrackingStore;
  readonly labbook: LocalTrackingServer;
  readonly mlflow: MlflowServer;
}

/** Registers before/after hooks in the calling describe; the fields are set once `before` ran. */
export function withTrackers(prefix: string): Trackers {
  const t = {} as { -readonly [K in keyof Trackers]: Trackers[K] };
  before(async () => {
    t.dir = mkdtempSync(path.join(tmpdir(), prefix));
    t.storePath = path.join(t.dir, 'tracking.db');
    t.store = new SqliteTrackingStore(t.storePath);
    t.labbook = await startLocalTrackingServer({ store: t.store });
    t.mlflow = await startMlflowServer();
  });
  after(async () => {
    await t.labbook?.close();
    await t.store?.close();
    await t.mlflow?.dispose();
    if (t.dir) rmSync(t.dir, { recursive: true, force: true });
  });
  return t;
}
