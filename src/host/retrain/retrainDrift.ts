// The drift share behind a `drift > X` trigger: the changed file against the data the recipe's
// last run read from the same path. The file has changed, so that side comes from the profile the
// run stored at launch (driftBetween says so in its notes; scores are approximate).
import { driftBetween } from '../../core/drift/driftSources.ts';
import { readTable } from '../../core/profile/readTable.ts';
import type { ReadableStore } from '../../core/store/trackingStore.ts';

/** The dataset drift share (drifted / compared columns) of `file` against run `runId`'s `recordedPath`. */
export async function retrainDriftShare(store: ReadableStore, runId: string, file: string, recordedPath: string, cwd: string): Promise<number> {
  const report = await driftBetween({ kind: 'run', runId, file: recordedPath }, { kind: 'file', path: file }, { store, cwd, readTable });
  return report.dataset.share;
}
