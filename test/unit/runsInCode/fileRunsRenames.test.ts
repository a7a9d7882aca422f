// The CodeLens follows renames: git's `log --follow` gives the file's former paths (a real repository
// where train.py moved to src/train.py, then to src/fit.py), and the runs recorded under each of
// them (absolute or relative to the workspace) count for the file as it is named now.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formerPaths } from '../../../src/core/git/gitFiles.ts';
import { fileRunsSummary, relativeToRoot } from '../../../src/core/runsInCode/fileRuns.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';

describe('core/runsInCode: runs of a renamed file (real git, real store)', function () {
  this.timeout(30_000);
  let repo: string;
  let store: SqliteTrackingStore;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });

  before(() => {
    repo = realpathSync(mkdtempSync(path.join(tmpdir(), 'labbook-renames-')));
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'ada@example.com');
    git('config', 'user.name', 'Ada');
    writeFileSync(path.join(repo, 'train.py'), 'import sys\nprint("training a model on the data", sys.argv)\n');
    writeFileSync(path.join(repo, 'other.py'), 'print("something else entirely")\n');
    git('add', '.');
    git('commit', '-qm', 'first');
    mkdirSync(path.join(repo, 'src'));
    git('mv', 'train.py', 'src/train.py');
    git('commit', '-qm', 'move');
    git('mv', 'src/train.py', 'src/fit.py');
    git('commit', '-qm', 'rename');
    store = new SqliteTrackingStore(path.join(repo, '.labbook', 'tracking.db'));
  });
  after(async () => {
    await store.close();
    rmSync(repo, { recursive: true, force: true });
  });

  it('git reports the former paths, newest first, as absolute paths', async () => {
    assert.deepEqual(await formerPaths(path.join(repo, 'src', 'fit.py')), [path.join(repo, 'src', 'train.py'), path.join(repo, 'train.py')]);
    assert.deepEqual(await formerPaths(path.join(repo, 'other.py')), []);
    const outside = mkdtempSync(path.join(tmpdir(), 'labbook-nogit-'));
    try {
      assert.deepEqual(await formerPaths(path.join(outside, 'x.py')), []);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('counts the runs of every name the file had', async () => {
    const create = (source: string) => store.createRun({ experimentId: '0', tags: [{ key: 'mlflow.source.name', value: source }] });
    await create(path.join(repo, 'train.py'));
    await create('train.py');
    await create('src/train.py');
    await create(path.join(repo, 'src', 'fit.py'));
    await create(path.join(repo, 'other.py'));
    const file = path.join(repo, 'src', 'fit.py');
    const former = (await formerPaths(file)).map((p) => relativeToRoot(repo, p)).filter((p): p is string => p !== undefined);
    assert.equal((await fileRunsSummary(store, { root: repo, file })).count, 1);
    assert.equal((await fileRunsSummary(store, { root: repo, file, formerPaths: former })).count, 4);
  });
});
