// The local store's artifact folder: every path a caller gives stays inside it, on every OS (a
// backslash is a separator on Windows, so '..\..\x' is refused here too, not only '../../x').
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArtifactFolder } from '../../../src/core/store/artifactFolder.ts';
import { TrackingError } from '../../../src/core/store/errors.ts';

describe('store/artifactFolder: artifact paths stay in the folder', () => {
  let dir: string;
  let folder: ArtifactFolder;
  const run = ArtifactFolder.runUri('1', 'abc');

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-artifact-folder-'));
    folder = new ArtifactFolder(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves relative paths under the run, "." and empty parts dropped', () => {
    assert.equal(folder.resolve(run, 'model/MLmodel'), path.join(dir, '1', 'abc', 'artifacts', 'model', 'MLmodel'));
    assert.equal(folder.resolve(run, './plots//loss.png'), path.join(dir, '1', 'abc', 'artifacts', 'plots', 'loss.png'));
    assert.equal(folder.resolve(run, '..notes.txt'), path.join(dir, '1', 'abc', 'artifacts', '..notes.txt'), 'a name that only starts with ".." is a name');
  });

  it('refuses ".." parts and backslashes, with either separator, and absolute paths of either OS', () => {
    for (const bad of ['../../../../secret.txt', 'a/../../../../../x', '..\\..\\..\\..\\secret.txt', 'model\\..\\..\\x', 'a\\b.txt', '/etc/passwd', 'C:/Windows/win.ini', 'C:\\Windows\\win.ini', '\\\\server\\share\\x', 'a\0b']) {
      assert.throws(
        () => folder.resolve(run, bad),
        (err: unknown) => err instanceof TrackingError && err.code === 'INVALID_PARAMETER_VALUE',
        bad,
      );
    }
  });

  it('refuses a backslash escape in read and write too, writing nothing', async () => {
    await assert.rejects(folder.write(run, '..\\..\\..\\..\\escaped.txt', new Uint8Array([1])), TrackingError);
    await assert.rejects(folder.read(run, '..\\..\\..\\..\\escaped.txt'), TrackingError);
    assert.deepEqual(await folder.list(run), []);
  });
});
