// The Run Comparison app's Charts tab in headless Chromium, under the CSP the host gives it, with the
// VS Code API stubbed and the host played over a real seeded SQLite store (compareFixture.ts): the
// first chart asked with the comparison, Float64Array columns only, min/max bands and the spike
// among 100k points, each line drawn at its values (read from the canvas), group bands, no Intl
// formatter before the first paint.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { COUNT_INTL, seedCompareStore, SPIKE, type CompareRuns } from './compareFixture.ts';
import { HOSTILE, installHostBridge, logHistory, openCompare, PlayedHost, T0, violations } from './compareHarness.ts';

describe('webview: Run Comparison app, charts', function () {
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
    assert.ok(buckets >= 400 && buckets <= 1000, String(buckets));
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
    // At most one bucket per two pixels of the plot: more draw the same picture, at a cost all the way.
    assert.ok(buckets <= box.width / 2, `${buckets} buckets for a plot ${box.width} px wide`);
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

  it('draws a chart once: showing the tab again or a resize that keeps its width draws nothing, a new width redraws it', async () => {
    await open();
    const warnings: string[] = [];
    page.on('console', (message) => void (message.type() === 'warning' || message.type() === 'error' ? warnings.push(message.text()) : undefined));
    await page.click('#tab-charts');
    await page.waitForFunction(() => document.querySelectorAll('.metric-chart[data-curves]').length === 2);
    type Watched = { __chart: Element; __draws: number };
    // uPlot's draw hook sets data-points on every draw: count the records on this chart's element.
    await page.evaluate(() => {
      const w = window as unknown as Watched;
      w.__chart = document.querySelector('.metric-chart[data-metric=loss]') as Element;
      w.__draws = 0;
      new MutationObserver((records) => (w.__draws += records.filter((r) => r.attributeName === 'data-points').length)).observe(w.__chart, { attributes: true });
    });
    const settled = () => page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 50)))));
    const watched = () => page.evaluate(() => {
      const w = window as unknown as Watched;
      return { draws: w.__draws, same: w.__chart === document.querySelector('.metric-chart[data-metric=loss]'), width: (w.__chart.querySelector('.uplot') as HTMLElement).offsetWidth };
    });
    const { width } = await watched();
    await page.click('#tab-table');
    await settled();
    await page.click('#tab-charts');
    await settled();
    const size = page.viewportSize() as { width: number; height: number };
    await page.setViewportSize({ width: size.width, height: size.height - 100 });
    await settled();
    assert.deepEqual(await watched(), { draws: 0, same: true, width });
    await page.setViewportSize({ width: size.width - 120, height: size.height });
    await page.waitForFunction(() => (window as unknown as Watched).__draws > 0);
    assert.deepEqual(await watched(), { draws: 1, same: true, width: width - 120 });
    assert.deepEqual(warnings, []);
  });

  it('draws the plots below the charts when the tab is shown, not into it while it is hidden', async () => {
    await open();
    const warnings: string[] = [];
    page.on('console', (message) => void (message.type() === 'warning' || message.type() === 'error' ? warnings.push(message.text()) : undefined));
    // The plots' bundle is held until the tab is hidden.
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/comparePlots.js', async (route) => {
      await held;
      await route.fallback();
    });
    const asked = page.waitForRequest('**/comparePlots.js');
    await page.click('#tab-charts');
    await asked;
    await page.click('#tab-table');
    release();
    await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/comparePlots.js')));
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 100))));
    assert.equal(await page.locator('[data-testid=parallel]').count(), 0);
    await page.click('#tab-charts');
    await page.waitForSelector('[data-testid=parallel][data-series] canvas');
    assert.ok((await page.$eval('[data-testid=parallel] canvas', (c) => (c as HTMLCanvasElement).width)) > 0);
    // ECharts warns when it is given a box without a size (a hidden tab) and draws nothing there.
    assert.deepEqual(warnings, []);
  });

  it('draws each line at its values: a run that steps from 1 to 3 below a run at 5, each in its own colour', async () => {
    const stepping = await store.createRun({ experimentId: '0', runName: 'stepping', startTime: T0 });
    const flat = await store.createRun({ experimentId: '0', runName: 'flat', startTime: T0 });
    await logHistory(store, stepping.info.runId, 'level', (i) => (i < 50 ? 1 : 3), 100);
    await logHistory(store, flat.info.runId, 'level', () => 5, 100);
    await open([stepping.info.runId, flat.info.runId]);
    await page.click('#tab-charts');
    await page.locator('.metric-chart[data-metric=level][data-curves="2"]').waitFor();
    // The rows, top down, where a column of the canvas holds a run's colour at full strength (its
    // line; its band and the band's edge are faint), at a quarter and at three quarters of the steps.
    const rows = await page.$eval('.metric-chart[data-metric=level]', (figure, runIds) => {
      const canvas = figure.querySelector('canvas') as HTMLCanvasElement;
      const pixels = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height).data;
      const plot = figure.querySelector('.u-over') as HTMLElement;
      const scale = canvas.width / canvas.getBoundingClientRect().width;
      const left = plot.offsetLeft * scale;
      const width = plot.offsetWidth * scale;
      const found = (colour: number[], at: number) => {
        const x = Math.round(left + width * at);
        const ys: number[] = [];
        for (let y = 0; y < canvas.height; y++) {
          const i = (y * canvas.width + x) * 4;
          if (colour.every((c, k) => Math.abs((pixels[i + k] as number) - c) <= 8) && (pixels[i + 3] as number) > 240) ys.push(y);
        }
        return ys;
      };
      return runIds.map((id) => {
        const swatch = figure.querySelector(`li[data-run="${id}"] .swatch`) as HTMLElement;
        const colour = (getComputedStyle(swatch).backgroundColor.match(/\d+/g) ?? []).slice(0, 3).map(Number);
        return [found(colour, 0.25), found(colour, 0.75)];
      });
    }, [stepping.info.runId, flat.info.runId]);
    const [[steppingEarly, steppingLate], [flatEarly, flatLate]] = rows as [[number[], number[]], [number[], number[]]];
    for (const ys of [steppingEarly, steppingLate, flatEarly, flatLate]) assert.ok(ys.length > 0 && ys.length <= 3, JSON.stringify(rows));
    const at = (ys: number[]) => ys.reduce((a, b) => a + b, 0) / ys.length;
    // Canvas y grows downwards: 5 above 3 above 1, and the flat run level.
    assert.ok(at(flatEarly) < at(steppingLate) && at(steppingLate) < at(steppingEarly), JSON.stringify(rows));
    assert.ok(Math.abs(at(flatEarly) - at(flatLate)) <= 1, JSON.stringify(rows));
    // Evenly spaced values, evenly spaced lines: 5 − 3 = 3 − 1.
    assert.ok(Math.abs(at(steppingEarly) - at(steppingLate) - (at(steppingLate) - at(flatLate))) <= 2, JSON.stringify(rows));
  });

  it('leaves gaps where a scale cannot show a value (NaN, ±∞, and zero or less on a log scale)', async () => {
    const odd = await store.createRun({ experimentId: '0', runName: 'odd values', startTime: T0 });
    const plain = await store.createRun({ experimentId: '0', runName: 'plain values', startTime: T0 });
    const value = (i: number) => ({ 10: Number.NaN, 20: 0, 30: -5, 40: Number.POSITIVE_INFINITY })[i] ?? i + 1;
    await store.logBatch(odd.info.runId, { metrics: Array.from({ length: 50 }, (_, i) => ({ key: 'odd', value: value(i), step: i, timestamp: T0 + i })) });
    await store.logBatch(plain.info.runId, { metrics: Array.from({ length: 50 }, (_, i) => ({ key: 'odd', value: i + 1, step: i, timestamp: T0 + i })) });
    const errors: string[] = [];
    await open([odd.info.runId, plain.info.runId]);
    page.on('pageerror', (err) => errors.push(err.message));
    await page.click('#tab-charts');
    const chart = page.locator('.metric-chart[data-metric=odd][data-curves="2"]');
    await chart.waitFor();
    // Linear: -5 and 0 are drawn, ∞ and NaN are not (the scale stays finite).
    assert.equal(Number(await chart.getAttribute('data-y-min')) <= -5, true, `y min ${await chart.getAttribute('data-y-min')}`);
    assert.ok(Number.isFinite(Number(await chart.getAttribute('data-y-max'))), `y max ${await chart.getAttribute('data-y-max')}`);
    // Log: zero and below leave gaps too; the plain run, whose every value can be shown, is drawn as it is.
    await page.check('#log-scale');
    await page.waitForFunction(() => Number(document.querySelector('.metric-chart[data-metric=odd]')?.getAttribute('data-y-min')) > 0);
    assert.ok(Number.isFinite(Number(await page.getAttribute('.metric-chart[data-metric=odd]', 'data-y-max'))));
    assert.deepEqual(errors, []);
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
});
