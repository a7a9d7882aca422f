// The sweep panel's page in headless Chromium under the real CSP. The test plays the host: every
// request is read through the panel's requests table (answerRequest, as the panel host does) and
// answered with a sweep built by core's buildSweepView; what the page asks for is recorded.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import { answerRequest, type RequestHandlers } from '../../src/protocol/requests.ts';
import type { RequestMessage, ResponseMessage } from '../../src/protocol/rpc.ts';
import { sweepRequests, type ImportanceView, type SweepRequests, type SweepView } from '../../src/protocol/sweep.ts';
import { HOSTILE, sweepFixture } from './sweepFixture.ts';
import { bridgePostsToNode, nextRequest, openWebviewApp, sendToPage, violations } from './webviewHarness.ts';

const shots = path.join(import.meta.dirname, '..', '..', 'test-output', 'webview');

class PlayedHost {
  readonly requests: RequestMessage[] = [];
  readonly responses: ResponseMessage[] = [];
  readonly hold = new Set<string>();
  view: SweepView = sweepFixture();
  importance: ImportanceView = { method: 'fANOVA (Optuna)', values: [{ param: 'lr', importance: 0.71 }, { param: 'optimizer', importance: 0.2 }, { param: 'depth', importance: 0.09 }], trials: 14 };
  page: Page | undefined;
  private readonly handlers: RequestHandlers<SweepRequests> = {
    getSweep: () => Promise.resolve(this.view),
    getImportance: () => Promise.resolve(this.importance),
    openRun: () => Promise.resolve(null),
    compareTop: () => Promise.resolve(null),
    openFile: () => Promise.resolve(null),
    stopSweep: () => Promise.resolve(null),
  };

  async receive(page: Page, message: unknown): Promise<void> {
    this.page = page;
    const m = message as { kind: string };
    if (m.kind === 'ready') return this.send({ kind: 'event', event: { type: 'source', sweepId: this.view.sweepId } });
    if (m.kind !== 'request') return;
    const request = m as RequestMessage;
    this.requests.push(request);
    if (this.hold.has(request.method)) return;
    const reply = await answerRequest(sweepRequests, this.handlers, request);
    this.responses.push(reply);
    await this.send(reply);
  }

  send(message: unknown): Promise<void> {
    return sendToPage(this.page, message);
  }
}

describe('webview: sweep panel', function () {
  this.timeout(120_000);
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let host: PlayedHost;
  let page: Page;
  const open = () => openWebviewApp(browser.context, { name: 'sweep', title: 'Sweep', styles: ['sweep.css'] });

  before(async () => {
    browser = await launchBrowser();
    await bridgePostsToNode(browser.context, (p, message) => void host.receive(p, message));
  });
  after(async () => browser?.close());
  beforeEach(async () => {
    host = new PlayedHost();
    page = await open();
    await page.waitForSelector('[data-testid=trials]', { timeout: 30_000 });
  });
  afterEach(async () => page?.close());

  const count = (state: string) => page.textContent(`[data-count=${state}] strong`);

  it('renders the header’s counts and progress, the charts, and the trials table with pruned trials marked', async () => {
    const { counts } = host.view;
    assert.equal(await page.textContent('[data-testid=name]'), 'mnist-mlp');
    assert.equal(await page.textContent('[data-testid=state]'), 'running');
    assert.equal(await count('finished'), String(counts.finished));
    assert.equal(await count('pruned'), String(counts.pruned));
    assert.equal(await count('running'), '2');
    assert.equal(await count('queued'), '2');
    assert.equal(await count('failed'), '1');
    assert.ok(counts.pruned > 0 && counts.finished > 2, 'the fixture has pruned and finished trials');
    assert.equal(await page.textContent('[data-testid=planned]'), '24 of 30 trials');
    assert.equal(await page.locator('[data-testid=progress] .sweep-segment').count(), 5);
    assert.match((await page.textContent('[data-testid=best]')) ?? '', new RegExp(`Best trial #${host.view.best?.number} — val_loss`));
    assert.match((await page.textContent('[data-testid=early-stopping]')) ?? '', /Median rule on val_loss/);
    // The table: one row per trial; a pruned one says so with the step it was cut at, and why.
    assert.equal(await page.locator('[data-testid=trials] tbody tr').count(), 24);
    const pruned = host.view.trials.find((t) => t.state === 'pruned');
    assert.ok(pruned);
    const prunedRow = page.locator(`[data-testid=trials] tr[data-trial="${pruned.number}"]`);
    assert.equal(await prunedRow.getAttribute('data-state'), 'pruned');
    assert.match((await prunedRow.locator('[data-testid=trial-state]').textContent()) ?? '', /✂ pruned at step 3.*worse than the median/);
    assert.equal(await prunedRow.locator('[data-testid=trial-value]').textContent(), '—');
    assert.match((await page.textContent('[data-testid=trials] tr[data-trial="9"]')) ?? '', /✗ failed.*CUDA out of memory/);
    // Charts drew: best so far (uPlot), parallel coordinates with category and log axes, one scatter per param.
    await page.waitForSelector('[data-testid=best-chart][data-drawn=true] canvas', { timeout: 10_000 });
    await page.waitForSelector('[data-testid=parallel][data-drawn=true] canvas', { timeout: 10_000 });
    assert.equal(await page.getAttribute('[data-testid=parallel]', 'data-axes'), 'log,value,category,value');
    assert.equal(await page.getAttribute('[data-testid=best-chart]', 'data-points'), String(counts.finished));
    assert.equal(await page.getAttribute('[data-testid=best-chart]', 'data-pruned'), String(counts.pruned));
    assert.equal(await page.locator('[data-testid=scatters] .sweep-scatter').count(), 3);
    assert.deepEqual(await violations(page), []);
  });

  it('shows a hostile param value as text', async () => {
    const row = page.locator('[data-testid=trials] tr[data-trial="5"] td[data-param=optimizer]');
    assert.equal(await row.textContent(), HOSTILE);
    assert.equal(await page.$('#app img'), null);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
  });

  it('posts openRun for a run link and compareTop for Compare Top 5', async () => {
    const best = host.view.best;
    assert.ok(best);
    const before = host.requests.length;
    const runId = best.runIds[0] as string;
    await page.click(`[data-testid=trials] tr[data-trial="${best.number}"] [data-run="${runId}"]`);
    assert.deepEqual((await nextRequest(host.requests, 'openRun', before, 10_000)).params, { runId });
    await page.click('[data-action=compare-top]');
    assert.deepEqual((await nextRequest(host.requests, 'compareTop', before, 10_000)).params, { n: 5 });
    await page.click('[data-action=open-file]');
    await nextRequest(host.requests, 'openFile', before, 10_000);
  });

  it('computes importance on demand, shows why there is none, and keeps it with the table order after a reload', async () => {
    assert.match((await page.textContent('[data-section=importance]')) ?? '', /Which parameters matter most/);
    await page.click('[data-action=compute-importance]');
    await page.waitForSelector('[data-testid=importance] li', { timeout: 10_000 });
    assert.equal(await page.textContent('[data-testid=importance-method]'), 'fANOVA (Optuna) over 14 finished trial(s)');
    assert.deepEqual(await page.$$eval('[data-testid=importance] li', (lis) => lis.map((li) => li.getAttribute('data-param'))), ['lr', 'optimizer', 'depth']);
    await page.selectOption('[data-testid=table-sort]', 'value');
    const order = () => page.$$eval('[data-testid=trials] tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-trial')));
    assert.equal((await order())[0], String(host.view.best?.number));
    // A reload draws the saved view, importance and order at once, before the host answers again.
    host.hold.add('getSweep');
    const asked = host.requests.length;
    await page.reload();
    await nextRequest(host.requests, 'getSweep', asked, 10_000);
    await page.waitForSelector('[data-testid=trials]', { timeout: 10_000 });
    assert.equal((await order())[0], String(host.view.best?.number));
    assert.equal(await page.locator('[data-testid=importance] li').count(), 3);
    assert.equal(await page.inputValue('[data-testid=table-sort]'), 'value');
    // No importance: the reason and the fix, as text.
    host.hold.clear();
    host.importance = { method: null, reason: 'Optuna is not installed in /usr/bin/python3.', fix: '/usr/bin/python3 -m pip install optuna' };
    await page.click('[data-action=compute-importance]');
    await page.waitForSelector('[data-testid=importance-reason]', { timeout: 10_000 });
    assert.equal(await page.textContent('[data-testid=importance-fix]'), '/usr/bin/python3 -m pip install optuna');
  });

  it('redraws when the host pushes a changed sweep, and drops a saved state it cannot draw', async () => {
    const view = host.view;
    const finishedOne = { ...view, counts: { ...view.counts, running: 1, finished: view.counts.finished + 1 }, state: 'finished' as const };
    await host.send({ kind: 'event', event: { type: 'sweepChanged', view: finishedOne } });
    await page.waitForFunction(() => document.querySelector('[data-testid=state]')?.textContent === 'finished', undefined, { timeout: 10_000 });
    assert.equal(await count('finished'), String(view.counts.finished + 1));
    assert.equal(await page.getAttribute('[data-action=stop]', 'disabled'), '');
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.evaluate((id) => sessionStorage.setItem('state', JSON.stringify({ sweepId: id, view: { sweepId: id, trials: 'nope' } })), view.sweepId);
    const asked = host.requests.length;
    await page.reload();
    await nextRequest(host.requests, 'getSweep', asked, 10_000);
    await page.waitForSelector('[data-testid=trials]', { timeout: 30_000 });
    assert.deepEqual(errors, []);
  });

  it('lays out for the docs (a dark theme screenshot in test-output/webview)', async () => {
    await page.evaluate(() => {
      const vars: Record<string, string> = {
        '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1e1e1e', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-panel-border': '#3c3c3c',
        '--vscode-textLink-foreground': '#3794ff', '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': 'monospace',
        '--vscode-button-background': '#0e639c', '--vscode-button-foreground': '#ffffff', '--vscode-button-secondaryBackground': '#3a3d41', '--vscode-button-secondaryForeground': '#ffffff',
      };
      for (const [k, v] of Object.entries(vars)) document.body.style.setProperty(k, v);
      document.body.classList.add('vscode-dark');
    });
    await page.click('[data-action=compute-importance]');
    await page.waitForSelector('[data-testid=importance] li', { timeout: 10_000 });
    await page.waitForSelector('[data-testid=parallel][data-drawn=true] canvas', { timeout: 10_000 });
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'sweep-panel.png'), fullPage: true });
    assert.deepEqual(await violations(page), []);
  });
});
