// The Notebook Merge page in headless Chromium under the real CSP. The test plays the host: every
// request is read through the panel's requests table and answered with the same functions
// NotebookMergePanel calls: a real three-way merge (src/core/merge) of a notebook triple, the
// resolutions kept by applyTarget, and the result written with applyResolutions + serializeNotebook.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import { mergeNotebooks } from '../../src/core/merge/mergeNotebooks.ts';
import type { MergeResolutions, NotebookMerge } from '../../src/core/merge/model.ts';
import { parseNotebook } from '../../src/core/notebook/readNotebook.ts';
import { serializeNotebook } from '../../src/core/notebook/writeNotebook.ts';
import { applyTarget, resolvedNotebook } from '../../src/host/merge/mergeResult.ts';
import { conflictSignature } from '../../src/host/merge/mergeSource.ts';
import { notebookMergeRequests, type NotebookMergeRequests } from '../../src/protocol/notebookMerge.ts';
import { answerRequest, type RequestHandlers } from '../../src/protocol/requests.ts';
import type { RequestMessage } from '../../src/protocol/rpc.ts';
import { HOSTILE, mergeTriple, type Triple } from '../support/mergeTriple.ts';
import { bridgePostsToNode, nextRequest, openWebviewApp, sendToPage, violations } from './webviewHarness.ts';

class PlayedHost {
  readonly requests: RequestMessage[] = [];
  page: Page | undefined;
  resolutions: MergeResolutions = { cells: {}, metadata: {} };
  merge: NotebookMerge;
  /** Set to make getMerge fail, as the host's does once the merge is aborted. */
  failing: string | undefined;
  private readonly handlers: RequestHandlers<NotebookMergeRequests>;

  readonly output: string;

  constructor(output: string, t: Triple = mergeTriple()) {
    this.output = output;
    this.merge = mergeNotebooks({ notebook: t.base, name: 'train.ipynb (base)' }, { notebook: t.local, name: 'train.ipynb (ours)' }, { notebook: t.remote, name: 'train.ipynb (theirs)' });
    this.handlers = {
      getMerge: () =>
        this.failing !== undefined
          ? Promise.reject(new Error(this.failing))
          : Promise.resolve({
              source: { kind: 'file', file: output },
              title: 'train.ipynb (ours ↔ theirs)',
              origin: 'git',
              from: 'from git’s merge stages (the file holds git’s raw conflict markers)',
              signature: conflictSignature(this.merge),
              output,
              merge: this.merge,
              resolutions: this.resolutions,
            }),
      resolve: ({ target }) => {
        this.resolutions = applyTarget(this.merge, this.resolutions, target);
        return Promise.resolve(this.resolutions);
      },
      markResolved: () => {
        writeFileSync(output, serializeNotebook(resolvedNotebook(this.merge, this.resolutions), { indent: 1 }));
        return Promise.resolve({ file: output, staged: false });
      },
    };
  }

  async receive(page: Page, message: unknown): Promise<void> {
    this.page = page;
    const m = message as { kind: string };
    if (m.kind !== 'request') return;
    const request = m as RequestMessage;
    this.requests.push(request);
    await this.send(await answerRequest(notebookMergeRequests, this.handlers, request));
  }

  send(message: unknown): Promise<void> {
    return sendToPage(this.page, message);
  }
}

describe('webview: Notebook Merge', function () {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let dir: string;
  let host: PlayedHost;
  let page: Page;
  const text = async (selector: string) => (await page.textContent(selector)) ?? '';
  const idle = () => page.waitForSelector('#app[aria-busy=false]');
  const resolved = (after: number) => nextRequest(host.requests, 'resolve', after, 10_000).then(idle);

  before(async () => {
    browser = await launchBrowser();
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-merge-webview-'));
    await bridgePostsToNode(browser.context, (p, message) => void host.receive(p, message));
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    host = new PlayedHost(path.join(dir, 'train.ipynb'));
    page = await openWebviewApp(browser.context, { name: 'notebookMerge', title: 'Notebook Merge', styles: ['notebookMerge.css'] });
    await page.waitForSelector('[data-conflict]');
    await idle();
  });
  afterEach(async () => page?.close());

  it('renders the cells in order: clean ones compact with their origin, each conflict with base, local and remote', async () => {
    assert.equal(host.requests[0]?.method, 'getMerge');
    assert.equal(await text('[data-testid=title]'), 'train.ipynb (ours ↔ theirs)');
    assert.equal(await text('[data-testid=left]'), '3 of 3 conflicts left');
    assert.deepEqual(await page.locator('.cell.clean .badge').allTextContents(), ['unchanged', 'local', 'combined', 'remote']);
    assert.equal(await page.locator('.cell.conflict.unresolved').count(), 3);
    // The source conflict: only the lines both sides changed are highlighted, in each column.
    const first = page.locator('[data-conflict="0"]');
    assert.deepEqual(await first.locator('pre.side-base .hl').allTextContents(), ['lr = 0.01\n']);
    assert.deepEqual(await first.locator('pre.side-local .hl').allTextContents(), ['lr = 0.001\n']);
    assert.deepEqual(await first.locator('pre.side-remote .hl').allTextContents(), ['lr = 0.05\n']);
    assert.match(await first.locator('pre.side-local').textContent() ?? '', /batch = 64/);
    // The deleted-on-one-side conflict, with local's text (a hostile string) shown as text.
    const deleted = page.locator('[data-conflict="1"]');
    assert.match((await deleted.textContent()) ?? '', /Deleted on remote, changed on local\./);
    assert.match((await deleted.locator('pre.side-remote').textContent()) ?? '', /deleted on remote/);
    assert.match((await deleted.locator('pre.side-local').textContent()) ?? '', new RegExp(HOSTILE.replace(/[()[\]\\^$.|?*+{}]/g, '\\$&')));
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.equal(await page.locator('[data-conflict] img').count(), 0);
    // The notebook metadata conflict as a table.
    assert.deepEqual(await page.locator('[data-conflict="2"] td').allTextContents(), ['title', '"Training"', '"Training (ours)"', '"Training (theirs)"']);
    assert.equal(await page.locator('vscode-button[data-action=mark-resolved][disabled]').count(), 1);
    assert.deepEqual(await violations(page), []);
  });

  it('takes local, edits a cell, picks the metadata and outputs, then marks the notebook resolved', async () => {
    await page.click('[data-conflict="0"] vscode-button[data-take=local]');
    await resolved(1);
    // With the signature of the merge shown: the host refuses a click made on another one.
    assert.deepEqual(host.requests[1]?.params, { target: { kind: 'cell', cell: 2, resolution: { take: 'local' } }, signature: conflictSignature(host.merge) });
    assert.equal(await text('[data-conflict="0"] [data-testid=resolution]'), 'Resolved: took local');
    assert.equal(await text('[data-testid=left]'), '2 of 3 conflicts left');
    // Edit: the editor starts from local's version.
    await page.click('[data-conflict="1"] vscode-button[data-action=edit]');
    const area = page.locator('textarea[data-cell="3"]');
    assert.equal(await area.inputValue(), `df = df.dropna()\ndf = df[df.age > 18]  # ${HOSTILE}`);
    await area.fill('df = df.dropna()\ndf = df[df.age >= 18]');
    await page.click('[data-conflict="1"] vscode-button[data-action=apply-edit]');
    await resolved(2);
    assert.equal(await text('[data-conflict="1"] [data-testid=resolution]'), 'Resolved: edited source');
    assert.equal(await text('[data-conflict="1"] [data-testid=result] pre'), 'df = df.dropna()\ndf = df[df.age >= 18]');
    assert.equal(await text('[data-conflict="0"] [data-testid=result] pre'), 'lr = 0.001\nepochs = 10\nbatch = 64');
    await page.click('[data-conflict="2"] vscode-button[data-choice=remote]');
    await resolved(3);
    // A clean cell whose outputs both sides changed: choose them again.
    await page.click('.cell.clean vscode-button[data-outputs=remote]');
    await resolved(4);
    assert.deepEqual(host.requests[4]?.params, { target: { kind: 'cell', cell: 4, resolution: { take: 'local', outputs: 'remote' } }, signature: conflictSignature(host.merge) });
    assert.equal(await text('[data-testid=left]'), '0 of 3 conflicts left');
    // A double click sends one request, with the signature of the merge shown.
    await page.locator('vscode-button[data-action=mark-resolved]:not([disabled])').dblclick();
    await page.waitForSelector('[data-testid=status]:not(:empty)');
    assert.equal(await text('[data-testid=status]'), `Wrote ${host.output}.`);
    const marks = host.requests.filter((r) => r.method === 'markResolved');
    assert.deepEqual(marks.map((r) => r.params), [{ signature: conflictSignature(host.merge) }]);
    assert.equal(await page.locator('.cells.finished').count(), 1, 'the written merge stays as a record, its actions off');
    const written = parseNotebook(readFileSync(host.output, 'utf8'), host.output);
    assert.deepEqual(written.cells.map((c) => c.source.split('\n')[0]), ['# Training', 'import pandas as pd', 'lr = 0.001', 'df = df.dropna()', 'model.fit(df)', '## Results']);
    assert.equal(written.cells[3]?.source, 'df = df.dropna()\ndf = df[df.age >= 18]');
    assert.deepEqual(written.cells[4]?.outputs, [{ outputType: 'stream', name: 'stdout', text: 'loss 0.3\n' }]);
    assert.equal(written.metadata.title, 'Training (theirs)');
  });

  it('moves between conflicts with Next and Previous, and with the F7 keys the host forwards', async () => {
    assert.equal(await text('[data-testid=position]'), '');
    await page.click('vscode-button[data-nav=next]');
    assert.equal(await page.getAttribute('.cell.current', 'data-conflict'), '0');
    await page.click('vscode-button[data-nav=next]');
    assert.equal(await page.getAttribute('.cell.current', 'data-conflict'), '1');
    assert.equal(await text('[data-testid=position]'), 'conflict 2 of 3');
    await host.send({ kind: 'event', event: { type: 'goToConflict', direction: 'previous' } });
    await page.waitForSelector('.cell.current[data-conflict="0"]');
    await host.send({ kind: 'event', event: { type: 'goToConflict', direction: 'previous' } });
    await page.waitForSelector('.cell.current[data-conflict="2"]');
  });

  it('restores resolutions, the current conflict, an unsaved edit and the scroll position after a reload', async () => {
    await page.setViewportSize({ width: 900, height: 400 });
    await page.click('[data-conflict="0"] vscode-button[data-take=remote]');
    await resolved(1);
    await page.click('vscode-button[data-nav=next]');
    await page.click('vscode-button[data-nav=next]');
    await page.click('[data-conflict="1"] vscode-button[data-action=edit]');
    await page.locator('textarea[data-cell="3"]').fill('draft = True');
    await page.evaluate(() => window.scrollTo(0, 200));
    await page.waitForFunction(() => (JSON.parse(sessionStorage.getItem('state') ?? '{}') as { scrollY?: number }).scrollY === 200);
    const before = host.requests.length;
    await page.reload();
    // The saved merge shows at once; then the host's answer (the same resolutions) replaces it.
    await page.waitForSelector('[data-conflict]');
    await nextRequest(host.requests, 'getMerge', before, 10_000);
    await idle();
    assert.equal(await text('[data-testid=left]'), '2 of 3 conflicts left');
    assert.equal(await text('[data-conflict="0"] [data-testid=resolution]'), 'Resolved: took remote');
    assert.equal(await page.getAttribute('.cell.current', 'data-conflict'), '1');
    assert.equal(await page.locator('textarea[data-cell="3"]').inputValue(), 'draft = True');
    assert.equal(await page.evaluate(() => Math.round(window.scrollY)), 200);
  });

  it('keeps an outputs pick made before a version is taken over a reload, and sends it with the version', async () => {
    // The params cell conflicts in its source and its outputs changed on both sides.
    const t = mergeTriple();
    const withOutputs = (nb: Triple['base'], text: string) => ({ ...nb, cells: nb.cells.map((c) => (c.id === 'params' ? { ...c, outputs: [{ outputType: 'stream' as const, name: 'stdout', text }] } : c)) });
    host = new PlayedHost(host.output, { base: withOutputs(t.base, 'a\n'), local: withOutputs(t.local, 'b\n'), remote: withOutputs(t.remote, 'c\n') });
    await page.reload();
    await page.waitForSelector('[data-conflict]');
    await idle();
    const both = '[data-conflict="0"] vscode-button[data-outputs=both]';
    await page.click(both);
    assert.equal(await page.getAttribute(both, 'aria-pressed'), 'true');
    const before = host.requests.length;
    await page.reload();
    await page.waitForSelector(both);
    await nextRequest(host.requests, 'getMerge', before, 10_000);
    await idle();
    assert.equal(await page.getAttribute(both, 'aria-pressed'), 'true', 'the pick survived the reload');
    const asked = host.requests.length;
    await page.click('[data-conflict="0"] vscode-button[data-take=local]');
    await resolved(asked);
    assert.deepEqual(host.resolutions.cells[2], { take: 'local', outputs: 'both' });
  });

  it('drops an unsaved edit when the merge changes content, and disables Mark as Resolved when it cannot be merged again', async () => {
    assert.match(await text('[data-testid=sides]'), /from git’s merge stages \(the file holds git’s raw conflict markers\)/);
    await page.click('[data-conflict="1"] vscode-button[data-action=edit]');
    await page.locator('textarea[data-cell="3"]').fill('draft = True');
    // Another merge of the same shape: remote's params differ. The draft was typed for the old one.
    const t = mergeTriple();
    const params = t.remote.cells[2];
    assert.ok(params);
    params.source = 'lr = 0.5\nepochs = 10\nbatch = 64';
    host.merge = mergeNotebooks({ notebook: t.base, name: 'train.ipynb (base)' }, { notebook: t.local, name: 'train.ipynb (ours)' }, { notebook: t.remote, name: 'train.ipynb (theirs)' });
    let before = host.requests.length;
    await host.send({ kind: 'event', event: { type: 'sourceChanged' } });
    await nextRequest(host.requests, 'getMerge', before, 10_000);
    await idle();
    assert.equal(await page.locator('textarea').count(), 0);
    assert.match(await page.locator('[data-conflict="0"] pre.side-remote').textContent() ?? '', /lr = 0\.5/);
    assert.deepEqual(await page.evaluate(() => (JSON.parse(sessionStorage.getItem('state') ?? '{}') as { drafts?: unknown }).drafts), {});
    // Every conflict resolved, then the merge is aborted: the reload fails, the button goes off with the reason.
    for (const selector of ['[data-conflict="0"] vscode-button[data-take=local]', '[data-conflict="1"] vscode-button[data-take=local]', '[data-conflict="2"] vscode-button[data-choice=local]']) {
      const sent = host.requests.length;
      await page.click(selector);
      await resolved(sent);
    }
    assert.equal(await page.locator('vscode-button[data-action=mark-resolved][disabled]').count(), 0);
    host.failing = 'train.ipynb has no merge conflicts';
    before = host.requests.length;
    await host.send({ kind: 'event', event: { type: 'sourceChanged' } });
    await nextRequest(host.requests, 'getMerge', before, 10_000);
    await page.waitForSelector('[data-testid=alert]:not(:empty)');
    assert.match(await text('[data-testid=alert]'), /no merge conflicts.*Mark as Resolved is disabled/);
    assert.equal(await page.locator('vscode-button[data-action=mark-resolved][disabled]').count(), 1);
  });

  it('has the host refuse to write while conflicts are left, and refuse a malformed resolution', async () => {
    // The button is disabled; a request sent anyway (e.g. by a stale page) gets the core's refusal.
    const reply = await answerRequest(notebookMergeRequests, {
      getMerge: () => Promise.reject(new Error('unused')),
      resolve: () => Promise.reject(new Error('unused')),
      markResolved: () => Promise.resolve().then(() => {
        resolvedNotebook(host.merge, host.resolutions);
        return { file: host.output, staged: false };
      }),
    }, { kind: 'request', id: 1, method: 'markResolved', params: {} });
    assert.equal(reply.ok, false);
    assert.match(reply.ok ? '' : reply.error.message, /^3 merge conflicts are not resolved yet/);
    const bad = await answerRequest(notebookMergeRequests, {} as RequestHandlers<NotebookMergeRequests>, { kind: 'request', id: 2, method: 'resolve', params: { target: { kind: 'cell', cell: -1, resolution: null } } });
    assert.equal(bad.ok ? '' : bad.error.code, 'badParams');
  });
});
