// Markdown cells in the Notebook Diff app: the Source | Rendered switch and the markdown renderer,
// which builds elements (never parses HTML), in headless Chromium under the panel's CSP.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import type { Notebook } from '../../src/core/notebook/notebookModel.ts';
import { answer, count, fixturePair, HOSTILE, openPanel, type Pair, text, violations } from './notebookDiffHarness.ts';

const RICH = [
  '# Title *em* and **strong**',
  '',
  'A paragraph with `a < b`, _under_, __bold__, snake_case_name and a [link](https://example.com/x).',
  '',
  '- one',
  '* two',
  '  - nested',
  '',
  '3. three',
  '4. four',
  '',
  '> quoted **text**',
  '',
  '---',
  '',
  '```python',
  'print("<b>hi</b>")',
  '```',
  '',
  '![a plot](https://example.com/p.png)',
].join('\n');
const HOSTILE_MD = `${HOSTILE}\n\nclick [x](javascript:alert(1)) or <script>window.__xss=2</script>` +
  // Inputs that make naive closer searches quadratic: unclosed links, emphasis and code spans.
  `\n\n${'[a]('.repeat(20_000)}\n\n${'*a _b `'.repeat(20_000)}\n\n${'`'.repeat(300)}${' ``'.repeat(5000)}`;

describe('webview: Notebook Diff markdown cells', function () {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let pair: Pair;

  before(async () => {
    browser = await launchBrowser();
    const edited = await fixturePair('workflow-edited.ipynb');
    const remote: Notebook = structuredClone(edited.remote);
    // Cell 0 is a modified markdown cell, cell 27 an added one.
    (remote.cells[0] as { source: string }).source = RICH;
    (remote.cells[27] as { source: string }).source = HOSTILE_MD;
    pair = { ...edited, remote };
  });
  after(async () => browser?.close());
  beforeEach(async () => {
    page = await openPanel(browser.context);
  });
  afterEach(async () => page?.close());

  const modified = () => page.locator('.cell[data-change="0"]');
  const added = () => page.locator('.cell.kind-added');

  it('shows a modified markdown cell as its source diff, and rendered side by side on demand', async () => {
    await answer(page, pair);
    const cell = modified();
    assert.equal(await cell.getAttribute('data-md-view'), 'source');
    assert.equal(await cell.locator('.md-source .diff').isVisible(), true);
    assert.equal(await cell.locator('.md-rendered').isVisible(), false);
    assert.deepEqual(await cell.locator('.md-toggle button').allTextContents(), ['Source', 'Rendered']);
    assert.equal(await cell.locator('[data-md-view-button=source]').getAttribute('aria-pressed'), 'true');

    await cell.locator('[data-md-view-button=rendered]').click();
    assert.equal(await cell.getAttribute('data-md-view'), 'rendered');
    assert.equal(await cell.locator('.md-source').isVisible(), false);
    assert.equal(await cell.locator('[data-md-view-button=rendered]').getAttribute('aria-pressed'), 'true');
    assert.equal(await cell.locator('[data-md-view-button=source]').getAttribute('aria-pressed'), 'false');
    // Base rendered on the left, remote rendered on the right.
    assert.equal(await cell.locator('.md-pair > .markdown.base h1').textContent(), 'Wine classification');
    const md = cell.locator('.md-pair > .markdown.remote');
    assert.equal(await md.locator('h1').textContent(), 'Title em and strong');
    assert.equal(await md.locator('h1 > em').textContent(), 'em');
    assert.equal(await md.locator('h1 > strong').textContent(), 'strong');
    assert.equal(await md.locator('p code').first().textContent(), 'a < b');
    assert.deepEqual(await md.locator('> p > em').allTextContents(), ['under']);
    assert.deepEqual(await md.locator('> p > strong').allTextContents(), ['bold']);
    assert.match(await md.locator('p').first().textContent() ?? '', /snake_case_name/);
    assert.equal(await md.locator('a.md-link').getAttribute('href'), 'https://example.com/x');
    assert.equal(await md.locator('a.md-link').textContent(), 'link');
    assert.deepEqual(await md.locator('> ul > li').allTextContents(), ['one', 'twonested']);
    assert.equal(await md.locator('> ul > li > ul > li').textContent(), 'nested');
    assert.deepEqual(await md.locator('> ol > li').allTextContents(), ['three', 'four']);
    assert.equal(await md.locator('> ol').getAttribute('start'), '3');
    assert.equal(await md.locator('blockquote > p > strong').textContent(), 'text');
    assert.equal(await md.locator('> hr').count(), 1);
    assert.equal(await md.locator('pre.md-code > code').textContent(), 'print("<b>hi</b>")');
    assert.equal(await md.locator('pre.md-code > code').getAttribute('data-lang'), 'python');
    assert.equal(await md.locator('b').count(), 0);
    assert.equal(await md.locator('.md-image').textContent(), '[a plot]');
    assert.equal(await count(page, '#app .markdown img'), 0);

    // The pick survives a re-render; inline layout shows the remote side only.
    await page.click('label:has-text("Inline")');
    await page.waitForSelector('.cell.kind-removed .diff.inline');
    assert.equal(await modified().getAttribute('data-md-view'), 'rendered');
    assert.equal(await modified().locator('.md-rendered > .markdown').count(), 1);
    assert.equal(await modified().locator('.md-rendered h1').textContent(), 'Title em and strong');
    await modified().locator('[data-md-view-button=source]').click();
    assert.equal(await modified().locator('.md-source .diff').isVisible(), true);
    assert.equal(await modified().locator('.md-rendered').isVisible(), false);
    assert.deepEqual(await violations(page), []);
  });

  it('renders added and unchanged markdown by default, and switches from the keyboard', async () => {
    await answer(page, pair);
    assert.equal(await added().getAttribute('data-md-view'), 'rendered');
    assert.equal(await added().locator('.md-source').isVisible(), false);
    await added().locator('[data-md-view-button=source]').focus();
    await page.keyboard.press('Enter');
    assert.equal(await added().getAttribute('data-md-view'), 'source');
    assert.equal(await added().locator('.md-source .diff').isVisible(), true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    assert.equal(await added().getAttribute('data-md-view'), 'rendered');

    while (await count(page, 'button.run.collapsed')) await page.click('button.run.collapsed >> nth=0');
    const baseline = page.locator('.cell.kind-unchanged[data-md-view=rendered] .md-rendered h2', { hasText: 'Baseline' });
    assert.equal(await baseline.isVisible(), true);
    // Unchanged code cells have no switch.
    assert.equal(await count(page, '.cell.kind-unchanged:not([data-md-view]) .md-toggle'), 0);
    assert.ok((await count(page, '.cell.kind-unchanged:not([data-md-view])')) > 0);
  });

  it('shows hostile markdown as text and javascript: links without navigation', async () => {
    const started = Date.now();
    await answer(page, pair);
    assert.ok(Date.now() - started < 5000, `rendered in ${Date.now() - started} ms`);
    const md = added().locator('.md-rendered .markdown');
    assert.equal(await md.locator('p').first().textContent(), HOSTILE);
    assert.match(await md.textContent() ?? '', /<script>window.__xss=2<\/script>/);
    const link = md.locator('a.md-link');
    assert.equal(await link.textContent(), 'x');
    assert.equal(await link.getAttribute('title'), 'javascript:alert(1)');
    assert.equal(await link.getAttribute('href'), null);
    await link.click();
    assert.equal(await count(page, '#app img'), 0);
    assert.equal(await count(page, '#app script'), 0);
    await page.waitForTimeout(100);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.match(await text(page, '[data-testid=title]'), /workflow-edited/);
    assert.deepEqual(await violations(page), []);
  });
});
