// The local store's 64-step tiles (level 6): kept at ingest like every level, read for buckets
// 64–255 steps wide with exact min and max, and built for a store from before them by the schema
// migration — the same rows as ingest keeps, negative steps, NaN and sparse keys included.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Metric } from '../../../src/core/store/types.ts';

const tileRows = (store: SqliteTrackingStore) => store.database.prepare('SELECT * FROM metric_tiles WHERE level = 6 ORDER BY run_key, key, tile').all();

describe('core/store: 64-step tiles', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'labbook-tiles-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads them for buckets 64–255 steps wide: every bucket starts on a 64-step tile, its min and max exact', async () => {
    const store = new SqliteTrackingStore(path.join(dir, 't.db'));
    try {
      const { runId } = (await store.createRun({ experimentId: '0' })).info;
      const value = (step: number) => (step % 777 === 0 ? Number.NaN : Math.sin(step / 50) + (step === 12_345 ? 100 : 0));
      for (let start = 0; start < 50_000; start += 1000) {
        await store.logBatch(runId, { metrics: Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: value(start + i), timestamp: start + i, step: start + i })) });
      }
      // 400 buckets of 125 steps: 64-step tiles fit, 256-step ones do not.
      const buckets = await store.getMetricHistoryDownsampled(runId, 'loss', 400);
      assert.ok(buckets.slice(1).every((b) => b.stepStart % 64 === 0), 'every bucket after the first starts on a 64-step tile');
      assert.ok(buckets.some((b) => b.stepStart % 256 !== 0), 'some bucket starts between 256-step tiles');
      assert.equal(buckets.reduce((sum, b) => sum + b.count, 0), 50_000);
      for (const b of buckets) {
        const values = Array.from({ length: b.stepEnd - b.stepStart + 1 }, (_, i) => value(b.stepStart + i)).filter((v) => !Number.isNaN(v));
        assert.equal(b.min, Math.min(...values), `min of steps ${b.stepStart}–${b.stepEnd}`);
        assert.equal(b.max, Math.max(...values), `max of steps ${b.stepStart}–${b.stepEnd}`);
      }
      const columns = await store.getMetricHistoryColumns(runId, 'loss', 400);
      assert.deepEqual(Array.from(columns.max), buckets.map((b) => b.max));
    } finally {
      await store.close();
    }
  });

  it('are built by the migration for a store from before them, the same rows as ingest keeps', async () => {
    const file = path.join(dir, 't.db');
    const store = new SqliteTrackingStore(file);
    let expected: unknown[];
    try {
      const runs = [(await store.createRun({ experimentId: '0' })).info.runId, (await store.createRun({ experimentId: '0' })).info.runId];
      let seed = 11;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      for (const [r, runId] of runs.entries()) {
        // Dense steps from below zero with NaN, a sparse key at random steps, all logged out of order.
        const metrics: Metric[] = [];
        for (let step = -3000; step < 9000; step++) metrics.push({ key: 'loss', value: step % 97 === 0 ? Number.NaN : random() * (r + 1), timestamp: 5000 + (step % 13), step });
        for (let i = 0; i < 300; i++) metrics.push({ key: 'lr', value: random(), timestamp: i, step: Math.floor(random() * 1e6) - 5000 });
        metrics.sort(() => random() - 0.5);
        for (let i = 0; i < metrics.length; i += 1000) await store.logBatch(runId, { metrics: metrics.slice(i, i + 1000) });
      }
      expected = tileRows(store);
      assert.ok(expected.length > 400, `${expected.length} tiles of 64 steps`);
      assert.ok(expected.some((t) => (t as { tile: number }).tile < 0), 'some tile is below step 0');
      // The store as schema 3 left it: no 64-step tiles.
      store.database.exec('DELETE FROM metric_tiles WHERE level = 6');
      store.database.pragma('user_version = 3');
    } finally {
      await store.close();
    }
    const reopened = new SqliteTrackingStore(file);
    try {
      assert.equal(Number(reopened.database.pragma('user_version', { simple: true })), 4);
      assert.deepEqual(tileRows(reopened), expected);
    } finally {
      await reopened.close();
    }
  });
});
