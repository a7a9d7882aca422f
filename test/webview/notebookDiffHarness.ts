// Plays the VS Code host for the Notebook Diff webview tests: serves the bundle under the real
// CSP with acquireVsCodeApi stubbed, and answers getDiff with real diffs of fixture notebooks.
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { diffNotebooks } from '../../src/core/diff/diffNotebooks.ts';
import type { CellDiffKind } from '../../src/core/diff/model.ts';
import type { Notebook } from '../../src/core/notebook/notebookModel.ts';
import { readNotebookFile } from '../../src/core/notebook/readNotebook.ts';
import { notebookDiffRequests, type DiffToggles, type NotebookDiffData } from '../../src/protocol/notebookDiff.ts';
import { parseParams } from '../../src/protocol/requests.ts';
import { openWebviewApp, root } from './webviewHarness.ts';

export { root, stubVsCodeApi } from './webviewHarness.ts';

const fixtures = path.join(root, 'test', 'fixtures', 'notebooks');
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

export interface Posted { kind: string; id?: number; method?: string; params?: { toggles: DiffToggles } }

export async function posted(page: Page): Promise<Posted[]> {
  return page.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted);
}

/** The first getDiff request with an id above `after`, its params read as NotebookDiffPanel reads them (throws when malformed). */
export async function nextGetDiff(page: Page, after = 0): Promise<Posted> {
  const handle = await page.waitForFunction(
    (min) => (window as unknown as { __posted: Posted[] }).__posted.find((m) => m.method === 'getDiff' && (m.id ?? 0) > min),
    after,
    { timeout: 10_000 },
  );
  const request = (await handle.jsonValue()) as Posted;
  return { ...request, params: parseParams(notebookDiffRequests, 'getDiff', request.params) };
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
export function openPanel(context: BrowserContext): Promise<Page> {
  return openWebviewApp(context, { name: 'notebookDiff', title: 'Notebook Diff', styles: ['notebookDiff.css'] });
}
