// Runs in the code, in the real UI (Labbook from its VSIX in code-server, headless Chromium): the
// runs lens above a script with tracked runs, the hover on one of its argparse parameters with the
// values its runs used, and a tagged notebook's smoke test in the Testing view. Screenshots:
// test-output/e2e/18-runs-lens.png, 19-param-hover.png, 20-testing-view.png.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { runCommand, SHOTS as shots, withDemo } from '../support/workbench.ts';

/** Four finished runs of train.py with different learning rates, then a failed one. */
async function seed(dbPath: string): Promise<void> {
  const store = new SqliteTrackingStore(dbPath);
  try {
    const experimentId = await store.createExperiment('demo');
    const runs: [string, number | null][] = [['0.05', 0.081], ['0.01', 0.042], ['0.003', 0.19], ['0.1', 0.35], ['0.3', null]];
    for (const [i, [lr, loss]] of runs.entries()) {
      const start = Date.now() - (runs.length - i) * 3_600_000;
      const run = await store.createRun({ experimentId, runName: `lr-${lr}`, startTime: start, tags: [{ key: 'mlflow.source.name', value: 'train.py' }, { key: 'mlflow.source.type', value: 'LOCAL' }] });
      await store.logBatch(run.info.runId, {
        params: [{ key: 'lr', value: lr }, { key: 'epochs', value: '50' }],
        metrics: loss === null ? [] : [{ key: 'loss', value: loss, timestamp: start + 60_000, step: 49 }],
      });
      await store.updateRun(run.info.runId, { status: loss === null ? 'FAILED' : 'FINISHED', endTime: start + 60_000 });
    }
  } finally {
    await store.close();
  }
}

describe('e2e: runs in the code', function () {
  const session = withDemo('labbook-e2e-code-', async (workspace) => {
    mkdirSync(path.join(workspace, '.labbook'), { recursive: true });
    await seed(path.join(workspace, '.labbook', 'tracking.db'));
    const settings = path.join(workspace, '.vscode', 'settings.json');
    writeFileSync(settings, JSON.stringify({ ...(JSON.parse(readFileSync(settings, 'utf8')) as object), 'labbook.codeLens.metric': 'loss' }, null, 2));
    // The demo notebook, tagged as a smoke test.
    const notebookPath = path.join(workspace, 'explore.ipynb');
    const notebook = JSON.parse(readFileSync(notebookPath, 'utf8')) as { metadata: Record<string, unknown> };
    notebook.metadata['labbook'] = { smoke: true };
    writeFileSync(notebookPath, JSON.stringify(notebook, null, 1));
  });
  let page: Page;
  before(() => {
    page = session.page;
  });

  async function openTrainPy(): Promise<void> {
    await runCommand(page, 'View: Close All Editors');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('train.py');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'train.py' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-line', { hasText: 'add_argument("--lr"' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  }

  it('shows the runs lens above a script with tracked runs', async function () {
    this.timeout(120_000);
    await openTrainPy();
    const lens = page.locator('.monaco-editor .codelens-decoration');
    await lens.filter({ hasText: '5 runs' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await lens.filter({ hasText: 'best loss 0.042' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await lens.filter({ hasText: 'last: FAILED' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.screenshot({ path: path.join(shots, '18-runs-lens.png') });
  });

  it('hovers a parameter with the values its runs used, best first', async function () {
    this.timeout(120_000);
    const token = page.locator('.monaco-editor .view-line span', { hasText: '"--lr"' }).first();
    await token.waitFor({ state: 'visible', timeout: 30_000 });
    const hover = page.locator('.monaco-hover', { hasText: '0.042' });
    // A hover shows after the pointer rests; move off and back if the first rest is missed.
    for (let attempt = 0; attempt < 3 && !(await hover.isVisible().catch(() => false)); attempt++) {
      await page.mouse.move(5, 5);
      await token.hover();
      await hover.first().waitFor({ state: 'visible', timeout: 15_000 }).catch(() => undefined);
    }
    await hover.first().waitFor({ state: 'visible', timeout: 5_000 });
    await page.screenshot({ path: path.join(shots, '19-param-hover.png') });
  });

  it('lists a tagged notebook as a smoke test in the Testing view', async function () {
    this.timeout(120_000);
    await page.keyboard.press('Escape');
    await runCommand(page, 'Testing: Focus on Test Explorer View');
    await page.locator('.part.sidebar .monaco-list-row', { hasText: 'explore.ipynb' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await page.screenshot({ path: path.join(shots, '20-testing-view.png') });
  });
});
