// The Run Comparison webview app in headless Chromium, under the CSP the host gives it, with the VS
// Code API stubbed. The test plays the host: a real SQLite store seeded in a temp dir
// (compareFixture.ts), each request answered by the src/core/compare functions the ComparePanel
// uses. The table, export, images, code, state and keyboard; the charts are in compareCharts.test.ts.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { CompareModel, CompareRow } from '../../src/protocol/compare.ts';
import { COUNT_INTL, seedCompareStore, SPIKE, type CompareRuns } from './compareFixture.ts';
import { HOSTILE, installHostBridge, openCompare, PlayedHost, T0, violations } from './compareHarness.ts';

describe('webview: Run Comparison app', function () {
  this.timeout(120_000);
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let dir: string;
  let store: SqliteTrackingStore;
  let ids: CompareRuns;
  let host: PlayedHost;
  let page: Page;

  before(async () => {
    browser = await launchBrowser();
    await installHostBridge(browser.context);
    await browser.context.addInitScript(COUNT_INTL);
    ({ dir, store, ids } = await seedCompareStore());
  });
  after(async () => {
    await browser?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (runIds = [ids.base, ids.wide, ids.hostile]) => {
    host = new PlayedHost(store, { store: 'local', runIds });
    page = await openCompare(browser.context, host);
    await host.next('getComparison');
    await page.waitForSelector('#app[aria-busy=false]');
    return page;
  };
  afterEach(async () => page?.close());

  const cell = (rowId: string, runId: string) => page.locator(`td[data-row="${rowId}"][data-run="${runId}"]`);
  const texts = (selector: string) => page.locator(selector).allTextContents();

  it('renders params, metrics and attributes as rows and runs as columns, the best value marked', async () => {
    await open();
    assert.deepEqual(host.requests[0], { kind: 'request', id: 1, method: 'getComparison', params: { directions: {} } });
    assert.deepEqual(await texts('thead th[scope=col] button.sort'), ['Key', 'baseline', 'wider', HOSTILE]);
    assert.equal(await page.textContent('[data-testid=title]'), 'Compare 3 runs');
    assert.deepEqual(await Promise.all([ids.base, ids.wide, ids.hostile].map((id) => cell('param:lr', id).textContent())), ['0.1', '0.01', '0.01']);
    assert.deepEqual(await Promise.all([ids.base, ids.wide, ids.hostile].map((id) => cell('attribute:experiment', id).textContent())), ['vision', 'vision-v2', 'vision-v2']);
    assert.equal(await cell('metric:loss', ids.base).textContent(), '0.0913242');
    // Lower loss is better: baseline; higher accuracy is better: wider.
    assert.deepEqual(await page.locator('td.best[data-row="metric:loss"]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-run'))), [ids.base]);
    assert.deepEqual(await page.locator('td.best[data-row="metric:accuracy"]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-run'))), [ids.wide]);
    assert.equal(await page.getAttribute('tr[data-line="metric:loss"] button.direction', 'aria-label'), 'Lower is better for loss (guessed from the name); press to switch');
    assert.equal(await page.getAttribute('table', 'aria-rowcount'), String(6 + 3 + 2 + 1));
  });

  it('shows a hostile run name as text: no element made from it, no CSP violation', async () => {
    await open();
    assert.equal(await page.locator('thead button.sort', { hasText: 'onerror' }).textContent(), HOSTILE);
    assert.match((await page.textContent('[data-testid=subtitle]')) ?? '', /<img src=x onerror=window.__xss=1>/);
    await page.click('#tab-charts');
    await page.waitForSelector('.metric-chart[data-curves]');
    assert.ok((await texts('.chart-legend .legend-name')).includes(HOSTILE));
    await page.click('#tab-artifacts');
    await page.waitForSelector('.artifact img');
    assert.ok((await texts('.artifact-row h3')).includes(`plots/${HOSTILE}.png`));
    await page.waitForTimeout(200);
    assert.equal(await page.locator('img[src=x]').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.deepEqual(await violations(page), []);
  });

  it('shows only the differing rows, transposes, sorts, and switches the aggregate', async () => {
    await open();
    assert.equal(await page.locator('tr[data-line="param:optimizer"]').count(), 1);
    await page.check('#diff-only');
    await page.waitForSelector('tr[data-line="param:optimizer"]', { state: 'detached' });
    assert.equal(await page.locator('tr[data-line="attribute:user"]').count(), 0);
    assert.equal(await page.locator('tr[data-line="param:lr"]').count(), 1);
    assert.match((await page.textContent('[data-testid=status]')) ?? '', /^5 of 11 rows differ$/);

    await page.check('#transposed');
    assert.deepEqual(await texts('tbody th[scope=row] .key'), ['baseline', 'wider', HOSTILE]);
    assert.ok((await texts('thead th[scope=col] button.sort')).includes('lr'));
    await page.click('thead button.sort[data-sort="metric:accuracy"]');
    assert.deepEqual(await texts('tbody th[scope=row] .key'), [HOSTILE, 'baseline', 'wider']);
    assert.equal(await page.getAttribute('th[data-column="metric:accuracy"]', 'aria-sort'), 'ascending');
    await page.click('thead button.sort[data-sort="metric:accuracy"]');
    assert.deepEqual(await texts('tbody th[scope=row] .key'), ['wider', 'baseline', HOSTILE]);

    // The maximum of the loss history shows wider's spike.
    await page.uncheck('#transposed');
    await page.selectOption('select[data-control=aggregate]', 'max');
    assert.equal(await cell('metric:loss', ids.wide).textContent(), String(SPIKE));
    assert.deepEqual(await page.locator('td.best[data-row="metric:loss"]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-run'))), [ids.hostile]);
  });

  it('lets the user say which direction is better, and asks the host again', async () => {
    await open();
    await page.click('tr[data-line="metric:loss"] button.direction');
    const again = await host.next('getComparison', 1);
    assert.deepEqual(again.params, { directions: { loss: 'higher' } });
    await page.waitForFunction((id) => document.querySelector(`td.best[data-row="metric:loss"]`)?.getAttribute('data-run') === id, ids.hostile);
    assert.equal(await page.textContent('tr[data-line="metric:loss"] button.direction'), '↑');
  });

  it('exports the table as the user sees it, through the host', async () => {
    await open();
    await page.check('#diff-only');
    await page.click('[data-action=export-csv]');
    await page.waitForFunction(() => document.querySelector('[data-testid=status]')?.textContent === 'Saved to /tmp/run-comparison.csv');
    const request = await host.next('exportCsv');
    assert.deepEqual(request.params, { view: { aggregate: 'last', diffOnly: true, transposed: false }, directions: {} });
    const lines = host.csvWrites[0]?.split('\r\n') ?? [];
    assert.equal(lines[0], `kind,key,baseline,wider,${HOSTILE}`);
    assert.ok(lines.includes('param,lr,0.1,0.01,0.01'));
    assert.ok(!lines.some((l) => l.startsWith('param,optimizer')));
  });

  it('asks the host to compare two runs’ data (the drift panel)', async () => {
    await open([ids.base, ids.wide]);
    await page.click('[data-action=compare-data]');
    const request = await host.next('compareData');
    assert.deepEqual(request.params, { baseRun: ids.base, remoteRun: ids.wide });
  });

  it('shows images with the same path side by side, decoded from data: URIs', async () => {
    await open();
    await page.click('#tab-artifacts');
    await host.next('listImages');
    const row = page.locator('.artifact-row[data-path="plots/confusion.png"]');
    await row.waitFor();
    assert.deepEqual(await row.locator('figcaption').allTextContents(), ['baseline', 'wider', HOSTILE]);
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.artifact-row[data-path="plots/confusion.png"] img')].filter((i) => i.complete && i.naturalWidth === 8).length === 2);
    assert.match((await row.locator('img').first().getAttribute('src')) ?? '', /^data:image\/png;base64,iVBORw0KGgo/);
    assert.equal(await row.locator('.artifact.absent').textContent(), `Not in this run${HOSTILE}`);
    assert.deepEqual(await violations(page), []);
  });

  it('diffs two runs\' code snapshots and git patches in one click', async () => {
    await open();
    await page.click('#tab-code');
    await page.click('[data-action=diff-code]');
    const request = await host.next('getCode');
    assert.deepEqual(request.params, { baseRun: ids.base, remoteRun: ids.wide });
    await page.waitForSelector('[data-testid=snapshot-diff] .diff-line');
    assert.deepEqual(await texts('[data-testid=snapshot-diff] .diff-line.del .text'), ['lr = 0.1', 'layers = 2']);
    assert.deepEqual(await texts('[data-testid=snapshot-diff] .diff-line.ins .text'), ['lr = 0.01', 'layers = 4']);
    assert.deepEqual(await texts('[data-testid=patch-diff] .diff-line.del .text'), ['--- a/train.py', '+++ b/train.py', '-lr = 1', '+lr = 0.1']);
    assert.match((await page.textContent('[data-testid=snapshot-diff] .paths')) ?? '', /^labbook\/code\/train.py$/);
  });

  it('opens the Notebook Diff for two notebook snapshots through the host', async () => {
    await open([ids.hostile, ids.notebook]);
    await page.click('#tab-code');
    await page.click('[data-action=diff-code]');
    await page.click('[data-action=notebook-diff]');
    await host.next('openNotebookDiff');
    assert.deepEqual(host.notebookDiffs, [{ baseRun: ids.hostile, remoteRun: ids.notebook, path: 'labbook/code/analysis.ipynb' }]);
  });

  it('restores its settings and the source after a reload', async () => {
    await open();
    await page.check('#diff-only');
    await page.selectOption('select[data-control=aggregate]', 'min');
    await page.click('#tab-charts');
    await page.waitForSelector('.metric-chart[data-curves]');
    await page.check('#log-scale');
    await page.selectOption('select[data-control=x-axis]', 'relative');
    await page.locator('input[data-control=smoothing]').fill('0.6');
    const seen = host.requests.length;
    await page.reload();
    await host.next('getComparison', seen);
    await page.waitForSelector('.metric-chart[data-curves]');
    assert.equal(await page.getAttribute('#tab-charts', 'aria-selected'), 'true');
    assert.equal(await page.isChecked('#log-scale'), true);
    assert.equal(await page.inputValue('select[data-control=x-axis]'), 'relative');
    assert.equal(await page.inputValue('input[data-control=smoothing]'), '0.6');
    await page.click('#tab-table');
    assert.equal(await page.isChecked('#diff-only'), true);
    assert.equal(await page.inputValue('select[data-control=aggregate]'), 'min');
    const state = JSON.parse(await page.evaluate(() => sessionStorage.getItem('state') ?? 'null')) as { source: unknown };
    assert.deepEqual(state.source, { store: 'local', runIds: [ids.base, ids.wide, ids.hostile] });
  });

  it('is usable from the keyboard: tabs with arrow keys, controls and sort buttons reachable', async () => {
    await open();
    const focused = () => page.evaluate(() => {
      const a = document.activeElement as HTMLElement | null;
      return a ? `${a.tagName.toLowerCase()}#${a.id}|${a.dataset.tab ?? a.dataset.control ?? a.dataset.sort ?? a.dataset.action ?? ''}` : '';
    });
    const reached: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      reached.push(await focused());
    }
    assert.ok(reached.includes('button#tab-table|table'), reached.join(' '));
    assert.ok(reached.includes('select#|aggregate'), reached.join(' '));
    assert.ok(reached.includes('input#diff-only|diff-only'), reached.join(' '));
    assert.ok(reached.includes('button#|export-csv'), reached.join(' '));
    assert.ok(reached.some((r) => r.startsWith('button#|key') || r.startsWith('div#')), reached.join(' '));
    await page.focus('#tab-table');
    await page.keyboard.press('ArrowRight');
    assert.equal(await focused(), 'button#tab-charts|charts');
    assert.equal(await page.getAttribute('#tab-charts', 'aria-selected'), 'true');
    assert.equal(await page.isVisible('#panel-table'), false);
    await page.keyboard.press('End');
    assert.equal(await focused(), 'button#tab-code|code');
  });

  it('reports a store error with a retry, and a run that no longer exists', async () => {
    host = new PlayedHost(store, { store: 'local', runIds: [ids.base, 'f'.repeat(32), ids.wide] });
    host.failing.set('getComparison', 'database is locked');
    page = await openCompare(browser.context, host);
    await page.waitForFunction(() => (document.querySelector('[role=alert]')?.textContent ?? '') !== '');
    assert.equal(await page.textContent('[role=alert] span'), 'Could not compare the runs: database is locked ');
    assert.equal(await page.textContent('[data-testid=table-message]'), 'Nothing to show until the runs can be read.');
    host.failing.clear();
    await page.click('[data-action=retry]');
    await page.waitForSelector('td[data-row="param:lr"]');
    assert.equal(await page.textContent('[role=alert]'), '');
    assert.deepEqual(await texts('[data-testid=problems] li'), [`The run ${'f'.repeat(32)} no longer exists in this store.`]);
    assert.deepEqual(await texts('thead th[scope=col] button.sort'), ['Key', 'baseline', 'wider']);
  });

  it('asks again when the host says the store changed', async () => {
    await open();
    await host.send({ kind: 'event', event: { type: 'storeChanged' } });
    await host.next('getComparison', 1);
  });

  it('virtualizes 100 runs × 500 keys: few cells exist, scrolling reaches the end', async () => {
    const runs = Array.from({ length: 100 }, (_, i) => ({ runId: `run${i}`, name: `run-${i}`, label: `run-${i}`, experimentId: '1', experimentName: 'big', startTime: T0, endTime: null }));
    const rows: CompareRow[] = Array.from({ length: 500 }, (_, k) => {
      const values = runs.map((_, i) => (i * 7 + k) % 13);
      return { id: `metric:m${k}`, kind: 'metric', key: `m${k}`, metric: { direction: 'higher', guessed: true, values: { last: values, min: values, max: values }, differs: { last: true, min: true, max: true }, best: { last: [], min: [], max: [] } } };
    });
    const big: CompareModel = { source: { store: 'local', runIds: runs.map((r) => r.runId) }, storeDescription: 'synthetic', runs, rows, sharedMetrics: [], allMetrics: [], paramKeys: [], problems: [] };
    host = new PlayedHost(store, big.source);
    host.overrides.set('getComparison', () => big);
    page = await openCompare(browser.context, host);
    await page.waitForSelector('td[data-row="metric:m0"]');
    const cells = await page.locator('tbody td[data-row]').count();
    assert.ok(cells > 0 && cells < 3000, `${cells} cells in the DOM`);
    assert.equal(await page.getAttribute('table', 'aria-rowcount'), '501');
    await page.locator('.table-scroll').evaluate((s) => s.scrollTo(s.scrollWidth, s.scrollHeight));
    await page.waitForSelector('td[data-row="metric:m499"][data-run="run99"]');
    assert.equal(await page.textContent('td[data-row="metric:m499"][data-run="run99"]'), String((99 * 7 + 499) % 13));
    assert.equal(await page.locator('td[data-row="metric:m0"]').count(), 0);
  });
});
