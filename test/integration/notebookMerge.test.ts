import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { conflictNotebook } from '../../src/core/merge/conflictNotebook.ts';
import { mergeNotebooks } from '../../src/core/merge/mergeNotebooks.ts';
import { parseNotebook } from '../../src/core/notebook/readNotebook.ts';
import { serializeNotebook } from '../../src/core/notebook/writeNotebook.ts';
import type { NotebookMergePanel } from '../../src/host/panels/notebookMergePanel.ts';
import type { MarkResolvedResult, NotebookMergeData } from '../../src/protocol/notebookMerge.ts';
import type { MergeResolutions } from '../../src/core/merge/model.ts';
import { conflictedGitMerge, mergeTriple } from '../support/mergeTriple.ts';
import { activateLabbook, firstRequest } from './support.ts';

/** A request to the panel, answered exactly as the webview's would be; fails the test on an error reply. */
async function ask<R>(panel: NotebookMergePanel, id: number, method: string, params: unknown): Promise<R> {
  const reply = await panel.dispatch({ kind: 'request', id, method, params });
  assert.ok(reply?.ok, `${method}: ${JSON.stringify(reply)}`);
  return reply.result as R;
}

describe('Labbook notebook merge of a conflicted git merge', () => {
  let repo: string;
  let file: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });

  before(async () => {
    await activateLabbook();
    repo = mkdtempSync(path.join(tmpdir(), 'labbook-nbmerge-'));
    file = path.join(repo, 'train.ipynb');
    // A plain `git merge` (no driver): git's raw markers in the JSON, and the three stages.
    conflictedGitMerge(repo, file, mergeTriple({ metadataConflict: false }));
    assert.match(readFileSync(file, 'utf8'), /^<{7} /m);
  });
  after(() => rmSync(repo, { recursive: true, force: true }));

  it('opens the merge from git’s stages, resolves both conflicts, and marks the notebook resolved', async () => {
    const panel = await vscode.commands.executeCommand<NotebookMergePanel | undefined>('labbook.openNotebookMerge', vscode.Uri.file(file));
    assert.ok(panel, 'the command returns the panel');
    // The real webview loads and asks for the merge.
    assert.deepEqual(await firstRequest(panel), { method: 'getMerge', ok: true });
    const data = await ask<NotebookMergeData>(panel, 1, 'getMerge', null);
    assert.equal(data.origin, 'git');
    assert.equal(data.merge.stats.conflicts, 2);
    const conflicted = data.merge.cells.flatMap((c, i) => (c.conflicts.length ? [i] : []));
    assert.equal(conflicted.length, 2);
    // Refused while conflicts are left, and the file is untouched.
    const early = await panel.dispatch({ kind: 'request', id: 2, method: 'markResolved', params: {} });
    assert.equal(early?.ok, false);
    assert.match(early && !early.ok ? early.error.message : '', /2 merge conflicts are not resolved yet/);
    const [paramsCell, cleanCell] = conflicted as [number, number];
    await ask(panel, 3, 'resolve', { target: { kind: 'cell', cell: paramsCell, resolution: { take: 'remote' } } });
    const r = await ask<MergeResolutions>(panel, 4, 'resolve', { target: { kind: 'cell', cell: cleanCell, resolution: { take: 'edited', source: 'df = df.dropna()\ndf = df[df.age >= 18]' } } });
    assert.deepEqual(Object.keys(r.cells).map(Number).sort(), [paramsCell, cleanCell].sort());
    // The resolutions are kept: a reloaded page gets them back.
    assert.deepEqual((await ask<NotebookMergeData>(panel, 5, 'getMerge', null)).resolutions, r);
    const done = await ask<MarkResolvedResult>(panel, 6, 'markResolved', {});
    assert.deepEqual(done, { file, staged: true });
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /^(<{7}|={7}|>{7})/m);
    const nb = parseNotebook(text, file);
    assert.deepEqual(nb.cells.map((c) => c.source.split('\n')[0]), ['# Training', 'import pandas as pd', 'lr = 0.05', 'df = df.dropna()', 'model.fit(df)', '## Results']);
    assert.equal(nb.cells[2]?.source, 'lr = 0.05\nepochs = 10\nbatch = 64');
    assert.equal(nb.cells[3]?.source, 'df = df.dropna()\ndf = df[df.age >= 18]');
    assert.equal(git('ls-files', '-u'), '');
    panel.dispose();
  });

  it('says there is nothing to merge for a resolved notebook, and opens no panel', async () => {
    assert.equal(await vscode.commands.executeCommand('labbook.openNotebookMerge', vscode.Uri.file(file)), undefined);
  });

  /** A fresh repository whose `git merge` of theirs stopped with train.ipynb unmerged (plain merge: git's markers). */
  function conflictedRepo(): { dir: string; nb: string; run: (...args: string[]) => string } {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-nbmerge-again-'));
    const nb = path.join(dir, 'train.ipynb');
    const run = conflictedGitMerge(dir, nb, mergeTriple({ metadataConflict: false }));
    return { dir, nb, run };
  }

  it('merges from the driver’s conflict notebook in the file while git has it unmerged, keeping an edit made to it by hand', async () => {
    const { dir, nb, run } = conflictedRepo();
    try {
      const t = mergeTriple({ metadataConflict: false });
      const recorded = conflictNotebook(mergeNotebooks({ notebook: t.base, name: 'base' }, { notebook: t.local, name: 'ours' }, { notebook: t.remote, name: 'theirs' }));
      const intro = recorded.cells.find((c) => c.id === 'intro');
      assert.ok(intro);
      intro.source += '\nEdited by hand after the merge.';
      writeFileSync(nb, serializeNotebook(recorded));
      const panel = await vscode.commands.executeCommand<NotebookMergePanel | undefined>('labbook.openNotebookMerge', vscode.Uri.file(nb));
      assert.ok(panel);
      await firstRequest(panel);
      const data = await ask<NotebookMergeData>(panel, 1, 'getMerge', null);
      assert.equal(data.origin, 'markers');
      assert.match(data.from ?? '', /git has it unmerged/);
      let id = 2;
      // A click made on another merge than the host's (a stale page) is refused.
      const first = data.merge.cells.findIndex((c) => c.conflicts.length > 0);
      const stale = await panel.dispatch({ kind: 'request', id: id++, method: 'resolve', params: { target: { kind: 'cell', cell: first, resolution: { take: 'local' } }, signature: 'another merge' } });
      assert.equal(stale?.ok, false);
      for (const [i, c] of data.merge.cells.entries()) if (c.conflicts.length) await ask(panel, id++, 'resolve', { target: { kind: 'cell', cell: i, resolution: { take: 'local' } }, signature: data.signature });
      assert.deepEqual(await ask<MarkResolvedResult>(panel, id++, 'markResolved', { signature: data.signature }), { file: nb, staged: true });
      const result = parseNotebook(readFileSync(nb, 'utf8'), nb);
      assert.equal(result.cells[0]?.source, '# Training\nThe model and its data.\nEdited by hand after the merge.');
      assert.equal(run('ls-files', '-u'), '');
      // Done: a second Mark as Resolved is refused.
      assert.equal((await panel.dispatch({ kind: 'request', id: id++, method: 'markResolved', params: {} }))?.ok, false);
      // The same file conflicted again: Open Notebook Merge gives the same panel, merging afresh (not the finished page).
      writeFileSync(nb, serializeNotebook(recorded));
      assert.equal(await vscode.commands.executeCommand('labbook.openNotebookMerge', vscode.Uri.file(nb)), panel);
      const fresh = await ask<NotebookMergeData>(panel, id++, 'getMerge', null);
      assert.equal(fresh.origin, 'markers');
      await ask(panel, id++, 'resolve', { target: { kind: 'cell', cell: first, resolution: { take: 'local' } }, signature: fresh.signature });
      panel.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses Mark as Resolved once the merge was aborted, writing and staging nothing', async () => {
    const { dir, nb, run } = conflictedRepo();
    try {
      const panel = await vscode.commands.executeCommand<NotebookMergePanel | undefined>('labbook.openNotebookMerge', vscode.Uri.file(nb));
      assert.ok(panel);
      await firstRequest(panel);
      const data = await ask<NotebookMergeData>(panel, 1, 'getMerge', null);
      assert.equal(data.origin, 'git');
      let id = 2;
      for (const [i, c] of data.merge.cells.entries()) if (c.conflicts.length) await ask(panel, id++, 'resolve', { target: { kind: 'cell', cell: i, resolution: { take: 'remote' } } });
      run('merge', '--abort');
      const head = readFileSync(nb, 'utf8');
      const refused = await panel.dispatch({ kind: 'request', id: id++, method: 'markResolved', params: {} });
      assert.equal(refused?.ok, false);
      assert.match(refused && !refused.ok ? refused.error.message : '', /cannot be loaded again.*Nothing was written/s);
      // The panel forgot the merge: asked again, it still refuses, and the file is HEAD's, with nothing staged.
      const again = await panel.dispatch({ kind: 'request', id: id++, method: 'markResolved', params: {} });
      assert.equal(again?.ok, false);
      assert.equal(readFileSync(nb, 'utf8'), head);
      assert.equal(run('status', '--porcelain'), '');
      panel.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens the conflicts Labbook’s merge driver recorded in a notebook outside git, with F7 going to that panel', async () => {
    const lonely = mkdtempSync(path.join(tmpdir(), 'labbook-nbmerge-markers-'));
    try {
      const t = mergeTriple();
      const merge = mergeNotebooks({ notebook: t.base, name: 'base' }, { notebook: t.local, name: 'local' }, { notebook: t.remote, name: 'remote' });
      const recorded = path.join(lonely, 'recorded.ipynb');
      writeFileSync(recorded, serializeNotebook(conflictNotebook(merge)));
      const panel = await vscode.commands.executeCommand<NotebookMergePanel | undefined>('labbook.openNotebookMerge', vscode.Uri.file(recorded));
      assert.ok(panel);
      await firstRequest(panel);
      const data = await ask<NotebookMergeData>(panel, 1, 'getMerge', null);
      assert.equal(data.origin, 'markers');
      assert.equal(data.merge.stats.conflicts, merge.stats.conflicts);
      assert.equal(panel.panel.active, true);
      assert.equal(await vscode.commands.executeCommand('labbook.nextNotebookMergeConflict'), panel);
      const bad = await panel.dispatch({ kind: 'request', id: 2, method: 'resolve', params: { target: { kind: 'cell', cell: 0, resolution: { take: 'local' } } } });
      assert.equal(bad?.ok, false, 'a clean cell without an outputs decision has nothing to resolve');
      panel.dispose();
    } finally {
      rmSync(lonely, { recursive: true, force: true });
    }
  });
});
