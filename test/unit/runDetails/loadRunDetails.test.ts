import assert from 'node:assert/strict';
import { currentDigest, isSystemTag, loadRunDetails, readRunDetails } from '../../../src/core/runDetails/loadRunDetails.ts';
import type { TrackingStore } from '../../../src/core/store/trackingStore.ts';
import { COMMIT, HOSTILE, SOURCE, START, seedStore, type Seeded } from './seedRuns.ts';

describe('core/runDetails: the details model from a SqliteTrackingStore', () => {
  let seeded: Seeded;
  before(async () => {
    seeded = await seedStore();
  });
  after(async () => seeded.close());

  it('reads the overview of a Labbook launch from the run and its tags', async () => {
    const details = await loadRunDetails(seeded.store, { store: 'local', runId: seeded.launched }, { now: () => START + 999_999 });
    assert.deepEqual(details.overview, {
      runId: seeded.launched,
      runName: 'baseline',
      status: 'FINISHED',
      lifecycleStage: 'active',
      experimentId: seeded.experimentId,
      experimentName: 'wine',
      startTime: new Date(START + 1000).toISOString(),
      endTime: new Date(START + 66_000).toISOString(),
      durationMs: 65_000,
      user: 'ada',
      source: SOURCE,
      sourceSnapshot: 'labbook/code/src/train.py',
      git: { commit: COMMIT, branch: 'main', repoUrl: 'https://example.com/lab.git', dirty: true, repoPath: 'src/train.py' },
      exitCode: 0,
      parentRunId: seeded.parent,
      reproduces: 'f'.repeat(32),
      artifactUri: `mlflow-artifacts:/${seeded.experimentId}/${seeded.launched}/artifacts`,
    });
    assert.deepEqual(details.ref, { store: 'local', runId: seeded.launched });
    assert.equal(details.storeDescription, seeded.store.description);
    assert.equal(details.readOnly, false);
    assert.equal(details.loadedAt, new Date(START + 999_999).toISOString());
  });

  it('lists params sorted, tags without the note (system ones flagged), and the note apart', async () => {
    const details = await loadRunDetails(seeded.store, { store: 'local', runId: seeded.launched });
    assert.deepEqual(details.params.map((p) => p.key), ['batch_size', 'epochs', 'hostile', 'lr', 'model']);
    assert.equal(details.note, 'First try.\nLooks fine.');
    assert.ok(!details.tags.some((t) => t.key === 'mlflow.note.content'));
    assert.deepEqual(details.tags.filter((t) => !t.system).map((t) => t.key), ['hostile', 'team']);
    assert.ok(details.tags.filter((t) => t.system).every((t) => t.key.startsWith('mlflow.') || t.key.startsWith('labbook.')));
    assert.ok(details.tags.some((t) => t.key === 'mlflow.runName' && t.system));
    assert.deepEqual(details.tags.find((t) => t.key === 'hostile'), { key: 'hostile', value: HOSTILE, system: false });
  });

  it('gives each metric its latest value and a sparkline of at most 60 buckets with min and max', async () => {
    const details = await loadRunDetails(seeded.store, { store: 'local', runId: seeded.launched });
    assert.deepEqual(details.metrics.map((m) => m.key), ['accuracy', 'loss', 'lr_final']);
    const loss = details.metrics[1];
    assert.equal(loss?.latest, 1 / 500);
    assert.equal(loss?.step, 499);
    // One point per bucket the store gives (its SQL tiles may make fewer than 60 for 500 steps).
    const buckets = await seeded.store.getMetricHistoryDownsampled(seeded.launched, 'loss', 60);
    assert.ok(buckets.length <= 60 && buckets.length >= 30, String(buckets.length));
    assert.equal(loss?.sparkline?.points.length, buckets.length);
    assert.deepEqual(loss?.sparkline?.points.map((p) => p.step), buckets.map((b) => b.lastStep));
    assert.equal(loss?.sparkline?.count, 500);
    assert.equal(loss?.sparkline?.max, 1 / 251 + 5);
    assert.equal(loss?.sparkline?.min, 1 / 500);
    const accuracy = details.metrics[0];
    assert.equal(accuracy?.sparkline?.points.length, 50); // 50 distinct steps: one bucket per step
    assert.equal(details.metrics[2]?.sparkline?.points.length, 1);
    assert.equal(details.sparklinesOmitted, 0);
    const capped = await loadRunDetails(seeded.store, { store: 'local', runId: seeded.launched }, { maxSparklines: 1 });
    assert.deepEqual(capped.metrics.map((m) => m.sparkline === null), [false, true, true]);
    assert.equal(capped.sparklinesOmitted, 2);
  });

  it('handles a run without any Labbook tags: nulls, a running duration from the clock', async () => {
    const details = await loadRunDetails(seeded.store, { store: 'local', runId: seeded.plain }, { now: () => START + 160_000 });
    const o = details.overview;
    assert.deepEqual([o.status, o.endTime, o.durationMs, o.source, o.git, o.exitCode, o.parentRunId, o.reproduces, o.sourceSnapshot], ['RUNNING', null, 60_000, null, null, null, null, null, null]);
    assert.equal(o.user, 'ada');
    assert.equal(o.runName, HOSTILE);
    assert.equal(details.note, '');
  });

  it('marks a deleted run read-only, and says which store is read-only', async () => {
    const run = (await seeded.store.createRun({ experimentId: seeded.experimentId, runName: 'gone' })).info.runId;
    await seeded.store.deleteRun(run);
    const details = await loadRunDetails(seeded.store, { store: 'local', runId: run });
    assert.equal(details.overview.lifecycleStage, 'deleted');
    assert.equal(details.readOnly, true);
  });

  it('answers "missing" for an unknown run and "unavailable" without a store or when it fails', async () => {
    const ref = { store: 'local', runId: 'a'.repeat(32) };
    const missing = await readRunDetails(seeded.store, ref);
    assert.equal(missing.result.kind, 'missing');
    assert.match(missing.result.kind === 'missing' ? missing.result.message : '', /does not exist/);
    assert.equal(missing.digest, await currentDigest(seeded.store, ref.runId));
    const none = await readRunDetails(undefined, { store: 'remote:http://x', runId: 'r' });
    assert.deepEqual(none.result, { kind: 'unavailable', ref: { store: 'remote:http://x', runId: 'r' }, message: "The tracking store 'remote:http://x' is not available in this window." });
    const broken = Object.create(seeded.store, { getRun: { value: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5000')) } }) as TrackingStore;
    const down = await readRunDetails(broken, ref);
    assert.equal(down.result.kind, 'unavailable');
    assert.match(down.result.kind === 'unavailable' ? down.result.message : '', /ECONNREFUSED/);
  });

  it('keeps the digest while the run is unchanged, and changes it on a new metric or tag', async () => {
    const { digest } = await readRunDetails(seeded.store, { store: 'local', runId: seeded.plain });
    assert.equal(await currentDigest(seeded.store, seeded.plain), digest);
    // Another run's writes do not touch it.
    await seeded.store.logMetric(seeded.launched, { key: 'other', value: 1, timestamp: START, step: 0 });
    assert.equal(await currentDigest(seeded.store, seeded.plain), digest);
    await seeded.store.logMetric(seeded.plain, { key: 'rmse', value: 0.6, timestamp: START + 200_000, step: 1 });
    assert.notEqual(await currentDigest(seeded.store, seeded.plain), digest);
  });

  it('tells system tags from user tags', () => {
    assert.deepEqual(['mlflow.user', 'labbook.exitCode', 'team', 'mlflowish', 'labbook'].map(isSystemTag), [true, true, false, false, false]);
  });
});
