// The Run Comparison webview tests' shared fixture (compare.test.ts, compareCharts.test.ts): a real
// SQLite store seeded in a temp dir with five runs, their metric histories (one of 100k points with a
// spike), images and code snapshots; and a page script counting the Intl formatters a page makes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { HOSTILE, logHistory, solidPng, T0 } from './compareHarness.ts';

/** The value of the one spike among wider's 100k loss points. */
export const SPIKE = 500;
/** Counts the Intl formatters a page makes (window.__intlMade): the first loads ICU's locale data. */
export const COUNT_INTL = `window.__intlMade = [];
for (const name of ['NumberFormat', 'DateTimeFormat', 'Collator', 'PluralRules', 'RelativeTimeFormat', 'ListFormat']) {
  const made = () => window.__intlMade.push(name);
  Intl[name] = new Proxy(Intl[name], {
    construct: (target, args, newTarget) => (made(), Reflect.construct(target, args, newTarget)),
    apply: (target, self, args) => (made(), Reflect.apply(target, self, args)),
  });
}`;
const enc = (s: string) => new TextEncoder().encode(s);

export interface CompareRuns {
  readonly base: string;
  readonly wide: string;
  readonly hostile: string;
  readonly notebook: string;
  readonly bare: string;
}

/** A temp dir with the seeded store; the caller closes the store and removes the dir. */
export async function seedCompareStore(): Promise<{ dir: string; store: SqliteTrackingStore; ids: CompareRuns }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'labbook-compare-webview-'));
  const store = new SqliteTrackingStore(path.join(dir, 'tracking.db'), { now: () => T0, user: 'ada' });
  const vision = await store.createExperiment('vision');
  const v2 = await store.createExperiment('vision-v2');
  const run = async (experimentId: string, runName: string, lr: string, layers: string) => {
    const r = await store.createRun({ experimentId, runName, startTime: T0 });
    await store.logBatch(r.info.runId, { params: [{ key: 'lr', value: lr }, { key: 'layers', value: layers }, { key: 'optimizer', value: 'adam' }] });
    return r.info.runId;
  };
  const ids: CompareRuns = {
    base: await run(vision, 'baseline', '0.1', '2'),
    wide: await run(v2, 'wider', '0.01', '4'),
    hostile: await run(v2, HOSTILE, '0.01', '4'),
    notebook: await run(v2, 'notebook-run', '0.05', '3'),
    bare: await run(v2, 'bare', '0.2', '1'),
  };
  // loss: baseline ends lowest; wider has 100k points with one spike; accuracy: wider is best.
  await logHistory(store, ids.base, 'loss', (i) => 1 / (1 + i / 20), 200);
  await logHistory(store, ids.wide, 'loss', (i) => (i === 71_234 ? SPIKE : 0.5 + 2 / (1 + i / 2000)), 100_000);
  await logHistory(store, ids.hostile, 'loss', (i) => 0.9 - i / 1000, 300);
  for (const [id, top] of [[ids.base, 0.8], [ids.wide, 0.9], [ids.hostile, 0.7]] as const) await logHistory(store, id, 'accuracy', (i) => top * (1 - 1 / (i + 2)), 50);
  await logHistory(store, ids.notebook, 'throughput', (i) => i, 10);
  await store.writeArtifact(ids.base, 'plots/confusion.png', solidPng(8, 6, [200, 30, 30]));
  await store.writeArtifact(ids.wide, 'plots/confusion.png', solidPng(8, 6, [30, 30, 200]));
  await store.writeArtifact(ids.hostile, `plots/${HOSTILE}.png`, solidPng(4, 4, [0, 0, 0]));
  for (const [id, code] of [[ids.base, 'import torch\nlr = 0.1\nlayers = 2\ntrain(lr, layers)\n'], [ids.wide, 'import torch\nlr = 0.01\nlayers = 4\ntrain(lr, layers)\n']] as const) {
    await store.setTag(id, { key: 'labbook.source.snapshot', value: 'labbook/code/train.py' });
    await store.writeArtifact(id, 'labbook/code/train.py', enc(code));
  }
  await store.writeArtifact(ids.base, 'labbook/code/git.patch', enc('--- a/train.py\n+++ b/train.py\n-lr = 1\n+lr = 0.1\n'));
  for (const id of [ids.hostile, ids.notebook]) {
    await store.setTag(id, { key: 'labbook.source.snapshot', value: 'labbook/code/analysis.ipynb' });
    await store.writeArtifact(id, 'labbook/code/analysis.ipynb', enc('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'));
  }
  return { dir, store, ids };
}
