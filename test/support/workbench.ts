// What the e2e journeys share: finding a webview's frame, running a palette command, showing the
// Labbook container and choosing from a context menu, robust to the focus moves of a busy host.
import type { Frame, Page } from 'playwright-core';

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
