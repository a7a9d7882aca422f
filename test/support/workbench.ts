// What the e2e journeys share: a demo session (code-server with Labbook's VSIX and Chromium),
// finding a webview's frame, running a palette command, showing the Labbook container and choosing
// from a context menu, robust to the focus moves of a busy host.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import { startDemo } from '../../scripts/demo.mjs';

/** Webviews are iframes inside iframes: find the frame that shows `selector`. */
export async function webviewFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (await frame.$(selector).catch(() => null)) return frame;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no webview shows ${selector} within ${timeoutMs} ms`);
}

export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  const entry = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  // F1 opens the palette from wherever the focus is; when a terminal or a toast holds the focus
  // the key can be lost, or the palette closes again before it is typed in (a toast arriving takes
  // the focus), so try again, then through the title bar's command center.
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('Escape');
    if (attempt < 2) await page.keyboard.press('F1');
    else await page.locator('.command-center .command-center-center, .command-center').first().click();
    const typed = await input
      .waitFor({ state: 'visible', timeout: 5_000 })
      .then(() => input.fill(`>${title}`, { timeout: 5_000 }))
      .then(() => entry.waitFor({ state: 'visible', timeout: 10_000 }))
      .then(() => true, () => false);
    if (typed) break;
    if (attempt >= 3) throw new Error(`the Command Palette did not open to run '${title}'`);
  }
  await page.keyboard.press('Enter');
}

/** Shows the Labbook container (clicking its icon when it is open would close it). */
export async function showLabbook(page: Page): Promise<void> {
  const experiments = page.locator('.part.sidebar .pane-header', { hasText: 'Experiments' });
  if (await experiments.isVisible().catch(() => false)) return;
  await page.locator('.activitybar [role=tab][aria-label^="Labbook"], .activitybar .action-item a[aria-label^="Labbook"]').first().click();
  await experiments.waitFor({ state: 'visible', timeout: 15_000 });
}

/** Right-click `target`, then choose `label` in VS Code's context menu (hover to focus, Enter). */
export async function contextMenu(page: Page, target: ReturnType<Page['locator']>, label: string): Promise<void> {
  await target.click({ button: 'right' });
  const item = page.locator('.monaco-menu .action-item', { hasText: label }).first();
  await item.waitFor({ state: 'visible', timeout: 10_000 });
  await item.hover();
  // Enter runs the focused item: under load the hover may not have focused it yet (Enter would
  // then close the menu and run nothing), so wait for the focus, else click the item itself.
  const focused = page.locator('.monaco-menu .action-item.focused', { hasText: label }).first();
  if (await focused.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) await page.keyboard.press('Enter');
  else await item.click();
  await item.waitFor({ state: 'hidden', timeout: 10_000 });
}

export const SHOTS = path.join(import.meta.dirname, '..', '..', 'test-output', 'e2e');

export interface DemoSession {
  /** The browser page showing VS Code, once `before` ran. */
  readonly page: Page;
  /** A temp folder holding `demo-workspace/` (the opened folder); removed after. */
  readonly work: string;
}

/**
 * Registers, in the calling describe, a demo session: a copy of demo/workspace that `prepare` may
 * change, code-server with Labbook installed from its VSIX on it (what `npm run demo` starts), and
 * headless Chromium on it; a failed step leaves a screenshot (test-output/e2e/failed-*.png).
 * `clearFailedShots`: the first session of a run removes the pictures of an earlier run's failures.
 */
export function withDemo(prefix: string, prepare: (workspace: string) => void | Promise<void>, options: { clearFailedShots?: boolean } = {}): DemoSession {
  const session = {} as { -readonly [K in keyof DemoSession]: DemoSession[K] };
  let demo: Awaited<ReturnType<typeof startDemo>> | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  before(async function () {
    this.timeout(300_000);
    mkdirSync(SHOTS, { recursive: true });
    if (options.clearFailedShots) for (const file of readdirSync(SHOTS)) if (file.startsWith('failed-')) rmSync(path.join(SHOTS, file));
    session.work = mkdtempSync(path.join(tmpdir(), prefix));
    const workspace = path.join(session.work, 'demo-workspace');
    cpSync(path.join(import.meta.dirname, '..', '..', 'demo', 'workspace'), workspace, { recursive: true });
    await prepare(workspace);
    demo = await startDemo({ workspace });
    browser = await launchBrowser();
    session.page = await browser.context.newPage();
    await session.page.goto(demo.url);
    await session.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  });
  afterEach(async function () {
    // A failed step leaves a picture of what the user would have seen.
    if (this.currentTest?.state === 'failed' && session.page) {
      const name = (this.currentTest.title ?? 'failure').replace(/[^\w]+/g, '-').slice(0, 60);
      await session.page.screenshot({ path: path.join(SHOTS, `failed-${name}.png`) }).catch(() => {});
    }
  });
  after(async () => {
    await browser?.close();
    await demo?.stop();
    if (session.work) rmSync(session.work, { recursive: true, force: true });
  });
  return session;
}
