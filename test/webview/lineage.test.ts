// The Lineage webview in headless Chromium, under the CSP the host gives it, with the VS Code API
// stubbed. The test plays the host with real graphs: a LineageSession over a real SQLite store (the
// lineage tests' scenario, plus a dataset 14 runs read), and real stale marks of a real file.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import { nodeId } from '../../src/core/lineage/types.ts';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { LineageSession } from '../../src/host/lineage/lineageSession.ts';
import { isLineageState } from '../../src/protocol/lineage.ts';
import { writeDataRecord } from '../../src/core/data/dataRecord.ts';
import { buildScenario, MANY_RUNS, SHA, type Scenario } from '../unit/lineage/scenario.ts';
import { answerGraph, drawnNodes, edgeCount, nextRequest, openLineage, refs, reply, resultOf, savedState, send, sendStale, waitForNodes } from './lineageHarness.ts';
import { violations } from './webviewHarness.ts';

const HOSTILE = '<img src=x onerror=window.__xss=1>';
const BIG_RUNS = 14;
const shots = path.join(import.meta.dirname, '..', '..', 'test-output', 'webview');

describe('webview: Lineage view', function () {
  this.timeout(60_000);
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let dir: string;
  let store: SqliteTrackingStore;
  let s: Scenario;
  let page: Page;
  /** A run that read the training file and a pickled model: only the file can be compared. */
  let predict: string;
  const PICKLE_SHA = 'ef'.repeat(32);

  before(async () => {
    browser = await launchBrowser();
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-lineage-web-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'), { user: 'ada' });
    s = await buildScenario(store, path.join(dir, 'project'));
    // The file the training run read, as it is now: not what the run hashed, so it is stale.
    mkdirSync(path.join(dir, 'project', 'data'), { recursive: true });
    writeFileSync(path.join(dir, 'project', 'data', 'train.csv'), 'a,b\n1,2\n');
    predict = (await store.createRun({ experimentId: '0', runName: 'predict' })).info.runId;
    await writeDataRecord(store, predict, {
      version: 1, cwd: path.join(dir, 'project'), outputs: [], notes: [],
      inputs: [{ path: 'data/train.csv', kind: 'file', found: ['observed'], sha256: SHA }, { path: 'models/model.pkl', kind: 'file', found: ['observed'], sha256: PICKLE_SHA }],
    });
    for (let i = 0; i < BIG_RUNS; i++) {
      const runId = (await store.createRun({ experimentId: '0', runName: i === 0 ? HOSTILE : `big-${i}` })).info.runId;
      await store.logInputs(runId, [{ tags: [], dataset: { name: 'big', digest: 'bigd1g', sourceType: 'local', source: '' } }]);
    }
  });
  after(async () => {
    await browser?.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    page = await openLineage(browser.context);
    await page.setViewportSize({ width: 1200, height: 800 });
  });
  afterEach(async () => {
    assert.deepEqual(await violations(page), [], 'no CSP violations');
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined, 'no markup from the store ran');
    await page.close();
  });

  it('draws every node and edge of the graph around a run, coloured by kind, the focus marked', async () => {
    const session = new LineageSession(store, refs.run(s.train), 2);
    const result = resultOf(session, await session.read());
    await answerGraph(page, result);
    const drawn = await drawnNodes(page);
    assert.deepEqual(drawn.map((n) => n.id).sort(), result.graph.nodes.map((n) => n.id).sort());
    assert.equal(await edgeCount(page), result.graph.edges.length);
    const train = drawn.find((n) => n.id === nodeId(refs.run(s.train)));
    assert.match(train?.classes ?? '', /kind-run/);
    assert.match(train?.classes ?? '', /\bfocus\b/);
    assert.ok(drawn.some((n) => /kind-dataset/.test(n.classes) && n.text === 'iris'), 'the dataset is drawn');
    assert.ok(drawn.some((n) => /kind-modelVersion/.test(n.classes) && n.text === 'clf v2'), 'the version is drawn');
    assert.equal(await page.textContent('[data-testid=title]'), 'Lineage: train');
    assert.equal(await page.locator('[data-node-kind=modelVersion]').count(), 2, 'nodes say their kind');
    assert.equal(await page.textContent('[data-testid=hops]'), '2');
  });

  it('marks data that changed since the run read it, and what was trained on it, once the host has checked', async () => {
    const session = new LineageSession(store, refs.run(s.train), 2);
    const result = resultOf(session, await session.read());
    await answerGraph(page, result);
    assert.deepEqual((await drawnNodes(page)).filter((n) => n.badge), [], 'no badge before the check');
    assert.match((await page.textContent('[data-testid=status]')) ?? '', /checking data files/);
    await sendStale(page, result);
    await page.waitForSelector('.graph-badge');
    const drawn = await drawnNodes(page);
    const data = drawn.find((n) => n.id.startsWith('data:'));
    assert.equal(data?.badge, 'changed since the run read it');
    assert.match(data?.title ?? '', /changed since the run read it/);
    assert.equal(drawn.find((n) => n.id === nodeId(refs.run(s.train)))?.badge, 'trained on data that changed since the run read it');
    assert.equal(drawn.find((n) => n.id === 'modelVersion:clf/2')?.badge, 'trained on data that changed since the run read it');
    assert.equal(drawn.find((n) => n.id.startsWith('dataset:'))?.badge, null, 'the MLflow dataset has no fingerprint to check');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'lineage-stale.png') });
    // Stale marks of an older graph are not applied to a newer one.
    const newer = resultOf(session, await session.setHops(1));
    await send(page, { kind: 'event', event: { type: 'graph', result: newer } });
    await page.waitForFunction(() => document.querySelectorAll('.graph-badge').length === 0);
    await sendStale(page, { ...newer, seq: result.seq });
    assert.equal((await drawnNodes(page)).filter((n) => n.badge).length, 0);
  });

  it('draws a cut side as "+N more", and clicking it asks the host for more', async () => {
    const session = new LineageSession(store, refs.dataset('manyd1g', 'many'), 1, [], { reader: { perNodeLimit: 2 } });
    await answerGraph(page, resultOf(session, await session.read()));
    const more = (await drawnNodes(page)).find((n) => /kind-more/.test(n.classes));
    // The digest search stops past the limit, so how many more is not known.
    assert.equal(more?.text, '+ more');
    await page.click(`.graph-node[data-node="${more?.id}"]`);
    const request = await nextRequest(page, 'expand');
    const datasetId = nodeId(refs.dataset('manyd1g', 'many'));
    assert.deepEqual(request.params, { nodeId: datasetId, side: 'downstream', hops: 1, more: true });
    const expanded = await session.expand(datasetId, 'downstream', 1, true);
    await reply(page, request, resultOf(session, expanded));
    await waitForNodes(page, MANY_RUNS + 1);
    const drawn = await drawnNodes(page);
    assert.equal(drawn.filter((n) => /kind-run/.test(n.classes)).length, MANY_RUNS);
    assert.equal(drawn.filter((n) => /kind-more/.test(n.classes)).length, 0, 'nothing is cut any more');
  });

  it('collapses a fan-in of many runs into one group node, drawn out on a click; names stay text', async () => {
    const session = new LineageSession(store, refs.dataset('bigd1g', 'big'), 1);
    await reply(page, await nextRequest(page, 'getGraph'), resultOf(session, await session.read()));
    await waitForNodes(page, 2);
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'lineage-group.png') });
    const group = (await drawnNodes(page)).find((n) => /kind-group/.test(n.classes));
    assert.equal(group?.text, `${BIG_RUNS} runs`);
    assert.equal((await drawnNodes(page)).length, 2, 'the dataset and the group');
    await page.click(`.graph-node[data-node="${group?.id}"]`);
    await waitForNodes(page, BIG_RUNS + 1);
    const runs = (await drawnNodes(page)).filter((n) => /kind-run/.test(n.classes));
    assert.equal(runs.length, BIG_RUNS);
    assert.ok(runs.some((n) => n.title.includes(HOSTILE)), 'the hostile run name is shown as text');
  });

  it('is keyboard accessible: Tab reaches a node, Enter asks the host to open it; a dataset opens in the side pane', async () => {
    const session = new LineageSession(store, refs.run(s.train), 1);
    await answerGraph(page, resultOf(session, await session.read()));
    const target = nodeId(refs.run(s.sweep));
    await page.focus('[data-testid=graph-viewport]');
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate((id) => document.activeElement?.getAttribute('data-node') === id, target);
    }
    assert.ok(reached, 'Tab moves through the nodes');
    await page.keyboard.press('Enter');
    const open = await nextRequest(page, 'open');
    assert.deepEqual(open.params, { nodeId: target });
    await reply(page, open, null);
    // A double-click on a version asks the host to open it too.
    await page.dblclick('.graph-node[data-node="modelVersion:clf/2"]');
    const opened = await nextRequest(page, 'open', open.id);
    assert.deepEqual(opened.params, { nodeId: 'modelVersion:clf/2' });
    await reply(page, opened, null);
    // A dataset is not opened by the host: its details show beside the graph.
    await page.dblclick('.graph-node.kind-dataset');
    await page.waitForSelector('[data-testid=dataset-schema]');
    assert.equal(await page.textContent('[data-testid=details-title]'), 'iris');
    assert.match((await page.textContent('[data-testid=details]')) ?? '', /d1gest01/);
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'lineage-details.png') });
    const posted = await page.evaluate(() => (window as unknown as { __posted: { method?: string }[] }).__posted.filter((p) => p.method === 'open').length);
    assert.equal(posted, 2, 'the run and the version were sent to the host, the dataset was not');
  });

  it('keeps focus, hops and the last graph in its state: a reload shows it at once, and the host can revive it', async () => {
    const session = new LineageSession(store, refs.run(s.train), 2);
    await answerGraph(page, resultOf(session, await session.read()));
    await page.click('[data-testid=hops-up]');
    const request = await nextRequest(page, 'setHops');
    assert.deepEqual(request.params, { hops: 3 });
    const wider = resultOf(session, await session.setHops(3));
    await reply(page, request, wider);
    await page.waitForFunction(() => document.querySelector('[data-testid=hops]')?.textContent === '3');
    const state = await savedState(page);
    assert.ok(isLineageState(state), `a state the serializer revives from: ${JSON.stringify(state).slice(0, 200)}`);
    assert.deepEqual(state.focus, { store: 'local', ref: refs.run(s.train) });
    assert.equal(state.hops, 3);

    await page.reload();
    // Drawn from the saved state before the host answers.
    await page.waitForFunction((n) => document.querySelectorAll('.graph-node').length === n, wider.graph.nodes.length, { timeout: 10_000 });
    assert.equal(await page.getAttribute('#app', 'aria-busy'), 'true', 'the host has not answered yet');
    assert.equal(await page.textContent('[data-testid=hops]'), '3');
    assert.ok((await drawnNodes(page)).some((n) => n.id === 'alias:clf@champion'), 'the alias three hops away is back');
  });

  it('drops a saved graph it cannot draw and loads the graph from the host', async () => {
    const session = new LineageSession(store, refs.run(s.train), 1);
    const result = resultOf(session, await session.read());
    const focus = { store: 'local', ref: refs.run(s.train) };
    const corrupt = [
      // Refused by the check: nodes that are not a list.
      { ...result, graph: { ...result.graph, nodes: 'not a list' } },
      // Passes the check but cannot be drawn (a run with no id to name it by).
      { ...result, graph: { ...result.graph, nodes: [{ kind: 'run', id: 'run:x' }], edges: [] } },
    ];
    for (const last of corrupt) {
      await page.evaluate((state) => sessionStorage.setItem('state', JSON.stringify(state)), { focus, hops: 1, expansions: [], last });
      await page.reload();
      const request = await nextRequest(page, 'getGraph');
      await reply(page, request, result);
      await waitForNodes(page, result.graph.nodes.length);
      assert.deepEqual((await drawnNodes(page)).map((n) => n.id).sort(), result.graph.nodes.map((n) => n.id).sort());
      assert.equal(await page.textContent('[data-testid=title]'), 'Lineage: train');
    }
  });

  it('applies stale marks that come before their graph, and re-centres on a node with Show Lineage from Here', async () => {
    const session = new LineageSession(store, refs.run(s.train), 2);
    const result = resultOf(session, await session.read());
    const request = await nextRequest(page, 'getGraph');
    // The host's check (cached) can finish before its reply reaches the page.
    await sendStale(page, result);
    await reply(page, request, result);
    await page.waitForSelector('.graph-badge');
    assert.doesNotMatch((await page.textContent('[data-testid=status]')) ?? '', /checking data files/);
    await page.click('.graph-node[data-node="modelVersion:clf/2"]');
    await page.click('[data-testid=details] button[data-action=show-lineage]');
    const show = await nextRequest(page, 'showLineageFrom');
    assert.deepEqual(show.params, { nodeId: 'modelVersion:clf/2' });
    // The focus itself offers no re-centring.
    await page.click(`.graph-node[data-node="${nodeId(refs.run(s.train))}"]`);
    await page.waitForFunction(() => document.querySelector('[data-testid=details-title]')?.textContent === 'train');
    assert.equal(await page.locator('[data-testid=details] button[data-action=show-lineage]').count(), 0);
    // A run node offers Compare with Training Data (the drift panel); a model version does not.
    await page.click('[data-testid=details] button[data-action=compare-data]');
    assert.deepEqual((await nextRequest(page, 'compareWithTrainingData')).params, { nodeId: nodeId(refs.run(s.train)) });
    await page.click('.graph-node[data-node="modelVersion:clf/2"]');
    assert.equal(await page.locator('[data-testid=details] button[data-action=compare-data]').count(), 0);
  });

  it('offers Compare with Training Data on a tabular data file, not on a model.pkl', async () => {
    const session = new LineageSession(store, refs.run(predict), 1);
    const result = resultOf(session, await session.read());
    await answerGraph(page, result);
    const csv = `data:${SHA}`;
    const pickle = `data:${PICKLE_SHA}`;
    await page.click(`.graph-node[data-node="${pickle}"]`);
    await page.waitForFunction(() => document.querySelector('[data-testid=details-title]')?.textContent?.includes('model.pkl'));
    assert.equal(await page.locator('[data-testid=details] button[data-action=compare-data]').count(), 0, 'a pickle cannot be profiled');
    await page.click(`.graph-node[data-node="${csv}"]`);
    await page.waitForFunction(() => document.querySelector('[data-testid=details-title]')?.textContent?.includes('train.csv'));
    await page.click('[data-testid=details] button[data-action=compare-data]');
    assert.deepEqual((await nextRequest(page, 'compareWithTrainingData')).params, { nodeId: csv });
  });

  it('shows a read error in the view', async () => {
    const request = await nextRequest(page, 'getGraph');
    await reply(page, request, { kind: 'error', focus: { store: 'gone', ref: refs.run('r1') }, label: 'run r1', message: "The tracking store 'gone' is not available in this window." });
    await page.waitForFunction(() => /not available/.test(document.querySelector('[data-testid=alert]')?.textContent ?? ''));
    assert.equal(await page.textContent('[data-testid=title]'), 'Lineage: run r1');
  });
});
