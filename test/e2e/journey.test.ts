// A user's first journey, clicked through the real UI: Labbook installed from its VSIX into
// code-server (what `npm run demo` starts), driven in headless Chromium. Screenshots land in
// test-output/e2e/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { contextMenu, runCommand, selectRows, showLabbook, SHOTS as shots, webviewFrame, withDemo } from '../support/workbench.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('e2e: a first session with Labbook', function () {
  const session = withDemo(
    'labbook-e2e-',
    (workspace) => {
      // A repository whose notebook has uncommitted edits, for the notebook diff journey.
      const git = (...args: string[]) => execFileSync('git', args, { cwd: workspace });
      git('init', '-q', '-b', 'main');
      git('config', 'user.email', 'ada@example.com');
      git('config', 'user.name', 'Ada');
      git('add', '.');
      git('commit', '-qm', 'demo');
      cpSync(path.join(root, 'test', 'fixtures', 'notebooks', 'workflow-edited.ipynb'), path.join(workspace, 'explore.ipynb'));
    },
  );
  let page: Page;
  let work: string;
  before(() => {
    ({ page, work } = session);
  });

  it('shows Labbook in the activity bar and opens its Experiments and Models views', async () => {
    const icon = page.locator('.activitybar [role=tab][aria-label^="Labbook"], .activitybar .action-item a[aria-label^="Labbook"]').first();
    await icon.waitFor({ state: 'visible', timeout: 30_000 });
    await icon.click();
    const sidebar = page.locator('.part.sidebar');
    await sidebar.locator('.pane-header', { hasText: 'Experiments' }).waitFor({ state: 'visible' });
    await sidebar.locator('.pane-header', { hasText: 'Models' }).waitFor({ state: 'visible' });
    // The workspace's local store is a root, with MLflow's Default experiment in it.
    await sidebar.locator('.monaco-list-row', { hasText: 'Local' }).first().waitFor({ state: 'visible' });
    await sidebar.locator('.monaco-list-row', { hasText: 'Default' }).first().waitFor({ state: 'visible' });
    await page.screenshot({ path: path.join(shots, '01-labbook-container.png') });
  });

  it('runs "Labbook: Open Home" from the palette and shows the panel with the store status', async () => {
    await runCommand(page, 'Labbook: Open Home');
    const frame = await webviewFrame(page, '[data-testid=status]');
    const text = (await frame.textContent('[data-testid=status]')) ?? '';
    assert.match(text, /SQLite engine3\.\d+\.\d+/);
    assert.match(text, /demo-workspace\/\.labbook\/tracking\.db/);
    assert.match(text, /Experiments1/);
    await page.screenshot({ path: path.join(shots, '02-home-panel.png') });
  });

  it('opens the Labbook log from a button in the panel', async () => {
    const frame = await webviewFrame(page, 'vscode-button[data-command="labbook.showLog"]');
    await frame.click('vscode-button[data-command="labbook.showLog"]');
    const panel = page.locator('.part.panel');
    await panel.getByText('Labbook activated').first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.screenshot({ path: path.join(shots, '03-log.png') });
  });

  it('restores the Home panel after the window reloads', async () => {
    // As a user would: VS Code saves its editors' state before it reloads (a bare page reload
    // may cut that short).
    const reloaded = page.waitForEvent('load', { timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    const frame = await webviewFrame(page, '[data-testid=status]', 60_000);
    assert.match((await frame.textContent('[data-testid=status]')) ?? '', /SQLite engine3\./);
    await page.screenshot({ path: path.join(shots, '04-restored.png') });
  });

  it('diffs the edited notebook against HEAD, cell by cell', async () => {
    // Open the notebook the way a user does, then ask for the diff from the palette.
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('explore.ipynb');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'explore.ipynb' }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    // Labbook's button in the notebook toolbar appears once the notebook editor is active.
    const button = page.getByRole('button', { name: 'Diff Notebook with HEAD' }).first();
    await button.waitFor({ state: 'visible', timeout: 30_000 });
    await button.click();
    const frame = await webviewFrame(page, '[data-testid=cells]', 60_000);
    await frame.waitForSelector('.cell.kind-modified', { timeout: 30_000 });
    const modified = await frame.locator('.cell.kind-modified').count();
    assert.equal(modified, 4);
    assert.equal(await frame.locator('.cell.kind-added').count(), 1);
    assert.equal(await frame.locator('.cell.kind-removed').count(), 1);
    await page.screenshot({ path: path.join(shots, '05-notebook-diff.png') });
  });

  it('launches three tracked runs from recipes and watches them finish in the Experiments view', async function () {
    this.timeout(240_000);
    for (const recipe of ['train-fast', 'train-careful', 'train-slow']) {
      // Pick the recipe from Labbook's quick pick (again if focus moved and closed it).
      for (let attempt = 0; ; attempt++) {
        await runCommand(page, 'Labbook: Run Recipe…');
        const row = page.locator('.quick-input-list .monaco-list-row', { hasText: recipe }).first();
        const picked = await row
          .waitFor({ state: 'visible', timeout: 15_000 })
          .then(() => row.click({ timeout: 5_000 }))
          .then(() => true, () => false);
        if (picked) break;
        if (attempt >= 2) throw new Error(`could not pick the recipe ${recipe}`);
      }
      // Each run tells when it is done.
      await page.locator('.notifications-toasts', { hasText: `Run ${recipe} finished` }).first().waitFor({ state: 'visible', timeout: 60_000 });
    }
    const sidebar = page.locator('.part.sidebar');
    await showLabbook(page);
    await sidebar.locator('.monaco-list-row', { hasText: 'demo' }).first().click();
    for (const name of ['train-fast', 'train-careful', 'train-slow']) {
      await sidebar.locator('.monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible', timeout: 30_000 });
    }
    await page.screenshot({ path: path.join(shots, '06-tracked-runs.png') });
  });

  it('selects the three runs and compares them: the table, then the charts', async function () {
    this.timeout(120_000);
    // A clear view for the screenshots: no toasts, no terminal panel.
    await runCommand(page, 'Notifications: Clear All Notifications');
    await runCommand(page, 'View: Toggle Panel Visibility');
    await showLabbook(page);
    const sidebar = page.locator('.part.sidebar');
    const row = (name: string) => sidebar.locator('.monaco-list-row', { hasText: name }).first();
    await selectRows(page, [row('train-fast'), row('train-careful'), row('train-slow')]);
    await contextMenu(page, row('train-slow'), 'Compare Selected Runs');
    const frame = await webviewFrame(page, 'td[data-row]', 60_000);
    const table = (await frame.textContent('table')) ?? '';
    for (const name of ['train-fast', 'train-careful', 'train-slow']) assert.match(table, new RegExp(name));
    assert.match(table, /lr/);
    await page.screenshot({ path: path.join(shots, '07-compare-table.png') });
    await frame.click('#tab-charts');
    await frame.waitForSelector('.metric-chart[data-curves="3"]', { timeout: 30_000 });
    // The plots' bundle (ECharts) is imported by the page when it draws them, under the webview's CSP.
    await frame.waitForSelector('[data-testid=parallel] canvas', { timeout: 30_000 });
    await page.screenshot({ path: path.join(shots, '08-compare-charts.png') });
  });

  it('opens a run\'s details', async function () {
    this.timeout(60_000);
    await showLabbook(page);
    const sidebar = page.locator('.part.sidebar');
    const row = sidebar.locator('.monaco-list-row', { hasText: 'train-fast' }).first();
    await row.click();
    await contextMenu(page, row, 'Open Run Details');
    const frame = await webviewFrame(page, '[data-testid=overview]', 60_000);
    const overview = (await frame.textContent('[data-testid=overview]')) ?? '';
    assert.match(overview, /train\.py/);
    await page.screenshot({ path: path.join(shots, '09-run-details.png') });
  });

  it('shows the data file the launched run read in its Data tab, observed with its hash', async function () {
    this.timeout(60_000);
    const frame = await webviewFrame(page, '[data-testid=overview]', 60_000);
    await frame.click('#tab-data');
    await frame.waitForSelector('[data-testid=data-inputs]', { timeout: 30_000 });
    const inputs = (await frame.textContent('[data-testid=data-inputs]')) ?? '';
    // train.py opens data/points.csv (the demo also declares it in labbook.dataPaths: observed, declared).
    assert.match(inputs, /data\/points\.csv/);
    assert.match(inputs, /observed/);
    assert.match(inputs, /[0-9a-f]{64}/);
    await page.screenshot({ path: path.join(shots, '13-run-data.png') });
  });

  it('exports the notebook to a pipeline from the palette: preview, then write the package', async function () {
    this.timeout(120_000);
    // The notebook is open from the diff step: bring its tab to the front.
    await page.keyboard.press('Escape');
    await page.locator('.tabs-container .tab', { hasText: 'explore.ipynb' }).filter({ hasNotText: 'Diff' }).first().click();
    // The preview opens beside the notebook: without the Chat side bar that column has a normal width.
    if (await page.locator('.part.auxiliarybar').isVisible().catch(() => false)) await runCommand(page, 'View: Hide Secondary Side Bar');
    await runCommand(page, 'Labbook: Export Notebook to Pipeline…');
    const frame = await webviewFrame(page, '[data-testid=dag]', 60_000);
    // The graph's frame is there before the plan: wait for its steps.
    await frame.waitForSelector('[data-testid=dag-steps] li', { timeout: 60_000 });
    const steps = await frame.locator('[data-testid=dag-steps] li').count();
    assert.ok(steps >= 2, `the notebook's headings make steps (${steps})`);
    // One box per step in the drawing, no two on top of each other.
    const boxes = await frame.locator('[data-testid=dag] .graph-node rect').evaluateAll((rects) => rects.map((r) => r.getBoundingClientRect().toJSON() as DOMRect));
    assert.equal(boxes.length, steps);
    const clash = boxes.some((a, i) => boxes.slice(i + 1).some((b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom));
    assert.equal(clash, false, JSON.stringify(boxes));
    await page.screenshot({ path: path.join(shots, '10-pipeline-preview.png') });
    await frame.click('[data-testid=write]');
    await frame.waitForFunction(() => /^Wrote \d+ files? to /.test(document.querySelector('[data-testid=status]')?.textContent ?? ''), undefined, { timeout: 30_000 });
    for (const file of ['pipeline.py', 'flow.py', 'params.yaml', 'tests/test_smoke.py']) {
      assert.ok(existsSync(path.join(work, 'demo-workspace', 'pipelines', 'explore', file)), `${file} was written`);
    }
    await page.screenshot({ path: path.join(shots, '11-pipeline-written.png') });
  });

  it('opens the Runs Table of a 200-run sweep and groups it by a param, with mean ± std per metric', async function () {
    this.timeout(180_000);
    // A tuning sweep logged by another process into the workspace's store, as a script would.
    const store = new SqliteTrackingStore(path.join(work, 'demo-workspace', '.labbook', 'tracking.db'));
    try {
      const experimentId = await store.createExperiment('lr-sweep');
      for (let i = 0; i < 200; i++) {
        const lr = ['0.1', '0.03', '0.01', '0.003'][i % 4] as string;
        const run = await store.createRun({ experimentId, runName: `sweep-${i}`, startTime: 1_700_000_000_000 + i * 1000 });
        const quality = 1 - Math.abs(Math.log10(Number(lr)) + 2) / 2;
        await store.logBatch(run.info.runId, {
          params: [{ key: 'lr', value: lr }, { key: 'seed', value: String(Math.floor(i / 4)) }, { key: 'optimizer', value: 'adam' }],
          metrics: [
            { key: 'accuracy', value: 0.6 + 0.3 * quality + ((i * 37) % 11) / 200, timestamp: 1, step: 0 },
            { key: 'loss', value: 1.2 - quality + ((i * 53) % 13) / 100, timestamp: 1, step: 0 },
          ],
        });
        await store.updateRun(run.info.runId, { status: 'FINISHED', endTime: 1_700_000_000_000 + i * 1000 + 60_000 + i * 97 });
      }
    } finally {
      await store.close();
    }
    await runCommand(page, 'Labbook: Refresh Experiments');
    // The whole editor area for the table.
    await runCommand(page, 'View: Close All Editors');
    await showLabbook(page);
    const experiment = page.locator('.part.sidebar .monaco-list-row', { hasText: 'lr-sweep' }).first();
    await experiment.waitFor({ state: 'visible', timeout: 30_000 });
    await contextMenu(page, experiment, 'Open Runs Table');
    const frame = await webviewFrame(page, '.rt-scroll', 60_000);
    await frame.waitForFunction(() => /\b200\b/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''), undefined, { timeout: 30_000 });
    // Differing only: the columns every run shares (status, user, optimizer, …) step aside.
    await frame.click('button[data-action=columns]');
    await frame.selectOption('[data-testid=preset]', 'differing');
    await frame.click('[data-action=close-chooser]');
    await frame.waitForSelector('[role=columnheader]:has-text("accuracy")', { timeout: 30_000 });
    await frame.click('button[data-action=group-by]');
    await frame.check('input[data-group-by="params.lr"]');
    await frame.click('[data-menu-action=group-apply]');
    await frame.waitForSelector('.rt-group [data-agg=mean-std]', { timeout: 30_000 });
    assert.equal(await frame.locator('.rt-row.rt-group').count(), 4, 'one group per learning rate');
    const aggregates = await frame.locator('.rt-group [data-agg=mean-std]').allTextContents();
    assert.ok(aggregates.some((text) => text.includes('±')), aggregates.join(' | '));
    await page.screenshot({ path: path.join(shots, '12-runs-table-grouped.png') });
  });

  it('restores the Runs Table, still grouped, after the window reloads', async function () {
    this.timeout(180_000);
    const reloaded = page.waitForEvent('load', { timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    const frame = await webviewFrame(page, '.rt-scroll', 90_000);
    await frame.waitForSelector('.rt-group [data-agg=mean-std]', { timeout: 60_000 });
    assert.equal(await frame.locator('.rt-row.rt-group').count(), 4, 'the grouping was kept for the experiment');
  });
});
