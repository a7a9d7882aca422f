// A checks file's drift reference read as `labbook drift` reads it (parseDriftSource): `runs:/ID`,
// a bare run id, a file relative to the workspace; and a run's relative inputs found from the
// workspace folder, not from the process's working directory (`/` in the extension host).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkText } from '../../../src/core/checks/index.ts';
import { createCheckEngine } from '../../../src/core/checks/engine.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';

describe('data checks: drift references', function () {
  this.timeout(120_000);
  let root: string;
  let store: SqliteTrackingStore;
  let runId: string;
  const table = (shift: number) => `${['x,c', ...Array.from({ length: 300 }, (_, i) => `${(i % 100) + shift},${['a', 'b', 'c'][i % 3]}`)].join('\n')}\n`;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'labbook-check-drift-'));
    mkdirSync(path.join(root, 'data'));
    const train = table(0);
    writeFileSync(path.join(root, 'data', 'train.csv'), train);
    writeFileSync(path.join(root, 'data', 'new.csv'), table(0));
    store = new SqliteTrackingStore(path.join(root, 'tracking.db'));
    runId = (await store.createRun({ experimentId: '0', runName: 'train' })).info.runId;
    // data.json without a cwd: the run's input is relative to the folder the checks run in.
    const entry = { path: 'data/train.csv', kind: 'file', found: ['observed'], size: Buffer.byteLength(train), sha256: createHash('sha256').update(train).digest('hex') };
    await store.writeArtifact(runId, 'labbook/data.json', new TextEncoder().encode(JSON.stringify({ version: 1, inputs: [entry], outputs: [], notes: [] })));
  });
  after(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('reads runs:/ID and a bare run id as the run, its inputs from the workspace folder', async () => {
    const engine = createCheckEngine({ store: () => Promise.resolve(store) });
    assert.notEqual(process.cwd(), root);
    for (const against of [`runs:/${runId}`, runId]) {
      const text = `datasets:\n  - path: data/new.csv\n    drift: { against: "${against}" }\n`;
      const run = await checkText(text, engine, root, { mode: 'all' });
      assert.deepEqual(run.results.map((r) => [r.rule, r.status]), [['drift', 'pass']], `${against}: ${run.results.map((r) => r.message).join('; ')}`);
    }
  });
});
