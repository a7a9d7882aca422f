// Which files a dataset's path names: globs anchored at the workspace folder, a bounded walk that
// skips .git and node_modules, and the run's data paths (folders expanded to their tabular files).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { coversFile, datasetGlob, inputFiles, resolveDatasetFiles } from '../../../src/core/checks/datasetFiles.ts';

describe('data checks: dataset paths and globs', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'labbook-checks-files-'));
    for (const f of ['data/a.csv', 'data/b.parquet', 'data/notes.txt', 'data/2024/c.csv', 'data/2024/d.jsonl', 'node_modules/x/e.csv', 'other/f.csv']) {
      mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      writeFileSync(path.join(root, f), 'x\n1\n');
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('matches globs anchored at the workspace folder: * within a folder, ** across, {a,b} alternatives', () => {
    assert.ok(datasetGlob('data/*.csv').test('data/a.csv'));
    assert.ok(!datasetGlob('data/*.csv').test('data/2024/c.csv'));
    assert.ok(!datasetGlob('data/*.csv').test('x/data/a.csv'));
    assert.ok(datasetGlob('data/**/*.csv').test('data/a.csv'));
    assert.ok(datasetGlob('data/**/*.csv').test('data/2024/c.csv'));
    assert.ok(datasetGlob('./data/*.{csv,parquet}').test('data/b.parquet'));
    assert.ok(!datasetGlob('data/?.csv').test('data/ab.csv'));
  });

  it('expands a glob by walking from its fixed folder, skipping node_modules; keeps a plain path as given', async () => {
    const rel = (files: string[]) => files.map((f) => path.relative(root, f).split(path.sep).join('/'));
    assert.deepEqual(rel((await resolveDatasetFiles(root, 'data/**/*.{csv,jsonl}')).files), ['data/2024/c.csv', 'data/2024/d.jsonl', 'data/a.csv']);
    assert.deepEqual(rel((await resolveDatasetFiles(root, '**/*.csv')).files), ['data/2024/c.csv', 'data/a.csv', 'other/f.csv']);
    assert.deepEqual(rel((await resolveDatasetFiles(root, 'nowhere/*.csv')).files), []);
    assert.deepEqual(rel((await resolveDatasetFiles(root, 'data/missing.csv')).files), ['data/missing.csv']);
  });

  it('takes the tabular files of the run data paths, and knows which data path covers a file', async () => {
    const files = await inputFiles([path.join(root, 'data', '2024'), path.join(root, 'data', 'notes.txt'), path.join(root, 'data', 'a.csv')]);
    assert.deepEqual(files.map((f) => path.basename(f)), ['c.csv', 'd.jsonl', 'a.csv']);
    assert.ok(coversFile(path.join(root, 'data'), path.join(root, 'data', '2024', 'c.csv')));
    assert.ok(coversFile(path.join(root, 'data', 'a.csv'), path.join(root, 'data', 'a.csv')));
    assert.ok(!coversFile(path.join(root, 'data', 'a.csv'), path.join(root, 'data', 'a.csv2')));
    assert.ok(!coversFile(path.join(root, 'dat'), path.join(root, 'data', 'a.csv')));
  });
});
