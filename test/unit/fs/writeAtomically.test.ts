// writeAtomically over real files: it replaces a file's text keeping its mode, writes through a
// symlink to its target (the link stays a link), creates a missing file, and leaves no temp file.
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeAtomically } from '../../../src/core/fs/writeAtomically.ts';

describe('writeAtomically', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-atomic-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces the text, keeps the mode, and leaves no temp file', async () => {
    const file = path.join(dir, 'a.ipynb');
    writeFileSync(file, 'old');
    chmodSync(file, 0o640);
    await writeAtomically(file, 'new');
    assert.equal(readFileSync(file, 'utf8'), 'new');
    assert.equal(statSync(file).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(dir), ['a.ipynb']);
  });

  it('writes through a symlink to its target: the link stays a link', async () => {
    mkdirSync(path.join(dir, 'real'));
    const target = path.join(dir, 'real', 'target.ipynb');
    writeFileSync(target, 'old');
    const link = path.join(dir, 'link.ipynb');
    symlinkSync(path.join('real', 'target.ipynb'), link);
    await writeAtomically(link, 'through the link');
    assert.equal(lstatSync(link).isSymbolicLink(), true);
    assert.equal(readFileSync(target, 'utf8'), 'through the link');
    assert.deepEqual(readdirSync(path.join(dir, 'real')), ['target.ipynb']);
  });

  it('creates a missing file, and fails with the file named when its folder is missing', async () => {
    const file = path.join(dir, 'new.ipynb');
    await writeAtomically(file, 'x');
    assert.equal(readFileSync(file, 'utf8'), 'x');
    await assert.rejects(writeAtomically(path.join(dir, 'missing', 'b.ipynb'), 'x'), /cannot write .*b\.ipynb \(ENOENT\)/);
  });
});
