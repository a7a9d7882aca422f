// The What Changed page in headless Chromium under the real CSP. The test plays the host: every
// request is read through the panel's requests table and getDiff is answered by the same core
// function WhatChangedPanel calls (src/core/whatChanged), over a real SQLite store with artifacts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { whatChanged } from '../../src/core/whatChanged/whatChanged.ts';
import { answerRequest, type RequestHandlers } from '../../src/protocol/requests.ts';
import type { RequestMessage, ResponseMessage } from '../../src/protocol/rpc.ts';
import { whatChangedRequests, type WhatChangedRequests, type WhatChangedSource } from '../../src/protocol/whatChanged.ts';
import { buildScenario, type Scenario } from '../unit/whatChanged/scenario.ts';
import { bridgePostsToNode, nextRequest, openWebviewApp, sendToPage, violations } from './webviewHarness.ts';

const HOSTILE = '<img src=x onerror=window.__xss=1>';

class PlayedHost {
  readonly requests: RequestMessage[] = [];
  /** Methods recorded but not answered until the test releases them (answered as of their arrival). */
  readonly hold = new Set<string>();
  /** The held requests' replies, by request id, computed when each request came. */
  readonly held = new Map<number, Promise<ResponseMessage>>();
  /** getDiff fails with this message while set. */
  failure: string | undefined;
  page: Page | undefined;
  private readonly store: SqliteTrackingStore;
  readonly source: WhatChangedSource;
  private readonly handlers: RequestHandlers<WhatChangedRequests>;

  constructor(store: SqliteTrackingStore, source: WhatChangedSource) {
    this.store = store;
    this.source = source;
    this.handlers = {
      getDiff: () => (this.failure ? Promise.reject(new Error(this.failure)) : whatChanged(this.store, source.base, source.remote)),
      openDiff: () => Promise.resolve(null),
      openNotebookDiff: () => Promise.resolve(null),
      openRun: () => Promise.resolve(null),
    };
  }

  async receive(page: Page, message: unknown): Promise<void> {
    this.page = page;
    const m = message as { kind: string };
    if (m.kind === 'ready') return this.send({ kind: 'event', event: { type: 'source', source: this.source } });
    if (m.kind !== 'request') return;
    const request = m as RequestMessage;
    this.requests.push(request);
    if (this.hold.has(request.method)) {
      this.held.set(request.id, answerRequest(whatChangedRequests, this.handlers, request));
      return;
    }
    await this.send(await answerRequest(whatChangedRequests, this.handlers, request));
  }

  async release(id: number): Promise<void> {
    const reply = this.held.get(id);
    assert.ok(reply, `request ${id} was held`);
    await this.send(await reply);
  }

  send(message: unknown): Promise<void> {
    return sendToPage(this.page, message);
  }
}

describe('webview: What Changed', function () {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let dir: string;
  let store: SqliteTrackingStore;
  let host: PlayedHost;
  let page: Page;
  let scenario: Scenario;
  const open = async () => openWebviewApp(browser.context, { name: 'whatChanged', title: 'What Changed', styles: ['whatChanged.css'] });

  before(async () => {
    browser = await launchBrowser();
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-wc-webview-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    scenario = await buildScenario(store);
    await store.logParam(scenario.runB, 'note', HOSTILE);
    await bridgePostsToNode(browser.context, (p, message) => void host.receive(p, message));
  });
  after(async () => {
    await browser?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    host = new PlayedHost(store, { store: 'local', base: { kind: 'version', name: 'clf', version: '1' }, remote: { kind: 'version', name: 'clf', version: '2' } });
    page = await open();
  });
  afterEach(async () => page?.close());

  const sectionText = async (id: string) => (await page.textContent(`[data-section=${id}]`)) ?? '';

  it('renders every section from the host’s comparison, values as text', async () => {
    await page.waitForSelector('[data-section=signature]', { timeout: 20_000 });
    assert.match(await page.textContent('.wc-head') ?? '', /clf v1 \(@champion\)[\s\S]*clf v2/);
    assert.match(await sectionText('summary'), /rmse: 0\.45 → 0\.36 \(-20%\), better/);
    const params = await sectionText('params');
    assert.match(params, /lr0\.10\.05changed/);
    assert.match(params, /seed1—removed/);
    assert.ok(params.includes(HOSTILE), 'the hostile value is shown as text');
    assert.equal(await page.$('#app img'), null);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.match(await sectionText('data'), /data\/train\.csv[\s\S]*changed/);
    assert.match(await sectionText('data'), /Schema of iris[\s\S]*xdoublefloattypeChanged/);
    assert.match(await page.textContent('[data-testid=commit-range]') ?? '', /aaaaaaa\.\.bbbbbbb \(different commits\)/);
    assert.match(await sectionText('environment'), /numpy1\.26\.42\.0\.1upgraded/);
    assert.match(await sectionText('environment'), /Python 3\.11\.9 → 3\.12\.4/);
    assert.match(await sectionText('signature'), /inputz—stringadded/);
    assert.match(await page.textContent('[data-testid=examples]') ?? '', /"columns": \["x", "z"\]/);
    assert.deepEqual(await violations(page), []);
  });

  it('shows the deltas and colours a metric only when its direction is known', async () => {
    await page.waitForSelector('[data-testid=metrics]', { timeout: 20_000 });
    const rmse = page.locator('[data-testid=metrics] tbody tr', { hasText: 'rmse' });
    assert.equal(await rmse.locator('td').nth(3).textContent(), '-0.09');
    assert.equal(await rmse.locator('td').nth(4).textContent(), '-20%');
    assert.match((await rmse.getAttribute('class')) ?? '', /wc-better/);
    // Two runs: a metric whose name says nothing stays neutral.
    await page.close();
    host = new PlayedHost(store, { store: 'local', base: { kind: 'run', runId: (await store.getModelVersion('clf', '1')).runId }, remote: { kind: 'run', runId: (await store.getModelVersion('clf', '2')).runId } });
    page = await openWebviewApp(browser.context, { name: 'whatChanged', title: 'What Changed', styles: ['whatChanged.css'] });
    await page.waitForSelector('[data-testid=metrics]', { timeout: 20_000 });
    const widgets = page.locator('[data-testid=metrics] tbody tr', { hasText: 'widgets' });
    assert.equal(await widgets.locator('td').nth(3).textContent(), '+2');
    assert.equal(await widgets.locator('td').nth(4).textContent(), '+20%');
    assert.match((await widgets.getAttribute('class')) ?? '', /wc-neutral/);
    const accuracy = page.locator('[data-testid=metrics] tbody tr', { hasText: 'accuracy' });
    assert.match((await accuracy.getAttribute('class')) ?? '', /wc-better/);
  });

  it('posts openDiff for the patch and the snapshot, and openRun for a side', async () => {
    await page.waitForSelector('[data-action=open-diff-patch]', { timeout: 20_000 });
    const before = host.requests.length;
    await page.click('[data-action=open-diff-patch]');
    const patch = await nextRequest(host.requests, 'openDiff', before, 10_000);
    assert.deepEqual(patch.params, { file: 'patch' });
    await page.click('[data-action=open-diff-snapshot]');
    const snapshot = await nextRequest(host.requests, 'openDiff', host.requests.indexOf(patch) + 1, 10_000);
    assert.deepEqual(snapshot.params, { file: 'snapshot' });
    await page.click('[data-action=open-run-base]');
    assert.deepEqual((await nextRequest(host.requests, 'openRun', before, 10_000)).params, { side: 'base' });
    // Python snapshots, not notebooks: no notebook diff is offered.
    assert.equal(await page.$('[data-action=open-notebook-diff]'), null);
  });

  it('draws the saved comparison at once after a reload, before the host answers again', async () => {
    await page.waitForSelector('[data-section=metrics]', { timeout: 20_000 });
    const state = await page.evaluate(() => JSON.parse(sessionStorage.getItem('state') ?? 'null') as { source?: unknown; diff?: { base?: { label?: string } } } | null);
    assert.deepEqual(state?.source, host.source);
    assert.equal(state?.diff?.base?.label, 'clf v1 (@champion)');
    host.hold.add('getDiff');
    const asked = host.requests.length;
    await page.reload();
    await page.waitForSelector('[data-section=metrics]', { timeout: 20_000 });
    await nextRequest(host.requests, 'getDiff', asked, 10_000);
    // Drawn from the state while the host still holds its answer.
    assert.match(await sectionText('summary'), /rmse: 0\.45 → 0\.36/);
    assert.equal(await page.getAttribute('#app', 'aria-busy'), 'false');
  });

  it('loads the comparison from the host when the saved state cannot be drawn', async () => {
    await page.waitForSelector('[data-section=metrics]', { timeout: 20_000 });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    // A state from an older build: the source still names the sides, the diff has another shape.
    await page.evaluate((source) => sessionStorage.setItem('state', JSON.stringify({ source, diff: { summary: ['old'], sides: [] } })), host.source);
    const asked = host.requests.length;
    await page.reload();
    await nextRequest(host.requests, 'getDiff', asked, 10_000);
    await page.waitForSelector('[data-section=signature]', { timeout: 20_000 });
    assert.match(await sectionText('summary'), /rmse: 0\.45 → 0\.36/);
    assert.equal(await page.getAttribute('#app', 'aria-busy'), 'false');
    assert.deepEqual(errors, []);
    const state = await page.evaluate(() => JSON.parse(sessionStorage.getItem('state') ?? 'null') as { diff?: { base?: { label?: string } } } | null);
    assert.equal(state?.diff?.base?.label, 'clf v1 (@champion)', 'the fresh comparison replaced the damaged one');
  });

  it('shows why the first read failed, not busy, and Refresh asks again', async () => {
    await page.close();
    host.failure = 'the store is locked';
    page = await open();
    await page.waitForFunction(() => document.querySelector('[data-testid=alert]')?.textContent !== '', undefined, { timeout: 20_000 });
    assert.equal(await page.textContent('[data-testid=alert]'), 'Could not compare: the store is locked');
    assert.equal(await page.getAttribute('#app', 'aria-busy'), 'false');
    assert.doesNotMatch((await page.textContent('#app')) ?? '', /Reading both sides/);
    host.failure = undefined;
    const asked = host.requests.length;
    await page.click('[data-action=refresh]');
    await nextRequest(host.requests, 'getDiff', asked, 10_000);
    await page.waitForSelector('[data-section=signature]', { timeout: 20_000 });
    assert.equal(await page.textContent('[data-testid=alert]'), '');
  });

  // Last: it logs a metric to the shared store.
  it('never lets an older answer replace a newer one', async () => {
    await page.waitForSelector('[data-section=metrics]', { timeout: 20_000 });
    host.hold.add('getDiff');
    let asked = host.requests.length;
    await host.send({ kind: 'event', event: { type: 'storeChanged' } });
    const older = await nextRequest(host.requests, 'getDiff', asked, 10_000);
    await host.held.get(older.id);
    // The store changes; the page asks again and gets the newer comparison first.
    host.hold.delete('getDiff');
    await store.logMetric(scenario.runB, { key: 'late_metric', value: 1, timestamp: 3, step: 0 });
    asked = host.requests.length;
    await host.send({ kind: 'event', event: { type: 'storeChanged' } });
    await nextRequest(host.requests, 'getDiff', asked, 10_000);
    await page.waitForSelector('[data-testid=metrics] tbody tr:has-text("late_metric")', { timeout: 20_000 });
    // Now the older answer arrives: it is dropped.
    await host.release(older.id);
    asked = host.requests.length;
    await page.click('[data-action=open-run-base]');
    await nextRequest(host.requests, 'openRun', asked, 10_000);
    assert.equal(await page.locator('[data-testid=metrics] tbody tr', { hasText: 'late_metric' }).count(), 1);
  });
});
