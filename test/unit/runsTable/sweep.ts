// A synthetic tuning sweep in a real store: what the Runs Table tests read.
import type { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';

/** A deterministic score per run that is not monotonic in creation order (so "newest first" is never "best first"). */
export function sweepScore(i: number, n: number): number {
  return ((i * 7919) % n) / n;
}

export interface SweepRun {
  readonly runId: string;
  readonly i: number;
  readonly score: number;
  readonly model: string;
  readonly seed: string;
}

/**
 * `n` finished runs in `experimentId`: params `model` (rf/gbm/linear), `seed` (0..4), `optimizer/beta1`
 * and `model.depth`; metrics `score` (last value), `loss` (a 3-point history); a few tags.
 */
export async function logSweep(store: SqliteTrackingStore, experimentId: string, n: number, start = 1_700_000_000_000): Promise<SweepRun[]> {
  const runs: SweepRun[] = [];
  for (let i = 0; i < n; i++) {
    const model = ['rf', 'gbm', 'linear'][i % 3] as string;
    const seed = String(i % 5);
    const score = sweepScore(i, n);
    const run = await store.createRun({ experimentId, runName: `run-${i}`, startTime: start + i * 1000, userId: 'ada', tags: [{ key: 'mlflow.source.name', value: 'train.py' }] });
    await store.logBatch(run.info.runId, {
      params: [
        { key: 'model', value: model },
        { key: 'seed', value: seed },
        { key: 'optimizer/beta1', value: '0.9' },
        { key: 'model.depth', value: String(3 + (i % 2)) },
      ],
      metrics: [
        { key: 'score', value: score, timestamp: start, step: 0 },
        { key: 'loss', value: 2 + i, timestamp: start, step: 0 },
        { key: 'loss', value: 1 - score, timestamp: start + 1, step: 1 },
        { key: 'loss', value: 1 + score, timestamp: start + 2, step: 2 },
      ],
      tags: [{ key: 'stage', value: i % 2 ? 'tune' : 'base' }],
    });
    await store.updateRun(run.info.runId, { status: 'FINISHED', endTime: start + i * 1000 + 500 + i });
    runs.push({ runId: run.info.runId, i, score, model, seed });
  }
  return runs;
}
