import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ARTIFACTS, TAGS } from '../../../src/core/launch/conventions.ts';
import { recoverInterruptedRuns } from '../../../src/core/launch/recoverRuns.ts';
import { writeEndMarker } from '../../../src/core/launch/spool.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';

describe('core/launch: recovering runs whose window died', () => {
  let dir: string;
  let store: SqliteTrackingStore;
  let experimentId: string;
  const spoolDir = () => path.join(dir, 'spool');

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-recover-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    experimentId = await store.createExperiment('launched');
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function launched(name: string, tags: Record<string, string>, startTime = 1_000): Promise<string> {
    const run = await store.createRun({ experimentId, runName: name, startTime, tags: Object.entries({ [TAGS.host]: 'box', ...tags }).map(([key, value]) => ({ key, value })) });
    return run.info.runId;
  }

  it('ends dead runs of dead sessions on this host, and leaves every other run alone', async () => {
    const lastMetric = await launched('last-metric', { [TAGS.pid]: '101', [TAGS.owner]: 'gone' });
    await store.logMetric(lastMetric, { key: 'loss', value: 1, step: 0, timestamp: 5_000 });
    await store.logMetric(lastMetric, { key: 'acc', value: 1, step: 0, timestamp: 7_000 });
    const fromLog = await launched('log-time', { [TAGS.pid]: '102', [TAGS.owner]: 'gone' });
    mkdirSync(path.join(spoolDir(), fromLog), { recursive: true });
    writeFileSync(path.join(spoolDir(), fromLog, 'output.log'), 'partial output\n');
    utimesSync(path.join(spoolDir(), fromLog, 'output.log'), 9, 9);
    const stopped = await launched('stopped', { [TAGS.pid]: '103', [TAGS.owner]: 'gone' });
    mkdirSync(path.join(spoolDir(), stopped), { recursive: true });
    writeEndMarker(path.join(spoolDir(), stopped), { status: 'KILLED', stopRequestedAt: 8_000 });
    const noPid = await launched('no-pid', { [TAGS.owner]: 'gone' });

    const alive = await launched('alive', { [TAGS.pid]: '200', [TAGS.owner]: 'gone' });
    const mine = await launched('mine', { [TAGS.pid]: '104', [TAGS.owner]: 'me' });
    const otherWindow = await launched('other-window', { [TAGS.pid]: '105', [TAGS.owner]: 'window-2' });
    const otherHost = await store.createRun({ experimentId, tags: [{ key: TAGS.host, value: 'elsewhere' }, { key: TAGS.pid, value: '106' }] });
    const notLabbook = await store.createRun({ experimentId });
    const finished = await launched('finished', { [TAGS.pid]: '107', [TAGS.owner]: 'gone' });
    await store.updateRun(finished, { status: 'FINISHED', endTime: 2_000 });

    const result = await recoverInterruptedRuns(store, {
      owner: 'me', host: 'box', spoolDir: spoolDir(), now: () => 50_000,
      isAlive: (pid) => pid === 200, isLiveOwner: (owner) => owner === 'window-2',
    });
    const byId = new Map(result.recovered.map((r) => [r.runId, r]));
    assert.deepEqual([...byId.keys()].sort(), [lastMetric, fromLog, stopped, noPid].sort());
    assert.deepEqual(byId.get(lastMetric), { runId: lastMetric, experimentId, status: 'FAILED', endTime: 7_000, endTimeFrom: 'last metric' });
    assert.equal(byId.get(fromLog)?.endTime, 9_000);
    assert.equal(byId.get(fromLog)?.endTimeFrom, 'log file');
    assert.equal(byId.get(stopped)?.status, 'KILLED');
    assert.equal(byId.get(noPid)?.endTime, 50_000);
    for (const [id, status] of [[lastMetric, 'FAILED'], [fromLog, 'FAILED'], [stopped, 'KILLED'], [alive, 'RUNNING'], [mine, 'RUNNING'], [otherWindow, 'RUNNING'], [otherHost.info.runId, 'RUNNING'], [notLabbook.info.runId, 'RUNNING'], [finished, 'FINISHED']] as const) {
      assert.equal((await store.getRun(id)).info.status, status, id);
    }
    assert.equal((await store.getRun(lastMetric)).info.endTime, 7_000);
    assert.equal(new TextDecoder().decode(await store.readArtifact(fromLog, ARTIFACTS.outputLog)), 'partial output\n', 'the spooled log is saved');
    assert.match((await store.getRun(fromLog)).data.tags.find((t) => t.key === 'labbook.recovered')?.value ?? '', /FAILED by recovery/);
    assert.deepEqual((await recoverInterruptedRuns(store, { owner: 'me', host: 'box', spoolDir: spoolDir(), isAlive: (pid) => pid === 200 })).recovered.map((r) => r.runId), [otherWindow], 'a second pass only finds what became dead');
  });

  it('pages through many runs and stops at the bound', async () => {
    for (let i = 0; i < 12; i++) await launched(`r${i}`, { [TAGS.owner]: 'gone' });
    const result = await recoverInterruptedRuns(store, { owner: 'me', host: 'box', spoolDir: spoolDir(), maxRuns: 5, isAlive: () => false });
    assert.equal(result.recovered.length, 5);
    assert.match(result.notes[0] ?? '', /more than 5 RUNNING runs/);
  });
});
