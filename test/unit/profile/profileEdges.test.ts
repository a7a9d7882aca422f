// Edge cases of the profiler that once dropped columns or whole files: names that only look like a
// time or an id (runtime, update, paid), infinite values, MLflow file URIs with spaces and
// non-ASCII letters, and the one list of tabular files with its folder expansion.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { namedLikeId, namedLikeTime } from '../../../src/core/profile/columnRoles.ts';
import { localDatasetPath } from '../../../src/core/profile/datasetSource.ts';
import { closeDuckdb, duckdbMemoryLimit, withDuckdb } from '../../../src/core/profile/duckdb.ts';
import { profileFile } from '../../../src/core/profile/profileFile.ts';
import { tableFormatOf } from '../../../src/core/profile/tableSource.ts';
import { isTabularFile, TABULAR_EXTENSIONS, TABULAR_GLOB, tabularFilesIn } from '../../../src/core/profile/tabularFiles.ts';

describe('profile edge cases', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'labbook-profile-edges-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('takes only whole words (or capitalized camelCase humps) for a time or an id', () => {
    for (const name of ['created_at', 'event_time', 'Event-Date', 'eventTime', 'updatedDate', 'dateOfBirth', 'date2', 'timestamp', 'TS', 'order date']) assert.ok(namedLikeTime(name), name);
    for (const name of ['runtime', 'timeout', 'update', 'lifetime', 'mandate', 'TIMEOUT', 'datum', 'candidate', 'downtime']) assert.ok(!namedLikeTime(name), name);
    for (const name of ['id', 'ID', 'user_id', 'userId', 'userID', 'api-key', 'Key', 'session uuid']) assert.ok(namedLikeId(name), name);
    for (const name of ['paid', 'valid', 'monkey', 'turkey', 'squid', 'hockey', 'PAID']) assert.ok(!namedLikeId(name), name);
  });

  it('keeps integer features named runtime, paid, valid as features (not a timestamp, not an id)', async () => {
    const file = path.join(dir, 'names.csv');
    const rows = Array.from({ length: 40 }, (_, i) => `${1000 + i * 7},${i * 13 + 5},${i * 3 + 100},${i * 11 + 2}`);
    writeFileSync(file, ['runtime,paid,valid,update', ...rows].join('\n') + '\n');
    const profile = await profileFile(file);
    assert.deepEqual(profile.columns.map((c) => [c.name, c.role]), [['runtime', 'feature'], ['paid', 'feature'], ['valid', 'feature'], ['update', 'feature']]);
  });

  it('profiles a column holding inf, -inf and NaN from its finite values, and says how many were left out', async () => {
    const file = path.join(dir, 'inf.csv');
    writeFileSync(file, 'x,y\n1,a\ninf,b\n3,a\n-inf,c\nnan,a\n5,b\n');
    const profile = await profileFile(file);
    const x = profile.columns.find((c) => c.name === 'x');
    assert.ok(x);
    assert.equal(x.min, 1);
    assert.equal(x.max, 5);
    assert.equal(x.mean, 3);
    assert.equal(x.std, 2);
    assert.equal(x.quantiles?.[0], 1);
    assert.equal(x.quantiles?.[100], 5);
    assert.equal(x.histogram?.counts.reduce((a, b) => a + b, 0), 3);
    assert.ok(x.histogram?.edges.every(Number.isFinite));
    assert.ok(profile.notes.some((n) => /Column x: 3 value\(s\) are not finite/.test(n)), profile.notes.join('\n'));
  });

  it('reads a local MLflow dataset URI with spaces and non-ASCII letters as the file it names', () => {
    const file = path.join(dir, 'my data', 'données été.csv');
    const uri = pathToFileURL(file).href;
    assert.match(uri, /%20/);
    assert.equal(localDatasetPath(JSON.stringify({ uri })), file);
    assert.equal(localDatasetPath(JSON.stringify({ uri: 'data/train.csv' })), 'data/train.csv');
    assert.equal(localDatasetPath(JSON.stringify({ uri: 's3://bucket/train.csv' })), undefined);
    assert.equal(localDatasetPath('not json'), undefined);
  });

  it('has one list of tabular files, any case, compressed too; .json only when named explicitly', () => {
    for (const name of ['a.csv', 'A.CSV', 'b.tsv', 'c.tab', 'd.parquet', 'e.PQ', 'f.jsonl', 'g.ndjson', 'h.csv.gz', 'i.csv.zst', 'j.Parquet']) assert.ok(isTabularFile(name), name);
    for (const name of ['package.json', 'notes.txt', 'a.csv.bak', 'model.pkl', 'csv']) assert.ok(!isTabularFile(name), name);
    for (const ext of TABULAR_EXTENSIONS) {
      assert.ok(tableFormatOf(`x${ext}`), ext);
      assert.ok(TABULAR_GLOB.includes(ext.slice(1)), ext);
    }
    assert.equal(tableFormatOf('rows.json'), 'jsonl');
  });

  it('expands a folder into its tabular files, sub-folders too, skipping venvs and node_modules, sorted and capped', async () => {
    const root = path.join(dir, 'folder');
    for (const sub of ['b', 'a/deep', 'node_modules/x', '.venv']) mkdirSync(path.join(root, sub), { recursive: true });
    for (const f of ['z.csv', 'b/y.PARQUET', 'a/deep/x.jsonl', 'a/readme.md', 'a/config.json', 'node_modules/x/n.csv', '.venv/v.csv']) writeFileSync(path.join(root, f), 'a\n1\n');
    const rel = (files: string[]) => files.map((f) => path.relative(root, f).split(path.sep).join('/'));
    assert.deepEqual(rel((await tabularFilesIn(root)).files), ['a/deep/x.jsonl', 'b/y.PARQUET', 'z.csv']);
    const capped = await tabularFilesIn(root, { maxFiles: 2 });
    assert.deepEqual(rel(capped.files), ['a/deep/x.jsonl', 'b/y.PARQUET']);
    assert.equal(capped.truncated, true);
    assert.deepEqual((await tabularFilesIn(path.join(root, 'missing'))).files, []);
  });

  it('limits DuckDB memory to a quarter of RAM, and closes its instances and spill folder on request', async () => {
    assert.equal(duckdbMemoryLimit(16 * 1024 ** 3), '4096MB');
    assert.equal(duckdbMemoryLimit(1024 ** 3), '512MB');
    const limit = await withDuckdb(async (c) => (await c.runAndReadAll("SELECT current_setting('memory_limit') AS m")).getRowObjectsJS()[0]?.['m']);
    assert.equal(typeof limit, 'string');
    assert.match(limit as string, /GiB|MiB|GB|MB/);
    const spill = path.join(tmpdir(), `labbook-duckdb-${process.pid}`);
    await closeDuckdb();
    assert.equal(existsSync(spill), false);
    // A later query opens a new instance.
    assert.equal(await withDuckdb(async (c) => (await c.runAndReadAll('SELECT 42 AS n')).getRowObjectsJS()[0]?.['n']), 42);
  });
});
