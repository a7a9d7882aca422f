// The Runs Table webview app in headless Chromium, under the CSP the host gives it, with the VS
// Code API stubbed. The test plays the host: a real SQLite store seeded in a temp dir with 10,000
// runs (and a 300-metric experiment), each request answered by the RunsTableModel the panel uses.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { TableView } from '../../src/protocol/runsTable.ts';
import { formatNumber } from '../../src/shared/format.ts';
import { HOSTILE, installRunsTableBridge, openRunsTable, RunsTableHost, violations } from './runsTableHarness.ts';

const RUNS = 10_000;
const WIDE_METRICS = 300;
const T0 = 1_700_000_000_000;
const LRS = ['0.1', '0.01', '0.001'] as const;
const HOSTILE_AT = 4242;
const nameOf = (i: number) => (i === HOSTILE_AT ? HOSTILE : `run-${String(i).padStart(5, '0')}`);
/** A permutation of 1.0000…1.9999 over the runs: every loss differs, the best is not run 0. */
const lossOf = (i: number) => 1 + ((i * 7919 + 1234) % RUNS) / RUNS;
const accuracyOf = (i: number) => (i % 1000) / 1000;

/** Sample mean and standard deviation (n − 1), computed here as the reference. */
function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

describe('webview: Runs Table app', function () {
  this.timeout(180_000);
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let dir: string;
  let store: SqliteTrackingStore;
  let sweep: string;
  let wide: string;
  const runIds: string[] = [];
  let host: RunsTableHost;
  let page: Page;

  before(async () => {
    browser = await launchBrowser();
    await installRunsTableBridge(browser.context);
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-runs-table-webview-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'), { now: () => T0 + RUNS * 1000, user: 'ada' });
    sweep = await store.createExperiment('sweep');
    for (let i = 0; i < RUNS; i++) {
      const run = await store.createRun({ experimentId: sweep, runName: nameOf(i), startTime: T0 + i * 1000, status: i % 97 === 0 ? 'FAILED' : 'FINISHED', tags: [{ key: 'stage', value: i % 4 === 0 ? 'prod' : 'dev' }] });
      runIds.push(run.info.runId);
      await store.logBatch(run.info.runId, {
        params: [
          { key: 'lr', value: LRS[i % 3] as string },
          { key: 'optimizer', value: i % 2 ? 'sgd' : 'adam' },
          { key: 'seed', value: String(i % 5) },
          { key: 'model.depth', value: String(2 + (i % 4)) },
        ],
        metrics: [
          { key: 'loss', value: lossOf(i), step: 0, timestamp: T0 },
          { key: 'accuracy', value: accuracyOf(i), step: 0, timestamp: T0 },
        ],
      });
    }
    wide = await store.createExperiment('wide');
    for (let r = 0; r < 30; r++) {
      const run = await store.createRun({ experimentId: wide, runName: `wide-${r}`, startTime: T0 + r, status: 'FINISHED' });
      await store.logBatch(run.info.runId, {
        params: [{ key: 'half', value: r % 2 ? 'odd' : 'even' }],
        metrics: [
          ...Array.from({ length: WIDE_METRICS }, (_, m) => ({ key: `m${String(m).padStart(3, '0')}`, value: r * 1000 + m, step: 0, timestamp: T0 })),
          ...Array.from({ length: 20 }, (_, s) => ({ key: 'curve', value: Math.sin(s / 3) + r, step: s, timestamp: T0 + s })),
        ],
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

  /** The sweep's saved view: the attribute columns these runs leave empty are hidden, so all of its columns fit on screen. */
  const sweepView: TableView = {
    filter: '',
    quickFilters: [],
    sort: [],
    groupBy: [],
    preset: 'all',
    columns: [
      { id: 'attributes.run_name', visible: true, pinned: true },
      ...['start_time', 'duration', 'user_id', 'source', 'git_commit', 'note'].map((key) => ({ id: `attributes.${key}`, visible: false, pinned: false })),
    ],
  };

  /** Opens the table over `experiment` and waits for its first rows. */
  const open = async (experiment = sweep) => {
    host = new RunsTableHost(store, [experiment], experiment === sweep ? sweepView : undefined);
    page = await openRunsTable(browser.context, host);
    await page.waitForSelector('.rt-body .rt-row[data-run]');
    return page;
  };
  /** The run names of the lines in the DOM, top to bottom. */
  const shownNames = () =>
    page.$$eval('.rt-body .rt-row[data-run]', (rows) =>
      rows
        .map((r) => ({ y: Number(r.getAttribute('aria-rowindex')), name: r.querySelector('[data-col="attributes.run_name"]')?.textContent ?? '' }))
        .sort((a, b) => a.y - b.y)
        .map((r) => r.name),
    );
  const lastView = (after = 0): TableView => (host.since('setView', after).at(-1)?.params.view ?? {}) as TableView;
  const domCounts = () => page.evaluate(() => ({ rows: document.querySelectorAll('.rt-body .rt-row').length, cells: document.querySelectorAll('.rt-body [role=gridcell]').length, headers: document.querySelectorAll('.rt-head-row:not(.rt-prefix-row) [role=columnheader]').length }));

  it('opens 10,000 runs with only the visible window of rows in the DOM, newest first', async () => {
    await open();
    assert.equal(host.requests[0]?.method, 'getSchema');
    const first = await host.next('getRows');
    assert.equal(first.params.offset, 0);
    assert.ok((first.params.columnIds as string[]).includes('metrics.loss'));
    await page.waitForFunction(() => /^10000 runs/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''));
    const names = await shownNames();
    assert.deepEqual(names.slice(0, 3), [nameOf(RUNS - 1), nameOf(RUNS - 2), nameOf(RUNS - 3)]);
    const grid = page.locator('[role=grid]');
    // Two header rows: the prefix group `model` (params.model.depth) sits above the column headers.
    assert.equal(await grid.getAttribute('aria-rowcount'), String(RUNS + 2));
    assert.equal(await page.locator('.rt-prefix-row [role=columnheader]', { hasText: 'model' }).count(), 1);
    const counts = await domCounts();
    assert.ok(counts.rows > 10 && counts.rows < 80, `rows in the DOM: ${counts.rows}`);
    // Every page asked for so far covers the top of the table only.
    assert.ok(host.since('getRows', 0).every((r) => (r.params.offset as number) < 200));
    // A flat table asks for no groups.
    assert.deepEqual(host.since('getGroups', 0), []);
    assert.deepEqual(await violations(page), []);
  });

  it('fetches later pages as the user scrolls to the end and renders the oldest runs there', async () => {
    await open();
    const before = host.requests.length;
    await page.locator('[role=grid]').evaluate((g) => (g.scrollTop = g.scrollHeight));
    await page.waitForFunction(() => [...document.querySelectorAll('.rt-body .rt-row[data-run]')].some((r) => r.getAttribute('aria-rowindex') === String(10_000 + 2)));
    const offsets = host.since('getRows', before).map((r) => r.params.offset as number);
    assert.ok(offsets.some((o) => o >= RUNS - 100), `offsets asked: ${offsets.join(',')}`);
    assert.ok(offsets.every((o) => o >= RUNS - 200), `only the pages near the end are fetched: ${offsets.join(',')}`);
    const names = await shownNames();
    assert.deepEqual(names.slice(-3), [nameOf(2), nameOf(1), nameOf(0)]);
    const counts = await domCounts();
    assert.ok(counts.rows < 80, `rows in the DOM: ${counts.rows}`);
  });

  it('virtualises columns: 300 metric columns, a bounded number of cells, the last column reachable', async () => {
    await open(wide);
    const colCount = Number(await page.locator('[role=grid]').getAttribute('aria-colcount'));
    assert.ok(colCount > WIDE_METRICS, `aria-colcount ${colCount}`);
    const counts = await domCounts();
    assert.ok(counts.headers < 30, `header cells in the DOM: ${counts.headers}`);
    assert.ok(counts.cells < 30 * 30, `cells in the DOM: ${counts.cells}`);
    // Pages are asked for the columns on screen (plus a few), not for all 300.
    const firstPage = (await host.next('getRows')).params.columnIds as string[];
    assert.ok(firstPage.length < 40 && !firstPage.includes('metrics.m299'), firstPage.join(' '));
    const before = host.requests.length;
    await page.locator('[role=grid]').evaluate((g) => (g.scrollLeft = g.scrollWidth));
    await page.waitForSelector('.rt-hcell[data-col="metrics.m299"]');
    const later = await host.next('getRows', before);
    assert.equal(later.params.offset, 0);
    assert.ok((later.params.columnIds as string[]).includes('metrics.m299'));
    const row = page.locator('.rt-body .rt-row', { hasText: 'wide-7' }).first();
    assert.equal(await row.locator('[data-col="metrics.m299"]').textContent(), String(7 * 1000 + 299));
    assert.equal(await page.locator('.rt-hcell[data-col="metrics.m000"]').count(), 0);
    assert.ok((await domCounts()).headers < 30);
    assert.equal(await page.locator('.rt-hcell[data-col="metrics.m299"]').getAttribute('aria-colindex'), String(colCount));
  });

  it('sorts by a metric in the store (the first row is the global best), then adds a second key with shift', async () => {
    await open();
    const before = host.requests.length;
    await page.click('.rt-hcell[data-col="metrics.loss"] .rt-sort');
    await page.waitForFunction(() => document.querySelector('.rt-hcell[data-col="metrics.loss"]')?.getAttribute('aria-sort') === 'ascending');
    const best = Array.from({ length: RUNS }, (_, i) => i).reduce((a, b) => (lossOf(b) < lossOf(a) ? b : a));
    await page.waitForFunction((name) => document.querySelector('.rt-body .rt-row[aria-rowindex="3"] [data-col="attributes.run_name"]')?.textContent === name, nameOf(best));
    assert.deepEqual(lastView(before).sort, [{ columnId: 'metrics.loss', descending: false }]);
    // One round trip: the sorted view's first page comes with setView's answer, in the window's columns.
    const asked = host.since('setView', before).at(-1)?.params.rows as { offset: number; columnIds: string[] } | undefined;
    assert.equal(asked?.offset, 0);
    assert.ok(asked.columnIds.includes('metrics.loss') && asked.columnIds.length < 40, asked.columnIds.join(','));
    assert.deepEqual(host.since('getRows', before).filter((r) => r.params.offset === 0), []);
    await page.click('.rt-hcell[data-col="metrics.loss"] .rt-sort');
    const worst = Array.from({ length: RUNS }, (_, i) => i).reduce((a, b) => (lossOf(b) > lossOf(a) ? b : a));
    await page.waitForFunction((name) => document.querySelector('.rt-body .rt-row[aria-rowindex="3"] [data-col="attributes.run_name"]')?.textContent === name, nameOf(worst));
    assert.equal(await page.locator('.rt-hcell[data-col="metrics.loss"]').getAttribute('aria-sort'), 'descending');
    await page.click('.rt-hcell[data-col="params.lr"] .rt-sort', { modifiers: ['Shift'] });
    await page.waitForFunction(() => document.querySelector('.rt-hcell[data-col="params.lr"]')?.getAttribute('aria-sort') === 'ascending');
    assert.deepEqual(lastView(before).sort, [{ columnId: 'metrics.loss', descending: true }, { columnId: 'params.lr', descending: false }]);
  });

  it('a sort made far down the table starts again at the top, its header marked at once, no line built before the answer', async () => {
    await open();
    await page.locator('[role=grid]').evaluate((g) => (g.scrollTop = 26 * 3000));
    await page.waitForSelector('.rt-body .rt-row[data-line="3002"][data-run]');
    // Lines built by the click itself: none (the old rows stay until the new ones come).
    await page.evaluate(() => {
      const body = document.querySelector('.rt-body') as HTMLElement;
      const w = window as unknown as { headerAt?: string };
      const observer = new MutationObserver(() => undefined);
      observer.observe(body, { childList: true });
      document.querySelector('.rt-hcell[data-col="metrics.loss"] .rt-sort')?.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      const added = observer.takeRecords().reduce((n, r) => n + [...r.addedNodes].filter((a) => a instanceof HTMLElement && a.classList.contains('rt-row')).length, 0);
      observer.disconnect();
      w.headerAt = `${document.querySelector('.rt-hcell[data-col="metrics.loss"]')?.getAttribute('aria-sort')}:${added}`;
    });
    assert.equal(await page.evaluate(() => (window as unknown as { headerAt: string }).headerAt), 'ascending:0');
    const best = Array.from({ length: RUNS }, (_, i) => i).reduce((a, b) => (lossOf(b) < lossOf(a) ? b : a));
    await page.waitForFunction((name) => document.querySelector('.rt-body .rt-row[aria-rowindex="3"] [data-col="attributes.run_name"]')?.textContent === name, nameOf(best));
    assert.equal(await page.locator('[role=grid]').evaluate((g) => g.scrollTop), 0);
  });

  it('filters in MLflow syntax: the host’s error text is shown, a valid filter narrows the count', async () => {
    await open();
    await page.fill('[data-testid=filter]', 'metrics.loss <');
    await page.press('[data-testid=filter]', 'Enter');
    await page.waitForFunction(() => (document.querySelector('[data-testid=filter-error]')?.textContent ?? '') !== '');
    assert.match((await page.textContent('[data-testid=filter-error]')) ?? '', /expected a value after "metrics.loss <"/);
    await page.fill('[data-testid=filter]', "metrics.loss < 1.01 and params.optimizer = 'adam'");
    await page.press('[data-testid=filter]', 'Enter');
    const expected = Array.from({ length: RUNS }, (_, i) => i).filter((i) => lossOf(i) < 1.01 && i % 2 === 0).length;
    await page.waitForFunction((n) => (document.querySelector('[data-testid=status]')?.textContent ?? '').startsWith(`${n} runs`), expected);
    assert.equal(await page.textContent('[data-testid=filter-error]'), '');
    const losses = await page.$$eval('.rt-body .rt-row[data-run] [data-col="metrics.loss"]', (cells) => cells.map((c) => Number(c.textContent)));
    assert.ok(losses.length > 0 && losses.every((v) => v < 1.01), losses.join(','));
  });

  it('filters from a column header: a range for a number, a set of values for the status', async () => {
    await open();
    await page.hover('.rt-hcell[data-col="metrics.accuracy"]');
    await page.click('.rt-hcell[data-col="metrics.accuracy"] .rt-menu');
    await page.fill('[data-range=min]', '0.99');
    await page.click('[data-menu-action=filter-apply]');
    const expected = Array.from({ length: RUNS }, (_, i) => i).filter((i) => accuracyOf(i) >= 0.99).length;
    await page.waitForFunction((n) => (document.querySelector('[data-testid=status]')?.textContent ?? '').startsWith(`${n} runs`), expected);
    assert.deepEqual(lastView().quickFilters, [{ columnId: 'metrics.accuracy', kind: 'range', min: 0.99 }]);
    await page.hover('.rt-hcell[data-col="attributes.status"]');
    await page.click('.rt-hcell[data-col="attributes.status"] .rt-menu');
    await page.check('input[data-value=FAILED]');
    await page.click('[data-menu-action=filter-apply]');
    const failed = Array.from({ length: RUNS }, (_, i) => i).filter((i) => accuracyOf(i) >= 0.99 && i % 97 === 0).length;
    await page.waitForFunction((n) => (document.querySelector('[data-testid=status]')?.textContent ?? '').startsWith(`${n} runs`), failed);
    const statuses = await page.$$eval('.rt-body .rt-row[data-run] [data-col="attributes.status"]', (cells) => [...new Set(cells.map((c) => c.textContent))]);
    assert.deepEqual(statuses, ['FAILED']);
    assert.equal(await page.locator('[data-testid=chips] .rt-chip').count(), 2);
  });

  it('chooses columns in the chooser: hide, show again, reorder by drag, pin', async () => {
    await open();
    await page.click('[data-action=columns]');
    await page.fill('[data-testid=chooser-search]', 'accuracy');
    assert.deepEqual(await page.locator('[data-testid=chooser-list] .rt-chooser-label').allTextContents(), ['metrics.accuracy']);
    let before = host.requests.length;
    await page.uncheck('input[data-visible="metrics.accuracy"]');
    await page.waitForSelector('.rt-hcell[data-col="metrics.accuracy"]', { state: 'detached' });
    await host.next('setView', before);
    assert.equal(lastView(before).columns.find((c) => c.id === 'metrics.accuracy')?.visible, false);
    before = host.requests.length;
    await page.check('input[data-visible="metrics.accuracy"]');
    await page.waitForSelector('.rt-hcell[data-col="metrics.accuracy"]');
    await host.next('setView', before);
    assert.equal(lastView(before).columns.find((c) => c.id === 'metrics.accuracy')?.visible, true);
    // Reorder: drag metrics.loss onto params.lr in the list: loss now comes before lr.
    await page.fill('[data-testid=chooser-search]', '');
    before = host.requests.length;
    await page.dragAndDrop('[data-item="metrics.loss"]', '[data-item="params.lr"]');
    await host.next('setView', before);
    const order = lastView(before).columns.map((c) => c.id);
    assert.ok(order.indexOf('metrics.loss') === order.indexOf('params.lr') - 1, order.join(' '));
    const headers = await page.$$eval('.rt-head-row:not(.rt-prefix-row) [data-col]', (cells) => cells.map((c) => c.getAttribute('data-col')));
    assert.ok(headers.indexOf('metrics.loss') >= 0 && headers.indexOf('metrics.loss') === headers.indexOf('params.lr') - 1, headers.join(' '));
    // Pin: the column moves to the sticky part, right after the run name.
    before = host.requests.length;
    await page.click('[data-pin="tags.stage"]');
    await host.next('setView', before);
    assert.equal(lastView(before).columns.find((c) => c.id === 'tags.stage')?.pinned, true);
    const pinned = await page.$$eval('.rt-head-row:not(.rt-prefix-row) .rt-hcell.rt-sticky[data-col]', (cells) => cells.map((c) => c.getAttribute('data-col')));
    assert.deepEqual(pinned, ['attributes.run_name', 'tags.stage']);
  });

  it('groups by a param: one aggregate row per group with the count and mean ± std, expandable to its runs', async () => {
    await open();
    await page.hover('.rt-hcell[data-col="params.lr"]');
    await page.click('.rt-hcell[data-col="params.lr"] .rt-menu');
    await page.click('[data-menu-action=group]');
    await page.waitForSelector('.rt-row.rt-group');
    assert.equal(await page.locator('.rt-row.rt-group').count(), 3);
    for (const [k, lr] of LRS.entries()) {
      const members = Array.from({ length: RUNS }, (_, i) => i).filter((i) => i % 3 === k);
      const { mean, std } = meanStd(members.map(lossOf));
      const row = page.locator('.rt-row.rt-group', { has: page.locator(`[data-col="params.lr"]`, { hasText: new RegExp(`^${lr.replace('.', '\\.')}$`) }) });
      assert.equal(await row.locator('[data-count]').getAttribute('data-count'), String(members.length));
      assert.equal(await row.locator('[data-col="metrics.loss"] [data-agg=mean-std]').textContent(), `${formatNumber(mean)} ± ${formatNumber(std)}`);
      const min = Math.min(...members.map(lossOf));
      const max = Math.max(...members.map(lossOf));
      assert.equal(await row.locator('[data-col="metrics.loss"] [data-agg=range]').textContent(), `${formatNumber(min)} – ${formatNumber(max)}`);
    }
    // Expanding a group lists its runs, asked for with the group's key.
    const before = host.requests.length;
    await page.locator('.rt-row.rt-group').first().locator('[data-toggle-group]').click();
    const request = await host.next('getRows', before);
    assert.equal((request.params.group as unknown[]).length, 1);
    await page.waitForSelector('.rt-row.rt-member[data-run]');
    const lrs = await page.$$eval('.rt-row.rt-member[data-run] [data-col="params.lr"]', (cells) => [...new Set(cells.map((c) => c.textContent))]);
    assert.equal(lrs.length, 1);
    assert.equal(await page.locator('.rt-row.rt-group').first().getAttribute('aria-expanded'), 'true');
  });

  it('groups 300 metric columns asking for the aggregates on screen only, and for the rest as they scroll into view', async () => {
    await open(wide);
    const before = host.requests.length;
    await page.hover('.rt-hcell[data-col="params.half"]');
    await page.click('.rt-hcell[data-col="params.half"] .rt-menu');
    await page.click('[data-menu-action=group]');
    await page.waitForSelector('.rt-row.rt-group');
    const first = (await host.next('getGroups', before)).params.metricColumns as string[];
    assert.ok(first.length > 0 && first.length < 40 && first.includes('metrics.m000') && !first.includes('metrics.m299'), first.join(' '));
    const odd = page.locator('.rt-row.rt-group', { has: page.locator('[data-col="params.half"]', { hasText: /^odd$/ }) });
    const aggregate = (metric: number, parity = 1) => {
      const values = Array.from({ length: 30 }, (_, r) => r).filter((r) => r % 2 === parity).map((r) => r * 1000 + metric);
      const { mean, std } = meanStd(values);
      return `${formatNumber(mean)} ± ${formatNumber(std)}`;
    };
    assert.equal(await odd.locator('[data-col="metrics.m000"] [data-agg=mean-std]').textContent(), aggregate(0));
    const scrolled = host.requests.length;
    await page.locator('[role=grid]').evaluate((g) => (g.scrollLeft = g.scrollWidth));
    await page.waitForSelector('.rt-hcell[data-col="metrics.m299"]');
    const later = (await host.next('getGroups', scrolled)).params.metricColumns as string[];
    assert.ok(later.includes('metrics.m299') && !later.includes('metrics.m000'), later.join(' '));
    await page.waitForFunction(() => document.querySelector('.rt-row.rt-group [data-col="metrics.m299"] [data-agg=mean-std]') !== null);
    // The key column is off screen now: both groups' cells, in either order.
    const far = await page.$$eval('.rt-row.rt-group [data-col="metrics.m299"] [data-agg=mean-std]', (cells) => cells.map((c) => c.textContent));
    assert.deepEqual(far.sort(), [aggregate(299, 0), aggregate(299, 1)].sort());
    assert.equal(await page.locator('.rt-row.rt-group [data-col="metrics.m299"][aria-busy]').count(), 0);
  });

  it('selects with click, shift-click and Ctrl-A; Compare posts exactly those runs', async () => {
    await open();
    const rowAt = (index: number) => page.locator(`.rt-body .rt-row[aria-rowindex="${index + 3}"]`);
    await rowAt(1).locator('[data-col="attributes.run_name"]').click();
    await rowAt(4).locator('[data-col="attributes.run_name"]').click({ modifiers: ['Shift'] });
    await page.waitForFunction(() => /· 4 selected$/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''));
    await rowAt(6).locator('input.rt-check').click();
    await page.waitForFunction(() => /· 5 selected$/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''));
    const expected = [RUNS - 2, RUNS - 3, RUNS - 4, RUNS - 5, RUNS - 7].map((i) => runIds[i]);
    assert.deepEqual(await page.$$eval('.rt-body .rt-row[aria-selected=true]', (rows) => rows.map((r) => r.getAttribute('data-run')).sort()), [...expected].sort());
    let before = host.requests.length;
    await page.click('[data-action=compare]');
    const compare = await host.next('compareRuns', before);
    assert.deepEqual([...(compare.params.runIds as string[])].sort(), [...expected].sort());
    assert.equal(compare.params.grouped, false);

    await page.locator('[role=grid]').focus();
    await page.keyboard.press('Control+a');
    await page.waitForFunction(() => /· 10000 selected$/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''));
    before = host.requests.length;
    await page.click('[data-action=compare]');
    const all = await host.next('compareRuns', before);
    assert.deepEqual([...(all.params.runIds as string[])].sort(), [...runIds].sort());
  });

  it('What Changed is offered for exactly two selected runs and posts them', async () => {
    await open();
    const rowAt = (index: number) => page.locator(`.rt-body .rt-row[aria-rowindex="${index + 3}"]`);
    await rowAt(1).locator('[data-col="attributes.run_name"]').click();
    await page.waitForFunction(() => /· 1 selected$/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''));
    assert.equal(await page.isDisabled('[data-action=what-changed]'), true);
    await rowAt(3).locator('input.rt-check').click();
    await page.waitForFunction(() => /· 2 selected$/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''));
    const before = host.requests.length;
    await page.click('[data-action=what-changed]');
    const asked = await host.next('whatChanged', before);
    assert.deepEqual([...(asked.params.runIds as string[])].sort(), [runIds[RUNS - 2], runIds[RUNS - 4]].sort());
  });

  it('exports the table through the host and copies the selected rows as tab-separated text', async () => {
    await open();
    await page.fill('[data-testid=filter]', "params.seed = '3'");
    await page.press('[data-testid=filter]', 'Enter');
    await page.waitForFunction(() => (document.querySelector('[data-testid=status]')?.textContent ?? '').startsWith('2000 runs'));
    const before = host.requests.length;
    await page.click('[data-action=export-csv]');
    await host.next('exportCsv', before);
    await page.waitForFunction(() => !/Exporting/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''));
    const lines = host.csvWrites[0]?.trimEnd().split('\r\n') ?? [];
    assert.equal(lines.length, 2000 + 1);
    assert.ok(lines[0]?.startsWith('run_id,attributes.run_name'), lines[0]);
    await page.locator('.rt-body .rt-row[aria-rowindex="3"] [data-col="attributes.run_name"]').click();
    await page.locator('.rt-body .rt-row[aria-rowindex="4"] [data-col="attributes.run_name"]').click({ modifiers: ['Shift'] });
    await page.waitForFunction(() => /· 2 selected$/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''));
    await page.keyboard.press('Control+c');
    await host.next('copyText', before);
    const text = host.clipboard.at(-1)?.split('\n') ?? [];
    assert.equal(text.length, 3);
    assert.equal(text[0]?.split('\t')[0], 'attributes.run_name');
    assert.deepEqual(text.slice(1).map((l) => l.split('\t')[0]), [nameOf(RUNS - 2), nameOf(RUNS - 7)]);
  });

  it('renders a hostile run name as text', async () => {
    await open();
    await page.fill('[data-testid=filter]', "attributes.run_name LIKE '%onerror%'");
    await page.press('[data-testid=filter]', 'Enter');
    await page.waitForFunction(() => (document.querySelector('[data-testid=status]')?.textContent ?? '').startsWith('1 runs'));
    assert.equal(await page.textContent('.rt-body .rt-row[data-run] [data-col="attributes.run_name"]'), HOSTILE);
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.deepEqual(await violations(page), []);
  });

  it('moves the active cell with the keyboard and finds a run by typing its name', async () => {
    await open();
    const grid = page.locator('[role=grid]');
    await grid.focus();
    const active = async () => {
      const id = await grid.getAttribute('aria-activedescendant');
      assert.ok(id, 'an active cell');
      const cell = page.locator(`#${id}`);
      return { col: Number(await cell.getAttribute('aria-colindex')), row: Number(await cell.locator('xpath=..').getAttribute('aria-rowindex')) };
    };
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await active(), { row: 5, col: 3 });
    await page.keyboard.press('End');
    const colCount = Number(await grid.getAttribute('aria-colcount'));
    assert.deepEqual(await active(), { row: 5, col: colCount });
    await page.keyboard.press('Home');
    assert.deepEqual(await active(), { row: 5, col: 1 });
    await page.keyboard.press('PageDown');
    assert.ok((await active()).row > 15);
    await page.keyboard.press('Control+End');
    await page.waitForFunction(() => document.querySelector('[role=grid]')?.getAttribute('aria-activedescendant')?.startsWith('rt-c-9999-'));
    assert.equal((await active()).row, RUNS + 2);
    await page.keyboard.press('Control+Home');
    await page.keyboard.type('run-0123', { delay: 20 });
    await page.waitForFunction(() => document.querySelector('[role=grid]')?.getAttribute('aria-activedescendant')?.startsWith(`rt-c-${10_000 - 1 - 1239}-`));
    const line = RUNS - 1 - 1239;
    const row = page.locator(`.rt-body .rt-row[data-line="${line}"]`);
    assert.match((await row.locator('[data-col="attributes.run_name"]').textContent()) ?? '', /^run-0123/);
    // Enter opens the run's details.
    const before = host.requests.length;
    await page.keyboard.press('Enter');
    const opened = await host.next('openRun', before);
    assert.equal(opened.params.runId, runIds[1239]);
  });

  it('patches a running run’s cells in place without rebuilding its row', async () => {
    await open();
    const row = page.locator('.rt-body .rt-row[aria-rowindex="3"]');
    const runId = await row.getAttribute('data-run');
    assert.equal(runId, runIds[RUNS - 1]);
    await row.evaluate((r) => ((r as unknown as { __marker: number }).__marker = 42));
    const rowsBefore = await page.$$eval('.rt-body .rt-row', (rows) => rows.length);
    await host.event({ type: 'rows', rows: [{ runId, experimentId: sweep, cells: { 'metrics.loss': 0.125, 'attributes.status': 'RUNNING' } }] });
    await page.waitForFunction(() => document.querySelector('.rt-body .rt-row[aria-rowindex="3"] [data-col="metrics.loss"]')?.textContent === '0.125');
    assert.equal(await row.evaluate((r) => (r as unknown as { __marker?: number }).__marker), 42);
    assert.equal(await row.locator('[data-col="attributes.status"]').textContent(), 'RUNNING');
    assert.equal(await page.$$eval('.rt-body .rt-row', (rows) => rows.length), rowsBefore);
  });

  it('draws a sparkline column for a chosen metric, asking only for the visible runs', async () => {
    await open(wide);
    await page.hover('.rt-hcell[data-col="metrics.curve"]');
    await page.click('.rt-hcell[data-col="metrics.curve"] .rt-menu');
    const before = host.requests.length;
    await page.click('[data-menu-action=sparkline]');
    const request = await host.next('getSparklines', before);
    assert.equal(request.params.metric, 'curve');
    assert.ok((request.params.runIds as string[]).length <= 30);
    await page.waitForSelector('[data-col="__sparkline"] svg.rt-spark[data-points="20"] polyline');
    assert.equal(lastView(before).sparklineMetric, 'curve');
  });

  it('restores scroll position and selection after a reload', async () => {
    await open();
    await page.locator('[role=grid]').evaluate((g) => (g.scrollTop = 26 * 5000));
    await page.waitForSelector('.rt-body .rt-row[data-line="5002"][data-run]');
    await page.locator('.rt-body .rt-row[data-line="5002"] [data-col="attributes.run_name"]').click();
    await page.waitForFunction(() => /· 1 selected$/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''));
    const scrollTop = await page.locator('[role=grid]').evaluate((g) => g.scrollTop);
    await page.reload();
    await page.waitForSelector('.rt-body .rt-row[data-line="5002"][data-run]');
    await page.waitForFunction(() => /· 1 selected$/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''));
    assert.equal(await page.locator('[role=grid]').evaluate((g) => g.scrollTop), scrollTop);
    assert.equal(await page.locator('.rt-body .rt-row[data-line="5002"]').getAttribute('aria-selected'), 'true');
    assert.equal(await page.locator('.rt-body .rt-row[data-line="5002"]').getAttribute('data-run'), runIds[RUNS - 1 - 5002]);
  });
});
