// The stages of a notebook git left unmerged, read from a real repository after a real
// conflicting `git merge` (no merge driver), and `git add` ending the unmerged state.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isUnmerged, markResolved, readConflictStages } from '../../../src/core/git/conflictStages.ts';
import { GitError } from '../../../src/core/git/gitFiles.ts';

const notebook = (source: string) => `${JSON.stringify({ cells: [{ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: [source] }], metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1)}\n`;

describe('core/git: conflict stages of an unmerged notebook', function () {
  this.timeout(60_000);
  let repo: string;
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', env });
  /** `git merge` of a conflicting branch: expected to fail, leaving the index unmerged. */
  const mergeExpectingConflict = (branch: string) => {
    const result = spawnSync('git', ['merge', '--no-edit', branch], { cwd: repo, encoding: 'utf8', env });
    assert.equal(result.status, 1, `git merge should conflict: ${result.stdout}${result.stderr}`);
  };

  beforeEach(() => {
    repo = mkdtempSync(path.join(tmpdir(), 'labbook-stages-'));
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'ada@example.com');
    git('config', 'user.name', 'Ada');
    writeFileSync(path.join(repo, 'README.md'), 'x\n');
    git('add', '.');
    git('commit', '-qm', 'start');
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('reads base, ours and theirs of a notebook both branches edited, then marks it resolved', async () => {
    const file = path.join(repo, 'nb dir', 'train.ipynb');
    execFileSync('mkdir', ['-p', path.dirname(file)]);
    writeFileSync(file, notebook('x = 1\n'));
    git('add', '.');
    git('commit', '-qm', 'base');
    git('checkout', '-qb', 'theirs');
    writeFileSync(file, notebook('x = 3\n'));
    git('commit', '-qam', 'theirs');
    git('checkout', '-q', 'main');
    writeFileSync(file, notebook('x = 2\n'));
    git('commit', '-qam', 'ours');
    assert.equal(await isUnmerged(file), false);
    assert.equal(await readConflictStages(file), undefined);
    mergeExpectingConflict('theirs');

    assert.equal(await isUnmerged(file), true);
    const stages = await readConflictStages(file);
    assert.deepEqual(stages, { base: notebook('x = 1\n'), local: notebook('x = 2\n'), remote: notebook('x = 3\n') });

    writeFileSync(file, notebook('x = 4\n'));
    await markResolved(file);
    assert.equal(await isUnmerged(file), false);
    git('commit', '-qm', 'merged');
    assert.equal(git('show', 'HEAD:nb dir/train.ipynb'), notebook('x = 4\n'));
  });

  it('returns only the stages that exist: a notebook added on both sides has no base', async () => {
    const file = path.join(repo, 'added.ipynb');
    git('checkout', '-qb', 'theirs');
    writeFileSync(file, notebook('theirs\n'));
    git('add', '.');
    git('commit', '-qm', 'theirs adds');
    git('checkout', '-q', 'main');
    writeFileSync(file, notebook('ours\n'));
    git('add', '.');
    git('commit', '-qm', 'ours adds');
    mergeExpectingConflict('theirs');
    assert.deepEqual(await readConflictStages(file), { local: notebook('ours\n'), remote: notebook('theirs\n') });
  });

  it('returns only the stages that exist: deleted on our side, edited on theirs', async () => {
    const file = path.join(repo, 'gone.ipynb');
    writeFileSync(file, notebook('a\n'));
    git('add', '.');
    git('commit', '-qm', 'base');
    git('checkout', '-qb', 'theirs');
    writeFileSync(file, notebook('b\n'));
    git('commit', '-qam', 'theirs edits');
    git('checkout', '-q', 'main');
    git('rm', '-q', 'gone.ipynb');
    git('commit', '-qm', 'ours deletes');
    mergeExpectingConflict('theirs');
    assert.equal(await isUnmerged(file), true);
    assert.deepEqual(await readConflictStages(file), { base: notebook('a\n'), remote: notebook('b\n') });
  });

  it('takes a path with glob characters literally: marking nb[1].ipynb resolved leaves nb1.ipynb alone', async () => {
    const bracketed = path.join(repo, 'nb[1].ipynb');
    const plain = path.join(repo, 'nb1.ipynb');
    writeFileSync(bracketed, notebook('a\n'));
    writeFileSync(plain, notebook('a\n'));
    git('add', '.');
    git('commit', '-qm', 'base');
    writeFileSync(bracketed, notebook('b\n'));
    writeFileSync(plain, notebook('b\n'));
    // As a glob, `nb[1].ipynb` matches `nb1.ipynb` only: the bracketed file itself is not a match.
    assert.equal(await isUnmerged(bracketed), false);
    await markResolved(bracketed);
    const staged = git('diff', '--cached', '--name-only', '-z').split('\0').filter(Boolean);
    assert.deepEqual(staged, ['nb[1].ipynb']);
    assert.deepEqual(git('diff', '--name-only', '-z').split('\0').filter(Boolean), ['nb1.ipynb']);
  });

  it('answers plainly outside a repository', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'labbook-nogit-'));
    try {
      const file = path.join(outside, 'x.ipynb');
      writeFileSync(file, notebook('x\n'));
      assert.equal(await readConflictStages(file), undefined);
      assert.equal(await isUnmerged(file), false);
      await assert.rejects(markResolved(file), (e: unknown) => e instanceof GitError && /not in a git repository/.test(e.message));
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
