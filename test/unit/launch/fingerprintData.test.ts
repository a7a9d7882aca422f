import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compareFingerprints, fingerprintData } from '../../../src/core/launch/fingerprintData.ts';

describe('core/launch: data fingerprints', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-data-'));
    writeFileSync(path.join(dir, 'train.csv'), 'a,b\n1,2\n');
    mkdirSync(path.join(dir, 'images', 'cats'), { recursive: true });
    writeFileSync(path.join(dir, 'images', 'cats', '1.txt'), 'one');
    writeFileSync(path.join(dir, 'images', '2.txt'), 'two');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hashes a file with size and mtime, and a folder over its sorted relative paths', async () => {
    const prints = await fingerprintData(['train.csv', 'images', 'nope.bin'], dir);
    const [file, folder, missing] = prints.entries;
    assert.equal(file?.kind, 'file');
    assert.equal(file?.size, 8);
    assert.equal(file?.sha256, createHash('sha256').update('a,b\n1,2\n').digest('hex'));
    assert.match(file?.mtime ?? '', /^\d{4}-/);
    assert.equal(folder?.kind, 'dir');
    assert.equal(folder?.fileCount, 2);
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    assert.equal(folder?.sha256, sha(`2.txt\0${sha('two')}\ncats/1.txt\0${sha('one')}\n`));
    assert.equal(missing?.kind, 'missing');
    assert.match(prints.notes.join('\n'), /nope\.bin: does not exist/);
    assert.match(prints.combined, /^[0-9a-f]{64}$/);
  });

  it('changes the hash when content changes, and reports it', async () => {
    const before = await fingerprintData(['train.csv', 'images'], dir);
    assert.equal((await fingerprintData(['train.csv', 'images'], dir)).combined, before.combined, 'stable');
    writeFileSync(path.join(dir, 'images', 'cats', '1.txt'), 'uno');
    const after = await fingerprintData(['train.csv', 'images'], dir);
    assert.notEqual(after.combined, before.combined);
    assert.equal(after.entries[0]?.sha256, before.entries[0]?.sha256);
    assert.deepEqual(compareFingerprints(before.entries, after.entries).map((d) => [d.path, d.change]), [['images', 'content']]);
    rmSync(path.join(dir, 'train.csv'));
    assert.deepEqual(compareFingerprints(before.entries, (await fingerprintData(['train.csv', 'images'], dir)).entries).map((d) => d.change), ['missing', 'content']);
  });

  it('bounds folders by a max file count and says so', async () => {
    const prints = await fingerprintData(['images'], dir, { maxFiles: 1 });
    assert.equal(prints.entries[0]?.truncated, true);
    assert.equal(prints.entries[0]?.fileCount, 1);
    assert.match(prints.notes[0] ?? '', /more than 1 files/);
  });

  it('records the md5s of a .dvc file beside the data, or given directly, even without the data', async () => {
    writeFileSync(path.join(dir, 'train.csv.dvc'), 'outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 8\n  path: train.csv\n');
    writeFileSync(path.join(dir, 'model.pkl.dvc'), 'outs:\n  - md5: fedcba9876543210fedcba9876543210.dir\n    path: model.pkl\n');
    const prints = await fingerprintData(['train.csv', 'model.pkl.dvc', 'model.pkl'], dir);
    assert.deepEqual(prints.entries[0]?.dvc, { file: 'train.csv.dvc', outs: [{ path: 'train.csv', md5: '0123456789abcdef0123456789abcdef' }] });
    assert.equal(prints.entries[1]?.kind, 'file');
    assert.equal(prints.entries[1]?.dvc?.outs[0]?.md5, 'fedcba9876543210fedcba9876543210.dir');
    assert.equal(prints.entries[2]?.kind, 'missing');
    assert.equal(prints.entries[2]?.dvc?.outs[0]?.md5, 'fedcba9876543210fedcba9876543210.dir');
    assert.equal(prints.entries[2]?.note, undefined, 'a DVC-tracked path need not be on disk');
    writeFileSync(path.join(dir, 'train.csv.dvc'), 'outs:\n- md5: ffffffffffffffffffffffffffffffff\n  path: train.csv\n');
    const after = await fingerprintData(['train.csv', 'model.pkl.dvc', 'model.pkl'], dir);
    assert.notEqual(after.combined, prints.combined);
    assert.deepEqual(compareFingerprints(prints.entries, after.entries).map((d) => [d.path, d.change]), [['train.csv', 'dvc']]);
  });
});
