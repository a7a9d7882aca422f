// A run's inputs (datasets with their tags, models) and outputs (models with a step), kept in
// `run_io` as MLflow's wire JSON in the order logged, and read back as MLflow 3's RunInputs and
// RunOutputs for runs/get and runs/search.
import type { SqliteDatabase } from '../../sqlite/openDatabase.ts';
import { datasetInputToWire, readDatasetInput, readModelInput, readModelOutput } from '../../mlflow/wireRunIo.ts';
import { WireReader } from '../../mlflow/wireReader.ts';
import type { DatasetInput, RunInputs, RunOutputs } from '../types.ts';

export interface RunIo {
  readonly inputs: RunInputs;
  readonly outputs: RunOutputs;
}

interface IoRow {
  run_key: number;
  direction: string;
  payload: string;
}

/**
 * Records inputs; like MLflow, a dataset (by name and digest) is an input of a run only once, and
 * logging it again keeps the first record. Callers hold the write transaction.
 */
export function recordRunInputs(db: SqliteDatabase, runKey: number, datasets: readonly DatasetInput[], models: readonly { modelId: string }[]): void {
  const seen = new Set(
    loadRunIo(db, [runKey]).get(runKey)?.inputs.datasetInputs.map((d) => `${d.dataset.name}\u0000${d.dataset.digest}`) ?? [],
  );
  const insert = db.prepare("INSERT OR IGNORE INTO run_io (run_key, direction, payload) VALUES (?, 'input', ?)");
  for (const input of datasets) {
    const key = `${input.dataset.name}\u0000${input.dataset.digest}`;
    if (seen.has(key)) continue;
    seen.add(key);
    insert.run(runKey, JSON.stringify({ dataset: datasetInputToWire(input) }));
  }
  for (const model of models) insert.run(runKey, JSON.stringify({ model: { model_id: model.modelId } }));
}

export function recordRunOutputs(db: SqliteDatabase, runKey: number, models: readonly { modelId: string; step: number }[]): void {
  const insert = db.prepare("INSERT OR IGNORE INTO run_io (run_key, direction, payload) VALUES (?, 'output', ?)");
  for (const model of models) insert.run(runKey, JSON.stringify({ model: { model_id: model.modelId, step: model.step } }));
}

/** Each run's inputs and outputs (empty lists for a run with none), in the order logged. */
export function loadRunIo(db: SqliteDatabase, runKeys: readonly number[]): Map<number, RunIo> {
  const out = new Map<number, { datasetInputs: DatasetInput[]; modelInputs: { modelId: string }[]; modelOutputs: { modelId: string; step: number }[] }>();
  if (runKeys.length === 0) return new Map();
  for (const key of runKeys) out.set(key, { datasetInputs: [], modelInputs: [], modelOutputs: [] });
  const rows = db
    .prepare('SELECT run_key, direction, payload FROM run_io WHERE run_key IN (SELECT value FROM json_each(?)) ORDER BY seq')
    .all(JSON.stringify(runKeys)) as IoRow[];
  // Rows before schema 2 hold what the client sent, unchecked: one that does not read is skipped
  // (and kept), rather than making the whole run unreadable.
  const r = new WireReader('stored run input', 'reply');
  for (const row of rows) {
    const io = out.get(row.run_key);
    if (!io) continue;
    try {
      const payload = r.object(JSON.parse(row.payload) as unknown, '');
      if (row.direction === 'input' && payload['dataset'] !== undefined) io.datasetInputs.push(readDatasetInput(r, payload['dataset'], 'dataset'));
      else if (row.direction === 'input' && payload['model'] !== undefined) io.modelInputs.push(readModelInput(r, payload['model'], 'model'));
      else if (row.direction === 'output' && payload['model'] !== undefined) io.modelOutputs.push(readModelOutput(r, payload['model'], 'model'));
    } catch {
      continue;
    }
  }
  return new Map(
    [...out].map(([key, io]) => [key, { inputs: { datasetInputs: io.datasetInputs, modelInputs: io.modelInputs }, outputs: { modelOutputs: io.modelOutputs } }]),
  );
}
