// Run Details' Data tab with the run's data profile (labbook/data/profile.json): per file a table of
// its columns (type, nulls, distinct, min, max, mean, std) with a small histogram or the top
// values, and the files that could not be profiled with their reasons; "Compare Data with…" asks
// the host to open the drift panel. The profile is made by the real profiler (DuckDB) over real
// files and stored as the run's artifact in a real SQLite store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/lib/browser.mjs';
import { profileRunFiles } from '../../src/core/profile/runProfiles.ts';
import { RUN_PROFILE_PATH } from '../../src/core/runDetails/runProfile.ts';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { openPanel, PlayedHost, violations } from './runDetailsHarness.ts';

const HOSTILE = '<img src=x onerror="window.__pwned=1">';

describe('webview: Run Details Data tab (data profiles)', function () {
  this.timeout(120_000);
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let dir: string;
  let store: SqliteTrackingStore;
  let runId: string;
  let bare: string;
  let page: Page;
  let host: PlayedHost;

  before(async () => {
    browser = await launchBrowser();
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-profile-webview-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    const lines = ['id,score,colour,note'];
    for (let i = 0; i < 200; i++) lines.push(`${i},${(i % 20) / 2},${['red', 'green', 'blue'][i % 3] ?? ''},${i % 10 === 0 ? '' : HOSTILE.replace(/"/g, '""').replace(/^/, '"').replace(/$/, '"')}`);
    writeFileSync(path.join(dir, 'train.csv'), `${lines.join('\n')}\n`);
    const profiles = await profileRunFiles([
      { file: path.join(dir, 'train.csv'), displayPath: 'data/train.csv' },
      { file: path.join(dir, 'missing.parquet'), displayPath: 'data/missing.parquet' },
    ]);
    runId = (await store.createRun({ experimentId: '0', runName: 'train' })).info.runId;
    await store.writeArtifact(runId, RUN_PROFILE_PATH, new TextEncoder().encode(JSON.stringify(profiles)));
    bare = (await store.createRun({ experimentId: '0', runName: 'bare' })).info.runId;
  });
  after(async () => {
    await browser?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await host?.stop();
    await page?.close();
  });

  const rows = () => page.$$eval('[data-testid=profile-table] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));

  async function openData(id: string): Promise<void> {
    page = await openPanel(browser.context);
    host = new PlayedHost(page, store, { store: 'local', runId: id });
    await page.waitForSelector('#app[aria-busy=false]');
    await page.click('[role=tab][data-tab=data]');
    await page.waitForSelector('#panel-data [data-action=compare-data]');
  }

  it('shows each profiled file’s columns with statistics, histograms and top values, and the failures', async () => {
    await openData(runId);
    await page.waitForSelector('[data-testid=profile-table]');
    assert.equal(await page.textContent('[data-profile="data/train.csv"] h3'), 'data/train.csv');
    assert.match((await page.textContent('[data-profile="data/train.csv"] p')) ?? '', /^200 rows · 4 columns · CSV · /);
    const table = await rows();
    assert.deepEqual(table.map((r) => r[0]), ['id', 'score', 'colour', 'note']);
    const score = table[1] ?? [];
    // score: 0, 0.5, …, 9.5 ten times over: min 0, max 9.5, mean 4.75, no nulls, 20 distinct.
    assert.deepEqual([score[2], score[3], score[4], score[5], score[6]], ['0%', '20', '0', '9.5', '4.75']);
    assert.match(score[7] ?? '', /^2\.8\d*/);
    assert.ok(Number(await page.getAttribute('[data-column=score] svg.profile-hist', 'data-bins')) > 1, 'a histogram of score');
    assert.match((table[0] ?? [])[1] ?? '', /\((row-number|id)\)$/, 'the id column is marked as identifying rows');
    assert.match((table[2] ?? [])[8] ?? '', /red 33\.\d%, green 33\.\d%, blue 33\.\d%|blue 33\.\d%, green 33\.\d%, red 33\.\d%|green 33\.\d%/);
    // note: null in 1 row of 10; its value is the hostile text, shown as text.
    assert.equal((table[3] ?? [])[2], '10%');
    assert.ok(((table[3] ?? [])[8] ?? '').includes(HOSTILE));
    assert.equal(await page.$('#panel-data img'), null);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.match((await page.textContent('[data-testid=profile-failures]')) ?? '', /data\/missing\.parquet: .+/);
    assert.deepEqual(await violations(page), []);
  });

  it('shows no profile section for a run without profile.json, and Compare Data with… asks the host', async () => {
    await openData(bare);
    assert.equal(await page.$('[data-testid=profiles]'), null);
    await page.click('#panel-data [data-action=compare-data]');
    const asked = await host.next('compareDataWith');
    assert.equal(asked.params, null);
  });
});
