import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { captureGit, redactUrl } from '../../../src/core/launch/captureGit.ts';

describe('core/launch: the git state of a launch', function () {
  this.timeout(30_000);
  let repo: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });

  beforeEach(() => {
    repo = mkdtempSync(path.join(tmpdir(), 'labbook-capture-'));
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'ada@example.com');
    git('config', 'user.name', 'Ada');
    git('remote', 'add', 'origin', 'https://ada:token@example.com/lab/repo.git');
    mkdirSync(path.join(repo, 'src'));
    writeFileSync(path.join(repo, 'src', 'train.py'), 'print(1)\n');
    writeFileSync(path.join(repo, 'weights.bin'), Buffer.from([0, 1, 2, 255, 0]));
    writeFileSync(path.join(repo, '.gitignore'), 'data/\n');
    git('add', '.');
    git('commit', '-qm', 'first');
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('records commit, branch and remote (without credentials) of a clean repo, and no patch', async () => {
    const capture = await captureGit(path.join(repo, 'src'));
    assert.deepEqual(capture.state, { root: repo, commit: git('rev-parse', 'HEAD').trim(), branch: 'main', repoUrl: 'https://example.com/lab/repo.git', dirty: false });
    assert.equal(capture.patch, undefined);
    assert.deepEqual(capture.notes, []);
  });

  it('makes a patch of a dirty tree (binary changes, untracked text files) that git apply restores', async () => {
    writeFileSync(path.join(repo, 'src', 'train.py'), 'print(2)\n');
    writeFileSync(path.join(repo, 'weights.bin'), Buffer.from([9, 0, 8, 254]));
    writeFileSync(path.join(repo, 'src', 'new helper.py'), 'X = 1\n');
    writeFileSync(path.join(repo, 'blob.dat'), Buffer.from([1, 0, 2]));
    writeFileSync(path.join(repo, 'big.txt'), 'x'.repeat(2 * 1024 * 1024));
    mkdirSync(path.join(repo, 'data'));
    writeFileSync(path.join(repo, 'data', 'ignored.csv'), 'a\n');
    const capture = await captureGit(repo);
    assert.equal(capture.state?.dirty, true);
    const patch = capture.patch?.toString('latin1') ?? '';
    assert.match(patch, /GIT binary patch/);
    assert.match(patch, /\+\+\+ b\/src\/new helper\.py/);
    assert.doesNotMatch(patch, /ignored\.csv|big\.txt|blob\.dat/);
    assert.match(capture.notes.join('\n'), /big\.txt \(2048 KB[\s\S]*blob\.dat \(binary\)|blob\.dat \(binary\)[\s\S]*big\.txt/);

    // The patch on a clean checkout of the commit gives back the launched tree.
    const copy = mkdtempSync(path.join(tmpdir(), 'labbook-capture-copy-'));
    try {
      execFileSync('git', ['clone', '-q', repo, copy]);
      writeFileSync(path.join(copy, 'launch.patch'), capture.patch ?? Buffer.alloc(0));
      execFileSync('git', ['apply', '--binary', 'launch.patch'], { cwd: copy });
      const read = (root: string, f: string) => execFileSync('cat', [path.join(root, f)]);
      for (const f of ['src/train.py', 'weights.bin', 'src/new helper.py']) assert.deepEqual(read(copy, f), read(repo, f), f);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('copes with a repository without commits, a detached HEAD, and no repository at all', async () => {
    const fresh = mkdtempSync(path.join(tmpdir(), 'labbook-fresh-'));
    try {
      execFileSync('git', ['init', '-q'], { cwd: fresh });
      writeFileSync(path.join(fresh, 'a.py'), 'pass\n');
      const capture = await captureGit(fresh);
      assert.equal(capture.state?.commit, null);
      assert.equal(capture.state?.repoUrl, null);
      assert.equal(capture.state?.dirty, true);
      assert.match(capture.patch?.toString('utf8') ?? '', /\+\+\+ b\/a\.py/);
      assert.match(capture.notes.join('\n'), /no commits yet/);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
    git('checkout', '-q', '--detach', 'HEAD');
    assert.equal((await captureGit(repo)).state?.branch, null);
    const outside = mkdtempSync(path.join(tmpdir(), 'labbook-nogit-'));
    try {
      const capture = await captureGit(outside);
      assert.equal(capture.state, undefined);
      assert.equal(capture.patch, undefined);
      assert.match(capture.notes[0] ?? '', /not in a git repository/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('strips credentials from remote URLs only', () => {
    assert.equal(redactUrl('https://user:pw@host/x.git'), 'https://host/x.git');
    assert.equal(redactUrl('ssh://git@host/x.git'), 'ssh://host/x.git');
    assert.equal(redactUrl('git@github.com:org/x.git'), 'git@github.com:org/x.git');
  });
});
