// The local store's engine: how long one transaction of 10,000 metric rows takes in a WAL file.
// A peer comparison arrives with the tracking store (MLflow's own SQLite store).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../src/core/sqlite/openDatabase.ts';
import { medianMs, type Benchmark } from './timing.ts';

/** Median ms of one transaction inserting 10k rows into a plain table: the engine's own rate. */
export async function rawInsert10kMs(): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'labbook-bench-'));
  const db = openDatabase(path.join(dir, 'bench.db'), {});
  try {
    db.exec('create table metric (run text, key text, value real, ts integer, step integer)');
    const insert = db.prepare('insert into metric values (?, ?, ?, ?, ?)');
    const batch = db.transaction((n: number) => {
      for (let i = 0; i < n; i++) insert.run('run', 'loss', Math.random(), Date.now(), i);
    });
    return await medianMs(() => batch(10_000));
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [
  {
    name: 'sqlite: insert 10k metric rows (WAL, one transaction)',
    async run() {
      return { oursMs: await rawInsert10kMs() };
    },
  },
];
