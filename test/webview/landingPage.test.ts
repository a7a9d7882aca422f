// The endpoint's landing page in headless Chromium, loaded by the very link the `mlflow` client
// prints: it reads the fragment, points the "Open in VS Code" link at the URI handler, says how
// to open the run by hand, and runs under its CSP without a violation; a hostile fragment opens nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import { startLocalTrackingServer, type LocalTrackingServer } from '../../src/core/mlflow/server/localTrackingServer.ts';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';

describe('webview: the tracking endpoint\'s landing page', function () {
  this.timeout(120_000);
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let dir: string;
  let store: SqliteTrackingStore;
  let server: LocalTrackingServer;

  before(async () => {
    browser = await launchBrowser();
    // Count CSP violations from the start of each page.
    await browser.context.addInitScript(() => {
      const w = window as unknown as { __violations: string[] };
      w.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-landing-page-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    server = await startLocalTrackingServer({ store });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function load(fragment: string) {
    const page = await browser.context.newPage();
    // The page navigates to the handler URI at once; Chromium has no handler here and stays.
    await page.goto(`${server.url}/${fragment}`, { waitUntil: 'commit' });
    await page.waitForSelector('#status');
    return page;
  }

  it('points at the URI handler for the run in the link, and says how to open it by hand', async () => {
    const runId = 'e7f6d851786243cdad54852a7e31c684';
    const page = await load(`#/experiments/1/runs/${runId}`);
    await page.waitForSelector('#manual:not([hidden])', { timeout: 10_000 });
    assert.equal(await page.getAttribute('#open', 'href'), `vscode://labbook.labbook/run?run=${runId}&experiment=1`);
    assert.equal(await page.isVisible('#open'), true);
    assert.equal(await page.textContent('#run-id'), runId);
    assert.equal(await page.isVisible('#manual'), true);
    assert.match((await page.textContent('#manual')) ?? '', /Labbook: Open Run by ID/);
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), []);
    await page.close();
  });

  it('opens nothing for a fragment that is not a run link, and writes it nowhere as HTML', async () => {
    const page = await load('#/experiments/1/runs/<img src=x onerror=alert(1)>');
    await page.waitForFunction(() => document.readyState === 'complete', undefined, { timeout: 10_000 });
    assert.equal(await page.isVisible('#open'), false);
    assert.equal(await page.$('img'), null);
    assert.match((await page.textContent('#status')) ?? '', /has no web interface/);
    await page.close();
  });
});
