// A monitoring journey, clicked through the real UI (Labbook from its VSIX in code-server, headless
// Chromium): this month's data against the data the champion trained on (the drift panel, from two
// selected runs), a data check that fails and stops a tracked launch (the problem on the checks
// file), and a CI workflow written for the exported pipeline that validates against GitHub's
// workflow schema. Screenshots: test-output/e2e/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { runCli } from '../support/cli.ts';
import { runPython } from '../support/python.ts';
import { contextMenu, runCommand, selectRows, showLabbook, SHOTS as shots, webviewFrame, withDemo } from '../support/workbench.ts';

const MODEL = 'churn-model';

/** A seeded generator, so the two months differ the same way every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** 800 customers: `age` and `city` move between the months by `shift`, `income` does not; `id` identifies rows. */
function customers(seed: number, shift: number): string {
  const next = random(seed);
  const normal = () => Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next());
  const lines = ['id,age,city,income'];
  for (let i = 0; i < 800; i++) {
    const age = Math.round(40 + shift * 8 + 9 * normal());
    const city = next() < 0.5 + shift * 0.3 ? 'Lyon' : next() < 0.5 ? 'Nantes' : 'Lille';
    lines.push(`${1000 + i},${age},${city},${(30_000 + 8_000 * normal()).toFixed(0)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The champion's training run read January's data; this month's evaluation read February's. */
async function seed(workspace: string): Promise<void> {
  writeFileSync(path.join(workspace, 'data', 'january.csv'), customers(1, 0));
  writeFileSync(path.join(workspace, 'data', 'february.csv'), customers(2, 1));
  const store = new SqliteTrackingStore(path.join(workspace, '.labbook', 'tracking.db'));
  try {
    const experimentId = await store.createExperiment('churn-monitoring');
    await store.createRegisteredModel(MODEL, { description: 'predicts churn' });
    const months: readonly (readonly [string, string])[] = [['train-january', 'january.csv'], ['evaluate-february', 'february.csv']];
    for (const [i, [name, file]] of months.entries()) {
      const run = await store.createRun({ experimentId, runName: name, startTime: 1_700_000_000_000 + i * 86_400_000 });
      await store.logInputs(run.info.runId, [
        { tags: [{ key: 'mlflow.data.context', value: i === 0 ? 'train' : 'eval' }], dataset: { name: `data/${file}`, digest: `d${i}`, sourceType: 'local', source: JSON.stringify({ uri: path.join(workspace, 'data', file) }) } },
      ]);
      await store.updateRun(run.info.runId, { status: 'FINISHED', endTime: 1_700_000_000_000 + i * 86_400_000 + 60_000 });
      if (i === 0) await store.createModelVersion(MODEL, `runs:/${run.info.runId}/model`, run.info.runId);
    }
    await store.setRegisteredModelAlias(MODEL, 'champion', '1');
  } finally {
    await store.close();
  }
}

describe('e2e: monitoring the data a model trains on', function () {
  let workspaceDir = '';
  const session = withDemo('labbook-e2e-data-', async (workspace) => {
    workspaceDir = workspace;
    mkdirSync(path.join(workspace, '.labbook'), { recursive: true });
    await seed(workspace);
    // The demo's points have y up to ~5: a rule that says y stays below 1 fails on them.
    writeFileSync(path.join(workspace, '.labbook', 'checks.yaml'), 'datasets:\n  - name: points\n    path: data/points.csv\n    columns:\n      y: { type: number, max: 1 }\n');
    // The demo notebook exported as a pipeline, for the CI workflow.
    const exported = await runCli(['export', 'explore.ipynb', '--out', 'pipelines/explore'], { cwd: workspace });
    assert.equal(exported.code, 0, `labbook export: ${exported.stderr}`);
  });
  let page: Page;
  before(() => {
    page = session.page;
  });

  const experiments = () => page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: 'Experiments' }) });
  const row = (text: string) => experiments().locator('.monaco-list-row', { hasText: text }).first();

  it('compares this month’s data with the training data: the shifted columns drift, the id is left out', async function () {
    this.timeout(150_000);
    await showLabbook(page);
    const experiment = row('churn-monitoring');
    await experiment.waitFor({ state: 'visible', timeout: 30_000 });
    if ((await experiment.getAttribute('aria-expanded')) !== 'true') await experiment.click();
    await row('evaluate-february').waitFor({ state: 'visible', timeout: 30_000 });
    await selectRows(page, [row('train-january'), row('evaluate-february')]);
    await contextMenu(page, row('evaluate-february'), 'Compare Data of Selected Runs');
    const frame = await webviewFrame(page, 'tr[data-column=age]', 90_000);
    assert.match((await frame.getAttribute('tr[data-column=age]', 'class')) ?? '', /drifted/, 'age moved by almost a standard deviation');
    assert.match((await frame.getAttribute('tr[data-column=city]', 'class')) ?? '', /drifted/, 'Lyon went from half the customers to four in five');
    assert.equal(await frame.locator('tr[data-column=income]').count(), 1);
    assert.doesNotMatch((await frame.getAttribute('tr[data-column=income]', 'class')) ?? '', /drifted/, 'income did not move');
    const text = (await frame.textContent('body')) ?? '';
    assert.match(text, /id/);
    assert.match(text, /identifies rows/);
    assert.match(text, /Wasserstein|Kolmogorov/);
    await page.screenshot({ path: path.join(shots, '21-data-drift.png') });
  });

  it('stops a tracked launch whose data fails a check, and marks the rule in the checks file', async function () {
    this.timeout(150_000);
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'Notifications: Clear All Notifications');
    await page.keyboard.press('Control+P');
    await page.keyboard.type('train.py');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'train.py' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: 'train.py' }).waitFor({ state: 'visible', timeout: 30_000 });
    await runCommand(page, 'Labbook: Run Python File with Tracking');
    const toast = page.locator('.notification-toast', { hasText: 'did not launch' }).first();
    await toast.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match((await toast.textContent()) ?? '', /y: max/);
    await toast.locator('.monaco-button', { hasText: 'Show Problems' }).click();
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'y: max' }).first();
    await problem.waitFor({ state: 'visible', timeout: 30_000 });
    await page.screenshot({ path: path.join(shots, '22-data-check-blocked.png') });
    // Nothing was launched: the store still holds the two seeded runs only.
    const store = new SqliteTrackingStore(path.join(workspaceDir, '.labbook', 'tracking.db'));
    try {
      const runs = await store.searchRuns({ experimentIds: (await store.searchExperiments({})).items.map((e) => e.experimentId), maxResults: 50 });
      assert.deepEqual(runs.items.map((r) => r.info.runName).sort(), ['evaluate-february', 'train-january']);
    } finally {
      await store.close();
    }
  });

  it('adds a CI workflow for the exported pipeline that validates as a GitHub Actions workflow', async function () {
    this.timeout(150_000);
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'Labbook: Add CI Workflow…');
    const quick = (text: string) => page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
    const input = page.locator('.quick-input-widget input');
    // The pipeline (asked only when there is more than one), the model, the CI, the schedule, the data.
    await quick(MODEL).or(quick('pipelines/explore')).waitFor({ state: 'visible', timeout: 30_000 });
    if (await quick('pipelines/explore').isVisible().catch(() => false)) {
      await quick('pipelines/explore').click();
      await quick(MODEL).waitFor({ state: 'visible', timeout: 30_000 });
    }
    await quick(MODEL).click();
    await quick('GitHub Actions').waitFor({ state: 'visible', timeout: 30_000 });
    await quick('GitHub Actions').click();
    // The schedule's input box by its title (the CI pick may still be on screen under load: an
    // Enter pressed there would not reach the schedule), then Enter takes the default.
    await page.locator('.quick-input-widget', { hasText: 'schedule (cron, UTC)' }).waitFor({ state: 'visible', timeout: 30_000 });
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press('Enter'); // the default schedule
    await page.locator('.quick-input-widget', { hasText: 'the data the pipeline trains on' }).waitFor({ state: 'visible', timeout: 30_000 });
    await page.keyboard.press('Enter'); // the pre-selected data paths
    const workflow = path.join(workspaceDir, '.github', 'workflows', 'labbook-explore.yml');
    for (let i = 0; i < 60 && !existsSync(workflow); i++) await page.waitForTimeout(500);
    assert.ok(existsSync(workflow), `${workflow} was written`);
    await page.locator('.tab', { hasText: 'labbook-explore.yml' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    const text = readFileSync(workflow, 'utf8');
    assert.match(text, /labbook check|gate/);
    assert.match(text, new RegExp(`${MODEL}@champion`));
    const validated = await runPython(['-m', 'check_jsonschema', '--builtin-schema', 'vendor.github-workflows', workflow], {}, 120_000);
    assert.equal(validated.code, 0, `check-jsonschema: ${validated.stdout}${validated.stderr}`);
    await page.screenshot({ path: path.join(shots, '23-ci-workflow.png') });
  });
});
