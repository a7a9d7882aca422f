// Several processes (as several VS Code windows and running scripts would) write one local store
// at the same time: nothing may be lost and nobody may fail with "database is locked".
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';

const worker = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'node', 'logWorker.ts');

function runWorker(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [worker, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('core/store: several processes writing one local store', function () {
  this.timeout(90_000);

  it('keeps every point from 4 writer processes while this one reads', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-concurrent-'));
    const file = path.join(dir, 'tracking.db');
    const store = new SqliteTrackingStore(file);
    try {
      const shared = await store.createRun({ experimentId: '0', runName: 'shared' });
      const points = 2000;
      const workers = [0, 1, 2, 3].map((i) => runWorker([file, String(i), shared.info.runId, String(points)]));
      // Read while they write: WAL readers never block writers.
      let reads = 0;
      const done = Promise.all(workers);
      for (let settled = false; !settled && reads < 10_000; reads++) {
        await store.searchRuns({ experimentIds: ['0'] });
        settled = await Promise.race([done.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5))]);
      }
      const results = await done;
      for (const r of results) assert.equal(r.code, 0, r.stderr);
      assert.ok(reads > 0);
      for (const r of results) {
        const history = await store.getMetricHistory(r.stdout, 'loss');
        assert.equal(history.length, points);
        assert.deepEqual(history.map((m) => m.step), Array.from({ length: points }, (_, i) => i));
      }
      const run = await store.getRun(shared.info.runId);
      for (let i = 0; i < 4; i++) {
        assert.equal((await store.getMetricHistory(shared.info.runId, `w${i}`)).length, points, `worker ${i}`);
        assert.ok(run.data.params.some((p) => p.key === `worker${i}`));
      }
      assert.equal((await store.searchRuns({ experimentIds: ['0'], filter: "attributes.run_name LIKE 'worker-%'" })).items.length, 4);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
