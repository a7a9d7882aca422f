// The Notebook Diff webview app in headless Chromium, under the CSP the host gives it, with the VS
// Code API stubbed. The test plays the host: it answers getDiff with real diffs of the fixture
// notebooks, recomputed with whatever toggles the page sends.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import type { Notebook } from '../../src/core/notebook/notebookModel.ts';
import { parseNotebook } from '../../src/core/notebook/readNotebook.ts';
import { syntheticPair } from '../support/syntheticNotebook.ts';
import {
  answer,
  count,
  dataFor,
  DEFAULT_TOGGLES,
  fixturePair,
  HOSTILE,
  nextGetDiff,
  openPanel,
  type Pair,
  posted,
  runsOf,
  send,
  text,
  violations,
} from './notebookDiffHarness.ts';

/** What the app saved with setState (the harness keeps it in sessionStorage). */
async function savedState(page: Page): Promise<{ source: unknown; toggles: Record<string, boolean>; markdownViews: unknown[]; layout: string }> {
  return JSON.parse(await page.evaluate(() => sessionStorage.getItem('state') ?? 'null')) as Awaited<ReturnType<typeof savedState>>;
}

describe('webview: Notebook Diff app', function () {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let edited: Pair;

  before(async () => {
    browser = await launchBrowser();
    edited = await fixturePair('workflow-edited.ipynb');
  });
  after(async () => browser?.close());

  beforeEach(async () => {
    page = await openPanel(browser.context);
  });
  afterEach(async () => page?.close());

  it('says it is ready, then asks for the diff with the default toggles', async () => {
    await nextGetDiff(page);
    const messages = await posted(page);
    assert.deepEqual(messages[0], { kind: 'ready' });
    assert.deepEqual(messages[1], { kind: 'request', id: 1, method: 'getDiff', params: { toggles: DEFAULT_TOGGLES } });
    assert.equal(await page.getAttribute('#app', 'aria-busy'), 'true');
    assert.match(await text(page, '[data-testid=cells]'), /Computing the diff/);
  });

  it('renders the edited pair: title, stats, a badge per changed cell, unchanged runs collapsed', async () => {
    const { data } = await answer(page, edited);
    assert.equal(await text(page, '[data-testid=title]'), 'workflow-edited.ipynb (HEAD ↔ working tree)');
    assert.match(await text(page, '[data-testid=sides]'), /base: HEAD ↔ remote: working tree/);
    assert.match(await text(page, '[data-testid=stats]'), /^4 modified · 1 added · 1 removed · 0 moved · 51 unchanged/);
    assert.equal(await count(page, '.cell.kind-modified'), 4);
    assert.equal(await count(page, '.cell.kind-added'), 1);
    assert.equal(await count(page, '.cell.kind-removed'), 1);
    assert.equal(await count(page, '.cell.kind-unchanged'), 0);
    assert.deepEqual(await page.locator('.cell[data-change] .cell-head .badge').allTextContents(), ['modified', 'modified', 'removed', 'added', 'modified', 'modified']);
    assert.match(await text(page, '.cell[data-change="1"] .cell-head'), /code.*base 24 → remote 24/);
    assert.match(await text(page, '.cell.kind-removed .cell-head'), /base 25$/);
    assert.match(await text(page, '.cell.kind-added .cell-head'), /markdown.*remote 28$/);
    // Runs of unchanged cells are one row each, with their length.
    const runs = runsOf(data.diff.cells.map((c) => c.kind));
    assert.deepEqual(runs, [22, 3, 6, 19, 1]);
    assert.deepEqual(await page.locator('button.run.collapsed').allTextContents(), runs.map((n) => `… ${n} unchanged cell${n === 1 ? '' : 's'} …`));
    assert.equal(await text(page, '[data-testid=position]'), '6 changes');
    assert.deepEqual(await violations(page), []);
  });

  it('shows inserted and deleted lines with the changed words highlighted', async () => {
    await answer(page, edited);
    const first = page.locator('.cell[data-change="0"]');
    assert.equal(await first.locator('.text.del').first().textContent(), '# Wine classification');
    assert.equal(await first.locator('.text.ins').first().textContent(), '# Wine cultivar classification');
    assert.deepEqual(await first.locator('.text.ins mark.hl').allTextContents(), ['cultivar']);
    // The split test size: 0.25 → 0.2, both sides highlighted, the rest of the line plain text.
    const split = page.locator('.cell[data-change="1"]');
    assert.deepEqual(await split.locator('> .diff .text.del mark.hl').allTextContents(), ['25']);
    assert.deepEqual(await split.locator('> .diff .text.ins mark.hl').allTextContents(), ['2']);
    // Its stdout output changed too, shown as a text diff.
    assert.match(await split.locator('.output').textContent() ?? '', /modified.*stream.*stdout/);
    assert.equal(await split.locator('.output .text.ins').first().textContent(), '(142, 14) (36, 14)');
  });

  it('expands a collapsed run into the cells of the notebooks, and collapses it again', async () => {
    await answer(page, edited);
    await page.click('button.run.collapsed >> nth=0');
    await page.waitForSelector('.cell.kind-unchanged');
    assert.equal(await count(page, '.cell.kind-unchanged'), 22);
    assert.equal(await page.locator('.cell.kind-unchanged pre').first().textContent(), edited.remote.cells[1]?.source);
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Hide 22 unchanged cells');
    assert.equal(await count(page, 'button.run.collapsed'), 4);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('.cell.kind-unchanged').length === 0);
    assert.equal(await count(page, 'button.run.collapsed'), 5);
  });

  it('renders changed images from the notebooks as data: URIs, with swipe and onion skin', async () => {
    const plot = await fixturePair('workflow-plot.ipynb');
    await answer(page, plot);
    const base = plot.base.cells[13]?.outputs[0];
    const remote = plot.remote.cells[13]?.outputs[0];
    assert.ok(base?.outputType === 'display_data' && remote?.outputType === 'display_data');
    const uri = (value: unknown) => `data:image/png;base64,${String(value).replace(/\s/g, '')}`;
    assert.deepEqual(await page.locator('.image-pair img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src'))), [uri(base.data['image/png']), uri(remote.data['image/png'])]);
    // The PNGs decode: the data: URIs are allowed by img-src and are real images.
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.image-pair img')].every((i) => i.complete && i.naturalWidth > 0));
    assert.equal(await page.isVisible('.image-stack'), false);

    await page.click('[data-image-mode=swipe]');
    assert.equal(await page.isVisible('.image-stack'), true);
    assert.equal(await page.isVisible('.image-pair'), false);
    await page.locator('.image-slider').fill('30');
    assert.match(await page.locator('.stack-remote').evaluate((i) => (i as HTMLElement).style.clipPath), /^inset\(0(px)? 0(px)? 0(px)? 30%\)$/);
    await page.click('[data-image-mode=onion]');
    assert.equal(await page.locator('.stack-remote').evaluate((i) => (i as HTMLElement).style.opacity), '0.3');
    assert.equal(await page.locator('.stack-remote').evaluate((i) => (i as HTMLElement).style.clipPath), '');
    assert.equal(await page.getAttribute('[data-image-mode=onion]', 'aria-pressed'), 'true');
    assert.deepEqual(await violations(page), []);
  });

  it('re-asks for the diff when a toggle changes, and shows the output-only changes', async () => {
    await answer(page, edited);
    await page.click('label:has-text("Hide output-only changes")');
    const { request } = await answer(page, edited, 1);
    assert.deepEqual(request.params, { toggles: { ...DEFAULT_TOGGLES, ignoreOutputOnlyChanges: false } });
    await page.waitForFunction(() => document.querySelectorAll('.cell.kind-modified').length === 15);
    assert.match(await text(page, '[data-testid=stats]'), /^15 modified · 1 added · 1 removed · 0 moved · 40 unchanged/);
    assert.equal(await page.isChecked('#toggle-ignoreOutputOnlyChanges'), false);
    const state = await savedState(page);
    assert.equal(state.toggles.ignoreOutputOnlyChanges, false);
  });

  it('moves between changes with the buttons and the keyboard, focusing each cell', async () => {
    await answer(page, edited);
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-change') ?? null);
    await page.click('[data-nav=next]');
    assert.equal(await focused(), '0');
    assert.equal(await text(page, '[data-testid=position]'), 'change 1 of 6');
    await page.click('[data-nav=next]');
    assert.equal(await focused(), '1');
    assert.equal(await text(page, '[data-testid=position]'), 'change 2 of 6');
    await page.keyboard.press('n');
    assert.equal(await focused(), '2');
    assert.equal(await page.getAttribute('.cell.current', 'data-change'), '2');
    await page.keyboard.press('Alt+ArrowDown');
    assert.equal(await text(page, '[data-testid=position]'), 'change 4 of 6');
    await page.keyboard.press('p');
    await page.keyboard.press('Alt+ArrowUp');
    assert.equal(await focused(), '1');
    await page.click('[data-nav=prev]');
    await page.click('[data-nav=prev]');
    assert.equal(await text(page, '[data-testid=position]'), 'change 6 of 6');
    assert.equal(await focused(), '5');
    // The focused cell is on screen, below the sticky header.
    assert.equal(await page.locator('.cell[data-change="5"]').isVisible(), true);
  });

  it('moves to the next or previous change when the host relays VS Code\'s diff keys (goToChange events)', async () => {
    await answer(page, edited);
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-change') ?? null);
    const goTo = async (direction: 'next' | 'previous', expected: string) => {
      await send(page, { kind: 'event', event: { type: 'goToChange', direction } });
      await page.waitForFunction((want) => document.querySelector('[data-testid=position]')?.textContent === want, expected, { timeout: 10_000 });
    };
    await goTo('next', 'change 1 of 6');
    assert.equal(await focused(), '0');
    await goTo('next', 'change 2 of 6');
    assert.equal(await page.getAttribute('.cell.current', 'data-change'), '1');
    await goTo('previous', 'change 1 of 6');
    // Wraps around, as the buttons do.
    await goTo('previous', 'change 6 of 6');
    assert.equal(await focused(), '5');
    assert.equal(await page.locator('.cell.current').count(), 1);
    // Kept like a move made with the buttons, for a reload to come back to.
    assert.equal(((await savedState(page)) as unknown as { currentChange: number }).currentChange, 5);
    assert.deepEqual(await violations(page), []);
  });

  it('switches between side-by-side and inline layouts', async () => {
    await answer(page, edited);
    assert.equal(await page.isChecked('#layout-sideBySide'), true);
    assert.equal(await count(page, '.diff.side-by-side'), await count(page, '.diff'));
    // Side by side: the deleted line on the left and the inserted line on the right of one row.
    const cells = await page.locator('.cell[data-change="0"] .diff > span').allTextContents();
    assert.deepEqual(cells.slice(0, 4), ['1', '# Wine classification', '1', '# Wine cultivar classification']);
    await page.click('label:has-text("Inline")');
    await page.waitForSelector('.diff.inline');
    assert.equal(await count(page, '.diff.side-by-side'), 0);
    assert.equal(await count(page, '.diff.inline'), await count(page, '.diff'));
    assert.deepEqual((await page.locator('.cell[data-change="0"] .diff > span').allTextContents()).slice(0, 8), ['1', '', '−', '# Wine classification', '', '1', '+', '# Wine cultivar classification']);
    // Removed cells in side by side have an empty right side.
    await page.click('label:has-text("Side by side")');
    await page.waitForSelector('.cell.kind-removed .diff.side-by-side .text.empty');
  });

  it('restores toggles, layout, position and the last diff after a reload', async () => {
    await answer(page, edited);
    await page.click('label:has-text("Ignore whitespace")');
    await answer(page, edited, 1);
    await page.click('label:has-text("Inline")');
    await page.click('[data-nav=next]');
    await page.click('[data-nav=next]');
    await page.reload();
    // Before the host answers, the saved diff is on screen as it was.
    await page.waitForSelector('.cell.kind-modified .diff.inline', { timeout: 5000 });
    assert.equal(await page.isChecked('#layout-inline'), true);
    assert.equal(await page.isChecked('#toggle-ignoreWhitespace'), false);
    assert.equal(await page.isChecked('#toggle-ignoreExecutionCounts'), true);
    assert.equal(await text(page, '[data-testid=position]'), 'change 2 of 6');
    const request = await nextGetDiff(page);
    assert.deepEqual(request.params, { toggles: { ...DEFAULT_TOGGLES, ignoreWhitespace: false } });
  });

  it('keeps each markdown cell\'s Source | Rendered pick across a reload and the fresh diff after it', async () => {
    await answer(page, edited);
    // The retitled first cell is modified (source diff by default), the added one rendered.
    const title = page.locator('.cell[data-change="0"]');
    const added = page.locator('.cell.kind-added');
    assert.equal(await title.getAttribute('data-md-view'), 'source');
    assert.equal(await added.getAttribute('data-md-view'), 'rendered');
    await title.locator('[data-md-view-button=rendered]').click();
    await added.locator('[data-md-view-button=source]').click();
    const state = await savedState(page);
    // Keyed by cell id, not by the place in the diff, which changes with the toggles.
    assert.deepEqual(state.markdownViews, [
      [`id:${edited.remote.cells[0]?.id}`, 'rendered'],
      [`id:${edited.remote.cells[27]?.id}`, 'source'],
    ]);

    await page.reload();
    // The saved diff, before the host answers: the picks are back.
    await page.waitForSelector('.cell[data-change="0"][data-md-view=rendered]', { timeout: 5000 });
    assert.equal(await title.locator('.md-pair').isVisible(), true);
    assert.equal(await title.locator('.md-source').isVisible(), false);
    assert.equal(await title.locator('[data-md-view-button=rendered]').getAttribute('aria-pressed'), 'true');
    assert.equal(await added.getAttribute('data-md-view'), 'source');
    // The host's fresh diff keeps them, and so does one under other toggles (other diff indexes).
    await answer(page, edited);
    assert.equal(await title.getAttribute('data-md-view'), 'rendered');
    assert.equal(await added.getAttribute('data-md-view'), 'source');
    await page.click('label:has-text("Hide output-only changes")');
    await answer(page, edited, 1);
    await page.waitForFunction(() => document.querySelectorAll('.cell.kind-modified').length === 15);
    assert.equal(await title.getAttribute('data-md-view'), 'rendered');
    assert.equal(await added.getAttribute('data-md-view'), 'source');
    assert.deepEqual(await violations(page), []);
  });

  it('keeps a bounded number of markdown picks, newest last, and ignores a malformed saved list', async () => {
    // Notebooks without ids: cells are keyed by their base and remote positions.
    const strip = (nb: Notebook): Notebook => ({ ...nb, cells: nb.cells.map(({ id: _id, ...cell }) => cell) });
    const noIds: Pair = { ...edited, base: strip(edited.base), remote: strip(edited.remote) };
    await answer(page, noIds);
    const old = Array.from({ length: 250 }, (_, i) => [`id:old${i}`, 'source']);
    await page.evaluate((views) => {
      const state = JSON.parse(sessionStorage.getItem('state') ?? '{}') as Record<string, unknown>;
      sessionStorage.setItem('state', JSON.stringify({ ...state, markdownViews: [...views, ['x', 'sideways'], 'junk', [1, 'source']] }));
    }, old);
    await page.reload();
    await answer(page, noIds);
    await page.click('.cell[data-change="0"] [data-md-view-button=rendered]');
    const state = await savedState(page);
    assert.equal(state.markdownViews.length, 200);
    assert.deepEqual(state.markdownViews.at(-1), ['at:0:0', 'rendered']);
    // The malformed entries are gone; of the old picks, the newest stay.
    assert.deepEqual(state.markdownViews.at(0), ['id:old51', 'source']);
    assert.deepEqual(state.markdownViews.at(-2), ['id:old249', 'source']);
  });

  it('keeps the source the data names in its state, for the host to revive the panel', async () => {
    const request = await nextGetDiff(page);
    const source = { kind: 'git', file: '/work/demo/workflow.ipynb', revision: 'HEAD' };
    await send(page, { kind: 'response', id: request.id, ok: true, result: { ...dataFor(edited, DEFAULT_TOGGLES), source } });
    await page.waitForSelector('#app[aria-busy=false]');
    const state = await savedState(page);
    assert.deepEqual(state.source, source);
    assert.deepEqual(state.toggles, DEFAULT_TOGGLES);
    assert.equal(state.layout, 'sideBySide');
  });

  it('shows hostile notebook text as text, never as HTML', async () => {
    const remote: Notebook = structuredClone(edited.remote);
    (remote.cells[2] as { source: string }).source = `${HOSTILE}\n${remote.cells[2]?.source}`;
    (remote.cells[5] as { source: string }).source = HOSTILE;
    const hostile: Pair = { title: HOSTILE, base: edited.base, remote };
    await answer(page, hostile);
    assert.equal(await text(page, '[data-testid=title]'), HOSTILE);
    assert.ok((await page.locator('.cell .text.ins').allTextContents()).includes(HOSTILE));
    await page.click('button.run.collapsed >> nth=0');
    await page.waitForSelector('.cell.kind-unchanged');
    assert.equal(await count(page, '#app img'), 0);
    await page.waitForTimeout(100);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.deepEqual(await violations(page), []);
  });

  it('shows an error reply in an alert, and re-asks when the host says a side changed', async () => {
    const request = await nextGetDiff(page);
    await send(page, { kind: 'response', id: request.id, ok: false, error: { code: 'failed', message: 'workflow.ipynb is not valid JSON' } });
    await page.waitForFunction(() => (document.querySelector('[role=alert]')?.textContent ?? '') !== '');
    assert.equal(await text(page, '[role=alert]'), 'Could not compute the notebook diff: workflow.ipynb is not valid JSON');
    await send(page, { kind: 'event', event: { type: 'sourceChanged' } });
    await answer(page, edited, request.id);
    assert.equal(await text(page, '[role=alert]'), '');
    assert.equal(await count(page, '.cell.kind-modified'), 4);
  });

  it('renders a 1000-cell notebook pair quickly, with unchanged runs collapsed', async () => {
    const synthetic = syntheticPair({ cells: 1000, seed: 11, edits: 0.05, inserts: 0.02, deletes: 0.02, moves: 3, ids: true });
    const big: Pair = { title: 'big.ipynb', base: parseNotebook(synthetic.base, 'base.ipynb'), remote: parseNotebook(synthetic.remote, 'remote.ipynb') };
    const request = await nextGetDiff(page);
    const data = dataFor(big, DEFAULT_TOGGLES);
    const { stats } = data.diff;
    const changed = stats.modified + stats.added + stats.removed + stats.moved;
    assert.ok(changed >= 80 && stats.unchanged > 800, JSON.stringify(stats));
    const started = Date.now();
    await send(page, { kind: 'response', id: request.id, ok: true, result: data });
    await page.waitForSelector('#app[aria-busy=false]');
    const elapsed = Date.now() - started;
    assert.equal(await count(page, '.cell[data-change]'), changed);
    assert.equal(await count(page, '.cell.kind-unchanged'), 0);
    assert.equal(await count(page, 'button.run.collapsed'), runsOf(data.diff.cells.map((c) => c.kind)).length);
    assert.ok(elapsed < 5000, `rendered in ${elapsed} ms`);
    await page.keyboard.press('n');
    assert.equal(await text(page, '[data-testid=position]'), `change 1 of ${changed}`);
  });
});
