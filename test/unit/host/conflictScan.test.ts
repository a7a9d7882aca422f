// The conflict notice's cheap checks (src/host/merge/conflictScan.ts, no vscode): its text scan agrees
// with hasConflictMarkers on real driver output, a merge in progress is found from the git directory
// (a `.git` file included) without running git, and git's answer takes the file name literally.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { conflictNotebook, hasConflictMarkers } from '../../../src/core/merge/conflictNotebook.ts';
import { mergeNotebooks } from '../../../src/core/merge/mergeNotebooks.ts';
import type { Notebook } from '../../../src/core/notebook/notebookModel.ts';
import { serializeNotebook } from '../../../src/core/notebook/writeNotebook.ts';
import { gitDirOf, gitHasUnmerged, mergeInProgress, textHasConflictMarkers } from '../../../src/host/merge/conflictScan.ts';
import { conflictedGitMerge, mergeTriple } from '../../support/mergeTriple.ts';

describe('conflict notice scan: markers, merge in progress, literal git pathspecs', function () {
  this.timeout(30_000);
  let dir: string;
  const t = mergeTriple();
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-scan-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('agrees with hasConflictMarkers: the driver’s output, every banner deleted by hand, nothing conflicted', () => {
    const merge = mergeNotebooks({ notebook: t.base, name: 'b' }, { notebook: t.local, name: 'l' }, { notebook: t.remote, name: 'r' });
    const written = conflictNotebook(merge);
    const cases: Notebook[] = [written, t.local];
    // Resolved by hand in Jupyter: the banners deleted, local's versions kept (their markers left behind).
    cases.push({ ...written, cells: written.cells.filter((c) => !String(c.id ?? '').startsWith('labbook-merge-') && (c.metadata.labbook as { merge?: { role?: string } } | undefined)?.merge?.role !== 'remote') });
    // A start banner whose version cells were deleted (still an open conflict).
    cases.push({ ...written, cells: written.cells.filter((c) => !['local', 'remote'].includes(String((c.metadata.labbook as { merge?: { role?: string } } | undefined)?.merge?.role))) });
    for (const nb of cases) assert.equal(textHasConflictMarkers(serializeNotebook(nb)), hasConflictMarkers(nb));
    assert.equal(textHasConflictMarkers(serializeNotebook(written)), true);
    assert.equal(textHasConflictMarkers('{\n<<<<<<< HEAD\n'), true, 'git’s raw markers');
    // nbformat 4.4: no cell ids, the start marker still says so.
    const old = { ...written, nbformatMinor: 4 };
    assert.equal(textHasConflictMarkers(serializeNotebook(old)), true);
    assert.equal(textHasConflictMarkers(serializeNotebook(cases[2] ? { ...cases[2], nbformatMinor: 4 } : old)), false);
  });

  it('finds a merge in progress from the git directory, through a .git file, and none outside git or after the merge', async () => {
    const file = path.join(dir, 'nb1.ipynb');
    const git = conflictedGitMerge(dir, file, t);
    assert.equal(await mergeInProgress(file), true);
    // A worktree-style checkout: `.git` is a file naming the git directory.
    const linked = path.join(dir, 'linked', 'sub');
    mkdirSync(linked, { recursive: true });
    writeFileSync(path.join(dir, 'linked', '.git'), `gitdir: ${path.join(dir, '.git')}\n`);
    assert.equal(await gitDirOf(path.join(linked, 'x.ipynb')), path.join(dir, '.git'));
    assert.equal(await mergeInProgress(path.join(linked, 'x.ipynb')), true);
    git('merge', '--abort');
    assert.equal(await mergeInProgress(file), false);
    const outside = mkdtempSync(path.join(tmpdir(), 'labbook-scan-none-'));
    try {
      assert.equal(await mergeInProgress(path.join(outside, 'a.ipynb')), false);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('asks git about the very file: a clean nb[1].ipynb is not nb1.ipynb', async () => {
    const file = path.join(dir, 'nb1.ipynb');
    const git = conflictedGitMerge(dir, file, t);
    const glob = path.join(dir, 'nb[1].ipynb');
    writeFileSync(glob, serializeNotebook(t.base));
    assert.equal(await gitHasUnmerged(file), true);
    assert.equal(await gitHasUnmerged(glob), false);
    execFileSync('git', ['add', '--', file], { cwd: dir });
    assert.equal(git('ls-files', '-u'), '');
    assert.equal(await gitHasUnmerged(file), false);
  });
});
