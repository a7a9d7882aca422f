import assert from 'node:assert/strict';
import { loadRunDetails } from '../../../src/core/runDetails/loadRunDetails.ts';
import { deleteRunTag, setRunNote, setRunTag } from '../../../src/core/runDetails/tagEdits.ts';
import type { TrackingStore } from '../../../src/core/store/trackingStore.ts';
import { rejectsWith } from '../../support/trackingAssertions.ts';
import { seedStore, type Seeded } from './seedRuns.ts';

describe('core/runDetails: tag and note edits', () => {
  let seeded: Seeded;
  beforeEach(async () => {
    seeded = await seedStore();
  });
  afterEach(async () => seeded.close());

  const userTags = async (runId: string) =>
    (await loadRunDetails(seeded.store, { store: 'local', runId })).tags.filter((t) => !t.system).map((t) => [t.key, t.value]);

  it('adds, edits, renames and deletes a user tag', async () => {
    const run = seeded.plain;
    await setRunTag(seeded.store, run, { key: ' stage ', value: 'dev' });
    assert.deepEqual(await userTags(run), [['stage', 'dev']]);
    await setRunTag(seeded.store, run, { key: 'stage', value: 'prod' });
    assert.deepEqual(await userTags(run), [['stage', 'prod']]);
    await setRunTag(seeded.store, run, { key: 'phase', value: 'prod', previousKey: 'stage' });
    assert.deepEqual(await userTags(run), [['phase', 'prod']]);
    await deleteRunTag(seeded.store, run, 'phase');
    assert.deepEqual(await userTags(run), []);
  });

  it('refuses empty names and system tags, leaving the run as it was', async () => {
    await rejectsWith(setRunTag(seeded.store, seeded.launched, { key: '  ', value: 'x' }), 'INVALID_PARAMETER_VALUE', /needs a name/);
    await rejectsWith(setRunTag(seeded.store, seeded.launched, { key: 'mlflow.user', value: 'eve' }), 'INVALID_PARAMETER_VALUE', /system tag/);
    await rejectsWith(deleteRunTag(seeded.store, seeded.launched, 'labbook.exitCode'), 'INVALID_PARAMETER_VALUE', /system tag/);
    await rejectsWith(setRunTag(seeded.store, seeded.launched, { key: 'x', value: '1', previousKey: 'mlflow.runName' }), 'INVALID_PARAMETER_VALUE', /system tag/);
    const details = await loadRunDetails(seeded.store, { store: 'local', runId: seeded.launched });
    assert.equal(details.overview.user, 'ada');
    assert.equal(details.overview.exitCode, 0);
  });

  it('sets, replaces and clears the note (mlflow.note.content)', async () => {
    const run = seeded.plain;
    await setRunNote(seeded.store, run, 'Tried **bigger** batch.\n\nNo gain.');
    assert.equal((await loadRunDetails(seeded.store, { store: 'local', runId: run })).note, 'Tried **bigger** batch.\n\nNo gain.');
    await setRunNote(seeded.store, run, 'second');
    assert.equal((await loadRunDetails(seeded.store, { store: 'local', runId: run })).note, 'second');
    await setRunNote(seeded.store, run, '   ');
    const after = await seeded.store.getRun(run);
    assert.ok(!after.data.tags.some((t) => t.key === 'mlflow.note.content'));
    await setRunNote(seeded.store, run, ''); // clearing no note is fine
  });

  it('refuses edits on a deleted run and on a read-only store', async () => {
    await seeded.store.deleteRun(seeded.plain);
    await rejectsWith(setRunTag(seeded.store, seeded.plain, { key: 'a', value: 'b' }), 'INVALID_PARAMETER_VALUE', /is deleted/);
    await rejectsWith(setRunNote(seeded.store, seeded.plain, 'x'), 'INVALID_PARAMETER_VALUE', /is deleted/);
    const readOnly = Object.create(seeded.store, { readOnly: { value: true } }) as TrackingStore;
    await rejectsWith(setRunTag(readOnly, seeded.launched, { key: 'a', value: 'b' }), 'INVALID_PARAMETER_VALUE', /read-only/);
    await rejectsWith(deleteRunTag(readOnly, seeded.launched, 'team'), 'INVALID_PARAMETER_VALUE', /read-only/);
  });
});
