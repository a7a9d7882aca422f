// Resolving a conflicted notebook merge, clicked through the real UI: a plain `git merge` of two
// branches that edited the same notebook leaves git's raw markers, which the notebook editor cannot
// open; Labbook offers its merge editor, the user resolves both conflicts and marks it resolved.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { parseNotebook } from '../../src/core/notebook/readNotebook.ts';
import { conflictedGitMerge, mergeTriple } from '../support/mergeTriple.ts';
import { SHOTS as shots, webviewFrame, withDemo } from '../support/workbench.ts';

describe('e2e: resolving a notebook merge conflict', function () {
  let workspaceDir = '';
  const session = withDemo('labbook-e2e-merge-', (workspace) => {
    workspaceDir = workspace;
    conflictedGitMerge(workspace, path.join(workspace, 'train.ipynb'), mergeTriple({ metadataConflict: false }), 'tuning');
  });
  let page: Page;
  let frame: Frame;
  /** The editor title bar's Open Notebook Merge button (shown for conflicted notebooks only). */
  const mergeButton = () => page.locator('.editor-actions .action-label[aria-label^="Open Notebook Merge"]').first();
  before(() => {
    ({ page } = session);
  });

  it('offers the merge editor when the conflicted notebook is opened, and shows both conflicts', async function () {
    this.timeout(120_000);
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('train.ipynb');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'train.ipynb' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press('Enter');
    const toast = page.locator('.notification-toast', { hasText: 'train.ipynb has merge conflicts' }).first();
    await toast.waitFor({ state: 'visible', timeout: 60_000 });
    // The conflicted notebook's title bar has the merge button.
    await mergeButton().waitFor({ state: 'visible', timeout: 15_000 });
    await toast.locator('.monaco-button', { hasText: 'Open Merge Editor' }).click();
    frame = await webviewFrame(page, '[data-conflict]', 60_000);
    await frame.waitForSelector('[data-testid=left]:has-text("2 of 2 conflicts left")', { timeout: 30_000 });
    assert.equal(await frame.locator('.cell.conflict.unresolved').count(), 2);
    assert.deepEqual(await frame.locator('[data-conflict="0"] pre.side-remote .hl').allTextContents(), ['lr = 0.05\n']);
    await page.screenshot({ path: path.join(shots, '28-notebook-merge.png') });
  });

  it('resolves both conflicts (take remote, edit) and marks the notebook resolved: written and staged', async function () {
    this.timeout(120_000);
    await frame.click('[data-conflict="0"] vscode-button[data-take=remote]');
    await frame.waitForSelector('[data-conflict="0"].resolved', { timeout: 15_000 });
    await frame.click('[data-conflict="1"] vscode-button[data-action=edit]');
    const area = frame.locator('textarea[data-cell="3"]');
    await area.fill('df = df.dropna()\ndf = df[df.age >= 18]');
    await frame.click('[data-conflict="1"] vscode-button[data-action=apply-edit]');
    await frame.waitForSelector('[data-testid=left]:has-text("0 of 2 conflicts left")', { timeout: 15_000 });
    await frame.click('vscode-button[data-action=mark-resolved]:not([disabled])');
    await frame.waitForSelector('[data-testid=status]:has-text("staged it")', { timeout: 30_000 });
    await page.screenshot({ path: path.join(shots, '29-notebook-merge-resolved.png') });
    const file = path.join(workspaceDir, 'train.ipynb');
    const nb = parseNotebook(readFileSync(file, 'utf8'), file);
    assert.equal(nb.cells[2]?.source, 'lr = 0.05\nepochs = 10\nbatch = 64');
    assert.equal(nb.cells[3]?.source, 'df = df.dropna()\ndf = df[df.age >= 18]');
    assert.equal(execFileSync('git', ['ls-files', '-u'], { cwd: workspaceDir, encoding: 'utf8' }), '');
    // Back on the notebook's tab: its title bar no longer offers the merge.
    await page.locator('.tabs-container .tab', { hasText: 'train.ipynb' }).filter({ hasNotText: 'Merge:' }).first().click();
    await mergeButton().waitFor({ state: 'hidden', timeout: 15_000 });
  });
});
