// readTable: the values the drift engine and the data checks compare, checked against pandas on
// the same files (numbers in file order, value counts), and the reasons a file cannot be read.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { profileFile } from '../../../src/core/profile/profileFile.ts';
import { readTable } from '../../../src/core/profile/readTable.ts';
import { MAX_CATEGORIES } from '../../../src/core/profile/tableData.ts';
import { TableReadError } from '../../../src/core/profile/tableSource.ts';
import { runPython } from '../../support/python.ts';
import { writeFixture } from './profileFixtures.ts';

describe('readTable: a table as the drift engine and the checks read it', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'labbook-read-table-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('numbers in file order without nulls, datetimes as epoch ms, and value counts, as pandas reads them', async () => {
    const file = path.join(dir, 'data.parquet');
    await writeFixture(file, 'parquet', 2000);
    const expected = await runPython(['-c', String.raw`
import sys, json, pandas as pd
df = pd.read_parquet(sys.argv[1])
print(json.dumps({'x': df['x'].dropna().tolist(), 'ts': [t.value // 10**6 for t in df['ts']],
  'cat': {str(k): int(v) for k, v in df['cat'].value_counts().items()}, 'cat_nulls': int(df['cat'].isna().sum()),
  'flag': {str(k).lower(): int(v) for k, v in df['flag'].value_counts().items()}}))
`, file], {});
    assert.equal(expected.code, 0, expected.stderr);
    const reference = JSON.parse(expected.stdout) as { x: number[]; ts: number[]; cat: Record<string, number>; cat_nulls: number; flag: Record<string, number> };
    const table = await readTable(file);
    assert.equal(table.format, 'parquet');
    assert.equal(table.rows, 2000);
    const col = (name: string) => table.columns.find((c) => c.name === name);
    assert.deepEqual(Array.from(col('x')?.numbers ?? []), reference.x);
    assert.equal(col('x')?.nulls, 2000 - reference.x.length);
    assert.deepEqual(Array.from(col('ts')?.numbers ?? []), reference.ts);
    assert.equal(col('ts')?.kind, 'datetime');
    assert.deepEqual(Object.fromEntries(col('cat')?.categories ?? []), reference.cat);
    assert.equal(col('cat')?.nulls, reference.cat_nulls);
    assert.deepEqual(Object.fromEntries(col('flag')?.categories ?? []), reference.flag);
    assert.equal(col('row')?.role, 'row-number');
    assert.equal(col('id')?.role, 'id');
    assert.equal(col('x')?.role, 'feature');
  });

  it('a text column past MAX_CATEGORIES distinct values gets a note, not counts; columns can be chosen', async () => {
    const file = path.join(dir, 'many.csv');
    const n = MAX_CATEGORIES + 500;
    writeFileSync(file, `label,comment\n${Array.from({ length: n }, (_, i) => `${i % 3 === 0 ? 'a' : 'b'},comment ${i} here`).join('\n')}\n`);
    const table = await readTable(file);
    const comment = table.columns.find((c) => c.name === 'comment');
    assert.equal(comment?.kind, 'text');
    assert.equal(comment?.categories, undefined);
    assert.match(comment?.note ?? '', /more than 10,000 distinct values/);
    assert.deepEqual(Object.fromEntries(table.columns.find((c) => c.name === 'label')?.categories ?? []), { a: Math.ceil(n / 3), b: n - Math.ceil(n / 3) });
    const chosen = await readTable(file, { columns: ['label', 'nope'] });
    assert.deepEqual(chosen.columns.map((c) => c.name), ['label']);
    assert.match(chosen.notes.join(' '), /No column named nope/);
  });

  it('roles: a timestamp named column in text, a numeric epoch column, an id with gaps, a near-id with one repeat', async () => {
    const file = path.join(dir, 'roles.jsonl');
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify({ event_time: `2024-03-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00.000`, created_ts: 1_700_000_000 + i * 60, id: 100 + i * 3, dup_id: i % 29, v: i % 4 }));
    writeFileSync(file, `${lines.join('\n')}\n`);
    const table = await readTable(file);
    const col = (name: string) => table.columns.find((c) => c.name === name);
    assert.equal(col('event_time')?.kind, 'datetime');
    assert.equal(col('event_time')?.role, 'timestamp');
    assert.equal(col('event_time')?.numbers?.[0], Date.UTC(2024, 2, 1, 10));
    assert.match(table.notes.join(' '), /event_time holds text; read as TIMESTAMP/);
    assert.equal(col('created_ts')?.role, 'timestamp');
    assert.equal(col('id')?.role, 'id');
    assert.equal(col('dup_id')?.role, 'feature', 'one value repeats');
    assert.equal(col('v')?.role, 'feature');
  });

  describe('files that cannot be read say why', () => {
    const reasonOf = async (file: string, read: (f: string) => Promise<unknown>) => {
      try {
        await read(file);
      } catch (err) {
        assert.ok(err instanceof TableReadError, String(err));
        return { reason: err.reason, message: err.message };
      }
      assert.fail(`${file} was read`);
    };
    for (const [name, read] of [['readTable', readTable], ['profileFile', profileFile]] as const) {
      it(name, async () => {
        const write = (n: string, text: string | Buffer) => {
          const f = path.join(dir, n);
          writeFileSync(f, text);
          return f;
        };
        assert.deepEqual(await reasonOf(path.join(dir, 'absent.csv'), read).then((r) => r.reason), 'missing');
        assert.deepEqual(await reasonOf(write('empty.csv', ''), read).then((r) => r.reason), 'empty');
        const ragged = await reasonOf(write('ragged.csv', 'a,b\n1,2\n3,4\n5,6,7,8\n'), read);
        assert.equal(ragged.reason, 'unreadable');
        assert.match(ragged.message, /ragged\.csv cannot be read as CSV: its lines do not split into the same number of fields with the delimiter ','/);
        const binary = await reasonOf(write('blob.bin', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2])), read);
        assert.equal(binary.reason, 'unknown-format');
        assert.equal((await reasonOf(write('words.txt', 'just some words\nno separators\n'), read)).reason, 'unknown-format');
        const fakeParquet = await reasonOf(write('fake.parquet', 'not parquet at all'), read);
        assert.equal(fakeParquet.reason, 'unreadable');
        assert.match(fakeParquet.message, /cannot be read as PARQUET/);
        assert.equal((await reasonOf(write('bad.jsonl', '{"a": 1}\n{"a": \n'), read)).reason, 'unreadable');
      });
    }
  });

  it('sniffs the format of a file without a known extension, and a semicolon delimiter', async () => {
    const semi = path.join(dir, 'export.data');
    writeFileSync(semi, 'name;score\nann;1,5\nbob;2,5\n');
    const table = await readTable(semi);
    assert.equal(table.format, 'csv');
    assert.deepEqual(table.columns.map((c) => c.name), ['name', 'score']);
    const tsv = path.join(dir, 'table.txt');
    writeFileSync(tsv, 'a\tb\n1\t2\n3\t4\n');
    const t = await readTable(tsv);
    assert.equal(t.format, 'tsv');
    assert.deepEqual(Array.from(t.columns[1]?.numbers ?? []), [2, 4]);
  });
});
