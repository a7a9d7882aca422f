// Edits the panel asks for: a user tag set or deleted, the run note set. System tags (mlflow.*,
// labbook.*) record how the run came about and are not edited from the panel; the note is
// MLflow's own mlflow.note.content and has its own request.
import { invalidParameter } from '../store/errors.ts';
import { canWrite, type ReadableStore, type TrackingStore } from '../store/trackingStore.ts';
import { isSystemTag, NOTE_TAG } from './loadRunDetails.ts';

function checkUserKey(key: string): string {
  const trimmed = key.trim();
  if (trimmed === '') throw invalidParameter('A tag needs a name.');
  if (isSystemTag(trimmed)) {
    throw invalidParameter(`'${trimmed}' is a system tag (mlflow.* and labbook.* are written by MLflow and Labbook): it cannot be edited here.`);
  }
  return trimmed;
}

/** The store as a writer, once the run is known to be editable there. */
async function checkWritable(store: ReadableStore, runId: string): Promise<TrackingStore> {
  if (!canWrite(store)) throw invalidParameter(`${store.description} is read-only: tags and notes cannot be changed there.`);
  const run = await store.getRun(runId);
  if (run.info.lifecycleStage === 'deleted') throw invalidParameter(`Run ${run.info.runName} is deleted: restore it before editing its tags or note.`);
  return store;
}

/**
 * Sets a user tag. With `previousKey` (an edit that renamed the tag) the old key is deleted
 * after the new one is written, so a failure leaves the old tag in place.
 */
export async function setRunTag(store: ReadableStore, runId: string, edit: { key: string; value: string; previousKey?: string }): Promise<void> {
  const key = checkUserKey(edit.key);
  const previous = edit.previousKey === undefined ? undefined : checkUserKey(edit.previousKey);
  const writer = await checkWritable(store, runId);
  await writer.setTag(runId, { key, value: edit.value });
  if (previous !== undefined && previous !== key) await writer.deleteTag(runId, previous);
}

export async function deleteRunTag(store: ReadableStore, runId: string, key: string): Promise<void> {
  const checked = checkUserKey(key);
  const writer = await checkWritable(store, runId);
  await writer.deleteTag(runId, checked);
}

/** Sets the run note; an empty note removes the tag rather than leaving an empty one. */
export async function setRunNote(store: ReadableStore, runId: string, content: string): Promise<void> {
  const writer = await checkWritable(store, runId);
  const run = await writer.getRun(runId);
  const has = run.data.tags.some((t) => t.key === NOTE_TAG);
  if (content.trim() === '') {
    if (has) await writer.deleteTag(runId, NOTE_TAG);
    return;
  }
  await writer.setTag(runId, { key: NOTE_TAG, value: content });
}
