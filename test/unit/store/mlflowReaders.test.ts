import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../../src/core/sqlite/openDatabase.ts';
import { downsampleMetricHistory } from '../../../src/core/store/downsample.ts';
import { TrackingError } from '../../../src/core/store/errors.ts';
import { MlflowDbStore } from '../../../src/core/store/mlflowFiles/mlflowDbStore.ts';
import { MlrunsStore } from '../../../src/core/store/mlflowFiles/mlrunsStore.ts';
import type { ReadOnlyStore } from '../../../src/core/store/readOnlyStore.ts';
import { canWrite, requireWriter, type ModelRegistryWriter, type TrackingWriter } from '../../../src/core/store/trackingStore.ts';
import type { Run } from '../../../src/core/store/types.ts';
import { asRecord, latestOf, logWithMlflow, testPython } from './mlflowFixture.ts';
import type { Manifest, ManifestRun } from './mlflowFixture.ts';
import { rejectsNotThrows, rejectsWith } from '../../support/trackingAssertions.ts';

function fingerprint(file: string): { sha256: string; size: number; mtimeMs: number; siblings: string[] } {
  const stat = statSync(file);
  return {
    sha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
    size: stat.size,
    mtimeMs: stat.mtimeMs,
    siblings: readdirSync(path.dirname(file)).sort(),
  };
}

function runByName(manifest: Manifest, name: string): ManifestRun {
  const run = manifest.runs.find((r) => r.info.runName === name || r.info.runName.startsWith(name));
  if (run === undefined) throw new Error(`no run named ${name} in the manifest`);
  return run;
}

/** The reads every MLflow reader must get exactly right, run against each store. */
function describeReads(label: string, context: () => { store: ReadOnlyStore; manifest: Manifest }): void {
  describe(label, () => {
    const experimentIds = (): string[] => context().manifest.experiments.map((e) => e.experimentId);

    it('reads every experiment with its tags', async () => {
      const { store, manifest } = context();
      for (const expected of manifest.experiments) {
        const experiment = await store.getExperiment(expected.experimentId);
        assert.deepEqual({ ...experiment, tags: asRecord(experiment.tags) }, expected);
        assert.deepEqual(await store.getExperimentByName(expected.name), experiment);
      }
      const listed = (await store.searchExperiments({ viewType: 'ALL' })).items.map((e) => e.experimentId);
      for (const id of experimentIds()) assert.ok(listed.includes(id), `experiment ${id} listed`);
    });

    it('reads every run: info, params, tags and latest metrics', async () => {
      const { store, manifest } = context();
      const found = await store.searchRuns({ experimentIds: experimentIds(), viewType: 'ALL', maxResults: 1000 });
      assert.deepEqual(found.items.map((r) => r.info.runId).sort(), manifest.runs.map((r) => r.info.runId).sort());
      for (const expected of manifest.runs) {
        const run = await store.getRun(expected.info.runId);
        assert.deepEqual(found.items.find((r) => r.info.runId === run.info.runId), run);
        assert.deepEqual(run.info, expected.info);
        assert.deepEqual(asRecord(run.data.params), expected.params);
        assert.deepEqual(asRecord(run.data.tags), expected.tags);
        assert.deepEqual(Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value])), expected.latest);
        for (const metric of run.data.metrics) assert.deepEqual(metric, latestOf(expected.history[metric.key] ?? []));
      }
    });

    it('reads every metric point (value, step, timestamp), including a nested key and NaN', async () => {
      const { store, manifest } = context();
      let points = 0;
      for (const run of manifest.runs) {
        for (const [key, expected] of Object.entries(run.history)) {
          assert.deepEqual(await store.getMetricHistory(run.info.runId, key), expected, `${run.info.runName} ${key}`);
          points += expected.length;
        }
      }
      // 5 logged runs × 2 keys × 50 steps, a repeated last step each, and the 2 'unstable' points.
      assert.equal(points, 5 * (2 * 50 + 1) + 2);
      assert.ok(Number.isNaN(runByName(manifest, 'b-one').history['unstable']?.[0]?.value));
      assert.deepEqual(await store.getMetricHistory(runByName(manifest, 'baseline').info.runId, 'no-such-metric'), []);
    });

    it('downsamples a history into step buckets', async () => {
      const { store, manifest } = context();
      const run = runByName(manifest, 'baseline');
      const buckets = await store.getMetricHistoryDownsampled(run.info.runId, 'train/loss', 10);
      assert.equal(buckets.length, 10);
      assert.equal(buckets.reduce((n, b) => n + b.count, 0), 50);
      assert.deepEqual(buckets, downsampleMetricHistory(run.history['train/loss'] ?? [], 10));
    });

    it('hides the deleted run unless asked for it', async () => {
      const { store, manifest } = context();
      const deleted = runByName(manifest, 'doomed').info.runId;
      const active = await store.searchRuns({ experimentIds: experimentIds() });
      assert.ok(!active.items.some((r) => r.info.runId === deleted));
      assert.equal(active.items.length, manifest.runs.length - 1);
      const onlyDeleted = await store.searchRuns({ experimentIds: experimentIds(), viewType: 'DELETED_ONLY' });
      assert.deepEqual(onlyDeleted.items.map((r) => r.info.runId), [deleted]);
    });

    it('searches runs with MLflow filters, order and pages', async () => {
      const { store, manifest } = context();
      const ids = (runs: readonly Run[]): string[] => runs.map((r) => r.info.runId);
      const active = manifest.runs.filter((r) => r.info.lifecycleStage === 'active');
      const byStartDesc = (a: ManifestRun, b: ManifestRun): number => b.info.startTime - a.info.startTime;

      const rf = await store.searchRuns({ experimentIds: experimentIds(), filter: "params.model = 'rf' and metrics.accuracy > 0.4", orderBy: ['attributes.start_time DESC'] });
      const expectedRf = active.filter((r) => r.params['model'] === 'rf' && (r.latest['accuracy'] ?? 0) > 0.4).sort(byStartDesc);
      assert.ok(expectedRf.length >= 2);
      assert.deepEqual(ids(rf.items), expectedRf.map((r) => r.info.runId));

      const nested = await store.searchRuns({ experimentIds: experimentIds(), filter: 'metrics.`train/loss` < 0.035 and tags.stage = "dev"' });
      const expectedNested = active.filter((r) => (r.latest['train/loss'] ?? 1) < 0.035 && r.tags['stage'] === 'dev');
      assert.ok(expectedNested.length >= 1);
      assert.deepEqual(ids(nested.items).sort(), expectedNested.map((r) => r.info.runId).sort());

      const first = await store.searchRuns({ experimentIds: experimentIds(), orderBy: ['params.lr ASC'], maxResults: 2 });
      assert.equal(first.items.length, 2);
      assert.ok(first.nextPageToken !== undefined);
      const rest = await store.searchRuns({ experimentIds: experimentIds(), orderBy: ['params.lr ASC'], maxResults: 100, pageToken: first.nextPageToken });
      assert.deepEqual([...ids(first.items), ...ids(rest.items)].sort(), active.map((r) => r.info.runId).sort());

      await rejectsWith(store.searchRuns({ experimentIds: experimentIds(), filter: 'metrics.accuracy >' }), 'INVALID_PARAMETER_VALUE');
    });

    it('lists and reads local artifacts, and says where remote ones are', async () => {
      const { store, manifest } = context();
      const run = runByName(manifest, 'baseline');
      assert.deepEqual(await store.listArtifacts(run.info.runId), [
        { path: 'data', isDir: true },
        { path: 'weights.bin', isDir: false, fileSize: 256 },
      ]);
      assert.deepEqual(await store.listArtifacts(run.info.runId, 'data'), [{ path: 'data/hello.txt', isDir: false, fileSize: 14 }]);
      for (const [artifact, base64] of Object.entries(run.artifacts)) {
        assert.deepEqual(Buffer.from(await store.readArtifact(run.info.runId, artifact)), Buffer.from(base64, 'base64'), artifact);
      }
      assert.equal(Object.keys(run.artifacts).length, 2);
      assert.deepEqual(await store.listArtifacts(runByName(manifest, 'b-one').info.runId), []);
      await rejectsWith(store.readArtifact(run.info.runId, '../meta.yaml'), 'INVALID_PARAMETER_VALUE');
      await rejectsWith(store.readArtifact(run.info.runId, 'missing.txt'), 'RESOURCE_DOES_NOT_EXIST');
      const remote = runByName(manifest, 'remote-artifacts').info.runId;
      await rejectsWith(store.listArtifacts(remote), 'INVALID_STATE', /s3:\/\/labbook-test-bucket\/artifacts/);
    });

    it('reads the model registry: models, versions, tags and aliases', async () => {
      const { store, manifest } = context();
      const [expected] = manifest.models;
      assert.ok(expected !== undefined && expected.versions.length === 2);
      const model = await store.getRegisteredModel(expected.name);
      assert.deepEqual(
        { name: model.name, description: model.description, tags: asRecord(model.tags), creationTimestamp: model.creationTimestamp, lastUpdatedTimestamp: model.lastUpdatedTimestamp },
        { name: expected.name, description: expected.description, tags: expected.tags, creationTimestamp: expected.creationTimestamp, lastUpdatedTimestamp: expected.lastUpdatedTimestamp },
      );
      assert.deepEqual(Object.fromEntries(model.aliases.map((a) => [a.alias, a.version])), expected.aliases);
      for (const v of expected.versions) {
        const version = await store.getModelVersion(expected.name, v.version);
        assert.deepEqual({ ...version, tags: asRecord(version.tags), aliases: [...version.aliases].sort() }, v);
      }
      assert.deepEqual(model.latestVersions.map((v) => v.version), ['2']);
      assert.equal((await store.getModelVersionByAlias(expected.name, 'champion')).version, expected.aliases['champion']);
      assert.deepEqual((await store.searchRegisteredModels({ filter: "name LIKE 'readers-%'" })).items.map((m) => m.name), [expected.name]);
      assert.deepEqual((await store.searchRegisteredModels({ filter: "name = 'other'" })).items, []);
      const byRun = await store.searchModelVersions({ filter: `run_id = '${runByName(manifest, 'baseline').info.runId}'` });
      assert.deepEqual(byRun.items.map((v) => v.version), ['1']);
      await rejectsWith(store.getRegisteredModel('no-such-model'), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsWith(store.getModelVersionByAlias(expected.name, 'nobody'), 'RESOURCE_DOES_NOT_EXIST');
    });

    it('has no writer role: callers that ask for one get PERMISSION_DENIED and nothing changes', async () => {
      const { store, manifest } = context();
      assert.equal(store.readOnly, true);
      const runId = runByName(manifest, 'baseline').info.runId;
      // @ts-expect-error a read-only store does not implement the writer role
      const writer: TrackingWriter = store;
      // @ts-expect-error nor the registry's writer role
      const registry: ModelRegistryWriter = store;
      assert.equal(typeof (writer as Partial<TrackingWriter>).setTag, 'undefined');
      assert.equal(typeof (registry as Partial<ModelRegistryWriter>).createModelVersion, 'undefined');
      assert.equal(canWrite(store), false);
      assert.throws(
        () => requireWriter(store, `tag run ${runId}`),
        (e: unknown) => e instanceof TrackingError && e.code === 'PERMISSION_DENIED' && e.message === `${store.description} is read-only: cannot tag run ${runId}. Labbook opens MLflow's own data without changing it.`,
      );
      assert.equal((await store.getRun(runId)).data.params.length, Object.keys(runByName(manifest, 'baseline').params).length);
    });
  });
}

describe('store: reading MLflow data read-only (written by the real mlflow client)', function () {
  let tmp = '';
  let dbManifest: Manifest;
  let fsManifest: Manifest;
  let dbFile = '';
  let mlrunsDir = '';

  before(async function () {
    // Two real mlflow client processes write the data; slow on a loaded machine.
    this.timeout(300_000);
    const python = testPython();
    tmp = mkdtempSync(path.join(tmpdir(), 'labbook-mlflow-readers-'));
    mkdirSync(path.join(tmp, 'db'));
    mkdirSync(path.join(tmp, 'fs'));
    dbFile = path.join(tmp, 'db', 'mlflow.db');
    mlrunsDir = path.join(tmp, 'fs', 'mlruns');
    [dbManifest, fsManifest] = await Promise.all([
      logWithMlflow(python, `sqlite:///${dbFile}`, path.join(tmp, 'db'), path.join(tmp, 'db.json')),
      logWithMlflow(python, `file:${mlrunsDir}`, path.join(tmp, 'fs'), path.join(tmp, 'fs.json')),
    ]);
  });
  after(() => {
    if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
  });

  describe('MlflowDbStore over mlflow.db', () => {
    let store: MlflowDbStore;
    let before_: ReturnType<typeof fingerprint>;
    before(() => {
      before_ = fingerprint(dbFile);
      store = new MlflowDbStore(dbFile, {});
    });

    describeReads('reads', () => ({ store, manifest: dbManifest }));

    it('fails by rejecting, never by throwing synchronously', async () => {
      await rejectsNotThrows(() => store.getRun('missing'), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsNotThrows(() => store.getExperiment('999'), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsNotThrows(() => store.getRegisteredModel('nope'), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsNotThrows(() => store.getModelVersion('readers-model', '999'), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsNotThrows(() => store.getModelVersionByAlias('readers-model', 'nope'), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsNotThrows(() => store.getLoggedModel('m-nope'), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsNotThrows(() => store.listArtifacts('missing'), 'RESOURCE_DOES_NOT_EXIST');
    });

    describe('afterwards', () => {
      it('left mlflow.db byte-for-byte unchanged, with no journal or WAL files beside it', async () => {
        await store.close();
        assert.deepEqual(fingerprint(dbFile), before_);
      });

      it('reads databases from MLflow versions before latest_metrics, runs.name and aliases', async () => {
        const old = path.join(tmp, 'old.db');
        cpSync(dbFile, old);
        const db = openDatabase(old, {});
        db.exec('DROP TABLE latest_metrics; ALTER TABLE runs DROP COLUMN name; DROP TABLE registered_model_aliases;');
        db.close();
        const oldStore = new MlflowDbStore(old, {});
        try {
          for (const expected of dbManifest.runs) {
            const run = await oldStore.getRun(expected.info.runId);
            assert.deepEqual(run.info, expected.info);
            for (const metric of run.data.metrics) assert.deepEqual(metric, latestOf(expected.history[metric.key] ?? []));
            assert.deepEqual(Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value])), expected.latest);
          }
          assert.deepEqual((await oldStore.getRegisteredModel('readers-model')).aliases, []);
        } finally {
          await oldStore.close();
        }
      });

      it('refuses files that are not MLflow databases, naming them', () => {
        assert.throws(() => new MlflowDbStore(path.join(tmp, 'nothing.db'), {}), (err: unknown) => err instanceof TrackingError && err.code === 'RESOURCE_DOES_NOT_EXIST' && err.message.includes('nothing.db'));
        const other = path.join(tmp, 'other.db');
        const db = openDatabase(other, {});
        db.exec('create table t (x)');
        db.close();
        assert.throws(() => new MlflowDbStore(other, {}), /other\.db is not an MLflow tracking database \(it has no experiments, runs/);
        const text = path.join(tmp, 'text.db');
        writeFileSync(text, 'this is not sqlite, just a text file long enough to have a header'.repeat(10));
        assert.throws(() => new MlflowDbStore(text, {}), /text\.db is not a readable SQLite database/);
      });
    });
  });

  describe('MlrunsStore over mlruns/', () => {
    let store: MlrunsStore;
    before(() => {
      store = new MlrunsStore(mlrunsDir);
    });

    describeReads('reads', () => ({ store, manifest: fsManifest }));

    describe('damaged files', () => {
      it('skips runs with a corrupt or missing meta.yaml or metric file, with a warning naming the file', async () => {
        const copy = path.join(tmp, 'damaged', 'mlruns');
        cpSync(mlrunsDir, copy, { recursive: true });
        const runDir = (run: ManifestRun): string => path.join(copy, run.info.experimentId, run.info.runId);
        const corrupt = runByName(fsManifest, 'run:');
        const missing = runByName(fsManifest, 'b-one');
        const badMetric = runByName(fsManifest, 'b-running');
        writeFileSync(path.join(runDir(corrupt), 'meta.yaml'), 'this is not: [valid\nyaml at all\n');
        unlinkSync(path.join(runDir(missing), 'meta.yaml'));
        appendFileSync(path.join(runDir(badMetric), 'metrics', 'accuracy'), 'garbage here\n');
        mkdirSync(path.join(copy, 'stray-folder'));

        const damaged = new MlrunsStore(copy);
        const ids = fsManifest.experiments.map((e) => e.experimentId);
        const runs = await damaged.searchRuns({ experimentIds: ids, viewType: 'ALL' });
        const skipped = new Set([corrupt, missing, badMetric].map((r) => r.info.runId));
        assert.deepEqual(runs.items.map((r) => r.info.runId).sort(), fsManifest.runs.filter((r) => !skipped.has(r.info.runId)).map((r) => r.info.runId).sort());
        for (const run of runs.items) assert.deepEqual(run, await store.getRun(run.info.runId));

        const experiments = await damaged.searchExperiments();
        assert.deepEqual(experiments.items.map((e) => e.experimentId).sort(), [...ids, '0'].sort());
        const warnings = damaged.warnings.join('\n');
        assert.equal(damaged.warnings.length, 4, warnings);
        assert.ok(warnings.includes(`${path.join(runDir(corrupt), 'meta.yaml')}: not valid YAML (line 2`), warnings);
        assert.ok(warnings.includes(`${path.join(runDir(missing), 'meta.yaml')}: missing`), warnings);
        assert.ok(warnings.includes(`${path.join(runDir(badMetric), 'metrics', 'accuracy')}: line 52 is not "timestamp value step"`), warnings);
        assert.ok(warnings.includes(`Skipped experiment stray-folder: ${path.join(copy, 'stray-folder', 'meta.yaml')}: missing`), warnings);

        await rejectsWith(damaged.getRun(corrupt.info.runId), 'INVALID_STATE', /meta\.yaml: not valid YAML/);
        await rejectsWith(damaged.getMetricHistory(badMetric.info.runId, 'accuracy'), 'INVALID_STATE', /metrics\/accuracy: line 52/);
        assert.equal((await damaged.getMetricHistory(badMetric.info.runId, 'train/loss')).length, 50);
      });

      it('finds artifacts in the run folder when the store was moved', async () => {
        const moved = path.join(tmp, 'moved', 'mlruns');
        cpSync(mlrunsDir, moved, { recursive: true });
        const run = runByName(fsManifest, 'baseline');
        const original = path.join(mlrunsDir, run.info.experimentId, run.info.runId, 'artifacts');
        const stash = path.join(tmp, 'stash');
        cpSync(original, stash, { recursive: true });
        rmSync(original, { recursive: true });
        try {
          const store = new MlrunsStore(moved);
          assert.equal(Buffer.from(await store.readArtifact(run.info.runId, 'data/hello.txt')).toString(), 'hello labbook\n');
        } finally {
          cpSync(stash, original, { recursive: true });
        }
      });

      it('refuses a folder that is not an MLflow file store', () => {
        assert.throws(() => new MlrunsStore(path.join(tmp, 'nowhere')), (err: unknown) => err instanceof TrackingError && err.code === 'RESOURCE_DOES_NOT_EXIST');
        assert.throws(() => new MlrunsStore(path.join(tmp, 'db')), /is not an MLflow file store/);
      });
    });
  });
});
