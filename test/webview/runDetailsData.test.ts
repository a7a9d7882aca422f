// Run Details' Data tab for a launched run with observed data: inputs and outputs with path,
// kind, size, hash and how each was found (observed, declared, both, or an MLflow dataset another
// client logged), rendered as text under the panel's CSP. The host is played with the core
// functions RunDetailsPanel uses, over a real SQLite store holding a real data record.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import { writeDataRecord, type DataRecord } from '../../src/core/data/dataRecord.ts';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { openPanel, PlayedHost, violations } from './runDetailsHarness.ts';

const HOSTILE = 'data/<img src=x onerror="window.__pwned=1">.csv';

describe('webview: Run Details Data tab (observed inputs and outputs)', function () {
  this.timeout(120_000);
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let dir: string;
  let store: SqliteTrackingStore;
  let runId: string;
  let page: Page;
  let host: PlayedHost;

  before(async () => {
    browser = await launchBrowser();
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-data-webview-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    runId = (await store.createRun({ experimentId: '0', runName: 'train' })).info.runId;
    const record: DataRecord = {
      version: 1, cwd: '/work/project',
      inputs: [
        { path: 'config.yaml', kind: 'file', found: ['observed'], size: 8, mtime: '2026-01-02T03:04:05.000Z', sha256: 'a'.repeat(64) },
        { path: 'data/extra', kind: 'dir', found: ['observed'], size: 3194, sha256: 'b'.repeat(64), fileCount: 2 },
        { path: 'data/train.csv', kind: 'file', found: ['observed', 'declared'], size: 12, sha256: 'c'.repeat(64), dvc: { file: 'train.csv.dvc', outs: [{ path: 'train.csv', md5: 'f00d' }] } },
        { path: HOSTILE, kind: 'file', found: ['observed'], size: 1, sha256: 'd'.repeat(64) },
      ],
      outputs: [{ path: 'model.joblib', kind: 'file', found: ['observed'], size: 2048, sha256: 'e'.repeat(64) }],
      notes: [],
    };
    assert.deepEqual(await writeDataRecord(store, runId, record), []);
    await store.logInputs(runId, [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'iris-train', digest: 'd1g3st01', sourceType: 'local', source: '{"uri": "data/iris.csv"}' } }]);
  });
  after(async () => {
    await browser?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await host?.stop();
    await page?.close();
  });

  const rows = (selector: string) => page.$$eval(`${selector} tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));

  it('lists inputs and outputs with size, hash and how each was found', async () => {
    page = await openPanel(browser.context);
    host = new PlayedHost(page, store, { store: 'local', runId });
    await page.waitForSelector('#app[aria-busy=false]');
    await page.click('[role=tab][data-tab=data]');
    await page.waitForSelector('[data-testid=data-inputs]');
    const inputs = await rows('[data-testid=data-inputs]');
    assert.deepEqual(inputs.map((c) => [c[0], c[1], c[4], c[5]]), [
      ['config.yaml', 'file', 'a'.repeat(64), 'observed'],
      ['data/extra', 'dir', 'b'.repeat(64), 'observed'],
      ['data/train.csv', 'file', 'c'.repeat(64), 'observed, declared'],
      [HOSTILE, 'file', 'd'.repeat(64), 'observed'],
      ['iris-train', 'dataset', 'd1g3st01', 'MLflow dataset'],
    ]);
    assert.match(inputs[1]?.[6] ?? '', /2 file\(s\)/);
    assert.match(inputs[2]?.[6] ?? '', /DVC md5 f00d/);
    assert.deepEqual((await rows('[data-testid=data-outputs]')).map((c) => [c[0], c[2], c[4], c[5]]), [['model.joblib', '2.0 KB', 'e'.repeat(64), 'observed']]);
    assert.equal(await page.$('#panel-data img'), null, 'paths are text, never markup');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.deepEqual(await violations(page), []);
  });
});
