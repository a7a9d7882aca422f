// A real SqliteTrackingStore in a temp dir, seeded with what the Run Details panel shows: a run
// launched by Labbook (every convention's tag and artifact), a plain MLflow-style run, and a
// parent. Shared by the unit tests and the webview tests (which play the host with it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Metric } from '../../../src/core/store/types.ts';

export const HOSTILE = '<img src=x onerror=window.__xss=1>';
export const START = 1_700_000_000_000;
/** Labbook records the launched file's absolute path, as MLflow does. */
export const SOURCE = '/home/ada/lab/src/train.py';
export const COMMIT = '0123456789abcdef0123456789abcdef01234567';

export interface Seeded {
  readonly dir: string;
  readonly store: SqliteTrackingStore;
  readonly experimentId: string;
  /** Launched by Labbook: all conventions present. */
  readonly launched: string;
  /** Logged by plain MLflow code: no labbook/ artifacts, few tags; named with markup. */
  readonly plain: string;
  readonly parent: string;
  close(): Promise<void>;
}

const encode = (text: string) => new TextEncoder().encode(text);

/** 1×1 PNG. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

export const LOG_LINES = Array.from({ length: 3000 }, (_, i) => `epoch ${i} loss=${(1 / (i + 1)).toFixed(5)}${i % 500 === 0 ? ' checkpoint saved' : ''}`);

export async function seedStore(): Promise<Seeded> {
  const dir = mkdtempSync(path.join(tmpdir(), 'labbook-rundetails-'));
  let clock = START;
  const store = new SqliteTrackingStore(path.join(dir, '.labbook', 'tracking.db'), { now: () => clock++, user: 'ada' });
  const experimentId = await store.createExperiment('wine');

  const parent = (await store.createRun({ experimentId, runName: 'sweep', startTime: START })).info.runId;
  const launched = (
    await store.createRun({
      experimentId,
      runName: 'baseline',
      startTime: START + 1000,
      tags: [
        { key: 'mlflow.source.name', value: SOURCE },
        { key: 'mlflow.source.git.commit', value: COMMIT },
        { key: 'mlflow.source.git.branch', value: 'main' },
        { key: 'mlflow.source.git.repoURL', value: 'https://example.com/lab.git' },
        { key: 'mlflow.user', value: 'ada' },
        { key: 'mlflow.parentRunId', value: parent },
        { key: 'mlflow.note.content', value: 'First try.\nLooks fine.' },
        { key: 'labbook.source.snapshot', value: 'labbook/code/src/train.py' },
        { key: 'labbook.git.dirty', value: 'true' },
        { key: 'labbook.exitCode', value: '0' },
        { key: 'labbook.durationMs', value: '65000' },
        { key: 'labbook.reproduces', value: 'f'.repeat(32) },
        { key: 'team', value: 'vision' },
        { key: 'hostile', value: HOSTILE },
      ],
    })
  ).info.runId;
  await store.logBatch(launched, {
    params: [
      { key: 'lr', value: '0.01' },
      { key: 'epochs', value: '100' },
      { key: 'batch_size', value: '32' },
      { key: 'model', value: 'resnet' },
      { key: 'hostile', value: HOSTILE },
    ],
  });
  const metrics: Metric[] = [];
  for (let step = 0; step < 500; step++) {
    metrics.push({ key: 'loss', value: 1 / (step + 1) + (step === 250 ? 5 : 0), timestamp: START + step, step });
    if (step % 10 === 0) metrics.push({ key: 'accuracy', value: step / 500, timestamp: START + step, step });
  }
  metrics.push({ key: 'lr_final', value: 0.001, timestamp: START, step: 0 });
  for (let i = 0; i < metrics.length; i += 900) await store.logBatch(launched, { metrics: metrics.slice(i, i + 900) });
  await store.updateRun(launched, { status: 'FINISHED', endTime: START + 66_000 });

  const files: Record<string, Uint8Array> = {
    'labbook/code/src/train.py': encode('import mlflow\nprint("training")\n'),
    'labbook/code/git.patch': encode('diff --git a/src/train.py b/src/train.py\n--- a/src/train.py\n+++ b/src/train.py\n@@ -1,2 +1,2 @@\n-lr = 0.1\n+lr = 0.01\n print("x")\n'),
    'labbook/logs/output.log': encode(`${LOG_LINES.join('\n')}\n`),
    'labbook/environment/requirements.txt': encode('# pinned\nnumpy==2.1.0\n\nscikit-learn==1.5.2\n'),
    'labbook/environment/environment.json': encode(JSON.stringify({ python: '/usr/bin/python3', version: '3.12.3', os: 'Linux', cpu: { model: 'EPYC', cores: 2 }, gpu: null, memory: 8_000_000_000 })),
    'labbook/data/fingerprints.json': encode(JSON.stringify([
      { path: 'data/wine.csv', kind: 'file', size: 10_000, mtime: 1_700_000_000.5, sha256: 'ab'.repeat(32) },
      { path: 'data/images', kind: 'dir', size: 123_456, mtime: 1_700_000_000, sha256: 'cd'.repeat(32), dvcMd5: 'ef'.repeat(16) },
    ])),
    'labbook/launch.json': encode('{"file":"src/train.py"}'),
    'results/metrics.csv': encode('name,value,comment\nacc,0.93,"plain"\nloss,0.12,"has, a comma"\nnote,1,"two\nlines"\n'),
    'results/summary.json': encode('{"best":{"epoch":42,"acc":0.93}}'),
    'results/plot.png': PNG,
    'results/diagram.svg': encode('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="red"/></svg>'),
    'results/model.bin': new Uint8Array([0, 1, 2, 3, 0, 255]),
    [`results/${HOSTILE.replace(/\//g, '_')}.txt`]: encode(HOSTILE),
  };
  for (const [p, bytes] of Object.entries(files)) await store.writeArtifact(launched, p, bytes);

  const plain = (await store.createRun({ experimentId, runName: HOSTILE, startTime: START + 100_000 })).info.runId;
  await store.logParam(plain, 'alpha', '0.5');
  await store.logMetric(plain, { key: 'rmse', value: 0.7, timestamp: START + 100_001, step: 0 });

  return {
    dir,
    store,
    experimentId,
    launched,
    plain,
    parent,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
