// How a launched run ends: its final status from the way the process exited, the note for a
// status that did not reach the store at once, retries for the last writes, and notes appended to
// the log after the status (captures that finished later).
import { appendFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { QueuedRunUpdate } from '../store/outbox/queuedStore.ts';
import type { TrackingStore } from '../store/trackingStore.ts';
import type { Run, RunStatus } from '../store/types.ts';
import { ARTIFACTS } from './conventions.ts';
import type { ProgramExit } from './programProcess.ts';

export type EndStatus = Extract<RunStatus, 'FINISHED' | 'FAILED' | 'KILLED'>;

const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGSYS', 'SIGTRAP']);

export function finalStatus(exit: ProgramExit, stopRequested: boolean): EndStatus {
  if (stopRequested) return 'KILLED';
  if (exit.signal) return CRASH_SIGNALS.has(exit.signal) ? 'FAILED' : 'KILLED';
  return exit.exitCode === 0 && !exit.error ? 'FINISHED' : 'FAILED';
}

/** Notes that come after the final status (late captures) are appended to the log and the log uploaded again. */
export async function appendNotes(store: Pick<TrackingStore, 'writeArtifact'>, runId: string, logFile: string, notes: readonly string[]): Promise<void> {
  if (notes.length === 0) return;
  try {
    appendFileSync(logFile, notes.map((n) => `[labbook] ${n}\n`).join(''));
    await store.writeArtifact(runId, ARTIFACTS.outputLog, await readFile(logFile));
  } catch {
    // The notes stay in the spool (when it could be written) and in `captured`.
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** What the log should say about the final status when it did not reach the store at once. */
export function finalStatusNote(result: Run | QueuedRunUpdate, status: RunStatus): string | undefined {
  if (!('state' in result) || result.state === 'shipped') return undefined;
  return result.state === 'queued'
    ? `final status: ${status} waits in the outbox (${result.pending} write${result.pending === 1 ? '' : 's'} waiting: ${result.reason}); it is sent when the server is back.`
    : `final status: refused by the server (${result.reason}); recovery will set it.`;
}

/** Three tries, for the last writes of a run against a store that may blink. */
export async function retry<T>(fn: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (const wait of [0, 500, 2000]) {
    if (wait) await delay(wait);
    try {
      return await fn();
    } catch (err) {
      last = err;
    }
  }
  throw last;
}
