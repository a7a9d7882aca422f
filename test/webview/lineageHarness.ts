// Plays the VS Code host for the Lineage webview tests: serves the bundle under the real CSP with
// acquireVsCodeApi stubbed, and answers with real graphs read by a LineageSession from a real
// SQLite store (the lineage tests' scenario), and real stale marks of real files.
import type { BrowserContext, Page } from 'playwright-core';
import { staleMarks } from '../../src/core/lineage/staleness.ts';
import type { LineageGraph, LineageRef } from '../../src/core/lineage/types.ts';
import { staleView, type LineageSession } from '../../src/host/lineage/lineageSession.ts';
import { lineageNodeLabel, lineageRequests, type LineageRequests, type LineageResult } from '../../src/protocol/lineage.ts';
import { parseParams, type MethodOf } from '../../src/protocol/requests.ts';
import { openWebviewApp } from './webviewHarness.ts';

export interface Posted {
  kind: string;
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
}

export function openLineage(context: BrowserContext): Promise<Page> {
  return openWebviewApp(context, { name: 'lineage', title: 'Lineage', styles: ['lineage.css'] });
}

/** The first request for `method` with an id above `after`; its params must pass the panel's checks (else this throws). */
export async function nextRequest(page: Page, method: MethodOf<LineageRequests>, after = 0): Promise<Posted> {
  const handle = await page.waitForFunction(
    ([m, min]) => (window as unknown as { __posted: Posted[] }).__posted.find((p) => p.method === m && (p.id ?? 0) > min),
    [method, after] as const,
    { timeout: 10_000 },
  );
  const request = (await handle.jsonValue()) as Posted;
  parseParams(lineageRequests, method, request.params);
  return request;
}

export async function send(page: Page, message: unknown): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), message);
}

export async function reply(page: Page, request: Posted, result: unknown): Promise<void> {
  await send(page, { kind: 'response', id: request.id, ok: true, result });
}

let seq = 0;

/** What the panel answers for a session's graph (as LineagePanel.answer builds it). */
export function resultOf(session: LineageSession, graph: LineageGraph, store = 'local'): LineageResult & { kind: 'graph' } {
  const focus = graph.nodes.find((n) => n.id === graph.focus);
  return {
    kind: 'graph',
    seq: ++seq,
    focus: { store, ref: session.focus },
    label: focus ? lineageNodeLabel(focus) : graph.focus,
    hops: session.hops,
    expansions: session.expansions,
    graph,
    staleCheck: graph.nodes.some((n) => n.kind === 'data'),
  };
}

/** Sends the real stale marks of a result's graph, as the panel does once its check is done. */
export async function sendStale(page: Page, result: LineageResult & { kind: 'graph' }): Promise<void> {
  const marks = staleView(await staleMarks(result.graph, { timeoutMs: 10_000 }));
  await send(page, { kind: 'event', event: { type: 'stale', seq: result.seq, marks } });
}

/** Answers the next getGraph (after `after`) and waits until the graph is drawn. */
export async function answerGraph(page: Page, result: LineageResult & { kind: 'graph' }, after = 0): Promise<Posted> {
  const request = await nextRequest(page, 'getGraph', after);
  await reply(page, request, result);
  await waitForNodes(page, result.graph.nodes.length);
  return request;
}

/** Waits until at least `count` graph nodes are drawn and the page is not busy. */
export async function waitForNodes(page: Page, count: number): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll('.graph-node').length >= n && document.getElementById('app')?.getAttribute('aria-busy') === 'false', count, { timeout: 10_000 });
}

export interface DrawnNode {
  id: string;
  text: string;
  title: string;
  classes: string;
  badge: string | null;
}

export function drawnNodes(page: Page): Promise<DrawnNode[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('.graph-node')].map((g) => ({
      id: g.getAttribute('data-node') ?? '',
      text: g.querySelector(':scope > text')?.textContent ?? '',
      title: g.querySelector(':scope > title')?.textContent ?? '',
      classes: g.getAttribute('class') ?? '',
      badge: g.querySelector('.graph-badge > title')?.textContent ?? null,
    })),
  );
}

export function edgeCount(page: Page): Promise<number> {
  return page.evaluate(() => document.querySelectorAll('.graph-edge').length);
}

export function savedState(page: Page): Promise<Record<string, unknown> | null> {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem('state') ?? 'null') as Record<string, unknown> | null);
}

export const refs = {
  run: (runId: string): LineageRef => ({ kind: 'run', runId }),
  dataset: (digest: string, name: string): LineageRef => ({ kind: 'dataset', digest, name }),
};
