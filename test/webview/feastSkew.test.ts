// The Feast skew page in headless Chromium under the real CSP. The test plays the host: requests
// are read through the panel's requests table; `check` answers with skewPage() of a report the core
// built from a skew answer (skewReport), as FeastSkewPanel does with Feast's.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import { parseSkewAnswer, skewReport } from '../../src/core/feast/feastSkew.ts';
import { feastSkewRequests, skewPage, type FeastSkewRequests, type SkewResult, type SkewSource } from '../../src/protocol/feastSkew.ts';
import { answerRequest, type RequestHandlers } from '../../src/protocol/requests.ts';
import type { RequestMessage } from '../../src/protocol/rpc.ts';
import { bridgePostsToNode, nextRequest, openWebviewApp, sendToPage, violations } from './webviewHarness.ts';

const HOSTILE = '<img src=x onerror=window.__xss=1>';
const NOW = 1_800_000_000;
const SOURCE: SkewSource = { repo: '/w/feature_repo', service: 'churn_features', entities: '/w/customers.csv', sample: 1000 };

function result(): SkewResult {
  const answer = parseSkewAnswer({
    feastVersion: '0.67.0', project: 'churn', service: 'churn_features', now: NOW, total: 3, keys: ['customer_id'],
    rows: [{ customer_id: 1 }, { customer_id: 2 }, { customer_id: 3 }],
    features: [
      { name: 'customer_orders__orders_7d', view: 'customer_orders', feature: 'orders_7d', dtype: 'Int64', ttlSeconds: 86_400, offline: [1, 2, 3], online: [1, 999, 3], onlineTime: [NOW - 5, NOW - 5, NOW - 100_000] },
      { name: 'customer_orders__city', view: 'customer_orders', feature: 'city', dtype: 'String', ttlSeconds: 86_400, offline: ['Lyon', HOSTILE, null], online: ['Lyon', 'Paris', 'Nice'], onlineTime: [NOW - 5, NOW - 5, NOW - 5] },
    ],
  });
  return { kind: 'report', report: skewPage(skewReport(answer, 0, new Date(NOW * 1000))) };
}

class PlayedHost {
  readonly requests: RequestMessage[] = [];
  answer: SkewResult = result();
  page: Page | undefined;
  private readonly handlers: RequestHandlers<FeastSkewRequests> = {
    check: () => Promise.resolve(this.answer),
    openEntities: () => Promise.resolve(null),
  };

  async receive(page: Page, message: unknown): Promise<void> {
    this.page = page;
    const m = message as { kind: string };
    if (m.kind === 'ready') return this.send({ kind: 'event', event: { type: 'source', source: SOURCE } });
    if (m.kind !== 'request') return;
    const request = m as RequestMessage;
    this.requests.push(request);
    await this.send(await answerRequest(feastSkewRequests, this.handlers, request));
  }

  send(message: unknown): Promise<void> {
    return sendToPage(this.page, message);
  }
}

describe('webview: Feast training–serving skew', function () {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let host: PlayedHost;
  let page: Page;
  const open = () => openWebviewApp(browser.context, { name: 'feastSkew', title: 'Feast Skew', styles: ['feastSkew.css'] });

  before(async () => {
    browser = await launchBrowser();
    await bridgePostsToNode(browser.context, (p, message) => void host.receive(p, message));
  });
  after(async () => browser?.close());
  beforeEach(async () => {
    host = new PlayedHost();
    page = await open();
  });
  afterEach(async () => page?.close());

  it('checks at once, then shows the verdict, each feature with its mismatches, the mismatching entities, values as text', async () => {
    await page.waitForSelector('[data-testid=verdict]', { timeout: 20_000 });
    assert.equal(host.requests.filter((r) => r.method === 'check').length, 1);
    assert.equal(await page.getAttribute('[data-testid=verdict]', 'data-skewed'), 'true');
    assert.match((await page.textContent('[data-testid=verdict]')) ?? '', /^Skew — 2 of 2 features over 0\.0%; .*3 of 3 entities \(customer_id\); project churn, Feast 0\.67\.0/);
    const orders = page.locator('[data-testid=features] tr[data-feature="customer_orders__orders_7d"] td');
    assert.deepEqual(await orders.allTextContents(), ['✗', 'customer_orders__orders_7d', 'Int64', '1 of 3', '33.3%', '0', '0', '997', '332.333', '1', 'chisquare 0 (drifted)']);
    const examples = (await page.textContent('[data-testid=examples]')) ?? '';
    assert.match(examples, /customer_orders__orders_7dcustomer_id=22999/);
    assert.match(examples, /customer_orders__citycustomer_id=3null"Nice"/);
    assert.ok(examples.includes(JSON.stringify(HOSTILE)), 'the hostile value is shown as text');
    assert.equal(await page.$('#app img'), null);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.deepEqual(await violations(page), []);
  });

  it('applies the threshold the user sets, and keeps it with the last result across a reload', async () => {
    await page.waitForSelector('[data-testid=verdict]', { timeout: 20_000 });
    await page.fill('[data-testid=threshold]', '70');
    await page.dispatchEvent('[data-testid=threshold]', 'change');
    await page.waitForSelector('[data-testid=verdict][data-skewed=false]', { timeout: 10_000 });
    assert.equal(await page.getAttribute('[data-testid=features] tr[data-feature="customer_orders__orders_7d"]', 'data-over'), 'false');
    const asked = host.requests.length;
    await page.reload();
    await page.waitForSelector('[data-testid=verdict][data-skewed=false]', { timeout: 20_000 });
    assert.equal(await page.inputValue('[data-testid=threshold]'), '70');
    // Restored from the state: no new check until Check Again.
    assert.equal(host.requests.length, asked);
    await page.click('[data-action=check]');
    await nextRequest(host.requests, 'check', asked, 10_000);
  });

  it('shows why there is no report when the check failed', async () => {
    host.answer = { kind: 'failed', message: 'The skew check of churn_features failed: the entities file has no column customer_id.' };
    await page.waitForSelector('[data-testid=failed]', { timeout: 20_000 });
    assert.match((await page.textContent('[data-testid=failed]')) ?? '', /no column customer_id/);
  });
});
