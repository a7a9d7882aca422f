// Stores opened read-only follow the files another tool is still writing: `refresh()` re-reads
// them (new TensorBoard event files, new events in a file, new mlruns runs), and the warnings
// about damaged entries describe the files as they are now, each reported once.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MlrunsStore } from '../../../src/core/store/mlflowFiles/mlrunsStore.ts';
import { TensorBoardStore } from '../../../src/core/store/tensorboard/tensorBoardStore.ts';
import { concat, fileVersionEvent, frame, scalarEvent } from '../readers/eventBytes.ts';

function eventFile(dir: string, points: readonly [step: number, value: number][], name = 'events.out.tfevents.1700000000.host'): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, concat(frame(fileVersionEvent()), ...points.map(([step, value]) => frame(scalarEvent('loss', step, value)))));
  return file;
}

function mlrunsExperiment(root: string, id: string, name: string): void {
  mkdirSync(path.join(root, id), { recursive: true });
  writeFileSync(path.join(root, id, 'meta.yaml'), `artifact_location: file://${root}/${id}\nexperiment_id: '${id}'\nlifecycle_stage: active\nname: ${name}\ncreation_time: 1\nlast_update_time: 1\n`);
}

function mlrunsRun(root: string, experimentId: string, runId: string, name: string): void {
  const dir = path.join(root, experimentId, runId);
  mkdirSync(path.join(dir, 'metrics'), { recursive: true });
  writeFileSync(
    path.join(dir, 'meta.yaml'),
    `artifact_uri: file://${dir}/artifacts\nend_time: 2\nexperiment_id: '${experimentId}'\nlifecycle_stage: active\nrun_id: ${runId}\nrun_name: ${name}\nrun_uuid: ${runId}\nstart_time: 1\nstatus: 3\nuser_id: ada\n`,
  );
  writeFileSync(path.join(dir, 'metrics', 'acc'), '1 0.5 0\n');
}

describe('core/store: read-only stores re-read on refresh()', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-refresh-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('TensorBoard logs: a refreshed store sees a new run folder and new events a writer appended', async () => {
    const first = eventFile(path.join(dir, 'run-a'), [[0, 1]]);
    const store = new TensorBoardStore(dir);
    const names = async () => (await store.searchRuns({ experimentIds: ['0'] })).items.map((r) => r.info.runName).sort();
    assert.deepEqual(await names(), ['run-a']);
    eventFile(path.join(dir, 'run-b'), [[0, 2]]);
    appendFileSync(first, frame(scalarEvent('loss', 1, 0.5)));
    store.refresh();
    assert.deepEqual(await names(), ['run-a', 'run-b']);
    const runA = (await store.searchRuns({ experimentIds: ['0'], filter: "attributes.run_name = 'run-a'" })).items[0];
    assert.ok(runA);
    assert.deepEqual((await store.getMetricHistory(runA.info.runId, 'loss')).map((m) => m.step), [0, 1]);
  });

  it('TensorBoard logs: warnings name damaged files once, and are those of the last read after a refresh', async () => {
    eventFile(path.join(dir, 'good'), [[0, 1]]);
    const bad = path.join(dir, 'bad', 'events.out.tfevents.1700000001.host');
    mkdirSync(path.dirname(bad), { recursive: true });
    // A record whose length is intact but whose data CRC is wrong: damaged, not half-written.
    const record = frame(scalarEvent('loss', 0, 1));
    record[record.length - 1] = (record[record.length - 1] ?? 0) ^ 0xff;
    writeFileSync(bad, concat(frame(fileVersionEvent()), record, frame(scalarEvent('loss', 1, 1))));
    const store = new TensorBoardStore(dir);
    const heard: string[] = [];
    store.onWarning((message) => heard.push(message));
    await store.searchRuns({ experimentIds: ['0'] });
    assert.ok(store.warnings.length > 0 && store.warnings.some((w) => w.includes('bad')), store.warnings.join('\n'));
    const before = [...store.warnings];
    store.refresh();
    await store.searchRuns({ experimentIds: ['0'] });
    assert.deepEqual(store.warnings, before, 'the same damage is reported once per read, not piled up');
    assert.deepEqual(heard, [...before, ...before], 'listeners hear each read');
    rmSync(path.dirname(bad), { recursive: true });
    store.refresh();
    await store.searchRuns({ experimentIds: ['0'] });
    assert.deepEqual(store.warnings, [], 'the damaged file is gone, and so is its warning');
  });

  it('mlruns/: a refreshed store lists a run MLflow added, and forgets warnings about a run since repaired', async () => {
    mlrunsExperiment(dir, '0', 'Default');
    mlrunsRun(dir, '0', 'aaaa', 'first');
    const store = new MlrunsStore(dir);
    const heard: string[] = [];
    store.onWarning((message) => heard.push(message));
    const names = async () => (await store.searchRuns({ experimentIds: ['0'] })).items.map((r) => r.info.runName).sort();
    assert.deepEqual(await names(), ['first']);
    mlrunsRun(dir, '0', 'bbbb', 'second');
    mkdirSync(path.join(dir, '0', 'cccc'));
    writeFileSync(path.join(dir, '0', 'cccc', 'meta.yaml'), 'run_id: [not yaml\n');
    store.refresh();
    assert.deepEqual(await names(), ['first', 'second']);
    assert.equal(store.warnings.length, 1, store.warnings.join('\n'));
    assert.match(store.warnings[0] ?? '', /cccc/);
    await names();
    assert.equal(heard.length, 1, 'a warning is heard once until the next refresh');
    mlrunsRun(dir, '0', 'cccc', 'third');
    store.refresh();
    assert.deepEqual(store.warnings, []);
    assert.deepEqual(await names(), ['first', 'second', 'third']);
    assert.deepEqual(store.warnings, []);
  });
});
