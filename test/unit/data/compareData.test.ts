// The compare panel marks runs that read different versions of the same file: a `data: <path>`
// row, differing, for each input two runs read with different hashes, and none for inputs all runs
// read alike.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildComparison } from '../../../src/core/compare/comparison.ts';
import { datasetInputsOf } from '../../../src/core/data/dataRecord.ts';
import type { DataEntry } from '../../../src/core/data/observedRecord.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';

describe('core/compare: runs that read different versions of a file', () => {
  let dir: string;
  let store: SqliteTrackingStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-compare-data-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function runReading(name: string, inputs: readonly DataEntry[]): Promise<string> {
    const runId = (await store.createRun({ experimentId: '0', runName: name })).info.runId;
    await store.logInputs(runId, datasetInputsOf({ version: 1, cwd: '/p', inputs, outputs: [], notes: [] }));
    return runId;
  }
  const file = (p: string, hash: string): DataEntry => ({ path: p, kind: 'file', found: ['observed'], sha256: hash.repeat(64) });

  it('adds a differing data row for a file read in two versions, none for one read alike', async () => {
    const a = await runReading('a', [file('config.yaml', 'c'), file('data/train.csv', '1')]);
    const b = await runReading('b', [file('config.yaml', 'c'), file('data/train.csv', '2')]);
    const c = await runReading('c', [file('config.yaml', 'c')]);
    const model = await buildComparison(store, { store: 'local', runIds: [a, b, c] });
    const dataRows = model.rows.filter((r) => r.key.startsWith('data: '));
    assert.deepEqual(dataRows.map((r) => [r.key, r.values, r.differs]), [['data: data/train.csv', ['1'.repeat(32), '2'.repeat(32), null], true]]);
    const same = await buildComparison(store, { store: 'local', runIds: [a, c] });
    assert.deepEqual(same.rows.filter((r) => r.key.startsWith('data: ')), []);
  });
});
