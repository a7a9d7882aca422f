// The Run Details webview app in headless Chromium, under the CSP the host gives it, with the VS
// Code API stubbed. The test plays the host with the core functions RunDetailsPanel uses, over a
// real SQLite store seeded with a Labbook launch, a plain run with a hostile name and a parent.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import { readRunDetails } from '../../src/core/runDetails/loadRunDetails.ts';
import { COMMIT, HOSTILE, LOG_LINES, SOURCE, seedStore, type Seeded } from '../unit/runDetails/seedRuns.ts';
import { openPanel, PlayedHost, savedState, violations } from './runDetailsHarness.ts';

describe('webview: Run Details app', function () {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let seeded: Seeded;
  let page: Page;
  let host: PlayedHost;

  before(async () => {
    browser = await launchBrowser();
    seeded = await seedStore();
  });
  after(async () => {
    await browser?.close();
    await seeded?.close();
  });

  async function open(runId: string, store: 'local' | 'none' = 'local'): Promise<void> {
    page = await openPanel(browser.context);
    host = new PlayedHost(page, store === 'local' ? seeded.store : undefined, { store: store === 'local' ? 'local' : 'remote:http://gone', runId });
    await page.waitForSelector('#app[aria-busy=false]');
  }
  afterEach(async () => {
    await host?.stop();
    await page?.close();
  });

  const text = async (selector: string) => (await page.textContent(selector)) ?? '';
  const tab = (name: string) => page.click(`[role=tab][data-tab=${name}]`);

  it('says it is ready, asks for the details, and shows the overview of a Labbook launch', async () => {
    await open(seeded.launched);
    const messages = await page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted.slice(0, 2));
    assert.deepEqual(messages, [{ kind: 'ready' }, { kind: 'request', id: 1, method: 'getDetails', params: null }]);
    assert.equal(await text('[data-testid=title]'), 'baseline');
    assert.equal(await text('header [data-testid=status]'), '✓Finished');
    const field = (name: string) => text(`[data-testid=overview] dd[data-field=${name}]`);
    assert.equal(await field('status'), '✓Finished exit code 0');
    assert.equal(await page.getAttribute('dd[data-field=start] time', 'datetime'), new Date(1_700_000_001_000).toISOString());
    assert.equal(await page.getAttribute('dd[data-field=end] time', 'datetime'), new Date(1_700_000_066_000).toISOString());
    assert.equal(await field('duration'), '1 min 5 s');
    assert.equal(await field('user'), 'ada');
    assert.equal(await field('source'), `${SOURCE} View snapshot`);
    assert.equal(await page.getAttribute('[data-action=openAtCommit]', 'title'), `src/train.py at ${COMMIT}`);
    assert.equal(await field('experiment'), `wine (id ${seeded.experimentId})`);
    assert.equal(await field('runId'), `${seeded.launched} Copy`);
    assert.match(await field('git'), new RegExp(`^${COMMIT.slice(0, 12)} on mainuncommitted changes Open source at this commit$`));
    assert.equal(await field('repo'), 'https://example.com/lab.git');
    assert.equal(await field('parent'), seeded.parent);
    assert.equal(await field('reproduces'), 'f'.repeat(32));
    assert.deepEqual(await violations(page), []);
  });

  it('asks the host to copy the run id, open the source at its commit, and open the parent run', async () => {
    await open(seeded.launched);
    await page.click('[data-action=copyRunId]');
    assert.deepEqual((await host.next('copyText')).params, { text: seeded.launched });
    await page.click('[data-action=openAtCommit]');
    assert.equal((await host.next('openSourceAtCommit')).params, null);
    await page.click(`[data-action=openRun][data-run="${seeded.parent}"]`);
    assert.deepEqual((await host.next('openRun')).params, { runId: seeded.parent });
    await page.click('[data-action=viewSnapshot]');
    assert.equal(await page.getAttribute('[role=tab][data-tab=code]', 'aria-selected'), 'true');
    await page.waitForSelector('[data-testid=snapshot]');
    assert.equal(await text('[data-testid=snapshot]'), 'import mlflow\nprint("training")\n');
  });

  it('sorts and filters the params table', async () => {
    await open(seeded.launched);
    await tab('params');
    const keys = () => page.locator('[data-testid=params] tbody tr td:first-child').allTextContents();
    assert.deepEqual(await keys(), ['batch_size', 'epochs', 'hostile', 'lr', 'model']);
    assert.equal(await text('[data-testid=params-count]'), '5 params');
    await page.click('[data-sort=value]');
    // Numbers compare as numbers (0.01 < 32 < 100), then text.
    assert.deepEqual(await page.locator('[data-testid=params] tbody tr td:nth-child(2)').allTextContents(), ['0.01', '32', '100', HOSTILE, 'resnet']);
    assert.equal(await page.getAttribute('th[data-column=value]', 'aria-sort'), 'ascending');
    await page.click('[data-sort=value]');
    assert.equal(await page.getAttribute('th[data-column=value]', 'aria-sort'), 'descending');
    await page.fill('[data-testid=params-filter]', 'EPO');
    assert.deepEqual(await keys(), ['epochs']);
    assert.equal(await text('[data-testid=params-count]'), '1 of 5 params');
    await page.fill('[data-testid=params-filter]', 'resn');
    assert.deepEqual(await keys(), ['model']);
    assert.equal((await savedState(page)).paramFilter, 'resn');
  });

  it('draws a sparkline per metric from the downsampled buckets, with min and max', async () => {
    await open(seeded.launched);
    await tab('metrics');
    const details = (await readRunDetails(seeded.store, { store: 'local', runId: seeded.launched })).result;
    assert.ok(details.kind === 'details');
    const loss = details.details.metrics.find((m) => m.key === 'loss');
    const expected = loss?.sparkline?.points.length ?? 0;
    assert.ok(expected > 30 && expected <= 60);
    const row = page.locator('tr[data-metric=loss]');
    assert.equal(await row.locator('svg.sparkline').getAttribute('data-points'), String(expected));
    const points = (await row.locator('polyline.spark-line').getAttribute('points'))?.trim().split(/\s+/) ?? [];
    assert.equal(points.length, expected);
    // The spike at step 250 lies inside a bucket: it shows as the metric's max and as a range bar.
    assert.equal(await row.locator('td[data-cell=max]').textContent(), '5.00398');
    assert.equal(await row.locator('td[data-cell=min]').textContent(), '0.002');
    assert.ok((await row.locator('line.spark-range').count()) > 0);
    assert.equal(await row.locator('circle.spark-dot').count(), 1);
    assert.match((await row.locator('svg.sparkline').getAttribute('aria-label')) ?? '', new RegExp(`^loss: ${expected} points, min 0.002, max 5.00398$`));
    // A metric logged once: a dot, no line.
    assert.equal(await page.locator('tr[data-metric=lr_final] svg.sparkline').getAttribute('data-points'), '1');
    assert.equal(await page.locator('tr[data-metric=lr_final] polyline').count(), 0);
    await page.fill('[data-testid=metrics-filter]', 'acc');
    assert.deepEqual(await page.locator('[data-testid=metrics] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-metric'))), ['accuracy']);
  });

  it('edits, adds and deletes tags and the note through requests, and shows the host\'s answer', async () => {
    const run = (await seeded.store.createRun({ experimentId: seeded.experimentId, runName: 'editable', tags: [{ key: 'team', value: 'vision' }] })).info.runId;
    await open(run);
    await tab('tags');
    const rows = () => page.locator('[data-testid=tags] tbody:not(.add-tag) tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-tag')));
    assert.deepEqual(await rows(), ['team']);
    await page.check('[data-testid=system-tags-toggle]');
    assert.deepEqual(await rows(), ['team', 'mlflow.runName']);
    await page.uncheck('[data-testid=system-tags-toggle]');

    await page.click('tr[data-tag=team] [data-action=editTag]');
    await page.fill('tr.editing [data-testid=tag-value]', 'robotics');
    await page.keyboard.press('Enter');
    assert.deepEqual((await host.next('setTag')).params, { key: 'team', value: 'robotics' });
    await page.waitForFunction(() => document.querySelector('tr[data-tag=team] td.value')?.textContent === 'robotics');
    assert.equal((await seeded.store.getRun(run)).data.tags.find((t) => t.key === 'team')?.value, 'robotics');

    await page.fill('.add-tag [data-testid=tag-key]', 'stage');
    await page.fill('.add-tag [data-testid=tag-value]', HOSTILE);
    await page.click('[data-action=addTag]');
    await page.waitForSelector('tr[data-tag=stage]');
    assert.equal(await text('tr[data-tag=stage] td.value'), HOSTILE);

    await page.click('tr[data-tag=team] [data-action=deleteTag]');
    assert.equal(await text('tr[data-tag=team] [data-action=deleteTag]'), 'Confirm delete');
    assert.equal(host.count('deleteTag'), 0);
    await page.click('tr[data-tag=team] [data-action=deleteTag]');
    assert.deepEqual((await host.next('deleteTag')).params, { key: 'team' });
    await page.waitForFunction(() => !document.querySelector('tr[data-tag=team]'));

    await page.click('[data-action=editNote]');
    await page.fill('[data-testid=note-editor]', 'Second thoughts.\nMore data.');
    await page.click('[data-action=saveNote]');
    assert.deepEqual((await host.next('setNote')).params, { content: 'Second thoughts.\nMore data.' });
    await page.waitForFunction(() => document.querySelector('[data-testid=note]')?.textContent === 'Second thoughts.\nMore data.');

    // A refused edit (a system tag) shows the host's error in place.
    await page.fill('.add-tag [data-testid=tag-key]', 'mlflow.user');
    await page.click('[data-action=addTag]');
    await page.waitForFunction(() => (document.querySelector('[data-testid=tags-alert]')?.textContent ?? '') !== '');
    assert.match(await text('[data-testid=tags-alert]'), /^Could not add tag mlflow.user: 'mlflow.user' is a system tag/);
  });

  it('lists artifact folders only when opened, and previews text, images, CSV, JSON and binaries', async () => {
    await open(seeded.launched);
    await tab('artifacts');
    await page.waitForSelector('[role=treeitem][data-path=results]');
    assert.deepEqual(host.requests.filter((r) => r.method === 'listArtifacts').map((r) => r.params), [{ path: '' }]);
    assert.equal(await page.getAttribute('[data-path=results]', 'aria-expanded'), 'false');
    await page.click('[data-path=results] > .tree-label');
    await page.waitForSelector('[data-path="results/metrics.csv"]');
    assert.deepEqual((await host.nth('listArtifacts', 1)).params, { path: 'results' });
    assert.equal(await page.getAttribute('[data-path=results]', 'aria-expanded'), 'true');

    await page.click('[data-path="results/metrics.csv"]');
    await page.waitForSelector('[data-testid=preview-csv]');
    assert.deepEqual(await page.locator('[data-testid=preview-csv] th').allTextContents(), ['name', 'value', 'comment']);
    assert.deepEqual(await page.locator('[data-testid=preview-csv] tbody tr:nth-child(2) td').allTextContents(), ['loss', '0.12', 'has, a comma']);
    assert.equal(await page.locator('[data-testid=preview-csv] tbody tr:nth-child(3) td').nth(2).textContent(), 'two\nlines');
    assert.equal(await page.getAttribute('[data-path="results/metrics.csv"]', 'aria-selected'), 'true');

    await page.click('[data-path="results/plot.png"]');
    await page.waitForSelector('[data-testid=preview-image]');
    assert.match((await page.getAttribute('[data-testid=preview-image]', 'src')) ?? '', /^data:image\/png;base64,iVBORw0KGgo/);
    await page.waitForFunction(() => (document.querySelector('[data-testid=preview-image]') as HTMLImageElement).naturalWidth === 1);

    await page.click('[data-path="results/diagram.svg"]');
    await page.waitForFunction(() => (document.querySelector('[data-testid=preview-image]')?.getAttribute('src') ?? '').startsWith('data:image/svg+xml;base64,'));
    await page.waitForFunction(() => (document.querySelector('[data-testid=preview-image]') as HTMLImageElement).naturalWidth === 10);
    assert.equal(await page.locator('#app svg rect').count(), 0); // never inline DOM

    await page.click('[data-path="results/summary.json"]');
    await page.waitForSelector('[data-testid=preview-json]');
    assert.equal(await text('[data-testid=preview-json]'), '{\n  "best": {\n    "epoch": 42,\n    "acc": 0.93\n  }\n}');

    await page.click('[data-path="results/model.bin"]');
    await page.waitForFunction(() => /Binary file \(6 B\)/.test(document.querySelector('[data-testid=preview]')?.textContent ?? ''));

    await page.click('[data-action=openArtifact]');
    assert.deepEqual((await host.next('openArtifact')).params, { path: 'results/model.bin' });
    await page.click('[data-action=saveArtifact]');
    assert.deepEqual((await host.next('saveArtifact')).params, { path: 'results/model.bin' });
    assert.deepEqual(await violations(page), []);
  });

  it('moves through tabs and the artifact tree with the keyboard', async () => {
    await open(seeded.launched);
    await page.focus('[role=tab][data-tab=overview]');
    await page.keyboard.press('ArrowRight');
    const focusedTab = () => page.evaluate(() => document.activeElement?.getAttribute('data-tab'));
    assert.equal(await focusedTab(), 'params');
    assert.equal(await page.getAttribute('[role=tab][data-tab=params]', 'aria-selected'), 'true');
    assert.equal(await page.isVisible('#panel-params'), true);
    assert.equal(await page.isVisible('#panel-overview'), false);
    await page.keyboard.press('End');
    assert.equal(await focusedTab(), 'data');
    await page.keyboard.press('ArrowRight');
    assert.equal(await focusedTab(), 'overview');
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
    assert.equal(await focusedTab(), 'artifacts');
    // Only the selected tab is a tab stop.
    assert.deepEqual(await page.locator('[role=tab]').evaluateAll((tabs) => tabs.map((t) => (t as HTMLElement).tabIndex).filter((i) => i === 0).length), 1);

    await page.waitForSelector('[role=treeitem][data-path=labbook]');
    await page.focus('[role=treeitem][data-path=labbook]');
    const focusedPath = () => page.evaluate(() => document.activeElement?.getAttribute('data-path'));
    await page.keyboard.press('ArrowDown');
    assert.equal(await focusedPath(), 'results');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('[data-path="results/metrics.csv"]');
    assert.equal(await focusedPath(), 'results');
    await page.keyboard.press('ArrowRight');
    assert.equal(await focusedPath(), `results/${HOSTILE}.txt`);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=preview-image]');
    assert.equal(await page.getAttribute('[data-testid=preview-path]', 'data-testid'), 'preview-path');
    assert.equal(await text('[data-testid=preview-path]'), 'results/diagram.svg');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await focusedPath(), 'results');
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(() => document.querySelector('[data-path=results]')?.getAttribute('aria-expanded') === 'false');
  });

  it('shows the log tail, filters its lines, and asks for all of it', async () => {
    await open(seeded.launched);
    await tab('log');
    await page.waitForSelector('[data-testid=log]');
    assert.equal(await text('[data-testid=log]'), `${LOG_LINES.join('\n')}\n`);
    assert.match(await text('[data-testid=log-info]'), /^Showing all \d+ KB\.$/);
    assert.deepEqual((await host.next('getLog')).params, { all: false });
    await page.fill('[data-testid=log-filter]', 'CHECKPOINT');
    assert.equal(await text('[data-testid=log-info]'), `6 matching lines in all ${(await text('[data-testid=log-info]')).split(' in all ')[1]}`);
    assert.equal(await page.locator('[data-testid=log] mark').count(), 6);
    assert.deepEqual((await page.locator('[data-testid=log] .line').allTextContents()).slice(0, 2), ['epoch 0 loss=1.00000 checkpoint saved\n', 'epoch 500 loss=0.00200 checkpoint saved\n']);
    await page.click('[data-action=logAll]');
    assert.deepEqual((await host.nth('getLog', 1)).params, { all: true });
    assert.equal(await page.getAttribute('[data-action=logAll]', 'aria-pressed'), 'true');
  });

  it('shows the git patch coloured as a diff, the environment and the data fingerprints', async () => {
    await open(seeded.launched);
    await tab('code');
    await page.click('[data-code-view=patch]');
    await page.waitForSelector('[data-testid=patch]');
    assert.deepEqual(await page.locator('[data-testid=patch] .line.del').allTextContents(), ['-lr = 0.1\n']);
    assert.deepEqual(await page.locator('[data-testid=patch] .line.ins').allTextContents(), ['+lr = 0.01\n']);
    assert.equal(await page.locator('[data-testid=patch] .line.hunk').count(), 1);
    assert.equal(await page.locator('[data-testid=patch] .line.file').count(), 3);

    await tab('environment');
    await page.waitForSelector('[data-testid=environment]');
    assert.deepEqual(await page.locator('[data-testid=environment] dt').allTextContents(), ['python', 'version', 'os', 'cpu.model', 'cpu.cores', 'gpu', 'memory']);
    assert.deepEqual(await page.locator('[data-testid=requirements] li').allTextContents(), ['numpy==2.1.0', 'scikit-learn==1.5.2']);

    await tab('data');
    await page.waitForSelector('[data-testid=fingerprints]');
    assert.deepEqual(await page.locator('[data-testid=fingerprints] tbody tr:nth-child(2) td').evaluateAll((tds) => tds.map((td) => td.textContent)).then((c) => [c[0], c[1], c[2], c[5]]), ['data/images', 'dir', '121 KB', 'ef'.repeat(16)]);
  });

  it('says clearly what a run not launched by Labbook lacks, and shows hostile names as text', async () => {
    await open(seeded.plain);
    assert.equal(await text('[data-testid=title]'), HOSTILE);
    assert.match(await text('[data-testid=overview] dd[data-field=git]'), /not recorded/);
    await tab('log');
    await page.waitForFunction(() => /no output log/.test(document.querySelector('#panel-log')?.textContent ?? ''));
    await tab('code');
    await page.waitForFunction(() => /no code snapshot: it was not launched by Labbook/.test(document.querySelector('#panel-code')?.textContent ?? ''));
    await tab('environment');
    await page.waitForFunction(() => /No environment was recorded/.test(document.querySelector('#panel-environment')?.textContent ?? ''));
    await tab('data');
    await page.waitForFunction(() => /No data fingerprints were recorded/.test(document.querySelector('#panel-data')?.textContent ?? ''));
    await tab('artifacts');
    await page.waitForFunction(() => /This run has no artifacts/.test(document.querySelector('#panel-artifacts')?.textContent ?? ''));
    await page.waitForTimeout(100);
    assert.equal(await page.locator('#app img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.deepEqual(await violations(page), []);

    // Hostile values and artifact names of the launched run, likewise.
    await host.stop();
    await page.close();
    await open(seeded.launched);
    await tab('tags');
    assert.equal(await text('tr[data-tag=hostile] td.value'), HOSTILE);
    await tab('artifacts');
    await page.click('[data-path=results] > .tree-label');
    await page.click(`[data-path="results/${HOSTILE}.txt"]`);
    await page.waitForSelector('[data-testid=preview-text]');
    assert.equal(await text('[data-testid=preview-text]'), HOSTILE);
    assert.equal(await text(`[data-path="results/${HOSTILE}.txt"] .name`), `${HOSTILE}.txt`);
    assert.equal(await page.locator('#app img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.deepEqual(await violations(page), []);
  });

  it('restores the tab, filters, open folders and the previewed artifact after a reload', async () => {
    await open(seeded.launched);
    await tab('params');
    await page.fill('[data-testid=params-filter]', 'lr');
    await tab('artifacts');
    await page.click('[data-path=results] > .tree-label');
    await page.click('[data-path="results/summary.json"]');
    await page.waitForSelector('[data-testid=preview-json]');
    const state = await savedState(page);
    assert.deepEqual(state.ref, { store: 'local', runId: seeded.launched });
    assert.deepEqual([state.tab, state.expanded, state.selectedArtifact, state.paramFilter], ['artifacts', ['results'], 'results/summary.json', 'lr']);

    await page.reload();
    // The saved details show at once, before the host answers.
    await page.waitForFunction(() => document.querySelector('[data-testid=title]')?.textContent === 'baseline');
    assert.equal(await page.getAttribute('[role=tab][data-tab=artifacts]', 'aria-selected'), 'true');
    await page.waitForSelector('[data-testid=preview-json]');
    assert.equal(await page.getAttribute('[data-path=results]', 'aria-expanded'), 'true');
    assert.equal(await page.getAttribute('[data-path="results/summary.json"]', 'aria-selected'), 'true');
    // Each open folder is listed once after the reload, not once more when the host's answer arrives.
    await page.waitForTimeout(200);
    const listed = host.requests.filter((r) => r.method === 'listArtifacts').map((r) => r.params?.path);
    assert.deepEqual(listed.slice(-2), ['', 'results']);
    assert.equal(listed.length, 4);
    await tab('params');
    assert.equal(await page.inputValue('[data-testid=params-filter]'), 'lr');
    assert.deepEqual(await page.locator('[data-testid=params] tbody td:first-child').allTextContents(), ['lr']);
  });

  it('re-renders when the host pushes changed details (a live run), keeping the filter being typed', async () => {
    const run = (await seeded.store.createRun({ experimentId: seeded.experimentId, runName: 'live' })).info.runId;
    await seeded.store.logMetric(run, { key: 'loss', value: 1, timestamp: 1, step: 0 });
    await open(run);
    assert.equal(await text('header [data-testid=status]'), '⟳Running');
    await tab('metrics');
    await page.fill('[data-testid=metrics-filter]', 'lo');
    for (let step = 1; step < 10; step++) await seeded.store.logMetric(run, { key: 'loss', value: 1 / (step + 1), timestamp: step + 1, step });
    await seeded.store.updateRun(run, { status: 'FINISHED', endTime: Date.now() });
    await host.send({ kind: 'event', event: { type: 'changed', result: (await readRunDetails(seeded.store, { store: 'local', runId: run })).result } });
    await page.waitForFunction(() => document.querySelector('header [data-testid=status]')?.textContent === '✓Finished');
    assert.equal(await page.getAttribute('tr[data-metric=loss] svg.sparkline', 'data-points'), '10');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'metrics-filter');
    assert.equal(await page.inputValue('[data-testid=metrics-filter]'), 'lo');
  });

  it('explains a missing run and an unavailable store instead of a blank panel', async () => {
    await open('b'.repeat(32));
    assert.equal(await text('[data-testid=title]'), 'Run not found');
    assert.match(await text('[data-testid=empty-state]'), /Run b{32} does not exist in .*tracking\.db: it may have been deleted permanently\./);
    assert.equal(await page.isVisible('[role=tablist]'), false);
    assert.deepEqual((await savedState(page)).ref, { store: 'local', runId: 'b'.repeat(32) });
    await host.stop();
    await page.close();

    await open(seeded.launched, 'none');
    assert.equal(await text('[data-testid=title]'), 'Run unavailable');
    assert.match(await text('[data-testid=empty-state]'), /The tracking store 'remote:http:\/\/gone' is not available in this window\./);
  });

  it('shows a deleted run read-only, with a banner', async () => {
    const run = (await seeded.store.createRun({ experimentId: seeded.experimentId, runName: 'deleted one', tags: [{ key: 'k', value: 'v' }] })).info.runId;
    await seeded.store.deleteRun(run);
    await open(run);
    assert.match(await text('[data-testid=banner]'), /This run is deleted/);
    await tab('tags');
    assert.equal(await page.locator('[data-action=editTag], [data-action=addTag], [data-action=editNote]').count(), 0);
    assert.match(await text('#panel-tags'), /This run is deleted: restore it to edit its tags and note\./);
  });
});
