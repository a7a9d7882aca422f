// The profiler against pandas/numpy on the same files, in each format it reads: row and null
// counts, distinct values, range, mean, sample std, the 101 quantiles (exact below a million rows,
// so they match numpy's linear interpolation), value counts, and the roles it gives columns.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { profileFile } from '../../../src/core/profile/profileFile.ts';
import type { ColumnProfile, DataProfile } from '../../../src/core/profile/types.ts';
import { close, pandasReference, writeFixture, type FixtureFormat, type Reference } from './profileFixtures.ts';

const ROWS = 3000;

describe('profileFile: a data profile matches pandas on the same file', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'labbook-profile-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const format of ['csv', 'tsv', 'parquet', 'jsonl'] as const satisfies readonly FixtureFormat[]) {
    describe(format, () => {
      let profile: DataProfile;
      let reference: Reference;
      const column = (name: string): ColumnProfile => {
        const found = profile.columns.find((c) => c.name === name);
        assert.ok(found, `a column ${name} in ${profile.columns.map((c) => c.name).join(', ')}`);
        return found;
      };

      before(async () => {
        const file = path.join(dir, `data.${format}`);
        await writeFixture(file, format, ROWS);
        reference = await pandasReference(file, format);
        profile = await profileFile(file);
      });

      it('reads the format, the rows and every column', () => {
        assert.equal(profile.format, 'labbook.profile/1');
        assert.equal(profile.source.format, format);
        assert.equal(profile.rows, reference.rows);
        assert.deepEqual(profile.columns.map((c) => c.name), Object.keys(reference.columns));
        for (const c of profile.columns) {
          assert.equal(c.count, ROWS, c.name);
          assert.equal(c.nulls, reference.columns[c.name]?.nulls, `${c.name} nulls`);
          assert.ok(close(c.nullShare, c.nulls / ROWS), `${c.name} null share`);
          assert.equal(c.distinct, reference.columns[c.name]?.distinct, `${c.name} distinct`);
          assert.equal(c.distinctApprox, false);
        }
      });

      it('numeric columns: min, max, mean, std and the 101 quantiles as numpy computes them', () => {
        for (const name of ['row', 'id', 'x', 'k']) {
          const c = column(name);
          const r = reference.columns[name];
          assert.equal(c.kind, 'numeric', name);
          assert.ok(r);
          assert.equal(c.min, r.min, `${name} min`);
          assert.equal(c.max, r.max, `${name} max`);
          assert.ok(close(c.mean, r.mean), `${name} mean ${c.mean} vs ${r.mean}`);
          assert.ok(close(c.std, r.std), `${name} std ${c.std} vs ${r.std}`);
          assert.equal(c.quantiles?.length, 101);
          c.quantiles?.forEach((q, i) => assert.ok(close(q, r.quantiles?.[i]), `${name} p${i} ${q} vs ${r.quantiles?.[i]}`));
        }
      });

      it('histograms: equal-width bins over the range, counting every non-null value', () => {
        for (const name of ['x', 'ts']) {
          const c = column(name);
          const h = c.histogram;
          assert.ok(h, name);
          assert.equal(h.edges.length, h.counts.length + 1);
          assert.equal(h.counts.reduce((a, b) => a + b, 0), c.count - c.nulls, name);
          const widths = h.edges.slice(1).map((e, i) => e - (h.edges[i] ?? 0));
          for (const w of widths) assert.ok(close(w, widths[0], 1e-6), `${name} equal widths`);
        }
        assert.equal(column('x').histogram?.edges[0], column('x').min);
        assert.equal(column('x').histogram?.edges.at(-1), column('x').max);
      });

      it('categorical, boolean and few-valued numeric columns: top values and the rest', () => {
        for (const name of ['cat', 'flag', 'k']) {
          const c = column(name);
          const counts = reference.columns[name]?.counts ?? {};
          assert.ok(c.topValues, name);
          assert.deepEqual(Object.fromEntries(c.topValues.map((t) => [t.value, t.count])), counts, name);
          for (let i = 1; i < c.topValues.length; i++) assert.ok((c.topValues[i - 1]?.count ?? 0) >= (c.topValues[i]?.count ?? 0), 'most frequent first');
          assert.equal(c.otherCount, 0);
        }
        assert.equal(column('cat').kind, 'categorical');
        assert.equal(column('flag').kind, 'boolean');
        const note = column('note');
        assert.equal(note.kind, 'text');
        assert.equal(note.topValues?.length, 20);
        assert.equal(note.otherCount, ROWS - 20);
      });

      it('datetimes: ISO range, and quantiles in epoch milliseconds', () => {
        const ts = column('ts');
        assert.equal(ts.kind, 'datetime');
        assert.equal(ts.min, reference.columns['ts']?.min);
        assert.equal(ts.max, reference.columns['ts']?.max);
        assert.equal(ts.quantiles?.[0], Date.parse(String(ts.min)));
        assert.equal(ts.quantiles?.[100], Date.parse(String(ts.max)));
      });

      it('roles: row numbers, integer and string ids and the timestamp are told apart from features', () => {
        assert.equal(column('row').role, 'row-number');
        assert.equal(column('id').role, 'id');
        assert.equal(column('code').role, 'id');
        assert.equal(column('ts').role, 'timestamp');
        for (const name of ['x', 'k', 'cat', 'flag', 'note']) assert.equal(column(name).role, 'feature', name);
        for (const c of profile.columns) assert.equal(c.role === 'feature', c.roleReason === undefined, `${c.name} has a reason iff not a feature`);
      });
    });
  }
});
