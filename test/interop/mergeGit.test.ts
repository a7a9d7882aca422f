// A real `git merge` of two branches editing the same notebook, with `labbook merge --git` as the
// merge driver: a clean merge completes with both edits (and diffs against each side show only
// the other side's change); a conflicting one leaves a notebook that Python's nbformat.validate
// accepts, which the merge panel's own loader and writer (loadMerge + markMergeResolved) finish,
// keeping an edit made to the file by hand, and `git commit` takes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { diffNotebooks } from '../../src/core/diff/diffNotebooks.ts';
import { readConflictStages } from '../../src/core/git/conflictStages.ts';
import { markMergeResolved } from '../../src/host/merge/markMergeResolved.ts';
import { loadMerge } from '../../src/host/merge/mergeSource.ts';
import type { Notebook } from '../../src/core/notebook/notebookModel.ts';
import { parseNotebook } from '../../src/core/notebook/readNotebook.ts';
import { serializeNotebook } from '../../src/core/notebook/writeNotebook.ts';
import { CLI_ENTRY } from '../support/cli.ts';
import { runPython } from '../support/python.ts';

const WORKFLOW = path.resolve(import.meta.dirname, '..', 'fixtures', 'notebooks', 'workflow.ipynb');
const VALIDATE = 'import sys, nbformat\nnb = nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT)\nnbformat.validate(nb)\nprint(len(nb.cells))';

/** `workflow.ipynb` with `from` replaced by `to` in cell `k`'s source. */
function edited(nb: Notebook, k: number, from: string, to: string): Notebook {
  const copy = structuredClone(nb);
  const cell = copy.cells[k] as Notebook['cells'][number];
  assert.ok(cell.source.includes(from), `cell ${k} holds ${from}`);
  cell.source = cell.source.replace(from, to);
  return copy;
}

describe('interop: labbook merge as the merge driver of a real git repository', function () {
  this.timeout(180_000);
  let repo: string;
  const file = () => path.join(repo, 'wine.ipynb');
  const git = (...args: string[]) => spawnSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: repo, GIT_PAGER: 'cat' }, timeout: 120_000 });
  const ok = (...args: string[]) => {
    const r = git(...args);
    assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  const commitOn = (branch: string, nb: Notebook, message: string) => {
    ok('checkout', '-q', branch);
    writeFileSync(file(), serializeNotebook(nb));
    ok('commit', '-q', '-am', message);
  };
  const base = parseNotebook(readFileSync(WORKFLOW, 'utf8'), 'workflow.ipynb');
  const ours = edited(base, 2, 'RANDOM_STATE = 42', 'RANDOM_STATE = 7');

  beforeEach(() => {
    repo = mkdtempSync(path.join(tmpdir(), 'labbook-merge-git-'));
    ok('init', '-q', '-b', 'main');
    ok('config', 'user.email', 'ada@example.com');
    ok('config', 'user.name', 'Ada');
    ok('config', 'merge.labbook.name', 'Labbook notebook merge');
    ok('config', 'merge.labbook.driver', `"${process.execPath}" "${CLI_ENTRY}" merge --git -- %O %A %B %P`);
    writeFileSync(path.join(repo, '.gitattributes'), '*.ipynb merge=labbook\n');
    writeFileSync(file(), readFileSync(WORKFLOW, 'utf8'));
    ok('add', '.');
    ok('commit', '-q', '-m', 'base');
    ok('branch', 'theirs');
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('completes a clean merge of edits to different cells; each side’s diff to the result is the other side’s edit', async () => {
    const theirs = edited(base, 23, 'test_size=0.25', 'test_size=0.3');
    commitOn('theirs', theirs, 'theirs: test size');
    commitOn('main', ours, 'ours: seed');
    const merge = git('merge', '--no-edit', 'theirs');
    assert.equal(merge.status, 0, merge.stdout + merge.stderr);
    assert.match(merge.stderr, /labbook merge: wine\.ipynb — 2 changes merged, no conflicts/);
    assert.equal(ok('status', '--porcelain'), '');
    const result = parseNotebook(readFileSync(file(), 'utf8'), 'wine.ipynb');
    assert.ok(result.cells[2]?.source.includes('RANDOM_STATE = 7'));
    assert.ok(result.cells[23]?.source.includes('test_size=0.3'));
    assert.equal(result.cells.length, base.cells.length);

    const changed = (from: Notebook, to: Notebook) =>
      diffNotebooks({ notebook: from, name: 'a' }, { notebook: to, name: 'b' }).cells.filter((c) => c.kind !== 'unchanged').map((c) => `${c.kind} ${c.baseIndex}→${c.remoteIndex}`);
    assert.deepEqual(changed(ours, result), ['modified 23→23']);
    assert.deepEqual(changed(theirs, result), ['modified 2→2']);
    assert.deepEqual(changed(base, result), ['modified 2→2', 'modified 23→23']);
    // Written as Jupyter writes it: only the two edited lines differ from the base file.
    const diff = ok('diff', '--numstat', 'HEAD~2', 'HEAD', '--', 'wine.ipynb');
    assert.match(diff, /^2\t2\twine\.ipynb\n$/);
    const valid = await runPython(['-c', VALIDATE, file()], {}, 60_000);
    assert.equal(valid.code, 0, valid.stderr);
  });

  it('leaves a conflicting merge as a valid notebook with banners, which the merge panel’s loader and writer finish, keeping a hand edit', async () => {
    commitOn('theirs', edited(base, 2, 'RANDOM_STATE = 42', 'RANDOM_STATE = 0'), 'theirs: seed 0');
    commitOn('main', ours, 'ours: seed 7');
    const merge = git('merge', '--no-edit', 'theirs');
    assert.equal(merge.status, 1, merge.stdout + merge.stderr);
    assert.match(merge.stderr, /labbook merge: wine\.ipynb — 0 changes merged, 1 conflict left \(open it in VS Code: Labbook: Open Notebook Merge\)/);
    const text = readFileSync(file(), 'utf8');
    assert.ok(!text.includes('<<<<<<<'), 'no conflict markers in the JSON');
    assert.match(text, /Merge conflict 1 of 1/);
    const valid = await runPython(['-W', 'error::UserWarning', '-c', VALIDATE, file()], {}, 60_000);
    assert.equal(valid.code, 0, valid.stderr);
    assert.equal(valid.stdout.trim(), String(base.cells.length + 4), 'the conflicted cell is spelled out as five cells');

    // git keeps the stages while the path is unmerged.
    const stages = await readConflictStages(file());
    assert.ok(stages?.base && stages.local && stages.remote);
    // The user edits a clean cell of the conflict notebook (in Jupyter) before opening the merge panel.
    const handEdited = parseNotebook(text, 'wine.ipynb');
    const clean = handEdited.cells.find((c) => c.source.includes('test_size=0.25'));
    assert.ok(clean && clean.metadata.labbook === undefined);
    clean.source = clean.source.replace('test_size=0.25', 'test_size=0.2');
    writeFileSync(file(), serializeNotebook(handEdited));
    // What the panel loads: the file, since it holds Labbook's markers (not git's stages, which lack the edit).
    const loaded = await loadMerge({ kind: 'file', file: file() }, { outputs: 'both' });
    assert.equal(loaded.origin, 'markers');
    assert.equal(loaded.unmerged, true);
    const conflicted = loaded.merge;
    assert.equal(conflicted.stats.conflicts, 1);
    const k = conflicted.cells.findIndex((c) => c.conflicts.length > 0);
    assert.equal(k, 2);
    assert.ok(conflicted.cells[k]?.versions?.remote?.source.includes('RANDOM_STATE = 0'));
    const done = await markMergeResolved({ kind: 'file', file: file() }, { outputs: 'both' }, loaded.fingerprint, { cells: { [k]: { take: 'remote' } }, metadata: {} });
    assert.equal(done.staged, true);
    ok('commit', '-q', '--no-edit');
    const committed = parseNotebook(ok('show', 'HEAD:wine.ipynb'), 'wine.ipynb');
    assert.ok(committed.cells[2]?.source.includes('RANDOM_STATE = 0'));
    assert.ok(committed.cells[23]?.source.includes('test_size=0.2,'), 'the hand edit is kept');
    assert.equal(committed.cells.length, base.cells.length);
    assert.ok(committed.cells.every((c) => c.metadata.labbook === undefined), 'no markers left');
  });
});
