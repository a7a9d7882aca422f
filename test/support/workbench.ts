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

/**
 * Accepts the quick pick's single row left by typing `filter`. The Enter goes to the input itself
 * (focused first), not to whatever holds the focus: a walkthrough that re-renders as its step is
 * ticked takes the focus from a pick kept open, and a page-wide Enter then went to the walkthrough.
 */
export async function acceptQuickPick(page: Page, filter: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  const widget = page.locator('.quick-input-widget');
  await input.fill(filter);
  await page.waitForFunction(() => document.querySelectorAll('.quick-input-list .monaco-list-row').length === 1, null, { timeout: 10_000 });
  for (let attempt = 0; ; attempt++) {
    await input.press('Enter', { timeout: 5_000 }).catch(() => {});
    if (await widget.waitFor({ state: 'hidden', timeout: 5_000 }).then(() => true, () => false)) return;
    if (attempt >= 2) throw new Error(`the quick pick did not accept '${filter}'`);
  }
}

/** Shows the Labbook container (clicking its icon when it is open would close it). */
export async function showLabbook(page: Page): Promise<void> {
  const experiments = page.locator('.part.sidebar .pane-header', { hasText: 'Experiments' });
  if (await experiments.isVisible().catch(() => false)) return;
  await page.locator('.activitybar [role=tab][aria-label^="Labbook"], .activitybar .action-item a[aria-label^="Labbook"]').first().click();
  await experiments.waitFor({ state: 'visible', timeout: 15_000 });
}

/**
 * Selects `rows` in a tree, the first by a click and the others by Ctrl+click, and checks that all
 * of them are selected: a tree that re-renders between the clicks (a store change) can drop a
 * Ctrl+click, so select them again, at most three times.
 */
export async function selectRows(page: Page, rows: readonly ReturnType<Page['locator']>[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    for (const [index, row] of rows.entries()) await row.click(index === 0 ? {} : { modifiers: ['Control'] });
    let states: (string | null)[] = [];
    for (let poll = 0; poll < 10; poll++) {
      states = await Promise.all(rows.map((row) => row.getAttribute('aria-selected', { timeout: 2_000 }).catch(() => null)));
      if (states.every((state) => state === 'true')) return;
      await page.waitForTimeout(300);
    }
    if (attempt >= 2) throw new Error(`could not select ${rows.length} rows (selected: ${states.join(', ')})`);
  }
}

/** Right-click `target`, then choose `label` in VS Code's context menu (hover to focus, Enter). */
export async function contextMenu(page: Page, target: ReturnType<Page['locator']>, label: string): Promise<void> {
  const item = page.locator('.monaco-menu .action-item', { hasText: label }).first();
  // A view that re-renders as the menu opens (a tree refreshed by a store change) closes the menu:
  // right-click again, at most three times.
  for (let attempt = 0; ; attempt++) {
    await target.click({ button: 'right' });
    if (await item.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false)) break;
    if (attempt >= 2) throw new Error(`the context menu did not offer '${label}'`);
    // Escape only closes a menu that is open: with none, it goes to the tree and clears its
    // selection, and a command on the selected rows would then get only the row clicked.
    if (await page.locator('.context-view .monaco-menu').first().isVisible().catch(() => false)) await page.keyboard.press('Escape');
  }
  await item.hover();
  // Enter runs the focused item: under load the hover may not have focused it yet (Enter would
  // then close the menu and run nothing), so wait for the focus, else click the item itself.
  const focused = page.locator('.monaco-menu .action-item.focused', { hasText: label }).first();
  if (await focused.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) await page.keyboard.press('Enter');
  else await item.click();
  await item.waitFor({ state: 'hidden', timeout: 10_000 });
}

export const SHOTS = path.join(import.meta.dirname, '..', '..', 'test-output', 'e2e');

/** Whether this run's first session removed the pictures of an earlier run's failures. */
let earlierFailuresCleared = false;

export interface DemoSession {
  /** The browser page showing VS Code, once `before` ran. */
  readonly page: Page;
  /** A temp folder holding `demo-workspace/` (the opened folder); removed after. */
  readonly work: string;
}

/**
 * Registers, in the calling describe, a demo session: a copy of demo/workspace that `prepare` may
 * change, code-server with Labbook installed from its VSIX on it (what `npm run demo` starts), and
 * headless Chromium on it; a failed step leaves a screenshot (test-output/e2e/failed-*.png). The
 * first session of a run removes the pictures of an earlier run's failures (only the first: a
 * later one would remove this run's).
 */
export function withDemo(prefix: string, prepare: (workspace: string) => void | Promise<void>): DemoSession {
  const session = {} as { -readonly [K in keyof DemoSession]: DemoSession[K] };
  let demo: Awaited<ReturnType<typeof startDemo>> | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  const failedTries = new Map<string, number>();
  before(async function () {
    this.timeout(300_000);
    mkdirSync(SHOTS, { recursive: true });
    if (!earlierFailuresCleared) {
      earlierFailuresCleared = true;
      for (const file of readdirSync(SHOTS)) if (file.startsWith('failed-')) rmSync(path.join(SHOTS, file));
    }
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
    // A failed step leaves a picture of what the user would have seen. A try that mocha runs
    // again (the e2e tier's --retries) ends with no state rather than 'failed': pictured too.
    const test = this.currentTest;
    if (test && test.state !== 'passed' && test.state !== 'pending' && session.page) {
      const name = (test.title ?? 'failure').replace(/[^\w]+/g, '-').slice(0, 60);
      const tries = (failedTries.get(name) ?? 0) + 1;
      failedTries.set(name, tries);
      await session.page.screenshot({ path: path.join(SHOTS, `failed-${name}${tries > 1 ? `-try${tries}` : ''}.png`) }).catch(() => {});
    }
  });
  after(async () => {
    await browser?.close();
    await demo?.stop();
    if (session.work) rmSync(session.work, { recursive: true, force: true });
  });
  return session;
}
