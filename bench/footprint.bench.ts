// Activation and footprint (issue 13, part 4), all on the VSIX as `npm run package` builds it
// (production bundles for this platform; packaging rebuilds dist/ in production mode, as
// `npm run package` does):
// - the VSIX's size against a budget (the ms column is the packaging time);
// - activation in the real extension host: VS Code's server from the code-server package with the
//   VSIX installed, the web workbench in headless Chromium. Once the host has activated its eager
//   extensions, the Labbook container is shown (its views activate Labbook), and VS Code's own
//   figure is read from Developer: Show Running Extensions: code loading + the activate() call,
//   what VS Code counts as activation. Also reported from the Labbook log: labbook.activationMs
//   (activate() alone) and labbook.containerMs (dist/container.js loaded and started on first use,
//   here the Experiments view asking for its rows), and the host's "activating" line → activated,
//   which adds VS Code's own set-up of the extension context (storage, secrets) it does not count;
// - the extension host's heap after opening a 10k-run experiment in the tree and comparing 20
//   runs through the UI: process.memoryUsage().heapUsed after a full GC, read through the Node
//   inspector that SIGUSR1 opens in the host process, and its VmRSS from /proc; both also before
//   Labbook was shown, for what Labbook adds. Reported, no target.
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { SqliteTrackingStore } from '../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Metric } from '../src/core/store/types.ts';
import { syntheticRunBatch } from './fixtures/runBatch.ts';
import { extensionHostPid, hostMemory, openWorkbench, packagedVsix, runningExtensionsActivationMs, showLabbook, UI_TIMEOUT_MS, waitForLogLine, type HostMemory } from './fixtures/realHost.ts';
import type { Benchmark, BenchResult } from './timing.ts';

// DuckDB's native library (data profiles, drift, checks; issue 16) is ~23 MB of it compressed on
// linux-x64, ~17 MB on macOS (one architecture's slice): 26.3 MB measured on linux-x64.
const VSIX_BUDGET_BYTES = 40 * 1024 * 1024;
const ACTIVATION_TARGET_MS = 50;
const RUNS = 10_000;
const COMPARED = 20;
/** Each compared run's metric history: two metrics of this many steps. */
const HISTORY_STEPS = 2_000;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

/** The host's log says so once it has activated the extensions that start with the window. */
const EAGER_DONE = /Eager extensions activated/;

async function activationInRealHost(): Promise<BenchResult> {
  const { vsix: file } = await packagedVsix();
  const workspace = mkdtempSync(path.join(tmpdir(), 'labbook-bench-activation-'));
  const bench = await openWorkbench(file, workspace);
  try {
    const { page, profile } = bench;
    await waitForLogLine(page, profile.serverDataDir, EAGER_DONE);
    await showLabbook(page);
    const ours = await waitForLogLine(page, profile.serverDataDir, /labbook\.activationMs=([\d.]+)/);
    const container = await waitForLogLine(page, profile.serverDataDir, /labbook\.containerMs=([\d.]+)/);
    const begun = await waitForLogLine(page, profile.serverDataDir, /ExtensionService#_doActivateExtension labbook\.labbook\b/);
    const vscodeMs = await runningExtensionsActivationMs(page);
    const detail = [
      `labbook.activationMs=${ours.match[1]}`,
      `first use (the view's rows) loads dist/container.js: ${container.match[1]} ms (reported)`,
      `host's activating line → activated, with its extension-context set-up: ${ours.at - begun.at} ms (reported)`,
    ].join('; ');
    return {
      oursMs: vscodeMs,
      target: `< ${ACTIVATION_TARGET_MS} ms (VS Code's own figure, Running Extensions: code loading + activate(), installed VSIX); ${detail}`,
      met: vscodeMs < ACTIVATION_TARGET_MS,
    };
  } finally {
    await bench.close();
    rmSync(bench.profile.dir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  }
}

/** A workspace whose local store holds a 10k-run experiment; the newest 20 runs carry metric histories. */
async function seedWorkspace(workspace: string): Promise<void> {
  mkdirSync(path.join(workspace, '.labbook'), { recursive: true });
  const store = new SqliteTrackingStore(path.join(workspace, '.labbook', 'tracking.db'));
  try {
    const experimentId = await store.createExperiment('ten-thousand');
    for (let i = 0; i < RUNS; i++) {
      const run = await store.createRun({ experimentId, runName: `run-${i}`, startTime: 1_700_000_000_000 + i * 1000 });
      await store.logBatch(run.info.runId, syntheticRunBatch(i, RUNS));
      if (i >= RUNS - COMPARED) {
        for (let from = 0; from < HISTORY_STEPS; from += 500) {
          const metrics: Metric[] = [];
          for (let step = from; step < from + 500; step++) {
            metrics.push({ key: 'loss', value: 1 / (step + 1) + i / RUNS, timestamp: 1_700_000_000_000 + step, step });
            metrics.push({ key: 'val_loss', value: 1.2 / (step + 1) + i / RUNS, timestamp: 1_700_000_000_000 + step, step });
          }
          await store.logBatch(run.info.runId, { metrics });
        }
      }
      await store.updateRun(run.info.runId, { status: 'FINISHED', endTime: 1_700_000_000_000 + i * 1000 + 60_000 });
    }
  } finally {
    await store.close();
  }
}

/** The frame (webviews are iframes in iframes) whose text holds every one of `texts`. */
async function waitForWebviewText(page: Page, texts: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const body = await frame.locator('body').innerText({ timeout: 1000 }).catch(() => '');
      if (texts.every((t) => body.includes(t))) return;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no webview shows ${texts.join(', ')} within ${timeoutMs} ms`);
}

const memoryText = (m: HostMemory) => `heap ${m.heapUsedMb === undefined ? 'n/a' : `${m.heapUsedMb.toFixed(1)} MB`}, RSS ${m.rssMb.toFixed(0)} MB`;

async function heapAfterBigExperiment(): Promise<BenchResult> {
  const { vsix: file } = await packagedVsix();
  const workspace = mkdtempSync(path.join(tmpdir(), 'labbook-bench-heap-'));
  await seedWorkspace(workspace);
  const bench = await openWorkbench(file, workspace);
  try {
    const { page, profile, server } = bench;
    await waitForLogLine(page, profile.serverDataDir, EAGER_DONE);
    const pid = extensionHostPid(server);
    const before = await hostMemory(pid);
    await showLabbook(page);
    const sidebar = page.locator('.part.sidebar');
    const row = (text: string) => sidebar.locator('.monaco-list-row', { hasText: text }).first();
    await row('ten-thousand').click({ timeout: UI_TIMEOUT_MS });
    const newest = `run-${RUNS - 1}`;
    const oldestCompared = `run-${RUNS - COMPARED}`;
    await row(oldestCompared).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await row(newest).click();
    await row(oldestCompared).click({ modifiers: ['Shift'] });
    const start = performance.now();
    await row(oldestCompared).click({ button: 'right' });
    const item = page.locator('.monaco-menu .action-item', { hasText: 'Compare Selected Runs' }).first();
    await item.waitFor({ state: 'visible', timeout: 10_000 });
    await item.hover();
    await page.keyboard.press('Enter');
    await waitForWebviewText(page, [newest, oldestCompared], UI_TIMEOUT_MS);
    const openedMs = performance.now() - start;
    const after = await hostMemory(pid);
    return {
      oursMs: openedMs,
      target: `reported (ms = Compare Selected → the table shows ${COMPARED} runs): extension host after a ${RUNS / 1000}k-run experiment opened and ${COMPARED} runs compared: ${memoryText(after)}; before Labbook was shown: ${memoryText(before)} (heap = process.memoryUsage().heapUsed after a full GC, via the inspector; RSS = /proc VmRSS)`,
    };
  } finally {
    await bench.close();
    rmSync(bench.profile.dir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [
  {
    name: 'footprint: VSIX size (npm run package, this platform; ms = packaging time)',
    async run(): Promise<BenchResult> {
      const { vsix: file, ms } = await packagedVsix();
      const bytes = statSync(file).size;
      return { oursMs: ms, target: `≤ ${mb(VSIX_BUDGET_BYTES)} (got ${mb(bytes)}, ${path.basename(file)})`, met: bytes <= VSIX_BUDGET_BYTES };
    },
  },
  { name: 'footprint: activation in the real extension host (code-server)', run: activationInRealHost },
  { name: 'footprint: extension-host heap, 10k-run experiment + 20-run comparison', run: heapAfterBigExperiment },
];
