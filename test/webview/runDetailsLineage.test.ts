// Run Details shows what a run trained on and produced (MLflow 3 dataset inputs and logged
// models with their linked metrics), rendered as text, under the panel's CSP. The test plays the
// host with the core functions RunDetailsPanel uses, over a real SQLite store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { openPanel, PlayedHost, violations } from './runDetailsHarness.ts';

const HOSTILE = '<img src=x onerror="window.__pwned=1">';

describe('webview: Run Details lineage (datasets and logged models)', function () {
  this.timeout(120_000);
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let dir: string;
  let store: SqliteTrackingStore;
  let runId: string;
  let bareId: string;
  let modelId: string;
  let page: Page;
  let host: PlayedHost;

  before(async () => {
    browser = await launchBrowser();
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-lineage-webview-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    runId = (await store.createRun({ experimentId: '0', runName: 'train' })).info.runId;
    bareId = (await store.createRun({ experimentId: '0', runName: 'bare' })).info.runId;
    await store.logInputs(runId, [
      {
        tags: [{ key: 'mlflow.data.context', value: 'training' }],
        dataset: {
          name: 'iris-train', digest: 'd1g3st01', sourceType: 'local', source: '{"uri": "data/iris.csv"}',
          schema: '{"mlflow_colspec": [{"type": "double", "name": "petal"}, {"type": "long", "name": "label"}]}', profile: '{"num_rows": 150}',
        },
      },
      { tags: [], dataset: { name: HOSTILE, digest: 'd2', sourceType: 'http', source: HOSTILE } },
    ]);
    const model = store.transaction(() => store.loggedModels.create({ experimentId: '0', name: 'classifier', sourceRunId: runId }));
    modelId = model.modelId;
    store.transaction(() => store.loggedModels.finalize(modelId, 'LOGGED_MODEL_READY'));
    await store.logOutputs(runId, [{ modelId, step: 3 }]);
    await store.logMetric(runId, { key: 'accuracy', value: 0.91, timestamp: 1, step: 3, modelId, datasetName: 'iris-train', datasetDigest: 'd1g3st01' });
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

  async function open(id: string): Promise<void> {
    page = await openPanel(browser.context);
    host = new PlayedHost(page, store, { store: 'local', runId: id });
    await page.waitForSelector('#app[aria-busy=false]');
  }
  const rows = (selector: string) => page.$$eval(`${selector} tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));

  it('lists the dataset inputs with digest, context, source, schema and profile, and the logged model with its metrics', async () => {
    await open(runId);
    assert.deepEqual(await rows('[data-testid=datasets]'), [
      ['iris-train', 'd1g3st01', 'training', 'local: data/iris.csv', 'petal: double, label: long', 'num_rows 150'],
      [HOSTILE, 'd2', '', `http: ${HOSTILE}`, '', ''],
    ]);
    assert.deepEqual(await rows('[data-testid=logged-models]'), [['classifier', modelId, 'output @3', 'READY', 'accuracy 0.91 on iris-train @3']]);
    assert.equal(await page.$('[data-testid=lineage] img'), null, 'values are text, never markup');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.deepEqual(await violations(page), []);
  });

  it('says so when a run has no dataset inputs and no logged models', async () => {
    await open(bareId);
    assert.match((await page.textContent('[data-testid=lineage]')) ?? '', /No dataset inputs were logged.*No logged models/s);
  });
});
