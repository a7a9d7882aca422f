// What the merge editor loads and keeps, in plain Node over real files and a real git repository:
// the sources (git's stages, Labbook's recorded conflicts, three files, nothing to merge), the
// resolutions' checks, the workspace-state store that drops resolutions of another merge, and Mark
// as Resolved (markMergeResolved), which keeps the user's edits and refuses a stale merge.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { conflictNotebook } from '../../../src/core/merge/conflictNotebook.ts';
import { mergeNotebooks } from '../../../src/core/merge/mergeNotebooks.ts';
import { MergeUnresolvedError } from '../../../src/core/merge/resolve.ts';
import { parseNotebook } from '../../../src/core/notebook/readNotebook.ts';
import { serializeNotebook } from '../../../src/core/notebook/writeNotebook.ts';
import { HandResolvedError, markMergeResolved, StaleMergeError } from '../../../src/host/merge/markMergeResolved.ts';
import { applyTarget, KEPT_FILES, resolvedNotebook, ResolutionStore } from '../../../src/host/merge/mergeResult.ts';
import { conflictSignature, loadMerge, NothingToMergeError } from '../../../src/host/merge/mergeSource.ts';
import { conflictsLeft, notebookMergeRequests } from '../../../src/protocol/notebookMerge.ts';
import { BadParamsError, parseParams } from '../../../src/protocol/requests.ts';
import { conflictedGitMerge, mergeTriple } from '../../support/mergeTriple.ts';

describe('merge editor: sources, resolutions and their store', function () {
  this.timeout(30_000);
  let dir: string;
  const t = mergeTriple();
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-merge-source-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('merges three picked files with the given options, keeping the local file’s indent', async () => {
    const base = write('base.ipynb', serializeNotebook(t.base));
    const local = write('local.ipynb', serializeNotebook(t.local, { indent: 2 }));
    const remote = write('remote.ipynb', serializeNotebook(t.remote));
    const loaded = await loadMerge({ kind: 'files', base, local, remote, output: path.join(dir, 'out.ipynb') }, { outputs: 'remote' });
    assert.equal(loaded.origin, 'files');
    assert.equal(loaded.indent, 2);
    assert.equal(loaded.merge.options.outputs, 'remote');
    assert.equal(conflictsLeft(loaded.merge, { cells: {}, metadata: {} }).length, 3);
  });

  it('reads git’s stages after a plain git merge, and the Labbook markers the driver leaves', async () => {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
    const file = path.join(dir, 'nb.ipynb');
    conflictedGitMerge(dir, file, t, 'other');
    const fromGit = await loadMerge({ kind: 'file', file }, {});
    assert.equal(fromGit.origin, 'git');
    assert.equal(fromGit.merge.stats.conflicts, 3);
    // Staged with git's markers still in it: the stages are gone, and the message says how to get them back.
    git('add', 'nb.ipynb');
    await assert.rejects(loadMerge({ kind: 'file', file }, {}), (err: Error) => err instanceof NothingToMergeError && /git checkout -m -- nb\.ipynb/.test(err.message));
    // The driver's output: a valid notebook that describes its conflicts.
    writeFileSync(file, serializeNotebook(conflictNotebook(fromGit.merge)));
    const recorded = await loadMerge({ kind: 'file', file }, {});
    assert.equal(recorded.origin, 'markers');
    assert.equal(conflictsLeft(recorded.merge, { cells: {}, metadata: {} }).length, 3);
    // Resolved and written: nothing to merge any more.
    writeFileSync(file, serializeNotebook(t.local));
    await assert.rejects(loadMerge({ kind: 'file', file }, {}), (err: Error) => err instanceof NothingToMergeError && /has no merge conflicts/.test(err.message));
  });

  it('sets and clears resolutions, refusing targets the merge has no conflict for', () => {
    const merge = mergeNotebooks({ notebook: t.base, name: 'b' }, { notebook: t.local, name: 'l' }, { notebook: t.remote, name: 'r' });
    let r = applyTarget(merge, { cells: {}, metadata: {} }, { kind: 'cell', cell: 2, resolution: { take: 'both' } });
    r = applyTarget(merge, r, { kind: 'cell', cell: 3, resolution: { take: 'delete' } });
    r = applyTarget(merge, r, { kind: 'metadata', key: 'title', choice: 'base' });
    assert.equal(conflictsLeft(merge, r).length, 0);
    const nb = resolvedNotebook(merge, r);
    assert.deepEqual(nb.cells.map((c) => c.source.split('\n')[0]), ['# Training', 'import pandas as pd', 'lr = 0.001', 'lr = 0.05', 'model.fit(df)', '## Results']);
    assert.equal(nb.metadata.title, 'Training');
    r = applyTarget(merge, r, { kind: 'cell', cell: 3, resolution: null });
    assert.deepEqual(conflictsLeft(merge, r), [{ kind: 'cell', cell: 3 }]);
    assert.throws(() => applyTarget(merge, r, { kind: 'cell', cell: 0, resolution: { take: 'local' } }), BadParamsError);
    assert.throws(() => applyTarget(merge, r, { kind: 'metadata', key: 'kernelspec', choice: 'local' }), BadParamsError);
    assert.throws(() => applyTarget(merge, r, { kind: 'cell', cell: 2, resolution: { take: 'edited' } }), BadParamsError);
    assert.throws(() => parseParams(notebookMergeRequests, 'resolve', { target: { kind: 'cell', cell: 2, resolution: { take: 'mine' } } }), BadParamsError);
    assert.throws(() => parseParams(notebookMergeRequests, 'resolve', { target: { kind: 'other' } }), BadParamsError);
  });

  it('keeps resolutions per file, only for a merge with the same conflicts', async () => {
    const memory = new Map<string, unknown>();
    const store = new ResolutionStore({ get: (k) => memory.get(k), update: (k, v) => Promise.resolve(void memory.set(k, v)) });
    const merge = mergeNotebooks({ notebook: t.base, name: 'b' }, { notebook: t.local, name: 'l' }, { notebook: t.remote, name: 'r' });
    const other = mergeNotebooks({ notebook: t.base, name: 'b' }, { notebook: t.local, name: 'l' }, { notebook: mergeTriple({ metadataConflict: false }).remote, name: 'r' });
    assert.notEqual(conflictSignature(merge), conflictSignature(other));
    const r = { cells: { 2: { take: 'local' as const } }, metadata: {} };
    await store.set('/a.ipynb', conflictSignature(merge), r);
    assert.deepEqual(store.get('/a.ipynb', conflictSignature(merge)), r);
    assert.deepEqual(store.get('/a.ipynb', conflictSignature(other)), { cells: {}, metadata: {} });
    assert.deepEqual(store.get('/b.ipynb', conflictSignature(merge)), { cells: {}, metadata: {} });
    await store.clear('/a.ipynb');
    assert.deepEqual(store.get('/a.ipynb', conflictSignature(merge)), { cells: {}, metadata: {} });
  });

  it('keeps the resolutions of the most recently changed files only (merges aborted or left open are forgotten)', async () => {
    const memory = new Map<string, unknown>();
    const store = new ResolutionStore({ get: (k) => memory.get(k), update: (k, v) => Promise.resolve(void memory.set(k, v)) });
    const r = { cells: { 2: { take: 'local' as const } }, metadata: {} };
    for (let i = 0; i < KEPT_FILES + 10; i++) await store.set(`/nb${i}.ipynb`, 'sig', r);
    // Set again: /nb10 becomes the most recent, so /nb11 is the oldest kept after the next one.
    await store.set('/nb10.ipynb', 'sig', r);
    await store.set('/new.ipynb', 'sig', r);
    const kept = Object.keys(memory.get('labbook.merge.resolutions') as object);
    assert.equal(kept.length, KEPT_FILES);
    assert.deepEqual(kept.slice(-2), ['/nb10.ipynb', '/new.ipynb']);
    assert.equal(kept[0], '/nb12.ipynb');
    assert.deepEqual(store.get('/nb11.ipynb', 'sig'), { cells: {}, metadata: {} });
    assert.deepEqual(store.get('/nb10.ipynb', 'sig'), r);
  });

  it('gives a merge of the same shape but other content another signature', () => {
    const nb = (source: string) => ({ nbformat: 4, nbformatMinor: 5, metadata: {}, cells: [{ id: 'a', cellType: 'code' as const, source, metadata: {}, outputs: [], executionCount: null }] });
    const m1 = mergeNotebooks({ notebook: nb('x = 1'), name: 'b' }, { notebook: nb('x = 2'), name: 'l' }, { notebook: nb('x = 3'), name: 'r' });
    const m2 = mergeNotebooks({ notebook: nb('x = 1'), name: 'b' }, { notebook: nb('x = 2'), name: 'l' }, { notebook: nb('x = 99\nimportant()'), name: 'r' });
    assert.equal(m1.stats.conflicts, 1);
    assert.equal(m2.stats.conflicts, 1);
    assert.notEqual(conflictSignature(m1), conflictSignature(m2));
    assert.equal(conflictSignature(m1), conflictSignature(structuredClone(m1)));
  });

  describe('Mark as Resolved over a real git merge', () => {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
    let file: string;
    const everyLocal = (merge: ReturnType<typeof mergeNotebooks>) => ({
      cells: Object.fromEntries(merge.cells.flatMap((c, i) => (c.conflicts.length ? [[i, { take: 'local' as const }]] : []))),
      metadata: Object.fromEntries(merge.metadata.conflicts.map((k) => [k.path.join('/'), 'local' as const])),
    });

    beforeEach(() => {
      file = path.join(dir, 'nb.ipynb');
      conflictedGitMerge(dir, file, t, 'other');
    });

    it('loads the driver’s conflict notebook from the file while git has it unmerged, so a hand edit survives and the result is staged', async () => {
      const fromGit = await loadMerge({ kind: 'file', file }, {});
      assert.equal(fromGit.origin, 'git');
      assert.match(fromGit.from, /raw conflict markers/);
      // What the driver writes, then the user edits a clean cell in Jupyter.
      const written = conflictNotebook(fromGit.merge);
      const load = written.cells.find((c) => c.id === 'load');
      assert.ok(load);
      load.source += '\nprint(len(df))  # by hand';
      writeFileSync(file, serializeNotebook(written));
      const loaded = await loadMerge({ kind: 'file', file }, { outputs: 'both' });
      assert.equal(loaded.origin, 'markers');
      assert.equal(loaded.unmerged, true);
      assert.match(loaded.from, /git has it unmerged/);
      assert.equal(loaded.merge.options.outputs, fromGit.merge.options.outputs, 'the panel’s settings do not re-decide a recorded merge');
      await assert.rejects(markMergeResolved({ kind: 'file', file }, {}, loaded.fingerprint, { cells: {}, metadata: {} }), MergeUnresolvedError);
      const done = await markMergeResolved({ kind: 'file', file }, {}, loaded.fingerprint, everyLocal(loaded.merge));
      assert.deepEqual({ file: done.file, staged: done.staged }, { file, staged: true });
      const result = parseNotebook(readFileSync(file, 'utf8'), 'nb.ipynb');
      assert.ok(result.cells.find((c) => c.id === 'load')?.source.endsWith('print(len(df))  # by hand'));
      assert.equal(git('ls-files', '-u'), '');
      assert.ok(result.cells.every((c) => c.metadata.labbook === undefined));
    });

    it('refuses to write after the merge was aborted, or when the file changed since the resolutions were made', async () => {
      const loaded = await loadMerge({ kind: 'file', file }, {});
      const r = everyLocal(loaded.merge);
      // The file changed under the panel: refused, nothing written.
      const changed = `${readFileSync(file, 'utf8')}\n`;
      writeFileSync(file, changed);
      const edited = await loadMerge({ kind: 'file', file }, {});
      assert.notEqual(edited.fingerprint, loaded.fingerprint, 'the working file is an input of a stages merge: an edit after loading is caught');
      await assert.rejects(markMergeResolved({ kind: 'file', file }, {}, loaded.fingerprint, r), (err: Error) => err instanceof StaleMergeError && /changed since/.test(err.message));
      // Settings changed since: the stages merge is another one.
      await assert.rejects(markMergeResolved({ kind: 'file', file }, { outputs: 'both' }, loaded.fingerprint, r), (err: Error) => err instanceof StaleMergeError && /changed since/.test(err.message));
      assert.equal(readFileSync(file, 'utf8'), changed);
      // The driver's conflict notebook written over it meanwhile: another source.
      writeFileSync(file, serializeNotebook(conflictNotebook(loaded.merge)));
      await assert.rejects(markMergeResolved({ kind: 'file', file }, {}, loaded.fingerprint, r), (err: Error) => err instanceof StaleMergeError && /changed since/.test(err.message));
      // Aborted: git has nothing unmerged; the file is HEAD's again and stays so.
      git('merge', '--abort');
      const head = readFileSync(file, 'utf8');
      await assert.rejects(markMergeResolved({ kind: 'file', file }, {}, loaded.fingerprint, r), (err: Error) => err instanceof StaleMergeError && /cannot be loaded again/.test(err.message));
      assert.equal(readFileSync(file, 'utf8'), head);
      assert.equal(git('status', '--porcelain'), '');
    });
    it('does not overwrite a file resolved by hand (no markers, not ours) while git still has it unmerged', async () => {
      const hand = structuredClone(t.local);
      hand.cells[0]!.source = '# Training\nresolved by hand';
      const text = serializeNotebook(hand);
      writeFileSync(file, text);
      const loaded = await loadMerge({ kind: 'file', file }, {});
      assert.equal(loaded.origin, 'git');
      assert.equal(loaded.handResolved, true);
      assert.match(loaded.from, /resolved by hand/);
      await assert.rejects(markMergeResolved({ kind: 'file', file }, {}, loaded.fingerprint, everyLocal(loaded.merge)), HandResolvedError);
      assert.equal(readFileSync(file, 'utf8'), text);
      assert.notEqual(git('ls-files', '-u'), '', 'still unmerged: nothing was staged');
    });

    it('keeps the signature (so the resolutions) when only the merge settings change', async () => {
      const clear = await loadMerge({ kind: 'file', file }, { outputs: 'clear' });
      const local = await loadMerge({ kind: 'file', file }, { outputs: 'local', autoResolveVolatileMetadata: false });
      assert.equal(conflictSignature(clear.merge), conflictSignature(local.merge));
      assert.notEqual(clear.fingerprint, local.fingerprint, 'the write still checks the settings it was merged under');
    });

    it('in Restricted Mode runs no git: the stages are refused, recorded conflicts are written and not staged', async () => {
      await assert.rejects(loadMerge({ kind: 'file', file }, {}, { git: false }), (err: Error) => err instanceof NothingToMergeError && /Restricted Mode/.test(err.message));
      const fromGit = await loadMerge({ kind: 'file', file }, {});
      writeFileSync(file, serializeNotebook(conflictNotebook(fromGit.merge)));
      const loaded = await loadMerge({ kind: 'file', file }, {}, { git: false });
      assert.equal(loaded.origin, 'markers');
      assert.equal(loaded.withoutGit, true);
      const done = await markMergeResolved({ kind: 'file', file }, {}, loaded.fingerprint, everyLocal(loaded.merge), undefined, { git: false });
      assert.equal(done.staged, false);
      assert.match(done.notStaged ?? '', /Restricted Mode/);
      assert.equal(parseNotebook(readFileSync(file, 'utf8'), 'nb.ipynb').cells.some((c) => c.metadata.labbook !== undefined), false);
      assert.notEqual(git('ls-files', '-u'), '', 'not staged');
    });

    it('reports a git add failure after the write as written but not staged', async () => {
      const fromGit = await loadMerge({ kind: 'file', file }, {});
      writeFileSync(file, serializeNotebook(conflictNotebook(fromGit.merge)));
      const loaded = await loadMerge({ kind: 'file', file }, {});
      const lock = path.join(dir, '.git', 'index.lock');
      writeFileSync(lock, '');
      try {
        const done = await markMergeResolved({ kind: 'file', file }, {}, loaded.fingerprint, everyLocal(loaded.merge));
        assert.equal(done.staged, false);
        assert.match(done.notStaged ?? '', /git add failed/);
      } finally {
        unlinkSync(lock);
      }
      assert.equal(parseNotebook(readFileSync(file, 'utf8'), 'nb.ipynb').cells.some((c) => c.metadata.labbook !== undefined), false, 'the resolution was written');
    });
  });
});
