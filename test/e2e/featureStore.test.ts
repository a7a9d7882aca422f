// The Feature Store view in the real UI (Labbook from its VSIX in code-server, headless Chromium),
// on the demo workspace with a Feast repository applied by a real `feast apply` and the Feast
// venv's interpreter in labbook.python.path: the view appears in the Labbook container, lists the
// project's feature views, shows a view's schema in its hover, and opens a feature service's
// declaration on a click; then an edited TTL planned and applied from the plan's title bar, as a
// tracked run, and read back; the service checked for training–serving skew in its panel.
// Screenshots: test-output/e2e/31-feature-store.png to 35-feast-skew.png.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { FEAST_FIXTURE, feastPython } from '../support/feast.ts';
import { contextMenu, runCommand, showLabbook, SHOTS as shots, webviewFrame, withDemo } from '../support/workbench.ts';

describe('e2e: the Feature Store view on a Feast repository', function () {
  const session = withDemo('labbook-e2e-feast-', (workspace) => {
    const python = feastPython();
    const repo = path.join(workspace, 'feature_repo');
    cpSync(FEAST_FIXTURE, repo, { recursive: true });
    const env = { ...process.env, FEAST_USAGE: 'False' };
    execFileSync(python, ['make_data.py'], { cwd: repo, env, timeout: 120_000 });
    execFileSync(path.join(path.dirname(python), 'feast'), ['apply'], { cwd: repo, env, timeout: 300_000 });
    const settings = path.join(workspace, '.vscode', 'settings.json');
    writeFileSync(settings, JSON.stringify({ ...(JSON.parse(readFileSync(settings, 'utf8')) as object), 'labbook.python.path': python }, null, 2));
  });
  let page: Page;
  before(() => {
    page = session.page;
  });

  const view = () => page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: 'Feature Store' }) });
  const row = (text: string) => view().locator('.monaco-list-row', { hasText: text }).first();

  it('shows the Feature Store view with the project read through Feast, and a feature view\'s schema in its hover', async function () {
    this.timeout(240_000);
    await showLabbook(page);
    const header = page.locator('.part.sidebar .pane-header', { hasText: 'Feature Store' });
    await header.waitFor({ state: 'visible', timeout: 60_000 });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    // Importing Feast takes seconds: "Reading the registry…" first, then the project.
    await row('Feature Views').waitFor({ state: 'visible', timeout: 180_000 });
    const project = await row('churn').textContent();
    assert.match(project ?? '', /Feast 0\.\d+/);
    await row('Feature Views').click();
    await row('customer_orders').waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await row('customer_orders').textContent()) ?? '', /3 features · customer · ttl 1d · online/);
    await row('customer_orders').hover();
    const hover = page.locator('.monaco-hover, .workbench-hover', { hasText: 'Spend over 7 days' }).first();
    await hover.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await hover.textContent()) ?? '', /tier: gold/);
    await page.screenshot({ path: path.join(shots, '31-feature-store.png') });
  });

  it('opens a feature service where it is declared', async function () {
    this.timeout(120_000);
    await page.mouse.move(0, 0);
    // The view is short: fold the feature views so the services' group is in sight.
    if ((await row('Feature Views').getAttribute('aria-expanded')) === 'true') await row('Feature Views').click();
    await row('Feature Services').click();
    await row('churn_features').waitFor({ state: 'visible', timeout: 30_000 });
    await row('churn_features').click();
    await page.locator('.tab.active', { hasText: 'features.py' }).waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.monaco-editor .view-line', { hasText: 'churn_features = FeatureService(' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.screenshot({ path: path.join(shots, '32-feast-definition.png') });
  });

  it('plans an edited TTL, applies it from the plan\'s title bar as a tracked run, and the view shows the new TTL', async function () {
    this.timeout(300_000);
    const features = path.join(session.work, 'demo-workspace', 'feature_repo', 'features.py');
    writeFileSync(features, readFileSync(features, 'utf8').replace('ttl=timedelta(days=1)', 'ttl=timedelta(days=3)'));
    await runCommand(page, 'Labbook: Plan Feast Changes');
    await page.locator('.tab.active', { hasText: 'plan.diff' }).waitFor({ state: 'visible', timeout: 120_000 });
    await page.locator('.monaco-editor .view-line', { hasText: '~ feature view customer_orders' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.editor-actions .action-label[aria-label^="Apply Feast Repository"]').first().click();
    // Apply plans again (the files may have changed since), then asks in a modal dialog.
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 120_000 });
    assert.match((await dialog.textContent()) ?? '', /0 to create, 1 to change, 0 to remove/);
    await page.screenshot({ path: path.join(shots, '33-feast-apply-plan.png') });
    await dialog.locator('.monaco-button', { hasText: /^Apply$/ }).click();
    // The view reads the registry again when the run ends; the new tree may come with its groups
    // folded, so unfold Feature Views until the new TTL shows (bounded).
    const applied = view().locator('.monaco-list-row', { hasText: /customer_orders.*ttl 3d/ }).first();
    for (let waited = 0; !(await applied.isVisible().catch(() => false)); waited += 2_000) {
      if (waited >= 180_000) throw new Error('the Feature Store view did not show the applied TTL within 180 s');
      const group = row('Feature Views');
      if ((await group.isVisible().catch(() => false)) && (await group.getAttribute('aria-expanded').catch(() => null)) === 'false') await group.click().catch(() => undefined);
      await page.waitForTimeout(2_000);
    }
    await page.screenshot({ path: path.join(shots, '34-feast-applied.png') });
  });

  it('checks the feature service for training–serving skew from its context menu: the panel names what serving lacks', async function () {
    this.timeout(300_000);
    const entities = path.join(session.work, 'demo-workspace', 'feature_repo', 'entities.csv');
    writeFileSync(entities, `customer_id,basket_value\n${Array.from({ length: 20 }, (_, i) => `${i},${i + 1}`).join('\n')}\n`);
    await page.mouse.move(0, 0);
    // The view is short (the run's terminal is open): fold Feature Views, unfold Feature Services
    // until its service shows (bounded).
    const service = row('churn_features');
    for (let waited = 0; !(await service.isVisible().catch(() => false)); waited += 1_000) {
      if (waited >= 30_000) throw new Error('the feature service did not show in the Feature Store view');
      const views = row('Feature Views');
      if ((await views.isVisible().catch(() => false)) && (await views.getAttribute('aria-expanded').catch(() => null)) === 'true') await views.click().catch(() => undefined);
      const group = row('Feature Services');
      if ((await group.isVisible().catch(() => false)) && (await group.getAttribute('aria-expanded').catch(() => null)) === 'false') await group.click().catch(() => undefined);
      await page.waitForTimeout(1_000);
    }
    await contextMenu(page, service, 'Check Training–Serving Skew…');
    // code-server's file dialog is a quick input that fills in the folder once it has listed it:
    // wait for the listing, then type the file's path and accept it with the dialog's button.
    const input = page.locator('.quick-input-widget input');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'entities.csv' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill(entities);
    await page.waitForFunction((want) => document.querySelector<HTMLInputElement>('.quick-input-widget input')?.value === want, entities, { timeout: 10_000 });
    await page.locator('.quick-input-widget .monaco-button', { hasText: 'Check Skew' }).first().click();
    const frame = await webviewFrame(page, '[data-testid=verdict]', 180_000);
    // The repository was applied but never materialized: serving has none of the training values.
    assert.match((await frame.locator('[data-testid=verdict]').textContent()) ?? '', /^Skew — 3 of 3 features/);
    assert.match((await frame.locator('h2', { hasText: 'Not in the online store' }).textContent()) ?? '', /\(20\)/);
    await page.screenshot({ path: path.join(shots, '35-feast-skew.png') });
  });
});
