// Each rule of the checks file decided on real CSV and Parquet files (DuckDB through the profiler),
// passing and failing, with the observed value in the message; and the data that cannot be read
// (a missing file, a glob that matches nothing, a corrupt file) as error results, never a throw.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkText, type CheckResult } from '../../../src/core/checks/index.ts';
import { createCheckEngine } from '../../../src/core/checks/engine.ts';
import { disallowedValues, repeatedValues } from '../../../src/core/checks/columnQueries.ts';
import { withDuckdb, sqlString } from '../../../src/core/profile/duckdb.ts';

const engine = createCheckEngine();

/** 40 rows: ids 1..40, ages 20..59 with one 212 and two nulls, sex m/f with one x, 40 distinct codes, a repeated column, dates. */
function trainCsv(): string {
  const rows = ['id,age,sex,score,code,dup,day'];
  for (let i = 1; i <= 40; i++) {
    const age = i === 7 ? '212' : i === 3 || i === 5 ? '' : String(i + 19);
    const sex = i === 11 ? 'x' : i % 2 ? 'm' : 'f';
    const day = `2024-01-${String(((i - 1) % 28) + 1).padStart(2, '0')}`;
    rows.push(`${i},${age},${sex},${(i / 8).toFixed(3)},c${i - 1},${i % 10},${day}`);
  }
  return `${rows.join('\n')}\n`;
}

const lines = (...l: string[]) => `${l.join('\n')}\n`;
const messages = (results: readonly CheckResult[], status: CheckResult['status']) => results.filter((r) => r.status === status).map((r) => r.message);

describe('data checks: rules on real files', function () {
  this.timeout(120_000);
  let root: string;
  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'labbook-checks-'));
    mkdirSync(path.join(root, 'data'));
    writeFileSync(path.join(root, 'data', 'train.csv'), trainCsv());
    await withDuckdb(async (c) => {
      await c.run(`COPY (SELECT * FROM read_csv_auto(${sqlString(path.join(root, 'data', 'train.csv'))})) TO ${sqlString(path.join(root, 'data', 'train.parquet'))} (FORMAT parquet)`);
    });
    writeFileSync(path.join(root, 'data', 'small.csv'), 'id,age\n1,30\n2,40\n');
    writeFileSync(path.join(root, 'data', 'broken.parquet'), 'this is not a parquet file at all');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const rules = (file: string) =>
    lines(
      'datasets:',
      `  - path: ${file}`,
      '    columns:',
      '      id: { type: int, unique: true, min: 1 }',
      '      age: { type: number, min: 0, max: 250, maxNullShare: 0.1 }',
      '      sex: { type: string, allowed: [m, f, x] }',
      '      score: { type: float, max: 5 }',
      `      code: { allowed: [${Array.from({ length: 40 }, (_, i) => `c${i}`).join(', ')}] }`,
      '      day: { type: datetime, min: "2024-01-01", max: "2024-01-31" }',
      '      income: { required: false, min: 0 }',
      '    rows: { min: 40, max: 40 }',
    );

  for (const file of ['data/train.csv', 'data/train.parquet']) {
    it(`passes every rule the data meets (${path.extname(file)})`, async () => {
      const run = await checkText(rules(file), engine, root, { mode: 'all' });
      assert.deepEqual(messages(run.results, 'fail'), []);
      assert.deepEqual(messages(run.results, 'error'), []);
      // 6 columns present + 3+4+2+2+1+3 rules + 2 row bounds; the absent optional column adds nothing.
      assert.equal(run.results.length, 6 + 15 + 2);
      assert.ok(run.results.every((r) => r.file === file && r.dataset === file));
      assert.ok(run.results.some((r) => r.message === 'age: max 212 <= 250'));
    });

    it(`fails each broken rule with the column and the observed value (${path.extname(file)})`, async () => {
      const text = lines(
        'datasets:',
        `  - path: ${file}`,
        '    columns:',
        '      id: { type: string, min: 2 }',
        '      age: { max: 120, maxNullShare: 0.01 }',
        '      sex: { allowed: [m, f] }',
        `      code: { allowed: [${Array.from({ length: 39 }, (_, i) => `c${i}`).join(', ')}] }`,
        '      dup: { unique: true }',
        '      day: { max: "2024-01-15" }',
        '      income: { type: float }',
        '    rows: { min: 100 }',
        `  - path: ${file}`,
        '    rows: { max: 10 }',
      );
      const run = await checkText(text, engine, root, { mode: 'all' });
      assert.deepEqual(messages(run.results, 'error'), []);
      const failed = messages(run.results, 'fail');
      const intType = run.results.find((r) => r.rule === 'type')?.observed;
      assert.deepEqual(failed, [
        `id: type ${intType}, expected string`,
        'id: min 1 < 2',
        'age: max 212 > 120',
        'age: null share 0.05 > 0.01 (2 of 40 rows)',
        "sex: 1 value not allowed: 'x' (1 row)",
        "code: 1 value not allowed: 'c39' (1 row)",
        'dup: not unique: 10 distinct values in 40 non-null rows',
        `day: max ${run.results.find((r) => r.rule === 'max' && r.column === 'day')?.observed} > 2024-01-15`,
        'income: missing (the file has id, age, sex, score, code, dup, day)',
        'rows: 40 < 100',
        'rows: 40 > 10',
      ]);
      assert.match(run.results.find((r) => r.column === 'day' && r.rule === 'max')?.observed ?? '', /^2024-01-28/);
      const max = run.results.find((r) => r.column === 'age' && r.rule === 'max');
      assert.deepEqual([max?.expected, max?.observed, max?.range.startLine], ['<= 120', '212', 4]);
      assert.equal(run.results.find((r) => r.rule === 'rows.max')?.range.startLine, 12);
    });
  }

  it('reports data that cannot be read as errors on the dataset, and checks every file of a glob', async () => {
    const text = lines(
      'datasets:',
      '  - path: data/nope.csv',
      '    rows: { min: 1 }',
      '  - name: no match',
      '    path: data/*.tsv',
      '  - path: data/broken.parquet',
      '    columns: { id: {} }',
      '  - path: data/*.csv',
      '    columns: { age: { max: 100 } }',
    );
    const run = await checkText(text, engine, root, { mode: 'all' });
    const errors = run.results.filter((r) => r.status === 'error');
    assert.deepEqual(errors.map((r) => [r.rule, r.range.startLine]), [['dataset', 1], ['dataset', 4], ['dataset', 5]]);
    assert.equal(errors[0]?.message, 'data/nope.csv does not exist');
    assert.equal(errors[1]?.message, 'no match: no file matches data/*.tsv');
    assert.match(errors[2]?.message ?? '', /^data\/broken\.parquet could not be read: \S/);
    const ages = run.results.filter((r) => r.column === 'age' && r.rule === 'max');
    assert.deepEqual(ages.map((r) => [r.file, r.status, r.message]), [
      ['data/small.csv', 'pass', 'age: max 40 <= 100'],
      ['data/train.csv', 'fail', 'age: max 212 > 100'],
    ]);
  });

  it('fails drift past the dataset share against a reference file, names the drifted columns, and reports a reference it cannot read', async () => {
    const table = (shift: number) => ['x,c', ...Array.from({ length: 500 }, (_, i) => `${(i % 100) + shift},${['a', 'b', 'c'][i % 3]}`)].join('\n');
    writeFileSync(path.join(root, 'data', 'ref.csv'), table(0));
    writeFileSync(path.join(root, 'data', 'same.csv'), table(0));
    writeFileSync(path.join(root, 'data', 'shifted.csv'), table(50));
    const text = (file: string, against: string) => lines('datasets:', `  - path: ${file}`, `    drift: { against: "${against}", datasetShare: 0.5 }`);
    const same = await checkText(text('data/same.csv', 'data/ref.csv'), engine, root, { mode: 'all' });
    assert.deepEqual(same.results.map((r) => [r.rule, r.status, r.message]), [['drift', 'pass', 'drift against data/ref.csv: 0 of 2 columns drifted (share 0)']]);
    const shifted = await checkText(text('data/shifted.csv', 'data/ref.csv'), engine, root, { mode: 'all' });
    const [drift] = shifted.results;
    assert.equal(drift?.status, 'fail');
    assert.equal(drift?.range.startLine, 2);
    assert.match(drift?.message ?? '', /^drift against data\/ref\.csv: 1 of 2 columns drifted \(share 0\.5\) >= 0\.5: x \(Kolmogorov–Smirnov p-value \S+, threshold 0\.05\)$/);
    const lenient = await checkText(lines('datasets:', '  - path: data/shifted.csv', '    drift: { against: data/ref.csv, datasetShare: 0.6 }'), engine, root, { mode: 'all' });
    assert.equal(lenient.results[0]?.status, 'pass');
    const noStore = await checkText(text('data/same.csv', 'models:/churn@champion'), engine, root, { mode: 'all' });
    assert.equal(noStore.results[0]?.status, 'error');
    assert.match(noStore.results[0]?.message ?? '', /^drift against models:\/churn@champion: \S/);
    const gone = await checkText(text('data/same.csv', 'data/gone.csv'), engine, root, { mode: 'all' });
    assert.equal(gone.results[0]?.status, 'error');
  });

  it('asks DuckDB for repeated and disallowed values when the profile cannot tell (numbers by value, booleans in any case)', async () => {
    const file = path.join(root, 'data', 'values.csv');
    writeFileSync(file, ['key,score,flag', 'a,1.0,true', 'b,2.5,False', 'a,1.0,true', 'c,3,', 'a,7,TRUE', 'b,1,false'].join('\n'));
    assert.deepEqual(await repeatedValues(file, 'key'), { values: [{ value: 'a', count: 3 }, { value: 'b', count: 2 }], distinct: 2 });
    assert.deepEqual(await repeatedValues(file, 'flag'), { values: [{ value: 'true', count: 3 }, { value: 'false', count: 2 }], distinct: 2 });
    assert.deepEqual(await disallowedValues(file, 'score', [1, '2.5']), { values: [{ value: '3.0', count: 1 }, { value: '7.0', count: 1 }], distinct: 2 });
    assert.deepEqual(await disallowedValues(file, 'flag', [true, false]), { values: [], distinct: 0 });
    assert.deepEqual(await disallowedValues(file, 'key', ['a']), { values: [{ value: 'b', count: 2 }, { value: 'c', count: 1 }], distinct: 2 });
    await assert.rejects(repeatedValues(file, 'nope'), /has no column nope/);
  });

  it('decides uniqueness in DuckDB when the profile only estimates the distinct count (past a million rows)', async () => {
    // Apart from data/: the launch test below checks every file there.
    mkdirSync(path.join(root, 'big'), { recursive: true });
    const file = path.join(root, 'big', 'big.parquet');
    await withDuckdb(async (c) => {
      await c.run(`COPY (SELECT 'id' || range AS id, range AS n FROM range(1100000) UNION ALL SELECT 'id7', 7) TO ${sqlString(file)} (FORMAT parquet)`);
    });
    const run = await checkText(lines('datasets:', '  - path: big/big.parquet', '    columns: { id: { unique: true }, n: { unique: true } }'), engine, root, { mode: 'all' });
    assert.deepEqual(run.results.filter((r) => r.rule === 'unique').map((r) => [r.status, r.message]), [
      ['fail', "id: not unique: 1 repeated value: 'id7' (2 rows)"],
      ['fail', "n: not unique: 1 repeated value: '7' (2 rows)"],
    ]);
  });

  it('chooses the datasets a launch uses, and the datasets a single file matches', async () => {
    const text = lines(
      'datasets:',
      '  - path: data/train.csv',
      '    rows: { max: 1000 }',
      '  - path: data/small.csv',
      '    rows: { min: 5 }',
      '  - inputs: true',
      '    columns: { age: { max: 100 } }',
    );
    const launch = await checkText(text, engine, root, { mode: 'launch', dataPaths: [path.join(root, 'data', 'small.csv')] });
    assert.deepEqual(launch.results.map((r) => `${r.status} ${r.file} ${r.message}`), ['fail data/small.csv rows: 2 < 5', 'pass data/small.csv age: present', 'pass data/small.csv age: max 40 <= 100']);
    const none = await checkText(text, engine, root, { mode: 'launch', dataPaths: [] });
    assert.deepEqual(none.results.map((r) => `${r.status} ${r.file}`), ['pass data/train.csv', 'fail data/small.csv']);
    assert.deepEqual(none.notes, ["the run's inputs: no tabular data paths to check (labbook.dataPaths)"]);
    const folder = await checkText(text, engine, root, { mode: 'launch', dataPaths: ['data'] });
    assert.ok(folder.results.some((r) => r.file === 'data/train.parquet' && r.message === 'age: max 212 > 100'), 'a folder data path checks its tabular files');
    const one = await checkText(text, engine, root, { mode: 'file', file: 'data/train.csv' });
    assert.deepEqual(one.results.map((r) => r.message), ['rows: 40 <= 1000', 'age: present', 'age: max 212 > 100']);
    const onlyRules = lines('datasets:', '  - path: data/train.csv', '    rows: { max: 10 }', '  - path: data/other.csv', '    columns: { age: { min: 0 } }');
    const unmatched = await checkText(onlyRules, engine, root, { mode: 'file', file: 'data/small.csv' });
    assert.deepEqual(unmatched.results.map((r) => `${r.status} ${r.message}`), ['pass rows: 2 <= 10', 'pass age: present', 'pass age: min 30 >= 0']);
    assert.deepEqual(unmatched.notes, ["data/small.csv matches no dataset's path: checked against every dataset's rules"]);
  });
});
