// Plays the VS Code host for the Pipeline export webview tests: serves the bundle under the real
// CSP with acquireVsCodeApi stubbed, and answers with real plans computed by planExport from the
// fixture notebooks (projected exactly as the host projects them).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { Notebook } from '../../src/core/notebook/notebookModel.ts';
import { readNotebookFile } from '../../src/core/notebook/readNotebook.ts';
import { planExport, writeExport } from '../../src/core/pipeline/planExport.ts';
import { toPlanView } from '../../src/host/pipeline/planView.ts';
import { pipelineRequests, type PipelinePlanView, type PipelineRequests } from '../../src/protocol/pipeline.ts';
import { parseParams, type MethodOf } from '../../src/protocol/requests.ts';
import { openWebviewApp, root } from './webviewHarness.ts';

export const fixtures = path.join(root, 'test', 'fixtures', 'pipeline');
export const HOSTILE = '<img src=x onerror=window.__xss=1>';

export async function planOf(notebook: Notebook, name: string, outDirAbsolute?: string): Promise<PipelinePlanView> {
  const plan = await planExport(notebook, { notebookName: name, ...(outDirAbsolute ? { outDir: outDirAbsolute } : {}) });
  const outDir = `pipelines/${name.replace(/\.ipynb$/, '')}`;
  return toPlanView(plan, notebook, { notebookPath: `/work/demo/${name}`, outDir, outDirAbsolute: outDirAbsolute ?? `/work/demo/${outDir}` });
}

export async function fixturePlan(name: string): Promise<PipelinePlanView> {
  return planOf(await readNotebookFile(path.join(fixtures, name)), name);
}

/** The fixture exported once into a temp folder, then one generated file edited: a plan with a conflict. */
export async function planWithConflict(name: string): Promise<PipelinePlanView> {
  const notebook = await readNotebookFile(path.join(fixtures, name));
  const dir = await mkdtemp(path.join(tmpdir(), 'labbook-pipeline-web-'));
  await writeExport(await planExport(notebook, { notebookName: name, outDir: dir }), dir);
  await writeFile(path.join(dir, 'pipeline.py'), '# edited by hand\n', 'utf8');
  return planOf(notebook, name, dir);
}

export interface Posted {
  kind: string;
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
}

export async function posted(page: Page): Promise<Posted[]> {
  return page.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted);
}

/** The first request for `method` with an id above `after`; its params must pass PipelinePanel's checks (else this throws). */
export async function nextRequest(page: Page, method: MethodOf<PipelineRequests>, after = 0): Promise<Posted> {
  const handle = await page.waitForFunction(
    ([m, min]) => (window as unknown as { __posted: Posted[] }).__posted.find((p) => p.method === m && (p.id ?? 0) > min),
    [method, after] as const,
    { timeout: 10_000 },
  );
  const request = (await handle.jsonValue()) as Posted;
  parseParams(pipelineRequests, method, request.params);
  return request;
}

export async function send(page: Page, message: unknown): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), message);
}

export async function reply(page: Page, request: Posted, result: unknown): Promise<void> {
  await send(page, { kind: 'response', id: request.id, ok: true, result });
}

/** Answers the next getPlan with `plan` and waits for the render. */
export async function answerPlan(page: Page, plan: PipelinePlanView, after = 0): Promise<Posted> {
  const request = await nextRequest(page, 'getPlan', after);
  await reply(page, request, plan);
  await page.waitForFunction((n) => document.querySelectorAll('article.step').length === n && document.getElementById('app')?.getAttribute('aria-busy') === 'false', plan.steps.length);
  return request;
}

export async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
}

export function openPanel(context: BrowserContext): Promise<Page> {
  return openWebviewApp(context, { name: 'pipeline', title: 'Pipeline Export', styles: ['pipeline.css'] });
}
