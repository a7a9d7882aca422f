// Sorting the numeric columns is most of computeDrift's time on large tables. driftBetween sorts
// them before computeDrift, half of them on a second thread (a small eval'd worker sorting
// SharedArrayBuffer-backed copies in place), and computeDrift takes the sorted copies from this
// cache. Small tables, or a worker that cannot start, are sorted on the calling thread as before.
import { Worker } from 'node:worker_threads';
import type { ColumnValues, TableData } from '../profile/tableData.ts';

const sortedOf = new WeakMap<Float64Array, Float64Array>();

/** The sorted finite values of `values`, if presort made them. */
export function presorted(values: Float64Array): Float64Array | undefined {
  return sortedOf.get(values);
}

/** Below this many values in all, a second thread costs more than it saves. */
const WORKER_FROM = 400_000;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (arrays) => {
  for (const a of arrays) a.sort();
  parentPort.postMessage('done');
});
`;

function finiteCopy(values: Float64Array, shared: boolean): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
  const out = shared ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? Number.NaN;
    if (Number.isFinite(v)) out[k++] = v;
  }
  return out;
}

const comparable = (c: ColumnValues) => c.role === 'feature' && c.numbers !== undefined && c.numbers.length > 0;

/** Sorts the feature numbers of both tables (two threads when large) into the cache computeDrift reads. */
export async function presortTables(tables: readonly TableData[]): Promise<void> {
  const columns = tables.flatMap((t) => t.columns.filter(comparable).map((c) => c.numbers as Float64Array)).filter((v) => !sortedOf.has(v));
  const total = columns.reduce((s, v) => s + v.length, 0);
  if (columns.length < 2 || total < WORKER_FROM) return;
  // Largest first, dealt alternately: two halves of about the same work.
  const order = [...columns].sort((a, b) => b.length - a.length);
  const theirs = order.filter((_, i) => i % 2 === 0);
  const ours = order.filter((_, i) => i % 2 === 1);
  let worker: Worker | undefined;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true });
  } catch {
    return;
  }
  const copies = theirs.map((v) => finiteCopy(v, true));
  const done = new Promise<boolean>((resolve) => {
    worker?.once('message', () => resolve(true));
    worker?.once('error', () => resolve(false));
  });
  worker.postMessage(copies);
  for (const v of ours) sortedOf.set(v, finiteCopy(v, false).sort());
  const ok = await done;
  await worker.terminate();
  if (ok) theirs.forEach((v, i) => sortedOf.set(v, copies[i] as Float64Array));
}
