// The Runs Table's first paint in headless Chromium, under the real CSP, over a real SQLite store
// of 400 runs × 320 columns: what the page does between the schema and the first rows drawn is
// counted in the DOM (no timings): the header and each first line are built once, the first rows
// are asked for the window's columns only, and the arrangement is usable at once (a sort click).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { TableView } from '../../src/protocol/runsTable.ts';
import { installRunsTableBridge, openRunsTable, RunsTableHost, violations } from './runsTableHarness.ts';

const RUNS = 400;
const PARAMS = 20;
const METRICS = 300;
const T0 = 1_700_000_000_000;

/**
 * From before the page's script runs: how many times the run-name header cell and line 0 were
 * built, and what was in the DOM when the first getRows was posted.
 */
function countBuilds(): void {
  const counts = { headerBuilds: 0, line0Builds: 0, headerCellsAtFirstGetRows: -1, firstRowsDrawn: false };
  (window as unknown as { __builds: typeof counts }).__builds = counts;
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (!(node instanceof HTMLElement)) continue;
        if (node.matches('.rt-hcell[data-col="attributes.run_name"]')) counts.headerBuilds++;
        if (node.matches('.rt-row[data-run][data-line="0"]')) {
          counts.line0Builds++;
          counts.firstRowsDrawn = true;
        }
      }
    }
  }).observe(document, { childList: true, subtree: true });
  // The harness's stub is set after this script: wrap it as it is set.
  type Api = { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void };
  const descriptor = Object.getOwnPropertyDescriptor(window, 'acquireVsCodeApi');
  const outer = descriptor?.get?.bind(window);
  if (!outer) return;
  Object.defineProperty(window, 'acquireVsCodeApi', {
    configurable: true,
    set: descriptor?.set?.bind(window),
    get: () => () => {
      const api = (outer() as () => Api)();
      return {
        ...api,
        postMessage: (m: unknown) => {
          const request = m as { kind?: string; method?: string };
          if (request.kind === 'request' && request.method === 'getRows' && counts.headerCellsAtFirstGetRows < 0) {
            counts.headerCellsAtFirstGetRows = document.querySelectorAll('.rt-hcell[data-col]').length;
          }
          api.postMessage(m);
        },
      };
    },
  });
}

describe('webview: Runs Table first paint', function () {
  this.timeout(180_000);
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let dir: string;
  let store: SqliteTrackingStore;
  let experimentId: string;
  let host: RunsTableHost;
  let page: Page;

  before(async () => {
    browser = await launchBrowser();
    await installRunsTableBridge(browser.context);
    await browser.context.addInitScript(countBuilds);
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-runs-table-first-paint-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'), { now: () => T0 + RUNS * 1000, user: 'ada' });
    experimentId = await store.createExperiment('wide-sweep');
    for (let i = 0; i < RUNS; i++) {
      const run = await store.createRun({ experimentId, runName: `run-${String(i).padStart(3, '0')}`, startTime: T0 + i * 1000, status: 'FINISHED' });
      await store.logBatch(run.info.runId, {
        params: Array.from({ length: PARAMS }, (_, k) => ({ key: `p${String(k).padStart(2, '0')}`, value: `v${(i + k) % 5}` })),
        metrics: Array.from({ length: METRICS }, (_, k) => ({ key: `m${String(k).padStart(3, '0')}`, value: i + k / 1000, step: 0, timestamp: T0 })),
      });
    }
  });
  after(async () => {
    await browser?.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await page?.close();
    assert.deepEqual(host?.pageErrors, [], 'errors thrown in the page');
  });

  const builds = () => page.evaluate(() => (window as unknown as { __builds: { headerBuilds: number; line0Builds: number; headerCellsAtFirstGetRows: number } }).__builds);
  const frames = (n: number) => page.evaluate(async (count) => {
    for (let i = 0; i < count; i++) await new Promise((r) => requestAnimationFrame(r));
  }, n);

  it('builds the header and each first line once, and asks for the first rows before drawing them', async () => {
    host = new RunsTableHost(store, [experimentId]);
    page = await openRunsTable(browser.context, host);
    await page.waitForSelector('.rt-body .rt-row[data-run][data-line="0"]');
    await frames(3);
    const counts = await builds();
    assert.equal(counts.headerBuilds, 1, 'the header row is built once for the first layout');
    assert.equal(counts.line0Builds, 1, 'the first line is built once when its row arrives');
    // The first page is asked for before the header or any line is built: the host reads it while the page draws.
    assert.equal(counts.headerCellsAtFirstGetRows, 0);
    const getRows = host.since('getRows', 0);
    assert.equal(getRows.length, 1, `pages asked: ${getRows.map((r) => `${String(r.params.offset)}+${(r.params.columnIds as string[]).length}`).join(' ')}`);
    const columns = getRows[0]?.params.columnIds as string[];
    assert.equal(getRows[0]?.params.offset, 0);
    assert.ok(columns.includes('attributes.run_name') && columns.length < 40 && !columns.includes('metrics.m299'), columns.join(' '));
    // Every shown cell of line 0 holds its value: the first page brought every column on screen.
    const pending = await page.locator('.rt-row[data-line="0"] .pending').count();
    assert.equal(pending, 0);
    assert.equal(await page.locator('.rt-row[data-line="0"] [data-col="attributes.run_name"]').textContent(), `run-${RUNS - 1}`);
    assert.deepEqual(await violations(page), []);
  });

  it('sorts on the first header click after the first paint', async () => {
    host = new RunsTableHost(store, [experimentId]);
    page = await openRunsTable(browser.context, host);
    await page.waitForSelector('.rt-body .rt-row[data-run][data-line="0"]');
    const before = host.requests.length;
    await page.click('.rt-hcell[data-col="attributes.run_name"] .rt-sort');
    const setView = await host.next('setView', before);
    assert.deepEqual((setView.params.view as TableView).sort, [{ columnId: 'attributes.run_name', descending: false }]);
    await page.waitForFunction(() => document.querySelector('.rt-row[data-line="0"] [data-col="attributes.run_name"]')?.textContent === 'run-000');
    assert.equal(await page.locator('.rt-hcell[data-col="attributes.run_name"]').getAttribute('aria-sort'), 'ascending');
  });
});
