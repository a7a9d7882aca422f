// The drift panel's page in headless Chromium under the real CSP. The test plays the host: every
// request is read through the panel's requests table and answered by the same drift engine the
// panel's host calls (src/core/drift's driftBetween over DuckDB's readTable), on two real CSV
// files whose `age` and `city` columns shift while `income` does not.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import { driftBetween } from '../../src/core/drift/driftSources.ts';
import { DEFAULT_DRIFT_OPTIONS } from '../../src/core/drift/types.ts';
import { writeDataRecord } from '../../src/core/data/dataRecord.ts';
import { readTable } from '../../src/core/profile/readTable.ts';
import { profileRunFiles } from '../../src/core/profile/runProfiles.ts';
import { RUN_PROFILE_PATH } from '../../src/core/runDetails/runProfile.ts';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { driftRequests, type DriftPanelSource, type DriftRequests, type DriftThresholds, type ModelDriftView } from '../../src/protocol/drift.ts';
import { answerRequest, type RequestHandlers } from '../../src/protocol/requests.ts';
import type { RequestMessage, ResponseMessage } from '../../src/protocol/rpc.ts';
import { bridgePostsToNode, nextRequest, openWebviewApp, sendToPage, violations } from './webviewHarness.ts';

const HOSTILE = '<img src=x onerror=window.__xss=1>';
const DEFAULTS: DriftThresholds = { thresholds: DEFAULT_DRIFT_OPTIONS.thresholds, datasetShare: DEFAULT_DRIFT_OPTIONS.datasetShare };

/** A deterministic sample (LCG), so both files are the same on every run. */
function csv(rows: number, seed: number, shift: { age: number; city: boolean }): string {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = [`id,age,income,city,"${HOSTILE.replace(/"/g, '""')}"`];
  for (let i = 0; i < rows; i++) {
    const age = Math.round(30 + shift.age + 10 * (rand() + rand() + rand() - 1.5));
    const income = 100 * Math.round(400 + 200 * (rand() + rand() - 1));
    const cities = shift.city ? ['Oslo', 'Oslo', 'Oslo', 'Bergen'] : ['Oslo', 'Bergen', 'Paris', 'Rome'];
    lines.push(`${i + 1},${age},${income},${cities[Math.floor(rand() * cities.length)]},${Math.round(rand() * 100)}`);
  }
  return `${lines.join('\n')}\n`;
}

class PlayedHost {
  readonly requests: RequestMessage[] = [];
  readonly hold = new Set<string>();
  readonly held = new Map<number, Promise<ResponseMessage>>();
  thresholds: DriftThresholds = DEFAULTS;
  model: ModelDriftView | null = null;
  page: Page | undefined;
  readonly source: DriftPanelSource;
  private readonly handlers: RequestHandlers<DriftRequests>;

  constructor(source: DriftPanelSource, dir: string, store?: SqliteTrackingStore) {
    this.source = source;
    const view = async () => {
      const report = await driftBetween(source.reference, source.current, { ...(store ? { store } : {}), cwd: dir, readTable: (f) => readTable(f) }, { thresholds: this.thresholds.thresholds, datasetShare: this.thresholds.datasetShare });
      return { report, model: this.model, thresholds: this.thresholds };
    };
    this.handlers = {
      getReport: view,
      setThresholds: async (next) => {
        this.thresholds = next;
        return view();
      },
      resetThresholds: async () => {
        this.thresholds = DEFAULTS;
        return view();
      },
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
      this.held.set(request.id, answerRequest(driftRequests, this.handlers, request));
      return;
    }
    await this.send(await answerRequest(driftRequests, this.handlers, request));
  }

  send(message: unknown): Promise<void> {
    return sendToPage(this.page, message);
  }
}

describe('webview: drift panel', function () {
  this.timeout(120_000);
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let dir: string;
  let host: PlayedHost;
  let page: Page;
  const open = () => openWebviewApp(browser.context, { name: 'drift', title: 'Data Drift', styles: ['drift.css'] });

  before(async () => {
    browser = await launchBrowser();
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-drift-webview-'));
    writeFileSync(path.join(dir, 'train.csv'), csv(400, 7, { age: 0, city: false }));
    writeFileSync(path.join(dir, 'today.csv'), csv(300, 99, { age: 12, city: true }));
    await bridgePostsToNode(browser.context, (p, message) => void host.receive(p, message));
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    host = new PlayedHost({ store: null, reference: { kind: 'file', path: 'train.csv' }, current: { kind: 'file', path: 'today.csv' } }, dir);
    page = await open();
    await page.waitForSelector('[data-testid=columns]', { timeout: 30_000 });
  });
  afterEach(async () => page?.close());

  const columnOrder = () => page.$$eval('[data-testid=columns] tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-column') ?? ''));
  const rowText = (column: string) => page.locator(`[data-testid=columns] tbody tr[data-column="${column}"]`).textContent();

  it('renders both sides, the dataset summary and the columns sorted by drift, values as text', async () => {
    assert.equal(await page.textContent('[data-testid=reference-label]'), 'train.csv');
    assert.equal(await page.textContent('[data-testid=current-rows]'), '300 rows');
    assert.equal(await page.$('[data-testid=reference-approx]'), null, 'both sides read from files: not approximate');
    assert.match((await page.textContent('[data-testid=dataset]')) ?? '', /2 of 4 compared/);
    assert.match((await page.textContent('[data-testid=dataset]')) ?? '', /50% \(dataset drift at 50% or more\)/);
    assert.equal(await page.textContent('[data-testid=verdict]'), '⚠ Dataset drift detected');
    const order = await columnOrder();
    assert.deepEqual(order.slice(0, 2).sort(), ['age', 'city'], 'the drifted columns come first');
    assert.deepEqual(order.slice(2).sort(), [HOSTILE, 'income'].sort());
    // Small samples: KS for numbers, chi-square for categories, PSI beside numeric scores.
    assert.match((await rowText('age')) ?? '', /Kolmogorov–Smirnov p-value.*⚠ drift.*PSI: /);
    assert.match((await rowText('city')) ?? '', /chi-square p-value.*⚠ drift/);
    assert.match((await rowText('income')) ?? '', /✓ stable/);
    assert.equal(await page.locator('[data-testid=columns] tr[data-column=age] .drift-chart').getAttribute('data-bars') !== '0', true);
    // The hostile column name is a name, shown as text.
    assert.ok(order.includes(HOSTILE));
    assert.equal(await page.$('#app img'), null);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    // The id column identifies rows: listed apart with its reason.
    assert.match((await page.textContent('[data-testid=skipped]')) ?? '', /id \((id|row-number)\): /);
    await page.waitForSelector('[data-testid=columns] tr[data-column=age] .drift-chart[data-drawn=true] canvas', { timeout: 10_000 });
    assert.deepEqual(await violations(page), []);
  });

  it('filters by column name and shows the drifted columns only', async () => {
    await page.fill('[data-testid=filter]', 'inc');
    assert.deepEqual(await columnOrder(), ['income']);
    assert.equal(await page.textContent('[data-testid=shown-count]'), '1 of 4 compared columns shown.');
    await page.fill('[data-testid=filter]', '');
    await page.click('[data-testid=drifted-only]');
    assert.deepEqual((await columnOrder()).sort(), ['age', 'city']);
  });

  it('sends edited thresholds to the host and redraws with the recomputed report', async () => {
    await page.click('[data-section=thresholds] summary');
    await page.fill('[data-threshold=share]', '1.5');
    const before = host.requests.length;
    await page.click('[data-action=apply-thresholds]');
    assert.equal(await page.textContent('[data-testid=threshold-problem]'), 'The dataset drift share must be a number from 0 to 1.');
    assert.equal(host.requests.slice(before).some((r) => r.method === 'setThresholds'), false);
    await page.fill('[data-threshold=share]', '0.75');
    await page.fill('[data-threshold=ks]', '0.01');
    await page.click('[data-action=apply-thresholds]');
    const sent = await nextRequest(host.requests, 'setThresholds', before, 10_000);
    assert.deepEqual(sent.params, { thresholds: { ...DEFAULTS.thresholds, ks: 0.01 }, datasetShare: 0.75 });
    await page.waitForFunction(() => /dataset drift at 75% or more/.test(document.querySelector('[data-testid=dataset]')?.textContent ?? ''), undefined, { timeout: 20_000 });
    assert.equal(await page.textContent('[data-testid=verdict]'), '✓ No dataset drift');
    assert.match((await rowText('age')) ?? '', /threshold 0\.01/);
    // The form stays open across the redraw, with the values the host now keeps.
    assert.equal(await page.inputValue('[data-threshold=share]'), '0.75');
    const resetAt = host.requests.length;
    await page.click('[data-action=reset-thresholds]');
    await nextRequest(host.requests, 'resetThresholds', resetAt, 10_000);
    await page.waitForFunction(() => /dataset drift at 50% or more/.test(document.querySelector('[data-testid=dataset]')?.textContent ?? ''), undefined, { timeout: 20_000 });
  });

  it('draws the saved report at once after a reload, with its filter, before the host answers again', async () => {
    await page.fill('[data-testid=filter]', 'ag');
    host.hold.add('getReport');
    const asked = host.requests.length;
    await page.reload();
    await nextRequest(host.requests, 'getReport', asked, 10_000);
    await page.waitForSelector('[data-testid=columns]', { timeout: 10_000 });
    assert.deepEqual(await columnOrder(), ['age']);
    assert.equal(await page.inputValue('[data-testid=filter]'), 'ag');
    const state = await page.evaluate(() => JSON.parse(sessionStorage.getItem('state') ?? 'null') as { source?: unknown } | null);
    assert.deepEqual(state?.source, host.source);
  });

  it('drops a saved state it cannot draw and reads the report afresh', async () => {
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.evaluate((source) => sessionStorage.setItem('state', JSON.stringify({ source, view: { report: { format: 'labbook.drift/0' } } })), host.source);
    const asked = host.requests.length;
    await page.reload();
    await nextRequest(host.requests, 'getReport', asked, 10_000);
    await page.waitForSelector('[data-testid=columns]', { timeout: 30_000 });
    assert.deepEqual(errors, []);
  });

  it('marks a run’s side read from its stored profile as approximate', async () => {
    const store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    try {
      const content = csv(400, 7, { age: 0, city: false });
      writeFileSync(path.join(dir, 'old.csv'), content);
      const runId = (await store.createRun({ experimentId: '0', runName: 'train' })).info.runId;
      const sha256 = createHash('sha256').update(content).digest('hex');
      await writeDataRecord(store, runId, { version: 1, cwd: dir, outputs: [], notes: [], inputs: [{ path: 'old.csv', kind: 'file', found: ['observed'], size: content.length, sha256 }] });
      const profiles = await profileRunFiles([{ file: path.join(dir, 'old.csv'), displayPath: 'old.csv' }]);
      await store.writeArtifact(runId, RUN_PROFILE_PATH, new TextEncoder().encode(JSON.stringify(profiles)));
      // The file changed since the run read it: the run's stored profile stands in.
      writeFileSync(path.join(dir, 'old.csv'), csv(50, 3, { age: 40, city: true }));
      await page.close();
      host = new PlayedHost({ store: 'local', reference: { kind: 'run', runId }, current: { kind: 'file', path: 'today.csv' } }, dir, store);
      page = await open();
      await page.waitForSelector('[data-testid=columns]', { timeout: 30_000 });
      assert.equal(await page.textContent('[data-testid=reference-approx]'), 'approximate: from stored profile');
      assert.equal(await page.textContent('[data-testid=reference-rows]'), '400 rows');
      assert.equal(await page.$('[data-testid=current-approx]'), null);
      assert.match((await page.textContent('[data-testid=notes]')) ?? '', /changed since the run read it/);
      assert.deepEqual((await columnOrder()).slice(0, 2).sort(), ['age', 'city']);
    } finally {
      await store.close();
    }
  });

  it('shows model drift only when the current side evaluates a model', async () => {
    assert.equal(await page.$('[data-section=model]'), null);
    const report = await driftBetween({ kind: 'file', path: 'train.csv' }, { kind: 'file', path: 'today.csv' }, { cwd: dir, readTable: (f) => readTable(f) });
    const age = report.columns.find((c) => c.column === 'age');
    assert.ok(age);
    host.model = {
      model: 'churn',
      trainingRunId: 'r-train',
      metrics: [{ key: 'accuracy', training: 0.91, points: [0.9, 0.88, 0.84].map((value, i) => ({ runId: 'r-eval', step: i, timestamp: `2026-03-0${i + 1}T00:00:00.000Z`, value })) }],
      predictions: { ...age, column: 'prediction' },
      notes: [],
    };
    await page.click('[data-action=refresh]');
    await page.waitForSelector('[data-section=model]', { timeout: 20_000 });
    assert.match((await page.textContent('[data-metric=accuracy] h3')) ?? '', /accuracy \(latest 0\.84, training 0\.91, -0\.07\)/);
    assert.equal(await page.getAttribute('[data-metric=accuracy] .drift-chart', 'data-points'), '3');
    assert.match((await page.textContent('[data-testid=predictions]')) ?? '', /Predictions: prediction.*⚠ drift/);
  });
});
