// The metrics insert's fast path (no RETURNING, kept only when every row was new) must store
// exactly what the general path (RETURNING the new rows) stores: points, latest values and tiles,
// for random batches with NaN, ±Infinity, -0, duplicates inside a batch and retried batches; and
// the finest tiles must match the stored points recomputed the obvious way.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { openDatabase, type SqliteDatabase } from '../../../src/core/sqlite/openDatabase.ts';
import { MetricsTable } from '../../../src/core/store/sqlite/metricsTable.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Metric } from '../../../src/core/store/types.ts';
import { checkProperty, fuzzRuns, fuzzTitle } from '../fuzz/fuzzing.ts';

const RUNS = fuzzRuns(60);

const metric: fc.Arbitrary<Metric> = fc.record({
  // Mostly two keys (groups of their own, the key bound once), a few sparse ones (bound per row).
  key: fc.oneof({ arbitrary: fc.constantFrom('loss', 'acc'), weight: 6 }, { arbitrary: fc.constantFrom('lr', 'epoch', 'gpu/0', 'ü'), weight: 1 }),
  // Few distinct values and timestamps, so exact duplicates are common.
  value: fc.oneof(fc.constantFrom(0, -0, 1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY), fc.double()),
  timestamp: fc.integer({ min: 0, max: 3 }),
  step: fc.oneof(fc.integer({ min: 0, max: 600 }), fc.integer({ min: -5, max: 100_000 })),
});

/** Batches in order; `retry` sends the previous batch again, as a client or the outbox does. */
const batches = fc.array(fc.oneof({ arbitrary: fc.array(metric, { maxLength: 700 }), weight: 4 }, { arbitrary: fc.constant('retry' as const), weight: 1 }), {
  minLength: 1,
  maxLength: 4,
});

function dump(db: SqliteDatabase): { metrics: unknown[]; latest: unknown[]; tiles: unknown[] } {
  return {
    metrics: db.prepare('SELECT * FROM metrics ORDER BY run_key, key, step, timestamp, value, is_nan').all(),
    latest: db.prepare('SELECT * FROM latest_metrics ORDER BY run_key, key').all(),
    tiles: db.prepare('SELECT * FROM metric_tiles ORDER BY run_key, key, level, tile').all(),
  };
}

type PointRow = { key: string; step: number; timestamp: number; value: number; is_nan: number };
type TileRow = { key: string; level: number; tile: number; count: number; min: number | null; max: number | null; first_step: number; last_step: number; last_timestamp: number; last_value: number | null };

/** -0 and 0 are one value to SQLite's comparisons; compare them as one here too. */
const same = (v: number | null): number | null => (v === null ? null : v + 0);

/** The finest tiles recomputed from the stored points, the obvious way. */
function checkLevelOneTiles(points: readonly PointRow[], tiles: readonly TileRow[]): void {
  const groups = new Map<string, PointRow[]>();
  for (const p of points) {
    const id = `${p.key}/${Math.floor(p.step / 16)}`;
    groups.set(id, [...(groups.get(id) ?? []), p]);
  }
  const levelOne = tiles.filter((t) => t.level === 1);
  assert.equal(levelOne.length, groups.size);
  for (const t of levelOne) {
    const inside = groups.get(`${t.key}/${t.tile}`) ?? [];
    const numbers = inside.filter((p) => !p.is_nan).map((p) => p.value);
    assert.equal(t.count, inside.length);
    assert.equal(same(t.min), numbers.length ? same(Math.min(...numbers)) : null);
    assert.equal(same(t.max), numbers.length ? same(Math.max(...numbers)) : null);
    assert.equal(t.first_step, Math.min(...inside.map((p) => p.step)));
    // The last point: highest step, then timestamp, then value (NaN lowest, tied with -Infinity).
    const rank = (p: PointRow): number => (p.is_nan ? Number.NEGATIVE_INFINITY : p.value);
    const last = inside.reduce((a, b) => (b.step !== a.step ? (b.step > a.step ? b : a) : b.timestamp !== a.timestamp ? (b.timestamp > a.timestamp ? b : a) : rank(b) > rank(a) ? b : a));
    assert.equal(t.last_step, last.step);
    assert.equal(t.last_timestamp, last.timestamp);
    const candidates = inside.filter((p) => p.step === last.step && p.timestamp === last.timestamp && rank(p) === rank(last)).map((p) => (p.is_nan ? null : same(p.value)));
    assert.ok(candidates.includes(same(t.last_value)), `tile ${t.key}/${t.tile}: last value ${t.last_value} is not the last point's`);
  }
}

/** The stored points are the distinct points sent, each once (NaN as value 0, is_nan 1). */
function checkPoints(sequence: readonly (readonly Metric[] | 'retry')[], stored: readonly PointRow[]): void {
  const id = (key: string, step: number, timestamp: number, value: number, isNan: number) => JSON.stringify([key, step, timestamp, value + 0, isNan]);
  const sent = new Set<string>();
  for (const batch of sequence) {
    if (batch === 'retry') continue;
    for (const m of batch) sent.add(Number.isNaN(m.value) ? id(m.key, m.step, m.timestamp, 0, 1) : id(m.key, m.step, m.timestamp, m.value, 0));
  }
  const rows = stored.map((p) => id(p.key, p.step, p.timestamp, p.value, p.is_nan));
  assert.equal(new Set(rows).size, rows.length, 'a point is stored twice');
  assert.deepStrictEqual(new Set(rows), sent);
}

/** Every level's tiles of a key count the same points. */
function checkLevelSums(tiles: readonly TileRow[]): void {
  const sums = new Map<string, number[]>();
  for (const t of tiles) {
    const levels = sums.get(t.key) ?? [0, 0, 0, 0, 0];
    levels[t.level - 1] = (levels[t.level - 1] ?? 0) + t.count;
    sums.set(t.key, levels);
  }
  for (const [key, levels] of sums) assert.ok(levels.every((n) => n === levels[0]), `${key}: tile counts per level ${levels.join(', ')}`);
}

describe('metrics insert fast path', () => {
  let dir: string;
  let base: string;
  let runKey: number;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-fastpath-'));
    base = path.join(dir, 'base.db');
    const store = new SqliteTrackingStore(base);
    const { info } = await store.createRun({ experimentId: '0' });
    await store.close();
    const db = openDatabase(base, {});
    runKey = db.prepare('SELECT run_key FROM runs WHERE run_id = ?').pluck().get(info.runId) as number;
    db.close();
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it(fuzzTitle('stores the same points, latest values and tiles as the RETURNING path, tiles true to the points', RUNS), () => {
    let n = 0;
    checkProperty(batches, RUNS, (sequence) => {
      const stored = [true, false].map((fastPath) => {
        const file = path.join(dir, `case-${n++}.db`);
        copyFileSync(base, file);
        const db = openDatabase(file, {});
        try {
          const table = new MetricsTable(db);
          let previous: readonly Metric[] = [];
          for (const step of sequence) {
            const batch = step === 'retry' ? previous : step;
            db.transaction(() => table.insert(runKey, batch, { fastPath }))();
            previous = batch;
          }
          return dump(db);
        } finally {
          db.close();
          rmSync(file, { force: true });
        }
      });
      assert.deepStrictEqual(stored[0], stored[1]);
      const { metrics, tiles } = stored[0] as unknown as { metrics: PointRow[]; tiles: TileRow[] };
      checkLevelOneTiles(metrics, tiles);
      checkPoints(sequence, metrics);
      checkLevelSums(tiles);
    });
  });
});
