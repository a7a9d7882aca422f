// The Home webview app in headless Chromium, under the CSP the host gives it, with the VS Code
// API stubbed by the test, which plays the host: it reads what the page posts and answers.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import { homeRequests, type HomeStatus } from '../../src/protocol/home.ts';
import { parseParams } from '../../src/protocol/requests.ts';
import { openWebviewApp } from './webviewHarness.ts';

const status: HomeStatus = {
  extensionVersion: '0.1.0',
  vscodeVersion: '1.139.0',
  nodeVersion: '24.0.0',
  platform: 'linux-x64',
  workspaceFolder: '/work/<img src=x onerror="window.__xss=1">',
  trusted: true,
  store: { kind: 'local', path: '/work/demo/.labbook/tracking.db', sqliteVersion: '3.50.1', experiments: 3, error: null },
  checkedAt: '2026-11-25T10:00:00.000Z',
};

interface Posted { kind: string; id?: number; method?: string; params?: unknown }

async function posted(page: Page): Promise<Posted[]> {
  return page.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted);
}

async function waitForPosted(page: Page, accept: (m: Posted) => boolean): Promise<Posted> {
  // `accept` runs here in Node on each posted message in turn; a wait that times out ends the loop.
  let message: Posted | undefined;
  for (let seen = 0; message === undefined; seen++) {
    await page.waitForFunction((n) => (window as unknown as { __posted: Posted[] }).__posted.length > n, seen, { timeout: 10_000 });
    const next = await page.evaluate((n) => (window as unknown as { __posted: Posted[] }).__posted[n] as Posted, seen);
    if (accept(next)) message = next;
  }
  // The test plays the host: a request's params must pass HomePanel's checks (this throws if not).
  if (message.kind === 'request') parseParams(homeRequests, message.method ?? '', message.params);
  return message;
}

async function reply(page: Page, message: unknown): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), message);
}

describe('webview: Home app', function () {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => browser?.close());

  beforeEach(async () => {
    page = await openWebviewApp(browser.context, { name: 'home', title: 'Labbook' });
  });
  afterEach(async () => page?.close());

  it('says it is ready, then asks the host for the status with a typed request', async () => {
    await waitForPosted(page, (m) => m.kind === 'request');
    const messages = await posted(page);
    assert.deepEqual(messages[0], { kind: 'ready' });
    assert.deepEqual(messages[1], { kind: 'request', id: 1, method: 'getStatus', params: null });
    assert.equal(await page.getAttribute('#app', 'aria-busy'), 'true');
    assert.match(await page.textContent('#app') ?? '', /Reading status/);
  });

  it('renders the answer as text, never as HTML', async () => {
    const request = await waitForPosted(page, (m) => m.method === 'getStatus');
    await reply(page, { kind: 'response', id: request.id, ok: true, result: status });
    await page.waitForSelector('[data-testid=status]');
    const text = await page.textContent('[data-testid=status]');
    assert.match(text ?? '', /\/work\/demo\/\.labbook\/tracking\.db/);
    assert.match(text ?? '', /SQLite engine3\.50\.1/);
    assert.match(text ?? '', /Experiments3/);
    assert.match(text ?? '', /<img src=x onerror="window.__xss=1">/);
    assert.equal(await page.$('#app img'), null);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.equal(await page.getAttribute('#app', 'aria-busy'), 'false');
  });

  it('keeps the status in its webview state and shows it at once after a reload', async () => {
    const request = await waitForPosted(page, (m) => m.method === 'getStatus');
    await reply(page, { kind: 'response', id: request.id, ok: true, result: status });
    await page.waitForSelector('[data-testid=status]');
    await page.reload();
    // Before any answer from the host, the saved status is on screen.
    await page.waitForSelector('[data-testid=status]', { timeout: 5000 });
    assert.match(await page.textContent('[data-testid=status]') ?? '', /3\.50\.1/);
    await waitForPosted(page, (m) => m.method === 'getStatus');
  });

  it('shows an error reply in an alert and keeps working', async () => {
    const request = await waitForPosted(page, (m) => m.method === 'getStatus');
    await reply(page, { kind: 'response', id: request.id, ok: false, error: { code: 'failed', message: 'store is locked' } });
    const alert = await page.waitForSelector('[role=alert]');
    assert.match(await alert.textContent() ?? '', /Could not read Labbook's status: store is locked/);
    await page.click('vscode-button[data-action=refresh]');
    await waitForPosted(page, (m) => m.method === 'getStatus' && m.id === 2);
  });

  it('applies status events pushed by the host', async () => {
    await waitForPosted(page, (m) => m.method === 'getStatus');
    await reply(page, { kind: 'event', event: { type: 'status', status: { ...status, trusted: false } } });
    await page.waitForSelector('[data-testid=status]');
    assert.match(await page.textContent('[data-testid=status]') ?? '', /Restricted mode/);
  });

  it('asks the host to run a command when a button is clicked', async () => {
    await page.click('vscode-button[data-command="labbook.showLog"]');
    const request = await waitForPosted(page, (m) => m.method === 'runCommand');
    assert.deepEqual(request.params, { command: 'labbook.showLog' });
  });

  it('renders @vscode-elements under the strict CSP with no violation', async () => {
    await page.waitForSelector('vscode-button');
    assert.equal(await page.evaluate(() => customElements.get('vscode-button') !== undefined), true);
    // The button's shadow DOM rendered, so Lit's styles and templates ran under the CSP.
    assert.equal(await page.evaluate(() => document.querySelector('vscode-button')?.shadowRoot?.childElementCount ?? 0) > 0, true);
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), []);
  });
});
