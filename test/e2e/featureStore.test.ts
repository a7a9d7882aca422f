// The Feature Store view in the real UI (Labbook from its VSIX in code-server, headless Chromium),
// on the demo workspace with a Feast repository applied by a real `feast apply` and the Feast
// venv's interpreter in labbook.python.path: the view appears in the Labbook container, lists the
// project's feature views, shows a view's schema in its hover, and opens a feature service's
// declaration on a click; then an edited TTL planned and applied from the plan's title bar, as a
// tracked run, and read back. Screenshots: test-output/e2e/31-feature-store.png to 34-feast-applied.png.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { FEAST_FIXTURE, feastPython } from '../support/feast.ts';
import { runCommand, showLabbook, SHOTS as shots, withDemo } from '../support/workbench.ts';

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
});
