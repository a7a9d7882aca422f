// Plays the VS Code host for the Notebook Diff webview tests: serves the bundle under the real
// CSP with acquireVsCodeApi stubbed, and answers getDiff with real diffs of fixture notebooks.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { diffNotebooks } from '../../src/core/diff/diffNotebooks.ts';
import type { CellDiffKind } from '../../src/core/diff/model.ts';
import type { Notebook } from '../../src/core/notebook/notebookModel.ts';
import { readNotebookFile } from '../../src/core/notebook/readNotebook.ts';
import { renderWebviewHtml } from '../../src/host/panels/webviewHtml.ts';
import type { DiffToggles, NotebookDiffData } from '../../src/protocol/notebookDiff.ts';

export const root = path.resolve(import.meta.dirname, '..', '..');
const fixtures = path.join(root, 'test', 'fixtures', 'notebooks');
const ORIGIN = 'https://webview.test';
export const DEFAULT_TOGGLES: DiffToggles = { ignoreExecutionCounts: true, ignoreVolatileMetadata: true, ignoreOutputOnlyChanges: true, ignoreWhitespace: true };
export const HOSTILE = '<img src=x onerror=window.__xss=1>';

export interface Pair {
  title: string;
  base: Notebook;
  remote: Notebook;
}

export function dataFor(pair: Pair, toggles: DiffToggles): NotebookDiffData {
  const diff = diffNotebooks({ notebook: pair.base, name: 'workflow.ipynb' }, { notebook: pair.remote, name: 'workflow.ipynb' }, toggles);
  return {
    source: { kind: 'git', file: '/work/demo/workflow.ipynb', revision: 'HEAD' },
    title: pair.title,
    baseLabel: 'HEAD',
    remoteLabel: 'working tree',
    diff,
    base: pair.base,
    remote: pair.remote,
  };
}

export async function fixturePair(remote: string): Promise<Pair> {
  return {
    title: `${remote} (HEAD ↔ working tree)`,
    base: await readNotebookFile(path.join(fixtures, 'workflow.ipynb')),
    remote: await readNotebookFile(path.join(fixtures, remote)),
  };
}

/** Stands in for acquireVsCodeApi; state survives reloads like VS Code's does. */
export function stubVsCodeApi(): void {
  const w = window as unknown as Record<string, unknown>;
  w.__posted = [];
  w.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => (w.__violations as string[]).push(`${e.violatedDirective} ${e.blockedURI}`));
  w.acquireVsCodeApi = () => ({
    postMessage: (m: unknown) => (w.__posted as unknown[]).push(m),
    getState: () => JSON.parse(sessionStorage.getItem('state') ?? 'null') ?? undefined,
    setState: (s: unknown) => sessionStorage.setItem('state', JSON.stringify(s)),
  });
}

export interface Posted { kind: string; id?: number; method?: string; params?: { toggles: DiffToggles } }

export async function posted(page: Page): Promise<Posted[]> {
  return page.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted);
}

/** The first getDiff request with an id above `after`. */
export async function nextGetDiff(page: Page, after = 0): Promise<Posted> {
  const handle = await page.waitForFunction(
    (min) => (window as unknown as { __posted: Posted[] }).__posted.find((m) => m.method === 'getDiff' && (m.id ?? 0) > min),
    after,
    { timeout: 10_000 },
  );
  return (await handle.jsonValue()) as Posted;
}

export async function send(page: Page, message: unknown): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), message);
}

/** Answers the next getDiff with the pair diffed under the request's toggles, and waits for the render. */
export async function answer(page: Page, pair: Pair, after = 0): Promise<{ request: Posted; data: NotebookDiffData }> {
  const request = await nextGetDiff(page, after);
  const data = dataFor(pair, request.params?.toggles as DiffToggles);
  await send(page, { kind: 'response', id: request.id, ok: true, result: data });
  await page.waitForSelector('#app[aria-busy=false]');
  return { request, data };
}

export async function count(page: Page, selector: string): Promise<number> {
  return page.locator(selector).count();
}

export async function text(page: Page, selector: string): Promise<string> {
  return (await page.textContent(selector)) ?? '';
}

export async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
}

export function runsOf(kinds: CellDiffKind[]): number[] {
  const runs: number[] = [];
  let n = 0;
  for (const kind of [...kinds, 'modified' as const]) {
    if (kind === 'unchanged') n++;
    else if (n) {
      runs.push(n);
      n = 0;
    }
  }
  return runs;
}

/** A new page with the panel's HTML, script and styles served as the host would. */
export async function openPanel(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  const html = renderWebviewHtml({
    title: 'Notebook Diff',
    cspSource: ORIGIN,
    nonce: 'testnonce',
    scriptUri: `${ORIGIN}/dist/webview/notebookDiff.js`,
    styleUris: [`${ORIGIN}/media/webview.css`, `${ORIGIN}/media/notebookDiff.css`],
  });
  await page.route(`${ORIGIN}/**`, (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/index.html') return route.fulfill({ contentType: 'text/html', body: html });
    const file = path.join(root, url.pathname);
    if (!file.startsWith(path.join(root, 'dist')) && !file.startsWith(path.join(root, 'media'))) return route.fulfill({ status: 404 });
    const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'application/octet-stream';
    return route.fulfill({ contentType: type, body: readFileSync(file) });
  });
  await page.addInitScript(stubVsCodeApi);
  await page.goto(`${ORIGIN}/index.html`);
  return page;
}
