// computeDrift on tables built in memory: the test chosen per column kind and sample size
// (Evidently's defaults), identifiers and timestamps left out with the reason, schema and null
// share changes, the dataset share, the order of the columns, and two properties (identical
// tables never drift; swapping the sides keeps the symmetric scores).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { computeDrift } from '../../../src/core/drift/computeDrift.ts';
import { numericBuckets } from '../../../src/core/drift/statistics.ts';
import { presorted, presortTables } from '../../../src/core/drift/presort.ts';
import type { ColumnValues, TableData } from '../../../src/core/profile/tableData.ts';
import { integers, normals } from './samples.ts';

function num(name: string, values: readonly number[], extra: Partial<ColumnValues> = {}): ColumnValues {
  return { name, type: 'DOUBLE', kind: 'numeric', role: 'feature', count: values.length + (extra.nulls ?? 0), nulls: 0, numbers: Float64Array.from(values), ...extra };
}
function cat(name: string, counts: Record<string, number>, extra: Partial<ColumnValues> = {}): ColumnValues {
  const total = Object.values(counts).reduce((s, c) => s + c, 0);
  return { name, type: 'VARCHAR', kind: 'categorical', role: 'feature', count: total + (extra.nulls ?? 0), nulls: 0, categories: new Map(Object.entries(counts)), ...extra };
}
const table = (columns: ColumnValues[], rows = columns[0]?.count ?? 0): TableData => ({ path: '/data/t.csv', format: 'csv', rows, columns, notes: [] });
const byName = (report: ReturnType<typeof computeDrift>, name: string) => {
  const c = report.columns.find((x) => x.column === name);
  assert.ok(c, `no column ${name}`);
  return c;
};

describe('computeDrift', () => {
  it('chooses KS for small numeric samples, Wasserstein for large ones, with PSI beside', () => {
    const small = computeDrift(table([num('x', normals(1, 500))]), table([num('x', normals(2, 500, 1))]));
    const x = byName(small, 'x');
    assert.equal(x.test, 'ks');
    assert.ok(x.drifted && (x.score ?? 1) < 1e-10);
    assert.equal(x.also?.[0]?.test, 'psi');
    const large = computeDrift(table([num('x', normals(3, 5000))]), table([num('x', normals(4, 5000, 0.02))]));
    const y = byName(large, 'x');
    assert.equal(y.test, 'wasserstein');
    assert.equal(y.drifted, false);
    assert.ok(y.reference.histogram && y.current.histogram);
    assert.deepEqual(y.reference.histogram.edges, y.current.histogram.edges, 'same bins on both sides');
  });

  it('uses chi-square (small) and Jensen–Shannon (large) for categories and few-valued numbers', () => {
    const r = computeDrift(
      table([cat('c', { a: 300, b: 200, c: 100 }), num('few', integers(1, 600, 4))]),
      table([cat('c', { a: 100, b: 200, c: 300 }), num('few', integers(2, 600, 4))]),
    );
    assert.equal(byName(r, 'c').test, 'chisquare');
    assert.equal(byName(r, 'c').drifted, true);
    assert.equal(byName(r, 'few').test, 'chisquare');
    assert.equal(byName(r, 'few').drifted, false);
    const big = computeDrift(table([cat('c', { a: 3000, b: 2000 })]), table([cat('c', { a: 2990, b: 2010 })]));
    assert.equal(byName(big, 'c').test, 'jensenshannon');
    assert.equal(byName(big, 'c').drifted, false);
    assert.deepEqual(byName(big, 'c').reference.categories?.map((x) => x.value), ['a', 'b']);
  });

  it('compares integer codes with at most 10 values as categories', () => {
    const codes = (seed: number) => integers(seed, 3000, 8);
    const r = computeDrift(table([num('code', codes(1), { type: 'BIGINT' })]), table([num('code', codes(2), { type: 'BIGINT' })]));
    assert.equal(byName(r, 'code').test, 'jensenshannon');
    assert.ok(byName(r, 'code').reference.categories);
  });

  it('leaves identifiers, timestamps and free text out, saying why, unless asked', () => {
    const ids = Array.from({ length: 100 }, (_, i) => i);
    const ref = table([num('id', ids, { role: 'id', roleReason: 'unique in every row' }), num('ts', ids, { kind: 'datetime', type: 'TIMESTAMP', role: 'timestamp' }), { name: 'note', type: 'VARCHAR', kind: 'text', role: 'feature', count: 100, nulls: 0, note: 'free text' }, num('x', normals(1, 100))]);
    const cur = table([num('id', ids.map((i) => i + 1000), { role: 'id' }), num('ts', ids.map((i) => i + 1e6), { kind: 'datetime', type: 'TIMESTAMP', role: 'timestamp' }), { name: 'note', type: 'VARCHAR', kind: 'text', role: 'feature', count: 100, nulls: 0 }, num('x', normals(2, 100))]);
    const r = computeDrift(ref, cur);
    assert.match(byName(r, 'id').skipped ?? '', /identifies rows \(id: unique in every row\)/);
    assert.match(byName(r, 'ts').skipped ?? '', /identifies rows \(timestamp/);
    assert.match(byName(r, 'note').skipped ?? '', /free text/);
    assert.equal(r.dataset.comparedColumns, 1);
    assert.ok(r.notes.some((n) => n.includes('id, ts') || n.includes('ts, id')));
    const all = computeDrift(ref, cur, { includeIdentifiers: true });
    assert.equal(byName(all, 'id').drifted, true);
    assert.equal(all.dataset.comparedColumns, 3);
  });

  it('reports schema changes, null share changes, the dataset share, and sorts the most drifted first', () => {
    const ref = table([num('a', normals(1, 400)), num('b', normals(2, 400)), cat('gone', { x: 400 }), num('typed', normals(3, 400))]);
    const cur = table([
      num('a', normals(4, 400)), num('b', normals(5, 300, 3), { nulls: 100 }), cat('new', { y: 400 }), cat('typed', { p: 200, q: 200 }, { type: 'VARCHAR' }),
    ]);
    const r = computeDrift(ref, cur, { datasetShare: 0.5 });
    assert.deepEqual(r.dataset.schema.added, [{ column: 'new', type: 'VARCHAR' }]);
    assert.deepEqual(r.dataset.schema.removed, [{ column: 'gone', type: 'VARCHAR' }]);
    assert.deepEqual(r.dataset.schema.typeChanged, [{ column: 'typed', from: 'DOUBLE', to: 'VARCHAR' }]);
    assert.match(byName(r, 'typed').skipped ?? '', /type changed/);
    assert.deepEqual(r.dataset.nullShareChanges, [{ column: 'b', reference: 0, current: 0.25 }]);
    assert.equal(r.columns[0]?.column, 'b');
    assert.equal(r.dataset.comparedColumns, 2);
    assert.equal(r.dataset.driftedColumns, 1);
    assert.equal(r.dataset.share, 0.5);
    assert.equal(r.dataset.drifted, true, 'share ≥ 0.5 drifts, as Evidently');
    assert.equal(computeDrift(ref, cur, { datasetShare: 0.6 }).dataset.drifted, false);
    assert.ok(r.columns.slice(-3).every((c) => c.skipped), 'skipped columns last');
  });

  it('forces a test by column, and refuses a numeric test on categories', () => {
    const ref = table([num('x', normals(1, 3000)), cat('c', { a: 2000, b: 1000 })]);
    const cur = table([num('x', normals(2, 3000)), cat('c', { a: 1900, b: 1100 })]);
    const r = computeDrift(ref, cur, { testByColumn: { x: 'ks', c: 'wasserstein' } });
    assert.equal(byName(r, 'x').test, 'ks');
    assert.match(byName(r, 'c').skipped ?? '', /needs numbers/);
  });

  it('presorting on a second thread (large tables) gives the same report', async () => {
    const make = (seed: number, shift: number) => table([num('a', normals(seed, 150_000, shift)), num('b', normals(seed + 1, 150_000)), cat('c', { a: 5, b: 7 })]);
    const at = new Date('2026-01-01T00:00:00Z');
    const plain = computeDrift(make(1, 0), make(3, 0.1), {}, {}, at);
    const ref = make(1, 0), cur = make(3, 0.1);
    await presortTables([ref, cur]);
    assert.ok(presorted(ref.columns[0]?.numbers ?? new Float64Array()), 'sorted ahead');
    assert.deepEqual(computeDrift(ref, cur, {}, {}, at), plain);
  });

  it('is deterministic', () => {
    const ref = table([num('x', normals(1, 800)), cat('c', { a: 5, b: 7 })]);
    const cur = table([num('x', normals(2, 900, 0.2)), cat('c', { a: 6, b: 3 })]);
    const at = new Date('2026-01-01T00:00:00Z');
    assert.deepEqual(computeDrift(ref, cur, {}, {}, at), computeDrift(ref, cur, {}, {}, at));
  });

  it('property: a table never drifts against itself', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
      fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 300 }),
      (xs, cs) => {
        const counts: Record<string, number> = {};
        for (const c of cs) counts[c] = (counts[c] ?? 0) + 1;
        const t = table([num('x', xs), cat('c', counts)]);
        const r = computeDrift(t, t);
        return r.dataset.driftedColumns === 0 && !r.dataset.drifted;
      },
    ), { numRuns: 100 });
  });

  it('property: swapping the sides keeps KS, Jensen–Shannon and PSI scores (PSI when both sides bucket alike)', () => {
    const fewValues = (xs: number[]): boolean => new Set(xs).size <= 20;
    fc.assert(fc.property(
      fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 30, maxLength: 200 }),
      fc.array(fc.integer({ min: -40, max: 60 }), { minLength: 30, maxLength: 200 }),
      (a, b) => {
        // PSI's buckets depend on the reference, as in Evidently: one per value when the reference has
        // ≤ 20 distinct values, Sturges bins otherwise. Swapping keeps the score only when both sides agree.
        const tests = fewValues(a) === fewValues(b) ? (['ks', 'psi'] as const) : (['ks'] as const);
        for (const test of tests) {
          const ab = byName(computeDrift(table([num('x', a)]), table([num('x', b)]), { testByColumn: { x: test } }), 'x').score ?? Number.NaN;
          const ba = byName(computeDrift(table([num('x', b)]), table([num('x', a)]), { testByColumn: { x: test } }), 'x').score ?? Number.NaN;
          if (Math.abs(ab - ba) > 1e-9 * Math.max(1, Math.abs(ab))) return false;
        }
        const ca = { p: a.length, q: b.length }, cb = { p: b.length, q: a.length + 1 };
        const js1 = byName(computeDrift(table([cat('c', ca)]), table([cat('c', cb)]), { testByColumn: { c: 'jensenshannon' } }), 'c').score ?? Number.NaN;
        const js2 = byName(computeDrift(table([cat('c', cb)]), table([cat('c', ca)]), { testByColumn: { c: 'jensenshannon' } }), 'c').score ?? Number.NaN;
        return Math.abs(js1 - js2) < 1e-12;
      },
    ), { numRuns: 60 });
  });

  it('buckets PSI by the reference: one bucket per value when it has ≤ 20 distinct values, Sturges bins otherwise', () => {
    const few = [-18, 2, 23, 2, 2, 23, -18, ...new Array<number>(23).fill(0)];
    const many = [0, 0, 0, 0, 0, 0, 0, 0, 0, 7, -1, 2, -2, 0, 8, 13, 3, 14, 9, -3, 15, 16, -4, -5, 17, 1, -6, -7, -8, 4];
    const sorted = (xs: number[]): Float64Array => Float64Array.from(xs).sort();
    assert.equal(numericBuckets(sorted(few), sorted(many)).edges, undefined, 'a 4-value reference: a bucket per value');
    assert.ok(numericBuckets(sorted(many), sorted(few)).edges, 'a 30-value reference: Sturges edges');
    const psi = (r: number[], c: number[]): number => byName(computeDrift(table([num('x', r)]), table([num('x', c)]), { testByColumn: { x: 'psi' } }), 'x').score ?? Number.NaN;
    assert.notEqual(psi(few, many).toFixed(6), psi(many, few).toFixed(6));
  });
});
