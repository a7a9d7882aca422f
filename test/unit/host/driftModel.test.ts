// The drift panel's model section over a real SQLite store and real files: a training run and the
// runs evaluating its model (metrics logged on later days, predictions as artifacts), read through
// the drift engine's model drift as the panel's host reads them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeDataRecord } from '../../../src/core/data/dataRecord.ts';
import { driftBetween, type DriftDeps } from '../../../src/core/drift/driftSources.ts';
import { DEFAULT_DRIFT_OPTIONS } from '../../../src/core/drift/types.ts';
import { readTable } from '../../../src/core/profile/readTable.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { modelView } from '../../../src/host/commands/driftModel.ts';
import type { DriftPanelSource } from '../../../src/protocol/drift.ts';

const DAY = 86_400_000;
const T0 = 1_700_000_000_000;

function predictions(rows: number, ones: number): string {
  return `prediction\n${Array.from({ length: rows }, (_, i) => (i < ones ? 1 : 0)).join('\n')}\n`;
}

describe('host: the drift panel’s model section', function () {
  this.timeout(60_000);
  let dir: string;
  let store: SqliteTrackingStore;
  let deps: DriftDeps & { store: SqliteTrackingStore };
  let train: string;
  let evalA: string;
  let evalB: string;
  let bare: string;

  async function runReading(name: string, file: string, content: string): Promise<string> {
    writeFileSync(path.join(dir, file), content);
    const runId = (await store.createRun({ experimentId: '0', runName: name })).info.runId;
    const sha256 = createHash('sha256').update(content).digest('hex');
    await writeDataRecord(store, runId, { version: 1, cwd: dir, outputs: [], notes: [], inputs: [{ path: file, kind: 'file', found: ['observed'], size: content.length, sha256 }] });
    return runId;
  }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-drift-model-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    deps = { store, cwd: dir, readTable: (f) => readTable(f) };
    const table = (shift: number) => `x,colour\n${Array.from({ length: 200 }, (_, i) => `${(i % 50) + shift},${['red', 'blue'][i % 2] ?? ''}`).join('\n')}\n`;
    train = await runReading('train', 'train.csv', table(0));
    evalA = await runReading('eval-a', 'day1.csv', table(0));
    evalB = await runReading('eval-b', 'day2.csv', table(30));
    bare = await runReading('bare', 'day3.csv', table(0));
    await store.logMetric(train, { key: 'accuracy', value: 0.91, timestamp: T0, step: 0 });
    await store.logMetric(train, { key: 'loss', value: 0.2, timestamp: T0, step: 0 });
    await store.logMetric(evalA, { key: 'accuracy', value: 0.88, timestamp: T0 + DAY, step: 0 });
    await store.logMetric(evalB, { key: 'accuracy', value: 0.84, timestamp: T0 + 2 * DAY, step: 0 });
    await store.writeArtifact(train, 'predictions.csv', new TextEncoder().encode(predictions(300, 30)));
    await store.writeArtifact(evalB, 'eval/predictions.csv', new TextEncoder().encode(predictions(300, 200)));
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function viewOf(source: DriftPanelSource) {
    const report = await driftBetween(source.reference, source.current, deps, DEFAULT_DRIFT_OPTIONS);
    return modelView(source, report, deps, DEFAULT_DRIFT_OPTIONS);
  }

  it('draws the evaluation runs’ metric against the training value, and the prediction shift', async () => {
    const view = await viewOf({ store: 'local', reference: { kind: 'run', runId: train }, current: { kind: 'run', runId: evalB }, evaluationRuns: [evalA, evalB] });
    assert.ok(view);
    assert.equal(view.trainingRunId, train);
    assert.equal(view.model, null);
    assert.deepEqual(view.metrics.map((m) => m.key), ['accuracy'], 'loss: only the training run logged it');
    assert.equal(view.metrics[0]?.training, 0.91);
    assert.deepEqual(view.metrics[0]?.points.map((p) => [p.runId, p.value, p.timestamp]), [
      [evalA, 0.88, new Date(T0 + DAY).toISOString()],
      [evalB, 0.84, new Date(T0 + 2 * DAY).toISOString()],
    ]);
    assert.equal(view.predictions?.column, 'prediction');
    assert.equal(view.predictions?.drifted, true);
  });

  it('between two runs: the prediction shift only, no trend', async () => {
    const view = await viewOf({ store: 'local', reference: { kind: 'run', runId: train }, current: { kind: 'run', runId: evalB } });
    assert.ok(view);
    assert.deepEqual(view.metrics, []);
    assert.equal(view.predictions?.drifted, true);
  });

  it('is absent when the current run logged neither predictions nor a trend', async () => {
    assert.equal(await viewOf({ store: 'local', reference: { kind: 'run', runId: train }, current: { kind: 'run', runId: bare } }), null);
    assert.equal(await viewOf({ store: 'local', reference: { kind: 'run', runId: train }, current: { kind: 'file', path: 'day3.csv' } }), null);
  });
});
