import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TrackingError } from '../../../src/core/store/errors.ts';
import { TensorBoardStore } from '../../../src/core/store/tensorboard/tensorBoardStore.ts';
import { canWrite, requireWriter } from '../../../src/core/store/trackingStore.ts';
import { testPython } from '../../support/python.ts';
import { rejectsNotThrows } from '../../support/trackingAssertions.ts';

const WRITE_LOGS = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'tensorboard', 'write_logs.py');

interface Written {
  points: { run: string; tag: string; step: number; value: number }[];
}

describe('core/store: TensorBoard logs as a read-only store', function () {
  this.timeout(120_000);
  let dir: string;
  let written: Written;
  let store: TensorBoardStore;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-tbstore-'));
    const result = spawnSync(testPython(), [WRITE_LOGS, dir], { encoding: 'utf8', timeout: 100_000 });
    assert.equal(result.status, 0, result.stderr);
    written = JSON.parse(result.stdout) as Written;
    store = new TensorBoardStore(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('shows each log directory as a run whose scalars are metric histories, point for point', async () => {
    const runs = (await store.searchRuns({ experimentIds: ['0'] })).items;
    const byName = new Map(runs.map((r) => [r.info.runName, r]));
    assert.deepEqual([...byName.keys()].sort(), [...new Set(written.points.map((p) => p.run))].sort());
    for (const [name, run] of byName) {
      const expected = written.points.filter((p) => p.run === name);
      for (const tag of new Set(expected.map((p) => p.tag))) {
        const history = await store.getMetricHistory(run.info.runId, tag);
        const want = expected.filter((p) => p.tag === tag).sort((a, b) => a.step - b.step);
        assert.deepEqual(history.map((m) => [m.step, m.value]), want.map((p) => [p.step, p.value]), `${name} ${tag}`);
        const latest = run.data.metrics.find((m) => m.key === tag);
        assert.equal(latest?.step, want.at(-1)?.step);
      }
      assert.equal(run.info.status, 'FINISHED');
    }
  });

  it('searches its runs with MLflow syntax, keeps ids stable across rescans, and refuses writes', async () => {
    const [first] = (await store.searchRuns({ experimentIds: ['0'], filter: "attributes.run_name LIKE 'runA%'", orderBy: ['attributes.run_name ASC'] })).items;
    assert.equal(first?.info.runName, 'runA');
    store.refresh();
    assert.equal((await store.getRun(first?.info.runId ?? '')).info.runName, 'runA');
    assert.equal((await store.getExperiment('0')).name, path.basename(dir));
    assert.equal(canWrite(store), false);
    assert.throws(() => requireWriter(store, 'tag a run'), (e: unknown) => e instanceof TrackingError && e.code === 'PERMISSION_DENIED');
    await assert.rejects(store.getRun('nope'), (e: unknown) => e instanceof TrackingError && e.code === 'RESOURCE_DOES_NOT_EXIST');
  });

  it('fails by rejecting, never by throwing synchronously, with or without reading the folder', async () => {
    await rejectsNotThrows(() => store.getRun('nope'), 'RESOURCE_DOES_NOT_EXIST');
    await rejectsNotThrows(() => store.getExperiment('9'), 'RESOURCE_DOES_NOT_EXIST');
    await rejectsNotThrows(() => store.readArtifact('nope', 'x.txt'), 'RESOURCE_DOES_NOT_EXIST');
    await rejectsNotThrows(() => store.getRegisteredModel('m'), 'RESOURCE_DOES_NOT_EXIST');
    await rejectsNotThrows(() => store.getModelVersion('m', '1'), 'RESOURCE_DOES_NOT_EXIST');
    await rejectsNotThrows(() => store.getModelVersionByAlias('m', 'champion'), 'RESOURCE_DOES_NOT_EXIST');
  });

});
