// The code two runs were launched with: the snapshot of the launched file (tag
// labbook.source.snapshot names its artifact path, under labbook/code/) and the dirty git patch.
import { TrackingError } from '../store/errors.ts';
import type { ReadableStore } from '../store/trackingStore.ts';
import type { CodeComparison, CodeSide } from './types.ts';

export const SNAPSHOT_TAG = 'labbook.source.snapshot';
export const CODE_FOLDER = 'labbook/code';
export const GIT_PATCH_PATH = 'labbook/code/git.patch';
/** Bigger files are not diffed in the webview. */
export const MAX_CODE_BYTES = 2 * 1024 * 1024;

async function readText(store: ReadableStore, runId: string, path: string, notes: string[], what: string): Promise<string | null> {
  let bytes: Uint8Array;
  try {
    bytes = await store.readArtifact(runId, path);
  } catch (err) {
    if (err instanceof TrackingError && err.code !== 'RESOURCE_DOES_NOT_EXIST') throw err;
    notes.push(`No ${what} was captured (${path}).`);
    return null;
  }
  if (bytes.byteLength > MAX_CODE_BYTES) {
    notes.push(`The ${what} is too large to diff here (${bytes.byteLength} bytes).`);
    return null;
  }
  return new TextDecoder().decode(bytes);
}

export async function codeSide(store: ReadableStore, runId: string): Promise<CodeSide> {
  const run = await store.getRun(runId);
  const notes: string[] = [];
  const snapshotPath = run.data.tags.find((t) => t.key === SNAPSHOT_TAG)?.value ?? null;
  let snapshotText: string | null = null;
  if (snapshotPath === null) notes.push(`The run '${run.info.runName}' has no code snapshot (tag ${SNAPSHOT_TAG}).`);
  else if (!snapshotPath.endsWith('.ipynb')) snapshotText = await readText(store, runId, snapshotPath, notes, 'code snapshot');
  const gitPatch = await readText(store, runId, GIT_PATCH_PATH, notes, 'git patch');
  return { runId, snapshotPath, snapshotText, gitPatch, notes };
}

export async function compareCode(store: ReadableStore, baseRun: string, remoteRun: string): Promise<CodeComparison> {
  const [base, remote] = await Promise.all([codeSide(store, baseRun), codeSide(store, remoteRun)]);
  return { base, remote };
}
