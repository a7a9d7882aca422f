// What a run trained on and produced, for Run Details and Compare: its MLflow 3 dataset inputs
// and the logged models it made or used, each model with its linked metrics when the store keeps
// logged models (the local store, an MLflow database, an MLflow server).
import { TrackingError } from '../store/errors.ts';
import { readsLoggedModels, type ReadableStore } from '../store/trackingStore.ts';
import type { DatasetInput, Run } from '../store/types.ts';
import type { DatasetRow, LoggedModelRow, RunLineage } from './model.ts';
import { jsonNumber } from './sparkline.ts';

/** Models read per run; a run that logged more lists the rest without their metrics. */
export const MAX_MODELS_READ = 50;

export function datasetRowOf(input: DatasetInput): DatasetRow {
  const { dataset } = input;
  return {
    name: dataset.name,
    digest: dataset.digest,
    sourceType: dataset.sourceType,
    source: dataset.source,
    context: input.tags.find((t) => t.key === 'mlflow.data.context')?.value ?? null,
    tags: input.tags.map((t) => ({ key: t.key, value: t.value })),
    schema: dataset.schema ?? null,
    profile: dataset.profile ?? null,
  };
}

export async function lineageOf(store: ReadableStore, run: Run): Promise<RunLineage> {
  const datasets = (run.inputs?.datasetInputs ?? []).map(datasetRowOf);
  const refs = [
    ...(run.outputs?.modelOutputs ?? []).map((m) => ({ modelId: m.modelId, role: 'output' as const, step: m.step })),
    ...(run.inputs?.modelInputs ?? []).map((m) => ({ modelId: m.modelId, role: 'input' as const, step: null })),
  ];
  const models = await Promise.all(
    refs.map(async (ref, i): Promise<LoggedModelRow> => {
      const empty: LoggedModelRow = { ...ref, name: null, status: null, metrics: [] };
      if (i >= MAX_MODELS_READ || !readsLoggedModels(store)) return empty;
      try {
        const model = await store.getLoggedModel(ref.modelId);
        return {
          ...ref,
          name: model.name,
          status: model.status.replace(/^LOGGED_MODEL_/, ''),
          metrics: model.metrics.map((m) => ({ key: m.key, value: jsonNumber(m.value), step: m.step, dataset: m.datasetName ?? null, runId: m.runId ?? null })),
        };
      } catch (err) {
        // A model the store no longer has is still worth listing by id.
        if (err instanceof TrackingError && err.code === 'RESOURCE_DOES_NOT_EXIST') return empty;
        throw err;
      }
    }),
  );
  return { datasets, models };
}
