// The Pipeline export preview webview in headless Chromium, under the CSP the host gives it, with
// the VS Code API stubbed. The test plays the host: it answers getPlan with real plans computed by
// planExport from the fixture notebooks, and checks the requests the page sends for writes and edits.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import type { Notebook, NotebookCell } from '../../src/core/notebook/notebookModel.ts';
import { SINGLE_STEP_HINT } from '../../src/core/pipeline/steps.ts';
import type { PipelinePlanView } from '../../src/protocol/pipeline.ts';
import { answerPlan, fixturePlan, HOSTILE, nextRequest, openPanel, planOf, planWithConflict, posted, reply, send, violations } from './pipelineHarness.ts';

const code = (source: string, tags?: string[]): NotebookCell => ({ cellType: 'code', source, metadata: tags ? { tags } : {}, outputs: [], executionCount: null });
const notebook = (...cells: NotebookCell[]): Notebook => ({ nbformat: 4, nbformatMinor: 5, metadata: {}, cells });

describe('webview: Pipeline export preview', function () {
  this.timeout(60_000);
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let kale: PipelinePlanView;
  let classification: PipelinePlanView;

  before(async () => {
    browser = await launchBrowser();
    kale = await fixturePlan('kale.ipynb');
    classification = await fixturePlan('classification.ipynb');
  });
  after(async () => browser?.close());
  beforeEach(async () => {
    page = await openPanel(browser.context);
  });
  afterEach(async () => page?.close());

  const texts = (selector: string) => page.locator(selector).allTextContents();

  it('says it is ready, then asks for the plan against the default folder', async () => {
    const request = await nextRequest(page, 'getPlan');
    const messages = await posted(page);
    assert.deepEqual(messages[0], { kind: 'ready' });
    assert.deepEqual(request, { kind: 'request', id: 1, method: 'getPlan', params: { outDir: '' } });
    assert.equal(await page.getAttribute('#app', 'aria-busy'), 'true');
  });

  it('draws the Kale notebook as a DAG: one node per step, one edge per dependency, and the same as text', async () => {
    await answerPlan(page, kale);
    assert.equal(await page.textContent('[data-testid=title]'), 'Pipeline export: kale.ipynb');
    assert.equal(await page.textContent('[data-testid=summary]'), '4 steps · 4 dependencies · 0 warnings · steps from cell tags (step:…)');
    assert.equal(await page.inputValue('[data-testid=out-dir]'), 'pipelines/kale');
    // The ECharts graph: its nodes and links as the page handed them to ECharts, drawn on a canvas.
    assert.deepEqual(JSON.parse((await page.getAttribute('[data-testid=dag]', 'data-nodes')) ?? ''), ['load', 'prepare', 'train', 'evaluate']);
    assert.deepEqual(JSON.parse((await page.getAttribute('[data-testid=dag]', 'data-edges')) ?? ''), ['load->prepare', 'prepare->train', 'prepare->evaluate', 'train->evaluate']);
    assert.equal(await page.getAttribute('[data-testid=dag]', 'aria-label'), 'Pipeline graph: 4 steps, 4 dependencies');
    await page.waitForSelector('[data-testid=dag] canvas');
    const size = await page.locator('[data-testid=dag] canvas').first().evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
    assert.ok((size[0] ?? 0) > 100 && (size[1] ?? 0) > 100, `canvas size ${size.join('×')}`);
    // For screen readers (and everyone): the steps and edges as lists.
    assert.deepEqual(await texts('[data-testid=dag-steps] li'), ['load', 'prepare', 'train', 'evaluate']);
    assert.deepEqual(await texts('[data-testid=dag-edges] li'), ['load → prepare: data', 'prepare → train: X, split, y', 'prepare → evaluate: X, split, y', 'train → evaluate: clf']);
    // Each step with its cells, inputs, outputs and parameters.
    const prepare = page.locator('article.step[data-step=prepare]');
    assert.deepEqual(await prepare.locator('.step-cell button[data-action=reveal]').allTextContents(), ['Cell 7', 'Cell 8']);
    assert.equal(await prepare.locator('[data-fact=inputs]').textContent(), 'data ← load');
    assert.equal(await prepare.locator('[data-fact=outputs]').textContent(), 'X, split (number), y');
    assert.equal(await page.locator('article.step[data-step=load] [data-fact=parameters]').textContent(), 'n_samples, seed');
    assert.equal(await prepare.locator('[data-fact=after]').textContent(), 'load');
    assert.match((await prepare.locator('.cell-preview').first().textContent()) ?? '', /^data = add_features\(data\)/);
    // The first step cannot merge into a previous one; only later cells of a step can start a new one.
    assert.equal(await page.isDisabled('article.step[data-step=load] button[data-action=merge]'), true);
    assert.equal(await prepare.locator('button[data-action=split]').count(), 1);
    assert.deepEqual(await violations(page), []);
  });

  it('draws the marker notebook and picks a step from the graph list', async () => {
    await answerPlan(page, classification);
    assert.deepEqual(JSON.parse((await page.getAttribute('[data-testid=dag]', 'data-nodes')) ?? ''), classification.steps.map((s) => s.name));
    assert.equal(await page.locator('[data-testid=dag-edges] li').count(), classification.edges.length);
    assert.match((await page.textContent('[data-testid=summary]')) ?? '', /5 steps · 5 dependencies .* # %% \[step\] markers/);
    await page.click('[data-testid=dag-steps] button[data-step=train]');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-step')), 'train');
    assert.deepEqual(await violations(page), []);
  });

  it('lists warnings with their cell, reveals the cell on click, and shows the single-step hint', async () => {
    const plan = await planOf(notebook(code('import pandas as pd'), code('%matplotlib inline\ndf = pd.DataFrame({"a": [1]})\nprint(missing_name)')), 'scratch.ipynb');
    assert.ok(plan.warnings.length >= 1, JSON.stringify(plan.warnings));
    await answerPlan(page, plan);
    assert.deepEqual(await texts('[data-testid=hints] .hint'), [SINGLE_STEP_HINT]);
    const items = page.locator('[data-testid=warnings] li.warning');
    assert.equal(await items.count(), plan.warnings.length);
    const magic = plan.warnings.find((w) => w.kind === 'magic');
    assert.ok(magic && magic.cellIndex === 1 && magic.line === 1);
    const row = page.locator('[data-testid=warnings] li[data-kind=magic]');
    assert.equal(await row.locator('button').textContent(), 'Cell 2, line 1');
    assert.equal(await row.locator('.message').textContent(), magic.message);
    await row.locator('button').click();
    const request = await nextRequest(page, 'revealCell');
    assert.deepEqual(request.params, { cellIndex: 1, line: 1 });
  });

  it('shows each file with its action and calls out a conflict; force changes the call-out', async () => {
    const plan = await planWithConflict('kale.ipynb');
    await answerPlan(page, plan);
    const actions = await page.locator('[data-testid=files] tbody tr').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-path')}=${r.getAttribute('data-action-kind')}`));
    assert.ok(actions.includes('pipeline.py=conflict'), actions.join(' '));
    assert.ok(actions.includes('steps/load.py=unchanged'), actions.join(' '));
    assert.equal(actions.length, plan.files.length);
    const conflictRow = page.locator('[data-testid=files] tr[data-path="pipeline.py"]');
    assert.equal(await conflictRow.locator('.action').textContent(), 'conflict — edited, kept');
    assert.match((await conflictRow.locator('td').nth(2).textContent()) ?? '', /pipeline\.py was edited since the last export/);
    assert.match((await page.textContent('[data-testid=conflicts]')) ?? '', /^1 file was edited since the last export and will be kept/);
    await page.check('[data-testid=force]');
    assert.equal(await page.textContent('[data-testid=conflicts]'), '1 edited file will be overwritten (force).');
  });

  it('Write Package sends the folder and force, reports what was written, then re-plans', async () => {
    await answerPlan(page, kale);
    await page.fill('[data-testid=out-dir]', 'build/kale-pkg');
    await page.press('[data-testid=out-dir]', 'Enter');
    const replan = await nextRequest(page, 'getPlan', 1);
    assert.deepEqual(replan.params, { outDir: 'build/kale-pkg' });
    await reply(page, replan, { ...kale, outDir: 'build/kale-pkg' });
    await page.check('[data-testid=force]');
    await page.click('[data-testid=write]');
    const write = await nextRequest(page, 'writePackage');
    assert.deepEqual(write.params, { outDir: 'build/kale-pkg', force: true });
    await reply(page, write, { outDir: 'build/kale-pkg', outDirAbsolute: '/work/demo/build/kale-pkg', written: kale.files.map((f) => f.path), unchanged: [], kept: [], removed: [] });
    await page.waitForFunction(() => document.querySelector('[data-testid=status]')?.textContent?.startsWith('Wrote'));
    assert.equal(await page.textContent('[data-testid=status]'), `Wrote ${kale.files.length} files to build/kale-pkg; 0 unchanged.`);
    // After the write the page asks for the plan again (the files are now unchanged).
    const after = await nextRequest(page, 'getPlan', write.id);
    assert.deepEqual(after.params, { outDir: 'build/kale-pkg' });
    await page.click('button[data-action=open-readme]');
    assert.deepEqual((await nextRequest(page, 'openFile')).params, { outDir: 'build/kale-pkg', path: 'README.md' });
  });

  it('edits steps: Rename, Merge and Split post their requests and render the plan that comes back', async () => {
    await answerPlan(page, kale);
    // Keyboard: focus the Rename button of `train` and press Enter.
    await page.focus('article.step[data-step=train] button[data-action=rename]');
    await page.keyboard.press('Enter');
    const rename = await nextRequest(page, 'renameStep');
    assert.deepEqual(rename.params, { outDir: 'pipelines/kale', step: 'train' });
    const renamed: PipelinePlanView = { ...kale, steps: kale.steps.map((s) => (s.name === 'train' ? { ...s, name: 'fit', title: 'fit' } : s)), edges: kale.edges.map((e) => ({ ...e, from: e.from === 'train' ? 'fit' : e.from, to: e.to === 'train' ? 'fit' : e.to })) };
    await reply(page, rename, renamed);
    await page.waitForSelector('article.step[data-step=fit]');
    assert.deepEqual(JSON.parse((await page.getAttribute('[data-testid=dag]', 'data-nodes')) ?? ''), ['load', 'prepare', 'fit', 'evaluate']);
    // A cancelled prompt answers null: nothing changes.
    await page.click('article.step[data-step=evaluate] button[data-action=merge]');
    const merge = await nextRequest(page, 'mergeStep');
    assert.deepEqual(merge.params, { outDir: 'pipelines/kale', step: 'evaluate' });
    await send(page, { kind: 'response', id: merge.id, ok: false, error: { code: 'failed', message: 'VS Code refused the edit' } });
    await page.waitForFunction(() => /VS Code refused the edit/.test(document.querySelector('[data-testid=alert]')?.textContent ?? ''));
    assert.equal(await page.textContent('[data-testid=alert]'), 'Could not merge evaluate: VS Code refused the edit');
    await page.click('article.step[data-step=prepare] button[data-action=split]');
    const split = await nextRequest(page, 'splitAt');
    assert.deepEqual(split.params, { outDir: 'pipelines/kale', cellIndex: 7 });
    await reply(page, split, null);
    await page.waitForFunction(() => document.getElementById('app')?.getAttribute('aria-busy') === 'false');
    assert.equal(await page.locator('article.step').count(), 4);
    assert.equal(await page.textContent('[data-testid=alert]'), '');
  });

  it('shows hostile step titles, cell text and warnings as literal text', async () => {
    const base = await planOf(notebook(code(`# %% [step] ${HOSTILE}\nx = 1  # ${HOSTILE}`), code('# %% [step] use\nprint(x)')), 'hostile.ipynb');
    const plan: PipelinePlanView = { ...base, warnings: [{ kind: 'undefinedName', message: HOSTILE, cellIndex: 0, line: 1 }], hints: [HOSTILE] };
    await answerPlan(page, plan);
    const first = page.locator('article.step').first();
    assert.equal(await first.locator('.step-title').textContent(), `from “${HOSTILE}”`);
    assert.match((await first.locator('.cell-preview').textContent()) ?? '', new RegExp(`x = 1  # ${HOSTILE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(await page.locator('[data-testid=warnings] .message').textContent(), HOSTILE);
    assert.equal(await page.textContent('[data-testid=hints]'), HOSTILE);
    assert.equal(await page.locator('#app img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.deepEqual(await violations(page), []);
  });

  it('shows a planning error clearly instead of a stale plan', async () => {
    await answerPlan(page, kale);
    await send(page, { kind: 'event', event: { type: 'notebookChanged' } });
    const again = await nextRequest(page, 'getPlan', 1);
    await send(page, { kind: 'response', id: again.id, ok: false, error: { code: 'failed', message: 'kale.ipynb is not valid JSON (line 3, column 5)' } });
    await page.waitForFunction(() => (document.querySelector('[data-testid=alert]')?.textContent ?? '') !== '');
    assert.equal(await page.textContent('[data-testid=alert]'), 'Could not plan the export: kale.ipynb is not valid JSON (line 3, column 5)');
    assert.equal(await page.isHidden('[data-testid=steps]'), true);
  });

  it('restores the notebook, folder, force and last plan after a reload', async () => {
    await answerPlan(page, kale);
    await page.fill('[data-testid=out-dir]', 'out/kale');
    await page.press('[data-testid=out-dir]', 'Enter');
    await reply(page, await nextRequest(page, 'getPlan', 1), { ...kale, outDir: 'out/kale' });
    await page.check('[data-testid=force]');
    const state = JSON.parse(await page.evaluate(() => sessionStorage.getItem('state') ?? 'null'));
    assert.deepEqual({ notebookPath: state.notebookPath, outDir: state.outDir, force: state.force }, { notebookPath: '/work/demo/kale.ipynb', outDir: 'out/kale', force: true });
    await page.reload();
    // The last plan shows at once, before the host answers.
    await page.waitForSelector('article.step[data-step=evaluate]');
    assert.equal(await page.inputValue('[data-testid=out-dir]'), 'out/kale');
    assert.equal(await page.isChecked('[data-testid=force]'), true);
    const request = await nextRequest(page, 'getPlan');
    assert.deepEqual(request.params, { outDir: 'out/kale' });
    assert.deepEqual(await violations(page), []);
  });

  it('takes another folder from the host (the command run again with outDir)', async () => {
    await answerPlan(page, kale);
    await send(page, { kind: 'event', event: { type: 'useOutDir', outDir: 'elsewhere/kale' } });
    const request = await nextRequest(page, 'getPlan', 1);
    assert.deepEqual(request.params, { outDir: 'elsewhere/kale' });
    assert.equal(await page.inputValue('[data-testid=out-dir]'), 'elsewhere/kale');
  });
});
