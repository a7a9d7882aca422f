import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileHistory, GitError, readFileAtRevision, repositoryRoot } from '../../../src/core/git/gitFiles.ts';

describe('core/git: files at revisions', function () {
  this.timeout(30_000);
  let repo: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });

  before(() => {
    repo = mkdtempSync(path.join(tmpdir(), 'labbook-git-'));
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'ada@example.com');
    git('config', 'user.name', 'Ada');
    writeFileSync(path.join(repo, 'nb.ipynb'), 'first\n');
    git('add', '.');
    git('commit', '-qm', 'first version');
    writeFileSync(path.join(repo, 'nb.ipynb'), 'second\n');
    git('commit', '-qam', 'second version');
    writeFileSync(path.join(repo, 'nb.ipynb'), 'working tree\n');
  });
  after(() => rmSync(repo, { recursive: true, force: true }));

  it('reads a file at HEAD and at an older commit', async () => {
    const file = path.join(repo, 'nb.ipynb');
    assert.equal(await readFileAtRevision(file, 'HEAD'), 'second\n');
    assert.equal(await readFileAtRevision(file, 'HEAD~1'), 'first\n');
    assert.equal(await repositoryRoot(file), repo);
  });

  it('lists the commits that changed a file, newest first', async () => {
    const history = await fileHistory(path.join(repo, 'nb.ipynb'));
    assert.deepEqual(history.map((c) => c.message), ['second version', 'first version']);
    assert.match(history[0]?.hash ?? '', /^[0-9a-f]{40}$/);
    assert.equal(history[0]?.author, 'Ada');
  });

  it('says clearly when a file is not in a repository or not at that revision', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'labbook-nogit-'));
    try {
      await assert.rejects(readFileAtRevision(path.join(outside, 'x.ipynb'), 'HEAD'), (e: unknown) => e instanceof GitError && /not in a git repository/.test(e.message));
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
    writeFileSync(path.join(repo, 'new.ipynb'), 'new\n');
    await assert.rejects(readFileAtRevision(path.join(repo, 'new.ipynb'), 'HEAD'), (e: unknown) => e instanceof GitError && /new\.ipynb does not exist at HEAD/.test(e.message));
  });
});
