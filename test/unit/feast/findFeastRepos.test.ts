// `labbook run` finds the Feast repositories under its working folder: every folder with a
// feature_store.yaml (the folder itself included), not inside hidden folders or installed code,
// bounded in number and depth.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findFeastReposUnder } from '../../../src/core/feast/findFeastRepos.ts';

describe('core/feast: the Feast repositories under a folder', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-feast-find-'));
    for (const folder of ['.', 'features', 'a/b/deep', '.hidden/repo', 'node_modules/pkg', 'venv/lib', 'site-packages/x', 'plain']) {
      mkdirSync(path.join(dir, folder), { recursive: true });
      if (folder !== 'plain') writeFileSync(path.join(dir, folder, 'feature_store.yaml'), 'project: p\n');
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the folder itself and those below, not hidden ones or installed code', async () => {
    assert.deepEqual(await findFeastReposUnder(dir), [dir, path.join(dir, 'a', 'b', 'deep'), path.join(dir, 'features')].sort());
  });

  it('stops at the number and depth asked for', async () => {
    assert.deepEqual(await findFeastReposUnder(dir, { depth: 1 }), [dir, path.join(dir, 'features')].sort());
    assert.equal((await findFeastReposUnder(dir, { max: 2 })).length, 2);
    assert.deepEqual(await findFeastReposUnder(path.join(dir, 'no-such-folder')), []);
  });
});
