// The Run Comparison webview app in headless Chromium, under the CSP the host gives it, with the VS
// Code API stubbed. The test plays the host: a real SQLite store seeded in a temp dir, each request
// answered by the src/core/compare functions the ComparePanel uses.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { CompareModel, CompareRow } from '../../src/protocol/compare.ts';
import { HOSTILE, installHostBridge, logHistory, openCompare, PlayedHost, solidPng, T0, violations } from './compareHarness.ts';

const SPIKE = 500;
/** Counts the Intl formatters a page makes (window.__intlMade): the first loads ICU's locale data. */
const COUNT_INTL = `window.__intlMade = [];
for (const name of ['NumberFormat', 'DateTimeFormat', 'Collator', 'PluralRules', 'RelativeTimeFormat', 'ListFormat']) {
  const made = () => window.__intlMade.push(name);
  Intl[name] = new Proxy(Intl[name], {
    construct: (target, args, newTarget) => (made(), Reflect.construct(target, args, newTarget)),
    apply: (target, self, args) => (made(), Reflect.apply(target, self, args)),
  });
}`;
const enc = (s: string) => new TextEncoder().encode(s);

describe('webview: Run Comparison app', function () {
  this.timeout(120_000);
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let dir: string;
  let store: SqliteTrackingStore;
  let ids: { base: string; wide: string; hostile: string; notebook: string; bare: string };
  let host: PlayedHost;
  let page: Page;

  before(async () => {
    browser = await launchBrowser();
    await installHostBridge(browser.context);
    await browser.context.addInitScript(COUNT_INTL);
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-compare-webview-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'), { now: () => T0, user: 'ada' });
    const vision = await store.createExperiment('vision');
    const v2 = await store.createExperiment('vision-v2');
    const run = async (experimentId: string, runName: string, lr: string, layers: string) => {
      const r = await store.createRun({ experimentId, runName, startTime: T0 });
      await store.logBatch(r.info.runId, { params: [{ key: 'lr', value: lr }, { key: 'layers', value: layers }, { key: 'optimizer', value: 'adam' }] });
      return r.info.runId;
    };
    ids = {
      base: await run(vision, 'baseline', '0.1', '2'),
      wide: await run(v2, 'wider', '0.01', '4'),
      hostile: await run(v2, HOSTILE, '0.01', '4'),
      notebook: await run(v2, 'notebook-run', '0.05', '3'),
      bare: await run(v2, 'bare', '0.2', '1'),
    };
    // loss: baseline ends lowest; wider has 100k points with one spike; accuracy: wider is best.
    await logHistory(store, ids.base, 'loss', (i) => 1 / (1 + i / 20), 200);
    await logHistory(store, ids.wide, 'loss', (i) => (i === 71_234 ? SPIKE : 0.5 + 2 / (1 + i / 2000)), 100_000);
    await logHistory(store, ids.hostile, 'loss', (i) => 0.9 - i / 1000, 300);
    for (const [id, top] of [[ids.base, 0.8], [ids.wide, 0.9], [ids.hostile, 0.7]] as const) await logHistory(store, id, 'accuracy', (i) => top * (1 - 1 / (i + 2)), 50);
    await logHistory(store, ids.notebook, 'throughput', (i) => i, 10);
    await store.writeArtifact(ids.base, 'plots/confusion.png', solidPng(8, 6, [200, 30, 30]));
    await store.writeArtifact(ids.wide, 'plots/confusion.png', solidPng(8, 6, [30, 30, 200]));
    await store.writeArtifact(ids.hostile, `plots/${HOSTILE}.png`, solidPng(4, 4, [0, 0, 0]));
    for (const [id, code] of [[ids.base, 'import torch\nlr = 0.1\nlayers = 2\ntrain(lr, layers)\n'], [ids.wide, 'import torch\nlr = 0.01\nlayers = 4\ntrain(lr, layers)\n']] as const) {
      await store.setTag(id, { key: 'labbook.source.snapshot', value: 'labbook/code/train.py' });
      await store.writeArtifact(id, 'labbook/code/train.py', enc(code));
    }
    await store.writeArtifact(ids.base, 'labbook/code/git.patch', enc('--- a/train.py\n+++ b/train.py\n-lr = 1\n+lr = 0.1\n'));
    for (const id of [ids.hostile, ids.notebook]) {
      await store.setTag(id, { key: 'labbook.source.snapshot', value: 'labbook/code/analysis.ipynb' });
      await store.writeArtifact(id, 'labbook/code/analysis.ipynb', enc('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'));
    }
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

  it('charts N runs × M metrics with min/max bands, and the spike among 100k points shows', async () => {
    await open();
    // ECharts is its own bundle, fetched only when the plots below the charts are drawn.
    const fetchedPlots = () => page.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/comparePlots.js')));
    assert.equal(await fetchedPlots(), false);
    await page.click('#tab-charts');
    // The first chart, asked with the comparison as the page starts (the host picks its metric),
    // then the rest once the tab is open.
    const request = await host.next('getFirstChart');
    assert.deepEqual(Object.keys(request.params), ['buckets']);
    assert.ok(host.requests.indexOf(request) < host.requests.findIndex((r) => r.method === 'getSeries'));
    const rest = await host.next('getSeries');
    assert.deepEqual(rest.params.keys, ['loss']);
    const buckets = request.params.buckets as number;
    assert.equal(rest.params.buckets, buckets);
    assert.ok(buckets >= 800 && buckets <= 2000, String(buckets));
    await page.waitForFunction(() => document.querySelectorAll('.metric-chart[data-curves]').length === 2);
    const curves = await page.locator('.metric-chart').evaluateAll((figs) => figs.map((f) => Number(f.getAttribute('data-curves'))));
    assert.equal(curves.reduce((a, b) => a + b, 0), 3 * 2);
    assert.equal(await page.locator('.metric-chart canvas').count(), 2);
    const loss = page.locator('.metric-chart[data-metric=loss]');
    assert.ok(Number(await loss.getAttribute('data-y-max')) >= SPIKE, `y max ${await loss.getAttribute('data-y-max')}`);
    assert.ok(Number(await loss.getAttribute('data-points')) <= buckets * 2);
    assert.deepEqual(await loss.locator('.legend-name').allTextContents(), ['baseline', 'wider', HOSTILE]);
    // Hover shows each run's value.
    const box = await loss.locator('.u-over').boundingBox();
    assert.ok(box);
    // At most one bucket per pixel of the plot: more draw the same picture, at a cost all the way.
    assert.ok(buckets <= box.width, `${buckets} buckets for a plot ${box.width} px wide`);
    await page.mouse.move(box.x + box.width * 0.05, box.y + box.height / 2);
    await page.waitForFunction(() => [...document.querySelectorAll('.metric-chart[data-metric=loss] .legend-value')].filter((v) => v.textContent !== '').length === 3);

    // Log scale and smoothing redraw from the same data; the spike is still on the scale.
    await page.check('#log-scale');
    await page.waitForFunction(() => document.querySelector('.metric-chart[data-metric=loss]')?.getAttribute('data-y-max') !== null);
    assert.ok(Number(await page.getAttribute('.metric-chart[data-metric=loss]', 'data-y-max')) >= SPIKE);
    assert.equal(host.requests.filter((r) => r.method === 'getSeries' || r.method === 'getFirstChart').length, 2);

    // Parallel coordinates and scatter: ECharts canvases, one series per run.
    await page.waitForSelector('[data-testid=parallel] canvas');
    assert.equal(await page.getAttribute('[data-testid=parallel]', 'data-series'), '3');
    assert.equal(await page.getAttribute('[data-testid=scatter]', 'data-series'), '3');
    assert.equal(await page.locator('[data-testid=scatter] canvas').count(), 1);
    assert.equal(await fetchedPlots(), true);
    assert.match((await page.getAttribute('[data-testid=scatter]', 'aria-label')) ?? '', /^accuracy against /);
    await page.selectOption('select[data-scatter=y]', 'metric:loss');
    await page.waitForFunction(() => /^loss against /.test(document.querySelector('[data-testid=scatter]')?.getAttribute('aria-label') ?? '') && document.querySelector('[data-testid=scatter] canvas') !== null);
    assert.equal(await page.getAttribute('[data-testid=scatter]', 'data-series'), '3');
    assert.deepEqual(await violations(page), []);

    // Choosing one more metric fetches only that one.
    await page.uncheck('.metric-picker input[value=accuracy]');
    await page.waitForFunction(() => document.querySelectorAll('.metric-chart').length === 1);
  });

  it('asks for the first chart with the comparison, before that is answered, and draws it from that answer', async () => {
    host = new PlayedHost(store, { store: 'local', runIds: [ids.base, ids.wide, ids.hostile] });
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    host.beforeAnswer = async (request) => {
      if (request.method === 'getComparison') await held;
    };
    page = await openCompare(browser.context, host);
    await host.next('getFirstChart');
    assert.deepEqual(host.requests.map((r) => r.method), ['getComparison', 'getFirstChart']);
    release();
    await page.click('#tab-charts');
    await page.waitForSelector('.metric-chart[data-metric=accuracy][data-curves="3"]');
    assert.ok(!host.requests.some((r) => r.method === 'getSeries' && (r.params.keys as string[]).includes('accuracy')), 'the first chart is not asked again');
  });

  it('draws the first chart from Float64Array columns while the other metrics are still on their way', async () => {
    host = new PlayedHost(store, { store: 'local', runIds: [ids.base, ids.wide, ids.hostile] });
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    host.beforeAnswer = async (request) => {
      if (request.method === 'getSeries' && (request.params.keys as string[]).includes('loss')) await held;
    };
    page = await openCompare(browser.context, host);
    await page.click('#tab-charts');
    await page.waitForSelector('.metric-chart[data-metric=accuracy][data-curves="3"]');
    // loss waits for its answer: a placeholder says so, and no chart of it is drawn yet.
    assert.equal(await page.getAttribute('.metric-chart[data-metric=loss]', 'aria-busy'), 'true');
    assert.equal(await page.locator('.metric-chart[data-metric=loss] canvas').count(), 0);
    // The page draws only Float64Array columns (it refuses JSON arrays: next test), here with the values logged.
    assert.deepEqual(await page.locator('.metric-chart[data-metric=accuracy] .chart-legend li[data-run]').evaluateAll((lis) => lis.map((li) => Number(li.getAttribute('data-last')))), [0.8 * (1 - 1 / 51), 0.9 * (1 - 1 / 51), 0.7 * (1 - 1 / 51)]);
    release();
    await page.waitForSelector('.metric-chart[data-metric=loss][data-curves="3"]');
    assert.equal(await page.locator('.metric-chart canvas').count(), 2);
  });

  it('refuses histories sent as plain JSON arrays, with a message', async () => {
    host = new PlayedHost(store, { store: 'local', runIds: [ids.base, ids.wide] });
    const json = [{ runId: ids.base, key: 'accuracy', step: [0, 1], timestamp: [T0, T0 + 1], min: [0.1, 0.2], max: [0.1, 0.2], last: [0.1, 0.2] }];
    host.overrides.set('getFirstChart', () => ({ key: 'accuracy', series: json }));
    host.overrides.set('getSeries', () => ({ series: json }));
    page = await openCompare(browser.context, host);
    await page.click('#tab-charts');
    await page.waitForSelector('.charts [role=alert]');
    assert.match((await page.textContent('.charts [role=alert]')) ?? '', /^Could not read the metric histories: the host sent metric histories in a form this page cannot read/);
  });

  it('draws a group of runs as its mean line with a ±std or min–max band, when the panel was opened with groups', async () => {
    // Without groups there is no Lines control.
    await open();
    await page.click('#tab-charts');
    await page.waitForSelector('.metric-chart[data-curves]');
    assert.equal(await page.isVisible('select[data-control=lines]'), false);
    await page.close();

    host = new PlayedHost(store, { store: 'local', runIds: [ids.base, ids.wide, ids.hostile], groups: [{ label: 'adam', runIds: [ids.base, ids.hostile] }] });
    page = await openCompare(browser.context, host);
    await page.click('#tab-charts');
    await page.waitForSelector('.metric-chart[data-metric=accuracy][data-curves="3"]');
    assert.deepEqual(await page.locator('select[data-control=lines] option').allTextContents(), ['per run', 'group mean ± std', 'group min–max']);
    await page.selectOption('select[data-control=lines]', 'mean-std');
    const request = await host.next('getGroupSeries');
    assert.deepEqual(request.params.xAxis, 'step');
    const accuracy = page.locator('.metric-chart[data-metric=accuracy]');
    await page.waitForFunction(() => document.querySelector('.metric-chart[data-metric=accuracy]')?.getAttribute('data-groups') === '1');
    // The group's line and the run outside it.
    assert.equal(await accuracy.getAttribute('data-curves'), '2');
    assert.deepEqual(await accuracy.locator('.legend-name').allTextContents(), ['adam (2 runs)', 'wider']);
    const last = (top: number) => top * (1 - 1 / 51);
    const group = accuracy.locator('li[data-group=adam]');
    const close = async (attr: string, expected: number) => assert.ok(Math.abs(Number(await group.getAttribute(attr)) - expected) < 1e-12, `${attr} ${await group.getAttribute(attr)} vs ${expected}`);
    const mean = (last(0.8) + last(0.7)) / 2;
    const std = Math.abs(last(0.8) - last(0.7)) / Math.SQRT2;
    await close('data-last', mean);
    await close('data-low', mean - std);
    await close('data-high', mean + std);
    // min–max: the same aggregates, another band; nothing is asked again.
    const asked = host.requests.length;
    await page.selectOption('select[data-control=lines]', 'min-max');
    await page.waitForFunction(() => Number(document.querySelector('.metric-chart[data-metric=accuracy] li[data-group=adam]')?.getAttribute('data-high')) > 0.78);
    await close('data-low', last(0.7));
    await close('data-high', last(0.8));
    assert.equal(host.requests.length, asked);
    // Another x axis: the host aggregates along it.
    await page.selectOption('select[data-control=x-axis]', 'relative');
    assert.equal((await host.next('getGroupSeries', asked)).params.xAxis, 'relative');
    await page.waitForFunction(() => document.querySelector('.metric-chart[data-metric=accuracy]')?.getAttribute('aria-label') === 'accuracy over time');
    assert.deepEqual(await violations(page), []);
    // The choice is kept with the page's state.
    const state = JSON.parse(await page.evaluate(() => sessionStorage.getItem('state') ?? 'null')) as { lines: string; source: unknown };
    assert.equal(state.lines, 'min-max');
    assert.deepEqual(state.source, { store: 'local', runIds: [ids.base, ids.wide, ids.hostile], groups: [{ label: 'adam', runIds: [ids.base, ids.hostile] }] });
  });

  it('paints the table and a chart over steps without making an Intl formatter, and still draws wall time', async () => {
    await open();
    await page.click('#tab-charts');
    await page.waitForSelector('.metric-chart[data-metric=loss][data-curves]');
    // uPlot would make two as it loads (its number format and time zone): 13–30 ms before anything is drawn.
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __intlMade: string[] }).__intlMade), []);
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.selectOption('select[data-control=x-axis]', 'wall');
    await page.waitForSelector('.metric-chart[data-metric=loss][aria-label="loss over time"][data-curves="3"]');
    assert.deepEqual(errors, []);
    assert.deepEqual(await violations(page), []);
  });

  it('says so when the runs share no metrics, and still charts what each has', async () => {
    await open([ids.base, ids.notebook, ids.bare]);
    await page.click('#tab-charts');
    await page.waitForSelector('.metric-chart[data-curves]');
    assert.match((await page.textContent('.charts-tab .notice')) ?? '', /share no metrics/);
    assert.deepEqual((await host.next('getFirstChart')).params, { buckets: (await host.next('getSeries')).params.buckets });
    assert.deepEqual(host.requests.filter((r) => r.method === 'getSeries').map((r) => r.params.keys), [['loss', 'throughput']]);
    assert.deepEqual(await page.locator('.metric-chart').evaluateAll((figs) => figs.map((f) => f.getAttribute('data-metric'))), ['accuracy', 'loss', 'throughput']);
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
