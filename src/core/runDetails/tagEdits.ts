// Edits the panel asks for: a user tag set or deleted, the run note set. System tags (mlflow.*,
// labbook.*) record how the run came about and are not edited from the panel; the note is
// MLflow's own mlflow.note.content and has its own request.
import { invalidParameter } from '../store/errors.ts';
import type { TrackingStore } from '../store/trackingStore.ts';
import { isSystemTag, NOTE_TAG } from './loadRunDetails.ts';

function checkUserKey(key: string): string {
  const trimmed = key.trim();
  if (trimmed === '') throw invalidParameter('A tag needs a name.');
  if (isSystemTag(trimmed)) {
    throw invalidParameter(`'${trimmed}' is a system tag (mlflow.* and labbook.* are written by MLflow and Labbook): it cannot be edited here.`);
  }
  return trimmed;
}

async function checkWritable(store: TrackingStore, runId: string): Promise<void> {
  if (store.readOnly) throw invalidParameter(`${store.description} is read-only: tags and notes cannot be changed there.`);
  const run = await store.getRun(runId);
  if (run.info.lifecycleStage === 'deleted') throw invalidParameter(`Run ${run.info.runName} is deleted: restore it before editing its tags or note.`);
}

/**
 * Sets a user tag. With `previousKey` (an edit that renamed the tag) the old key is deleted
 * after the new one is written, so a failure leaves the old tag in place.
 */
export async function setRunTag(store: TrackingStore, runId: string, edit: { key: string; value: string; previousKey?: string }): Promise<void> {
  const key = checkUserKey(edit.key);
  const previous = edit.previousKey === undefined ? undefined : checkUserKey(edit.previousKey);
  await checkWritable(store, runId);
  await store.setTag(runId, { key, value: edit.value });
  if (previous !== undefined && previous !== key) await store.deleteTag(runId, previous);
}

export async function deleteRunTag(store: TrackingStore, runId: string, key: string): Promise<void> {
  const checked = checkUserKey(key);
  await checkWritable(store, runId);
  await store.deleteTag(runId, checked);
}

/** Sets the run note; an empty note removes the tag rather than leaving an empty one. */
export async function setRunNote(store: TrackingStore, runId: string, content: string): Promise<void> {
  await checkWritable(store, runId);
  const run = await store.getRun(runId);
  const has = run.data.tags.some((t) => t.key === NOTE_TAG);
  if (content.trim() === '') {
    if (has) await store.deleteTag(runId, NOTE_TAG);
    return;
  }
  await store.setTag(runId, { key: NOTE_TAG, value: content });
}
