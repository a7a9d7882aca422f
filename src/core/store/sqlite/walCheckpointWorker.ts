// The worker thread that checkpoints a store's WAL (walCheckpointer.ts) on a connection of its
// own, used for nothing else, so a checkpoint's copying and fsyncs never block the thread that
// answers requests. Each 'checkpoint' message gets one checkpoint and one reply; 'close' ends it.
// Bundled as dist/walCheckpointWorker.js beside the SQLite addon; run from source as this file.
import type { Statement } from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../../../shared/errorMessage.ts';
import { openDatabase, type SqliteRuntime } from '../../sqlite/openDatabase.ts';

/** What the thread that starts this worker passes as `workerData`. */
export interface CheckpointWorkerData {
  readonly file: string;
  readonly runtime: SqliteRuntime;
  /** One Int32 the worker sets to 1 (and notifies) once its connection is closed. */
  readonly closed: SharedArrayBuffer;
}

/** The reply to each checkpoint request. */
export type CheckpointReply = { busy: number; log: number; checkpointed: number } | { error: string };

const { file, runtime, closed } = workerData as CheckpointWorkerData;
const closedFlag = new Int32Array(closed);
function markClosed(): void {
  Atomics.store(closedFlag, 0, 1);
  Atomics.notify(closedFlag, 0);
}
let db: ReturnType<typeof openDatabase> | undefined;
let checkpoint: Statement<[], CheckpointReply>;
try {
  // A PASSIVE checkpoint never waits for a lock, so no busy timeout is needed.
  db = openDatabase(file, runtime, { busyTimeoutMs: 0 });
  checkpoint = db.prepare<[], CheckpointReply>('PRAGMA wal_checkpoint(PASSIVE)');
} catch (err) {
  // Nothing of the worker holds the file: a close need not wait (the store checkpoints itself).
  db?.close();
  markClosed();
  throw err;
}
parentPort?.on('message', (message: 'checkpoint' | 'close') => {
  if (message === 'close') {
    try {
      db?.close();
    } finally {
      // The store's close waits for this: after it, no connection of the worker's holds the file.
      markClosed();
      parentPort?.close();
    }
    return;
  }
  let reply: CheckpointReply;
  try {
    reply = checkpoint.get() ?? { error: 'no reply' };
  } catch (err) {
    reply = { error: errorMessage(err) };
  }
  parentPort?.postMessage(reply);
});
