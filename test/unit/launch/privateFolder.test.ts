// Folders a run's bootstrap is written into or imported from may sit in a shared temp folder: one
// another user could write to is never used (a fresh private folder is), and the launcher's default
// spool folder is this user's own.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultSpoolDir } from '../../../src/core/launch/spool.ts';
import { ensurePrivateFolder, isPrivateFolder } from '../../../src/core/system/privateFolder.ts';

describe('core/launch: private folders for spools and the hook module', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'labbook-private-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a missing folder private and keeps using it', () => {
    const wanted = path.join(dir, 'a', 'spools');
    assert.equal(ensurePrivateFolder(wanted, 'labbook-test-'), wanted);
    assert.equal(statSync(wanted).mode & 0o077, 0);
    assert.equal(ensurePrivateFolder(wanted, 'labbook-test-'), wanted);
  });

  it('never uses a folder others can write to: a fresh private one instead', () => {
    const shared = path.join(dir, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    assert.equal(isPrivateFolder(shared), false);
    const used = ensurePrivateFolder(shared, 'labbook-test-');
    try {
      assert.notEqual(used, shared);
      assert.ok(isPrivateFolder(used));
    } finally {
      rmSync(used, { recursive: true, force: true });
    }
  });

  it('spools launches by default in a private folder of this user', () => {
    const spool = defaultSpoolDir();
    assert.ok(isPrivateFolder(spool), spool);
    const uid = process.getuid?.();
    if (uid !== undefined) assert.equal(path.basename(spool), `labbook-runs-${uid}`);
    assert.equal(defaultSpoolDir(), spool);
  });
});
