// A `drift > X` trigger end to end below the editor: a real SQLite store with a run whose data.json
// and stored profile record data/train.csv; the file is then replaced, by a sample from the same
// distribution and by a shifted one. The change is found from the run's record, the drift share is
// measured against the run's profile (the file changed) by the host's measure, and only the
// shifted data passes the threshold and gets the drift tags.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDataRecord } from '../../../src/core/data/dataRecord.ts';
import { ARTIFACTS } from '../../../src/core/launch/conventions.ts';
import { fingerprintData } from '../../../src/core/launch/fingerprintData.ts';
import { profileRunFiles } from '../../../src/core/profile/runProfiles.ts';
import { recordedHashes } from '../../../src/core/retrain/retrainData.ts';
import { dataChange, decideRetrain, parseRetrain, RETRAIN_TAGS, type RetrainSpec } from '../../../src/core/retrain/retrainSpec.ts';
import { readOptionalArtifact, readRunFingerprints } from '../../../src/core/runDetails/launchFiles.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { retrainDriftShare } from '../../../src/host/retrain/retrainDrift.ts';
import { normals, seeded } from '../drift/samples.ts';

function csv(rows: number, seed: number, shift = 0): string {
  const x = normals(seed, rows, shift);
  const u = seeded(seed + 1);
  const lines = ['id,x,c'];
  for (let i = 0; i < rows; i++) lines.push(`${i},${x[i]},${['a', 'b', 'c'][Math.floor(u() * (shift ? 2 : 3))]}`);
  return `${lines.join('\n')}\n`;
}

describe('retrain: a drift > X trigger over a real store, profile and files', function () {
  this.timeout(120_000);
  let dir: string;
  let store: SqliteTrackingStore;
  let runId: string;
  const spec = parseRetrain({ when: 'drift > 0.3' }) as RetrainSpec;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-retrain-drift-'));
    mkdirSync(path.join(dir, 'data'));
    const train = csv(600, 1);
    writeFileSync(path.join(dir, 'data', 'train.csv'), train);
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    runId = (await store.createRun({ experimentId: '0', runName: 'fit' })).info.runId;
    const entry = { path: 'data/train.csv', kind: 'file', found: ['declared'], size: Buffer.byteLength(train), sha256: createHash('sha256').update(train).digest('hex') };
    await store.writeArtifact(runId, 'labbook/data.json', new TextEncoder().encode(JSON.stringify({ version: 1, cwd: dir, inputs: [entry], outputs: [], notes: [] })));
    const profiles = await profileRunFiles([{ file: path.join(dir, 'data', 'train.csv'), displayPath: 'data/train.csv' }]);
    await store.writeArtifact(runId, 'labbook/data/profile.json', new TextEncoder().encode(JSON.stringify(profiles)));
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function decide(text: string) {
    writeFileSync(path.join(dir, 'data', 'train.csv'), text);
    // As the trigger does: the run's fingerprints.json and data.json, through recordedHashes.
    const [read, recordBytes] = await Promise.all([readRunFingerprints(store, runId), readOptionalArtifact(store, runId, ARTIFACTS.dataRecord)]);
    const record = recordBytes === null ? undefined : parseDataRecord(new TextDecoder().decode(recordBytes));
    assert.ok(record, 'the run has a data.json');
    const change = dataChange(recordedHashes(read.fingerprints, record), (await fingerprintData(['data/train.csv'], dir)).entries);
    assert.deepEqual(change.changed, ['data/train.csv']);
    const driftShare = await retrainDriftShare(store, runId, path.join(dir, 'data', 'train.csv'), 'data/train.csv', dir);
    return { driftShare, decision: decideRetrain(spec, { recipe: 'fit', previousRunId: runId, change, driftShare }) };
  }

  it('new rows from the same distribution: changed, but no drift past 0.3, no retraining', async () => {
    const { driftShare, decision } = await decide(csv(600, 7));
    assert.ok(driftShare <= 0.3, `share ${driftShare}`);
    assert.equal(decision.retrain, false);
  });

  it('shifted data: every compared column drifts, retraining with the drift tags', async () => {
    const { driftShare, decision } = await decide(csv(600, 9, 1.5));
    assert.equal(driftShare, 1);
    assert.ok(decision.retrain);
    assert.equal(decision.tags[RETRAIN_TAGS.trigger], 'drift');
    assert.equal(decision.tags[RETRAIN_TAGS.driftShare], '1');
    assert.equal(decision.tags[RETRAIN_TAGS.previousRun], runId);
  });
});
