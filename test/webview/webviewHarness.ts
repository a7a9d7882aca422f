// Serves a bundled webview app the way VS Code does — its HTML from renderWebviewHtml under the
// real CSP, resources only from dist/ and media/ — with acquireVsCodeApi stubbed so the test can
// play the host: read what the page posts (window.__posted) and see CSP violations (__violations).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { renderWebviewHtml } from '../../src/host/panels/webviewHtml.ts';
import type { RequestHandlers, RequestTable } from '../../src/protocol/requests.ts';

export const root = path.resolve(import.meta.dirname, '..', '..');
const ORIGIN = 'https://webview.test';

/** Stands in for acquireVsCodeApi; state survives reloads like VS Code's does. */
export function stubVsCodeApi(): void {
  const w = window as unknown as Record<string, unknown>;
  w.__posted = [];
  w.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => (w.__violations as string[]).push(`${e.violatedDirective} ${e.blockedURI}`));
  w.acquireVsCodeApi = () => ({
    postMessage: (m: unknown) => (w.__posted as unknown[]).push(m),
    getState: () => (JSON.parse(sessionStorage.getItem('state') ?? 'null') as unknown) ?? undefined,
    setState: (s: unknown) => sessionStorage.setItem('state', JSON.stringify(s)),
  });
}

/**
 * A fake host's handlers with a test's stand-ins: when `standIn(method)` gives a function, it
 * answers instead of the handler (after the params were validated, as for the handler).
 */
export function withStandIns<T extends RequestTable>(handlers: RequestHandlers<T>, standIn: (method: string) => (() => unknown) | undefined): RequestHandlers<T> {
  const out: Record<string, (params: unknown) => Promise<unknown>> = {};
  for (const [method, handler] of Object.entries(handlers as Readonly<Record<string, (params: unknown) => Promise<unknown>>>)) {
    out[method] = (params) => {
      const answer = standIn(method);
      return answer ? Promise.resolve().then(answer) : handler(params);
    };
  }
  return out as RequestHandlers<T>;
}

/**
 * Once per browser context: what a page posts also reaches `receive` in Node, as it is posted. The
 * stub (stubVsCodeApi) sets window.acquireVsCodeApi after this init script runs, so the script
 * wraps whatever is set.
 */
export async function bridgePostsToNode(context: BrowserContext, receive: (page: Page, message: unknown) => void): Promise<void> {
  await context.exposeBinding('__toHost', (source, message: unknown) => receive(source.page, message));
  await context.addInitScript(() => {
    type Api = { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void };
    let real: (() => Api) | undefined;
    Object.defineProperty(window, 'acquireVsCodeApi', {
      configurable: true,
      set(fn: () => Api) {
        real = fn;
      },
      get() {
        return () => {
          const api = (real as () => Api)();
          return {
            getState: () => api.getState(),
            setState: (s: unknown) => api.setState(s),
            postMessage: (m: unknown) => {
              api.postMessage(m);
              (window as unknown as { __toHost(m: unknown): void }).__toHost(m);
            },
          };
        };
      },
    });
  });
}

/**
 * The first request for `method` a played host recorded after its `after`-th one, waited for up to
 * `timeoutMs` (polled; the error lists what the page did ask).
 */
export async function nextRequest<R extends { readonly method: string }>(requests: readonly R[], method: string, after: number, timeoutMs: number): Promise<R> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = requests.slice(after).find((r) => r.method === method);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${method} request within ${timeoutMs} ms; saw ${requests.map((r) => r.method).join(', ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Posts `message` to the page as the host would (a page closed meanwhile is ignored). */
export async function sendToPage(page: Page | undefined, message: unknown): Promise<void> {
  await page?.evaluate((msg) => window.postMessage(msg, '*'), message).catch(() => undefined);
}

/** The CSP violations the page reported so far. */
export async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
}

/**
 * A new page showing dist/webview/<app>.js with webview.css and the app's own stylesheets, and
 * dist/webview/<app>.boot.js inlined in its HTML for an app with a boot script, as the host does.
 */
export async function openWebviewApp(context: BrowserContext, app: { name: string; title: string; styles?: readonly string[]; boot?: boolean }): Promise<Page> {
  const page = await context.newPage();
  const html = renderWebviewHtml({
    title: app.title,
    cspSource: ORIGIN,
    nonce: 'testnonce',
    scriptUri: `${ORIGIN}/dist/webview/${app.name}.js`,
    bootScript: app.boot ? readFileSync(path.join(root, 'dist', 'webview', `${app.name}.boot.js`), 'utf8') : undefined,
    styleUris: ['webview.css', ...(app.styles ?? [])].map((css) => `${ORIGIN}/media/${css}`),
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
