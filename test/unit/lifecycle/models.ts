// The lifecycle tests' stores: a model `clf` with versions whose runs logged different rmse, one
// trained on a real data file (recorded in data.json with its sha256, as a launched run records
// it), `@champion` on version 1. Served two ways: the local SQLite store, and the REST store over
// Labbook's own MLflow-compatible endpoint on 127.0.0.1 backed by it.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeDataRecord } from '../../../src/core/data/dataRecord.ts';
import { startLocalTrackingServer } from '../../../src/core/mlflow/server/localTrackingServer.ts';
import { RestTrackingStore } from '../../../src/core/store/rest/restStore.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { TrackingStore } from '../../../src/core/store/trackingStore.ts';

export interface Models {
  readonly dir: string;
  /** The data file version 2 was trained on. */
  readonly dataFile: string;
  /** Version 4's logged model (its linked rmse differs from its run's). */
  readonly modelId: string;
  readonly runs: readonly string[];
}

/**
 * v1 rmse 0.5 (params.model=ridge, @champion), v2 rmse 0.45 trained on data/train.csv,
 * v3 rmse 0.7 (its run tagged labbook.smoke.status=passed), v4 registered from a logged model whose
 * linked rmse is 0.3 while its run's latest rmse is 0.9.
 */
export async function buildModels(store: SqliteTrackingStore, dir: string): Promise<Models> {
  const cwd = path.join(dir, 'project');
  mkdirSync(path.join(cwd, 'data'), { recursive: true });
  const dataFile = path.join(cwd, 'data', 'train.csv');
  writeFileSync(dataFile, 'x,y\n1,2\n3,4\n');
  const sha256 = createHash('sha256').update('x,y\n1,2\n3,4\n').digest('hex');
  const runs: string[] = [];
  const rmse = [0.5, 0.45, 0.7, 0.9];
  for (const [i, value] of rmse.entries()) {
    const runId = (await store.createRun({ experimentId: '0', runName: `train-${i + 1}` })).info.runId;
    await store.logBatch(runId, { params: [{ key: 'model', value: i === 0 ? 'ridge' : 'lasso' }], metrics: [{ key: 'rmse', value: value + 1, timestamp: 1, step: 0 }, { key: 'rmse', value, timestamp: 2, step: 1 }] });
    runs.push(runId);
  }
  await writeDataRecord(store, runs[1] as string, { version: 1, cwd, outputs: [], notes: [], inputs: [{ path: 'data/train.csv', kind: 'file', found: ['observed'], sha256 }] });
  await store.setTag(runs[2] as string, { key: 'labbook.smoke.status', value: 'passed' });
  const modelId = store.transaction(() => store.loggedModels.create({ experimentId: '0', name: 'clf', sourceRunId: runs[3] })).modelId;
  await store.logBatch(runs[3] as string, { metrics: [{ key: 'rmse', value: 0.3, timestamp: 1, step: 5, modelId }] });
  await store.logBatch(runs[3] as string, { metrics: [{ key: 'rmse', value: 0.9, timestamp: 3, step: 6 }] });
  await store.createRegisteredModel('clf');
  for (const runId of runs.slice(0, 3)) await store.createModelVersion('clf', `runs:/${runId}/model`, runId);
  await store.createModelVersion('clf', `models:/${modelId}`, runs[3] as string);
  await store.setRegisteredModelAlias('clf', 'champion', '1');
  return { dir, dataFile, modelId, runs };
}

export interface Opened {
  readonly store: TrackingStore;
  readonly models: Models;
  close(): Promise<void>;
}

/** The store kinds every lifecycle test runs over, each opened fresh (the tests move aliases). */
export const STORE_KINDS: readonly (readonly [string, () => Promise<Opened>])[] = [
  ['local SQLite store', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-lifecycle-'));
    const sqlite = new SqliteTrackingStore(path.join(dir, 'tracking.db'), { user: 'ada' });
    const models = await buildModels(sqlite, dir);
    return { store: sqlite, models, close: async () => { await sqlite.close(); rmSync(dir, { recursive: true, force: true }); } };
  }],
  ['REST store (Labbook’s endpoint on 127.0.0.1)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-lifecycle-rest-'));
    const sqlite = new SqliteTrackingStore(path.join(dir, 'tracking.db'), { user: 'ada' });
    const models = await buildModels(sqlite, dir);
    const server = await startLocalTrackingServer({ store: sqlite });
    const rest = new RestTrackingStore({ baseUrl: server.url, auth: { kind: 'bearer', token: server.token }, retry: { maxAttempts: 1 } });
    return {
      store: rest, models,
      close: async () => {
        await rest.close();
        await server.close();
        await sqlite.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }],
];
