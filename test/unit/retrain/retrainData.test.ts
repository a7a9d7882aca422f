// What a retraining trigger compares with, over real files in a temp folder: the run's
// fingerprints.json wins over data.json (whose hashes are of content as read: in part above the
// hashing cap, and over only the files read for a folder), and a changed folder stands for its
// tabular files that differ from what the run read (or of a folder it read whole), so `drift > X`
// measures real files.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataRecord } from '../../../src/core/data/dataRecord.ts';
import { fingerprintData } from '../../../src/core/launch/fingerprintData.ts';
import { driftFilesOf, recordedHashes, watchTargets } from '../../../src/core/retrain/retrainData.ts';
import { dataChange } from '../../../src/core/retrain/retrainSpec.ts';
import type { DataFingerprint } from '../../../src/core/runDetails/model.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const fp = (p: string, kind: string, sha256: string): DataFingerprint => ({ path: p, kind, size: null, mtime: null, sha256, dvcMd5: null, note: null });

describe('retrain: the recorded data a trigger compares with', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-retrain-data-'));
    mkdirSync(path.join(dir, 'data'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prefers fingerprints.json, and leaves out partial hashes and folder hashes of data.json', async () => {
    writeFileSync(path.join(dir, 'big.csv'), 'a,b\n1,2\n');
    writeFileSync(path.join(dir, 'data', 'x.csv'), 'a\n1\n');
    writeFileSync(path.join(dir, 'small.csv'), 'a\n3\n');
    const now = await fingerprintData(['big.csv', 'data', 'small.csv', 'other.csv'], dir);
    const folderHash = now.entries.find((e) => e.path === 'data')?.sha256 ?? '';
    const record: DataRecord = {
      version: 1, cwd: dir, outputs: [], notes: [],
      inputs: [
        { path: 'big.csv', kind: 'file', found: ['observed', 'declared'], sha256: sha('first and last 4 MB'), partial: true },
        { path: 'data', kind: 'dir', found: ['observed'], sha256: sha('only the files read') },
        { path: 'small.csv', kind: 'file', found: ['observed'], sha256: sha('a\n3\n') },
      ],
    };
    // The launch fingerprinted big.csv and the folder as they still are.
    const recorded = recordedHashes([fp('big.csv', 'file', sha('a,b\n1,2\n')), fp('data', 'dir', folderHash)], record);
    assert.equal(recorded.get('big.csv'), sha('a,b\n1,2\n'));
    assert.equal(recorded.get('data'), folderHash);
    assert.equal(recorded.get('small.csv'), sha('a\n3\n'), 'a whole-file hash of data.json serves a path fingerprints.json lacks');
    const change = dataChange(recorded, now.entries);
    assert.deepEqual(change.changed, [], 'nothing changed on disk: nothing reads as changed');
    assert.deepEqual(change.missing, ['other.csv']);
    // Without fingerprints.json, the partial and folder hashes are unknown, never "changed".
    const fromRecord = dataChange(recordedHashes(null, record), now.entries);
    assert.deepEqual(fromRecord.changed, []);
    assert.deepEqual([...fromRecord.unknown].sort(), ['big.csv', 'data']);
  });

  it('expands a changed folder into the tabular files that differ from what the run read', async () => {
    const files = { 'data/a.csv': 'a\n1\n', 'data/b.csv': 'a\n2\n', 'data/sub/c.CSV': 'a\n3\n', 'data/d.csv': 'a\n4\n', 'data/new.csv': 'a\n5\n', 'data/notes.txt': 'x' };
    mkdirSync(path.join(dir, 'data', 'sub'));
    for (const [p, text] of Object.entries(files)) writeFileSync(path.join(dir, p), text);
    const record: DataRecord = {
      version: 1, cwd: dir, outputs: [], notes: [],
      inputs: [
        { path: 'data/a.csv', kind: 'file', found: ['observed'], sha256: sha('a\n1\n') },
        { path: 'data/b.csv', kind: 'file', found: ['observed'], sha256: sha('a\n2 before\n') },
        { path: 'data/sub/c.CSV', kind: 'file', found: ['observed'], sha256: sha('a\n3 before\n') },
        { path: 'data/d.csv', kind: 'file', found: ['observed'], sha256: sha('part'), partial: true },
      ],
    };
    const folder = await driftFilesOf('data', dir, record);
    assert.deepEqual(folder, { files: ['data/b.csv', 'data/d.csv', 'data/sub/c.CSV'], truncated: false });
    assert.deepEqual(await driftFilesOf('data/b.csv', dir, record), { files: ['data/b.csv'], truncated: false });
    assert.deepEqual(await driftFilesOf('data', dir, undefined), { files: [], truncated: false }, 'a run that recorded no reads has nothing to compare with');
  });

  it('measures the files of a folder the run read as one `dir` entry, as the observer records a folder read', async () => {
    mkdirSync(path.join(dir, 'data', 'sub'));
    mkdirSync(path.join(dir, 'other'));
    for (const p of ['data/a.csv', 'data/sub/b.parquet', 'data/notes.txt', 'other/c.csv']) writeFileSync(path.join(dir, p), 'a\n1\n');
    // pd.read_parquet('data/') or os.listdir('data'): one entry for the folder, none per file.
    const record: DataRecord = { version: 1, cwd: dir, outputs: [], notes: [], inputs: [{ path: 'data', kind: 'dir', found: ['observed'], sha256: sha('the files read'), fileCount: 2 }] };
    assert.deepEqual(await driftFilesOf('data', dir, record), { files: ['data/a.csv', 'data/sub/b.parquet'], truncated: false });
    assert.deepEqual(await driftFilesOf('other', dir, record), { files: [], truncated: false }, 'a folder the run did not read stays unmeasured');
    // A folder read outside the working directory is recorded by its absolute path.
    const outside = mkdtempSync(path.join(tmpdir(), 'labbook-retrain-outside-'));
    try {
      writeFileSync(path.join(outside, 'd.csv'), 'a\n1\n');
      const abs: DataRecord = { ...record, inputs: [{ path: outside, kind: 'dir', found: ['observed'], sha256: sha('x') }] };
      assert.deepEqual(await driftFilesOf(outside, dir, abs), { files: [path.join(outside, 'd.csv')], truncated: false });
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('watches a data path from its resolved folder, so absolute and ../ paths are watched too', () => {
    const cwd = path.join(dir, 'project');
    assert.deepEqual(watchTargets(cwd, 'data/train.csv'), [{ base: path.join(cwd, 'data'), pattern: 'train.csv' }, { base: path.join(cwd, 'data', 'train.csv'), pattern: '**' }]);
    assert.deepEqual(watchTargets(cwd, '../shared/x.csv'), [{ base: path.join(dir, 'shared'), pattern: 'x.csv' }, { base: path.join(dir, 'shared', 'x.csv'), pattern: '**' }]);
    const absolute = path.join(tmpdir(), 'mnt', 'data');
    assert.deepEqual(watchTargets(cwd, `${absolute}/`), [{ base: path.dirname(absolute), pattern: 'data' }, { base: absolute, pattern: '**' }]);
  });
});
