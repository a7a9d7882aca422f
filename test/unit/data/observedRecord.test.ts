// The host side of data observation, over records written by hand: path filtering (Labbook's
// folders, exclusion globs, relative paths), folder grouping (a folder given to a reader, a chain
// of listed folders, never the project itself), the caps and a damaged record, and the merge of
// observed inputs with declared paths into MLflow dataset inputs.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { datasetInputsOf, mergeDeclared, type DataRecord } from '../../../src/core/data/dataRecord.ts';
import { folderOf, openedFileNames, parseObservationLog, readObservationLog, summarizeObservation, type ObservationLog } from '../../../src/core/data/observedRecord.ts';
import { globToRegExp } from '../../../src/core/data/pathGlobs.ts';

const cwd = '/work/project';
const sha = (c: string) => c.repeat(64);
const read = (p: string, c = 'a', size = 10) => ({ t: 'read', path: p, size, mtime: 1_700_000_000, sha256: sha(c) });
const log = (lines: readonly object[]): ObservationLog => parseObservationLog(`${[...lines, { t: 'end' }].map((l) => JSON.stringify(l)).join('\n')}\n`);

describe('core/data: observed record', () => {
  it('records reads and writes relative to the working directory, outside ones absolute', () => {
    const summary = summarizeObservation(log([read(`${cwd}/data/train.csv`), read('/srv/shared/labels.csv', 'b'), { t: 'write', path: `${cwd}/model.joblib` }]), { cwd });
    assert.deepEqual(summary.inputs.map((e) => [e.path, e.kind, e.sha256, e.found]), [
      ['/srv/shared/labels.csv', 'file', sha('b'), ['observed']],
      ['data/train.csv', 'file', sha('a'), ['observed']],
    ]);
    assert.deepEqual(summary.outputs, ['model.joblib']);
    assert.deepEqual(summary.notes, []);
  });

  it('leaves out excluded globs and Labbook folders', () => {
    const summary = summarizeObservation(
      log([read(`${cwd}/data/train.csv`), read(`${cwd}/data/tmp/scratch.bin`), read(`${cwd}/logs/a.log`), read('/spool/run1/x'), { t: 'write', path: `${cwd}/out/debug.log` }, { t: 'write', path: `${cwd}/metrics.json` }]),
      { cwd, exclude: ['data/tmp', '*.log'], skip: ['/spool'] },
    );
    assert.deepEqual(summary.inputs.map((e) => e.path), ['data/train.csv']);
    assert.deepEqual(summary.outputs, ['metrics.json']);
  });

  it('globs: * stays in a segment, ** crosses, a bare name matches anywhere, a folder covers its files', () => {
    assert.ok(globToRegExp('data/*.csv').test('data/a.csv'));
    // Braces: alternatives when balanced, literal text otherwise (never an invalid expression).
    assert.ok(globToRegExp('data/*.{csv,tsv}').test('data/a.tsv'));
    assert.ok(!globToRegExp('data/*.{csv,tsv}').test('data/a.json'));
    assert.ok(globToRegExp('tmp{').test('x/tmp{'));
    assert.ok(globToRegExp('a}b').test('a}b'));
    assert.ok(globToRegExp('a{b{c}').test('a{b{c}'));
    assert.ok(!globToRegExp('data/*.csv').test('data/x/a.csv'));
    assert.ok(globToRegExp('data/**/*.csv').test('data/x/y/a.csv'));
    assert.ok(globToRegExp('data/**/*.csv').test('data/a.csv'));
    assert.ok(globToRegExp('*.log').test('deep/in/here.log'));
    assert.ok(globToRegExp('scratch/').test('scratch/a/b.bin'));
    assert.ok(!globToRegExp('scratch').test('notscratch/b.bin'));
  });

  it('groups the files of a folder handed to a reader, and of a chain of listed folders, into one folder entry', () => {
    const summary = summarizeObservation(
      log([
        { t: 'dir', path: `${cwd}/data/pq` },
        read(`${cwd}/data/pq/part=1/a.parquet`, 'a', 3),
        read(`${cwd}/data/pq/part=2/b.parquet`, 'b', 4),
        { t: 'list', path: `${cwd}/images` },
        { t: 'list', path: `${cwd}/images/cats` },
        read(`${cwd}/images/cats/1.png`, 'c', 5),
        read(`${cwd}/images/2.png`, 'd', 6),
        read(`${cwd}/config.yaml`, 'e', 7),
      ]),
      { cwd },
    );
    assert.deepEqual(summary.inputs.map((e) => [e.path, e.kind, e.fileCount, e.size]), [
      ['config.yaml', 'file', undefined, 7],
      ['data/pq', 'dir', 2, 7],
      ['images', 'dir', 2, 11],
    ]);
  });

  it('never makes the project (or a folder above it) a data folder, and does not group a file whose folder was not listed', () => {
    const listed = new Set([cwd, '/work', `${cwd}/a`]);
    assert.equal(folderOf(`${cwd}/config.yaml`, cwd, listed, new Set()), undefined);
    assert.equal(folderOf(`${cwd}/a/b/c.csv`, cwd, listed, new Set()), undefined);
    assert.equal(folderOf(`${cwd}/a/c.csv`, cwd, listed, new Set()), `${cwd}/a`);
    assert.equal(folderOf(`${cwd}/x.csv`, cwd, new Set(), new Set([cwd])), undefined);
  });

  it('keeps the first read of a path (its read-time hash), and notes caps, a cut record and bad lines', () => {
    const text = [
      JSON.stringify(read(`${cwd}/a.csv`, 'a')), JSON.stringify(read(`${cwd}/a.csv`, 'b')), 'not json', JSON.stringify({ t: 'read', path: 'relative.csv', size: 1, mtime: 1 }),
      JSON.stringify({ t: 'capped', max: 5 }), JSON.stringify({ t: 'error', message: 'disk full' }),
    ].join('\n');
    const parsed = parseObservationLog(text);
    assert.equal(parsed.reads.length, 1);
    assert.equal(parsed.reads[0]?.sha256, sha('a'));
    assert.equal(parsed.malformedLines, 2);
    const summary = summarizeObservation(parsed, { cwd });
    assert.equal(summary.notes.length, 4, summary.notes.join('\n'));
    assert.match(summary.notes.join('\n'), /could not write all it saw \(disk full\)/);
    assert.match(summary.notes.join('\n'), /more than 5 files/);
    assert.match(summary.notes.join('\n'), /ended early/);
    assert.match(summary.notes.join('\n'), /2 unreadable line/);
  });

  it('reads the paths of an opened line from the file it names beside the record; a missing file is an error, a name that leaves the folder is not read', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-record-'));
    try {
      const record = path.join(dir, 'data.jsonl');
      writeFileSync(record, [
        { t: 'opened', cwd, file: 'data.jsonl.opened-0', bytes: 1 },
        { t: 'opened', cwd: '/elsewhere', file: 'data.jsonl.opened-1', bytes: 1 },
        { t: 'opened', cwd, file: '../secret.opened-2', bytes: 1 },
        { t: 'end' },
      ].map((l) => JSON.stringify(l)).join('\n'));
      writeFileSync(path.join(dir, 'data.jsonl.opened-0'), 'data/train.csv\0/abs/x.csv\0data/train.csv');
      writeFileSync(path.join(dir, '..', 'secret.opened-2'), 'never.csv');
      try {
        assert.deepEqual(openedFileNames(readFileSync(record, 'utf8')), ['data.jsonl.opened-0', 'data.jsonl.opened-1']);
        const { log: parsed } = await readObservationLog(record);
        assert.deepEqual(parsed.reads.map((r) => r.path), [`${cwd}/data/train.csv`, '/abs/x.csv']);
        assert.equal(parsed.malformedLines, 1, 'the name that leaves the folder');
        assert.match(parsed.errors?.join('\n') ?? '', /data\.jsonl\.opened-1 is missing/);
      } finally {
        rmSync(path.join(dir, '..', 'secret.opened-2'), { force: true });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('caps recorded entries with a note', () => {
    const lines = Array.from({ length: 30 }, (_, i) => read(`${cwd}/f${String(i).padStart(2, '0')}.csv`));
    const summary = summarizeObservation(log([...lines, { t: 'write', path: `${cwd}/out.bin` }]), { cwd, maxEntries: 10 });
    assert.equal(summary.inputs.length, 10);
    assert.equal(summary.outputs.length, 0);
    assert.match(summary.notes.join('\n'), /30 inputs and 1 outputs; only the first 10/);
  });

  it('merges declared paths: one entry found both ways keeps the read-time hash; declared-only paths are added', () => {
    const observed = summarizeObservation(log([read(`${cwd}/data/train.csv`, 'a')]), { cwd }).inputs;
    const merged = mergeDeclared(
      observed,
      [
        { path: 'data/train.csv', kind: 'file', size: 10, sha256: sha('f'), dvc: { file: 'train.csv.dvc', outs: [{ path: 'train.csv', md5: 'abc' }] } },
        { path: './data/labels.csv', kind: 'file', size: 3, sha256: sha('c') },
        { path: 'gone.csv', kind: 'missing', note: 'does not exist' },
      ],
      cwd,
    );
    assert.deepEqual(merged.map((e) => [e.path, e.found, e.sha256, e.dvc?.outs[0]?.md5]), [
      ['data/labels.csv', ['declared'], sha('c'), undefined],
      ['data/train.csv', ['observed', 'declared'], sha('a'), 'abc'],
    ]);
    const record: DataRecord = { version: 1, cwd, inputs: merged, outputs: [], notes: [] };
    const datasets = datasetInputsOf(record);
    assert.deepEqual(datasets[1], {
      tags: [{ key: 'mlflow.data.context', value: 'input' }, { key: 'labbook.data.found', value: 'observed,declared' }],
      dataset: { name: 'data/train.csv', digest: sha('a').slice(0, 32), sourceType: 'local', source: JSON.stringify({ uri: path.join(cwd, 'data/train.csv') }) },
    });
  });
});
