// The Pipeline export preview webview in headless Chromium, under the CSP the host gives it, with
// the VS Code API stubbed. The test plays the host: it answers getPlan with real plans computed by
// planExport from the fixture notebooks, and checks the requests the page sends for writes and edits.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import type { Notebook, NotebookCell } from '../../src/core/notebook/notebookModel.ts';
import { readNotebookFile } from '../../src/core/notebook/readNotebook.ts';
import { SINGLE_STEP_HINT } from '../../src/core/pipeline/steps.ts';
import type { PipelinePlanView } from '../../src/protocol/pipeline.ts';
import { answerPlan, fixturePlan, HOSTILE, nextRequest, openPanel, planOf, planWithConflict, posted, reply, send, violations } from './pipelineHarness.ts';
import { root } from './webviewHarness.ts';

const code = (source: string, tags?: string[]): NotebookCell => ({ cellType: 'code', source, metadata: tags ? { tags } : {}, outputs: [], executionCount: null });
const notebook = (...cells: NotebookCell[]): Notebook => ({ nbformat: 4, nbformatMinor: 5, metadata: {}, cells });
const shots = path.join(root, 'test-output', 'webview');

/** Shaped like Kale's Titanic example: a chain, five independent models, one step that reads them all; long names. */
const MODELS = ['decision_tree_classifier_with_grid_search', 'support_vector_machine', 'naive_bayes', 'logistic_regression_with_cross_validation', 'random_forest'];
const titanic = (): Notebook =>
  notebook(
    code('import pandas as pd\ntrain_df = pd.DataFrame({"Age": [22, 38], "Survived": [0, 1]})', ['step:load_the_titanic_passenger_data']),
    code('clean_df = train_df.dropna()', ['step:preprocess']),
    code('X = clean_df[["Age"]]\ny = clean_df["Survived"]', ['step:feature_engineering']),
    ...MODELS.map((m) => code(`${m}_acc = float(len(X)) + float(len(y))`, [`step:${m}`])),
    code(`print(${MODELS.map((m) => `${m}_acc`).join(', ')})`, ['step:results']),
  );

interface Box { x: number; y: number; w: number; h: number }
interface Geometry {
  viewport: Box;
  scale: number;
  fitted: boolean;
  direction: string;
  transform: string;
  nodes: { id: string; text: string; title: string; box: Box; textBox: Box }[];
}

/** Where the graph's boxes and labels are on screen. */
function geometry(page: Page): Promise<Geometry> {
  return page.evaluate(() => {
    const rect = (e: Element) => {
      const r = e.getBoundingClientRect();
      return { x: r.x, y: r.y, w: r.width, h: r.height };
    };
    const viewport = document.querySelector('[data-testid=graph-viewport]') as HTMLElement;
    return {
      viewport: rect(viewport),
      scale: Number(viewport.dataset.scale),
      fitted: viewport.dataset.fitted === 'true',
      direction: viewport.querySelector('svg')?.dataset.direction ?? '',
      transform: viewport.querySelector('.graph-scene')?.getAttribute('transform') ?? '',
      nodes: [...viewport.querySelectorAll('.graph-node')].map((g) => ({
        id: g.getAttribute('data-node') ?? '',
        text: g.querySelector('text')?.textContent ?? '',
        title: g.querySelector('title')?.textContent ?? '',
        box: rect(g.querySelector('rect') as Element),
        textBox: rect(g.querySelector('text') as Element),
      })),
    };
  });
}

const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
const within = (inner: Box, outer: Box, slack = 0.5) => inner.x >= outer.x - slack && inner.y >= outer.y - slack && inner.x + inner.w <= outer.x + outer.w + slack && inner.y + inner.h <= outer.y + outer.h + slack;

/** No two node boxes overlap, each label lies inside its box, and the fitted graph is all in view. */
function assertReadable(g: Geometry, what: string): void {
  const clashes = g.nodes.flatMap((a, i) => g.nodes.slice(i + 1).filter((b) => overlaps(a.box, b.box)).map((b) => `${a.id} × ${b.id}`));
  assert.deepEqual(clashes, [], `${what}: overlapping nodes`);
  for (const n of g.nodes) {
    assert.ok(within(n.textBox, n.box), `${what}: the label of ${n.id} leaves its box ${JSON.stringify(n)}`);
    assert.ok(within(n.box, g.viewport), `${what}: ${n.id} is outside the fitted view ${JSON.stringify(n.box)} ${JSON.stringify(g.viewport)}`);
  }
}

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
    // The SVG graph: one box per step, one arrow per dependency, hover text with the step's facts.
    assert.deepEqual(JSON.parse((await page.getAttribute('[data-testid=dag]', 'data-nodes')) ?? ''), ['load', 'prepare', 'train', 'evaluate']);
    assert.deepEqual(JSON.parse((await page.getAttribute('[data-testid=dag]', 'data-edges')) ?? ''), ['load->prepare', 'prepare->train', 'prepare->evaluate', 'train->evaluate']);
    assert.equal(await page.getAttribute('[data-testid=dag]', 'aria-label'), 'Pipeline graph: 4 steps, 4 dependencies');
    assert.deepEqual(await page.locator('[data-testid=dag] .graph-node').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-node'))), ['load', 'prepare', 'train', 'evaluate']);
    assert.deepEqual(await texts('[data-testid=dag] .graph-node text'), ['load', 'prepare', 'train', 'evaluate']);
    assert.equal(await page.locator('[data-testid=dag] .graph-edge').count(), 4);
    assert.match((await page.locator('[data-testid=dag] .graph-node[data-node=prepare] > title').textContent()) ?? '', /^prepare\ncells 7, 8\nin: data\nout: X, split, y/);
    const size = await page.locator('[data-testid=graph-viewport]').boundingBox();
    assert.ok(size && size.width > 100 && size.height >= 120, JSON.stringify(size));
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

  // The Titanic shape (five long-named models side by side) and the notebook of the e2e journey,
  // whose 11 steps and 23 dependencies drew labels on top of each other in a 500 px column.
  const graphs: [string, () => Promise<PipelinePlanView>, number][] = [
    ['titanic', () => planOf(titanic(), 'titanic.ipynb'), 9],
    ['explore', async () => planOf(await readNotebookFile(path.join(root, 'test', 'fixtures', 'notebooks', 'workflow-edited.ipynb')), 'explore.ipynb'), 11],
  ];
  for (const [name, makePlan, stepCount] of graphs) {
    for (const width of [500, 1400]) {
      it(`lays the ${name} graph out readably in a ${width} px panel: no overlaps, long names shortened with the full name on hover, fitted (screenshot)`, async () => {
        await page.setViewportSize({ width, height: 900 });
        const plan = await makePlan();
        assert.equal(plan.steps.length, stepCount);
        await answerPlan(page, plan);
        const g = await geometry(page);
        assert.equal(g.nodes.length, stepCount);
        assertReadable(g, `${name} at ${width} px`);
        assert.equal(g.fitted, true);
        // Shown at a readable size: the whole graph fits at no less than 75 % (labels stay about 10 px).
        assert.ok(g.scale >= 0.75 && g.scale <= 1, `scale ${g.scale}`);
        const shortened = g.nodes.filter((n) => n.text !== n.id);
        for (const n of shortened) {
          assert.ok(n.text.endsWith('…') && n.id.startsWith(n.text.slice(0, -1)), JSON.stringify(n));
          assert.ok(n.title.startsWith(`${n.id}\n`) || n.title.startsWith(`${n.id} (`), `the hover text starts with the full name: ${n.title}`);
        }
        if (name === 'titanic') {
          assert.ok(shortened.some((n) => n.id === 'logistic_regression_with_cross_validation'));
          assert.equal(g.nodes.find((n) => n.id === 'preprocess')?.text, 'preprocess');
        }
        mkdirSync(shots, { recursive: true });
        // The panel as a user opens it: the header, then the graph.
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.screenshot({ path: path.join(shots, `pipeline-graph-${name}-${width}.png`) });
        assert.deepEqual(await violations(page), []);
      });
    }
  }

  it('fits again when the panel narrows, zooms with the buttons, keys and Ctrl + wheel, pans by dragging, and a click on a step shows it', async () => {
    await answerPlan(page, await planOf(titanic(), 'titanic.ipynb'));
    const wide = await geometry(page);
    await page.setViewportSize({ width: 500, height: 900 });
    // The resize observer lays the graph out again for the new width.
    await page.waitForFunction((before) => document.querySelector<HTMLElement>('[data-testid=graph-viewport]')?.dataset.scale !== before, wide.scale.toFixed(4));
    const narrow = await geometry(page);
    assertReadable(narrow, 'after narrowing');
    await page.click('[data-testid=graph-zoom-in]');
    let g = await geometry(page);
    assert.equal(g.fitted, false);
    assert.ok(Math.abs(g.scale - narrow.scale * 1.25) < 1e-3, `${g.scale} vs ${narrow.scale}`);
    await page.click('[data-testid=graph-zoom-out]');
    await page.click('[data-testid=graph-zoom-out]');
    assert.ok(Math.abs((await geometry(page)).scale - narrow.scale / 1.25) < 1e-3);
    await page.click('[data-testid=graph-fit]');
    g = await geometry(page);
    assert.equal(g.fitted, true);
    assert.equal(g.transform, narrow.transform);
    // The keyboard: focus the drawing, + zooms in, arrows pan, 0 fits.
    await page.focus('[data-testid=graph-viewport]');
    await page.keyboard.type('+');
    assert.ok(Math.abs((await geometry(page)).scale - narrow.scale * 1.25) < 1e-3);
    const before = (await geometry(page)).nodes[0]?.box;
    await page.keyboard.press('ArrowRight');
    const after = (await geometry(page)).nodes[0]?.box;
    assert.ok(before && after && Math.abs(after.x - (before.x - 40)) < 0.5, `${JSON.stringify(before)} → ${JSON.stringify(after)}`);
    await page.keyboard.press('0');
    assert.equal((await geometry(page)).transform, narrow.transform);
    // Ctrl + wheel zooms about the pointer; a plain wheel over an unfocused graph scrolls the page instead.
    await page.locator('h1').click();
    const vp = narrow.viewport;
    await page.mouse.move(vp.x + vp.w / 2, vp.y + vp.h / 2);
    await page.mouse.wheel(0, 100);
    assert.equal((await geometry(page)).fitted, true);
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -100);
    await page.keyboard.up('Control');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid=graph-viewport]')?.dataset.fitted === 'false');
    assert.ok((await geometry(page)).scale > narrow.scale);
    await page.click('[data-testid=graph-fit]');
    // Dragging pans by the distance moved and selects nothing.
    const fittedView = await geometry(page);
    const start = { x: fittedView.viewport.x + 20, y: fittedView.viewport.y + 20 };
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move(start.x + 30, start.y + 50, { steps: 5 });
    await page.mouse.up();
    const panned = await geometry(page);
    const first = (v: Geometry) => v.nodes[0]?.box as Box;
    assert.ok(Math.abs(first(panned).x - first(fittedView).x - 30) < 0.5 && Math.abs(first(panned).y - first(fittedView).y - 50) < 0.5, `${JSON.stringify(first(fittedView))} → ${JSON.stringify(first(panned))}`);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-step') ?? null), null);
    // A click on a step's box shows that step's card.
    const node = panned.nodes.find((n) => n.id === 'feature_engineering') as Geometry['nodes'][number];
    await page.mouse.click(node.box.x + node.box.w / 2, node.box.y + node.box.h / 2);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-step')), 'feature_engineering');
    assert.deepEqual(await violations(page), []);
  });

  it('keeps the zoom when the same graph is planned again and after a reload, and fits a graph of another shape', async () => {
    await answerPlan(page, kale);
    await page.click('[data-testid=graph-zoom-in]');
    await page.click('[data-testid=graph-zoom-in]');
    const zoomed = await geometry(page);
    assert.equal(zoomed.fitted, false);
    // The notebook changed but not its steps: the same graph, the same view.
    await send(page, { kind: 'event', event: { type: 'notebookChanged' } });
    await reply(page, await nextRequest(page, 'getPlan', 1), kale);
    await page.waitForFunction(() => document.getElementById('app')?.getAttribute('aria-busy') === 'false');
    assert.equal((await geometry(page)).transform, zoomed.transform);
    // The view is kept in the webview state once the zooming pauses; a reload draws the saved plan with it at once.
    await page.waitForFunction(() => (JSON.parse(sessionStorage.getItem('state') ?? '{}') as { graphView?: unknown }).graphView !== undefined);
    await page.reload();
    await page.waitForSelector('[data-testid=dag] .graph-node');
    const restored = await geometry(page);
    assert.deepEqual([restored.transform, restored.fitted], [zoomed.transform, false]);
    await answerPlan(page, kale);
    assert.equal((await geometry(page)).transform, zoomed.transform);
    // Fit goes back to following the panel, and the state forgets the view.
    await page.click('[data-testid=graph-fit]');
    await page.waitForFunction(() => (JSON.parse(sessionStorage.getItem('state') ?? '{}') as { graphView?: unknown }).graphView === undefined);
    await page.click('[data-testid=graph-zoom-out]');
    // Another shape (a step renamed) is fitted to the panel.
    await send(page, { kind: 'event', event: { type: 'notebookChanged' } });
    const renamed: PipelinePlanView = { ...kale, steps: kale.steps.map((s) => (s.name === 'train' ? { ...s, name: 'fit' } : s)), edges: kale.edges.map((e) => ({ ...e, from: e.from === 'train' ? 'fit' : e.from, to: e.to === 'train' ? 'fit' : e.to })) };
    const again = await nextRequest(page, 'getPlan', 1);
    await reply(page, again, renamed);
    await page.waitForSelector('[data-testid=dag] .graph-node[data-node=fit]');
    assert.equal((await geometry(page)).fitted, true);
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
    const state = JSON.parse(await page.evaluate(() => sessionStorage.getItem('state') ?? 'null')) as { notebookPath: string; outDir: string; force: boolean };
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
