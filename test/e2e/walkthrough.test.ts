// The getting-started walkthrough and the diff keys in the real UI (issue 19, points 5 and 6):
// Labbook: Get Started shows the six steps; a step's button ticks it (VS Code keeps that state in
// the workbench, which only the UI shows); Diff Notebook with HEAD from a step offers the
// workspace's notebooks; F7 / Shift+F7 and Alt+F5 / Shift+Alt+F5 move through the diff's changes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { acceptQuickPick, runCommand, SHOTS, webviewFrame, withDemo } from '../support/workbench.ts';

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'notebooks');

describe('e2e: the getting-started walkthrough and the diff keys', function () {
  this.timeout(240_000);
  const session = withDemo('labbook-e2e-walkthrough-', (workspace) => {
    // A notebook with changes against HEAD, for the diff step.
    copyFileSync(path.join(fixtures, 'workflow.ipynb'), path.join(workspace, 'workflow.ipynb'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: workspace });
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'ada@example.com');
    git('config', 'user.name', 'Ada');
    git('add', '.');
    git('commit', '-qm', 'the workflow');
    copyFileSync(path.join(fixtures, 'workflow-edited.ipynb'), path.join(workspace, 'workflow.ipynb'));
  });

  /** Each step's id (after the category) → whether VS Code shows it done. */
  const stepStates = async () =>
    Object.fromEntries(
      await session.page.locator('.getting-started-step').evaluateAll((els) => els.map((e) => [e.getAttribute('data-step-id')?.split('#').pop() ?? '', e.getAttribute('aria-checked') === 'true'])),
    ) as Record<string, boolean>;
  const openStep = async (title: string, button: string) => {
    await session.page.locator('.getting-started-step', { hasText: title }).click();
    await session.page.getByRole('button', { name: button }).first().click();
  };

  it('Labbook: Get Started shows the six steps, none done', async () => {
    const { page } = session;
    await runCommand(page, 'Labbook: Get Started');
    await page.waitForFunction(() => document.querySelectorAll('.getting-started-step[data-step-id^="labbook.labbook#gettingStarted#"]').length === 6, null, { timeout: 30_000 });
    assert.deepEqual(await stepStates(), { localStore: false, trackedRun: false, compareRuns: false, notebookDiff: false, pipelineExport: false, trackingServer: false });
    await page.screenshot({ path: path.join(SHOTS, '30-walkthrough.png') });
  });

  it('ticks a step when its button ran its command or opened its view', async () => {
    const { page } = session;
    // Nothing is selected: Compare explains what to select, and the step is done all the same.
    await openStep('Compare two runs', 'Compare Selected Runs');
    await page.waitForFunction(() => document.querySelector('[data-step-id$="#compareRuns"]')?.getAttribute('aria-checked') === 'true', null, { timeout: 10_000 });
    await openStep('See the local tracking store', 'Open the Experiments View');
    await page.waitForFunction(() => document.querySelector('[data-step-id$="#localStore"]')?.getAttribute('aria-checked') === 'true', null, { timeout: 10_000 });
    assert.deepEqual(await stepStates(), { localStore: true, trackedRun: false, compareRuns: true, notebookDiff: false, pipelineExport: false, trackingServer: false });
  });

  it('diffs a notebook picked from the step, and moves through its changes with VS Code\'s diff keys', async () => {
    const { page } = session;
    await openStep('Diff a notebook against HEAD', 'Diff Notebook with HEAD');
    // No notebook editor is active (the walkthrough is): the workspace's notebooks are offered.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'workflow.ipynb' }).first().waitFor({ timeout: 20_000 });
    await acceptQuickPick(page, 'workflow.ipynb');
    const frame = await webviewFrame(page, '[data-testid=position]');
    await frame.waitForFunction(() => document.getElementById('app')?.getAttribute('aria-busy') === 'false', null, { timeout: 30_000 });
    assert.equal(await frame.textContent('[data-testid=position]'), '6 changes');
    await frame.click('[data-testid=title]');
    const expectations: [string, string][] = [
      ['F7', 'change 1 of 6'],
      ['F7', 'change 2 of 6'],
      ['Shift+F7', 'change 1 of 6'],
      ['Alt+F5', 'change 2 of 6'],
      ['Shift+Alt+F5', 'change 1 of 6'],
      ['Shift+Alt+F5', 'change 6 of 6'],
    ];
    for (const [key, position] of expectations) {
      await page.keyboard.press(key);
      await frame.waitForFunction((want) => document.querySelector('[data-testid=position]')?.textContent === want, position, { timeout: 10_000 });
    }
    await runCommand(page, 'Labbook: Get Started');
    await page.waitForFunction(() => document.querySelector('[data-step-id$="#notebookDiff"]')?.getAttribute('aria-checked') === 'true', null, { timeout: 10_000 });
  });
});
