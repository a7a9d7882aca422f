// MLflow's dataset clauses in a run search (`datasets.digest = '…'`), which lineage uses to find
// the runs of a digest in one query: the local store's SQL and the in-memory search (mlflow.db,
// mlruns) give the same runs, and the runs expected.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { searchRunsInMemory } from '../../../src/core/store/inMemorySearch.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Run } from '../../../src/core/store/types.ts';

describe('core/store: run search by dataset (SQL and in memory agree)', () => {
  let dir: string;
  let store: SqliteTrackingStore;
  const names: Record<string, string> = {};
  let runs: Run[];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-dataset-search-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    const ds = (name: string, digest: string, context?: string) => ({ tags: context ? [{ key: 'mlflow.data.context', value: context }] : [], dataset: { name, digest, sourceType: 'local', source: '' } });
    const make = async (name: string, inputs: ReturnType<typeof ds>[]) => {
      const id = (await store.createRun({ experimentId: '0', runName: name })).info.runId;
      names[id] = name;
      if (inputs.length > 0) await store.logInputs(id, inputs);
    };
    await make('a', [ds('iris', 'd1', 'training')]);
    await make('b', [ds('iris', 'd2', 'eval'), ds('wine', 'd1')]);
    await make('c', [ds('wine', 'd3', 'training')]);
    await make('none', []);
    runs = await Promise.all(Object.keys(names).map((id) => store.getRun(id)));
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: readonly [string, string[]][] = [
    ["datasets.digest = 'd1'", ['a', 'b']],
    ["dataset.name LIKE 'ir%'", ['a', 'b']],
    ["datasets.name ILIKE 'WINE'", ['b', 'c']],
    ["datasets.context = 'training'", ['a', 'c']],
    ["datasets.digest IN ('d2', 'd3')", ['b', 'c']],
    ["datasets.digest NOT IN ('d1')", ['b', 'c']],
    ["datasets.digest != 'd1'", ['b', 'c']],
    ["datasets.name = 'iris' AND datasets.digest = 'd2'", ['b']],
    ["datasets.digest = 'nope'", []],
  ];
  for (const [filter, expected] of cases) {
    it(`${filter} → ${expected.join(', ') || 'no runs'}`, async () => {
      const sql = (await store.searchRuns({ experimentIds: ['0'], filter })).items.map((r) => names[r.info.runId]).sort();
      const memory = searchRunsInMemory(runs, { experimentIds: ['0'], filter }).items.map((r) => names[r.info.runId]).sort();
      assert.deepEqual(sql, expected);
      assert.deepEqual(memory, expected);
    });
  }

  it('refuses unknown dataset keys and ordering by a dataset', async () => {
    await assert.rejects(store.searchRuns({ experimentIds: ['0'], filter: "datasets.size = '1'" }), /unknown dataset key "size"/);
    await assert.rejects(store.searchRuns({ experimentIds: ['0'], orderBy: ['datasets.name'] }), /cannot order by/);
  });
});
