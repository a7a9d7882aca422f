/**
 * MLflow 3's run inputs (datasets, models), run outputs (models) and LoggedModel entities on the
 * wire (service.proto's RunInputs, RunOutputs, DatasetInput, LoggedModel), both ways. wire.ts
 * uses these inside runs; the endpoint and the REST store use them alone.
 */
import type { Dataset, DatasetInput, LoggedModel, RunInputs, RunOutputs, Tag } from '../store/types.ts';
import { LOGGED_MODEL_STATUSES } from '../store/types.ts';
import { readKeyValue, type WireObject, WireReader, type WireSource } from './wireReader.ts';

export interface WireDataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string;
  profile?: string;
}

export interface WireDatasetInput {
  tags: { key: string; value: string }[];
  dataset: WireDataset;
}

export interface WireRunInputs {
  dataset_inputs: WireDatasetInput[];
  model_inputs: { model_id: string }[];
}

export interface WireRunOutputs {
  model_outputs: { model_id: string; step: number }[];
}

const tagsToWire = (tags: readonly Tag[]) => tags.map((t) => ({ key: t.key, value: t.value }));

export function datasetToWire(dataset: Dataset): WireDataset {
  const wire: WireDataset = { name: dataset.name, digest: dataset.digest, source_type: dataset.sourceType, source: dataset.source };
  if (dataset.schema !== undefined) wire.schema = dataset.schema;
  if (dataset.profile !== undefined) wire.profile = dataset.profile;
  return wire;
}

export function datasetInputToWire(input: DatasetInput): WireDatasetInput {
  return { tags: tagsToWire(input.tags), dataset: datasetToWire(input.dataset) };
}

export function runInputsToWire(inputs: RunInputs): WireRunInputs {
  return { dataset_inputs: inputs.datasetInputs.map(datasetInputToWire), model_inputs: inputs.modelInputs.map((m) => ({ model_id: m.modelId })) };
}

export function runOutputsToWire(outputs: RunOutputs): WireRunOutputs {
  return { model_outputs: outputs.modelOutputs.map((m) => ({ model_id: m.modelId, step: m.step })) };
}

function readDataset(r: WireReader, value: unknown, path: string): Dataset {
  const obj = r.object(value, path);
  const optional = (key: string): { [k: string]: string } => (obj[key] === undefined || obj[key] === null ? {} : { [key]: r.string(obj, key, path) });
  return {
    name: r.requiredString(obj, 'name', path),
    digest: r.requiredString(obj, 'digest', path),
    sourceType: r.string(obj, 'source_type', path),
    source: r.string(obj, 'source', path),
    ...optional('schema'),
    ...optional('profile'),
  };
}

export function readDatasetInput(r: WireReader, value: unknown, path: string): DatasetInput {
  const obj = r.object(value, path);
  return {
    tags: r.array(obj, 'tags', path, (t, p) => readKeyValue(r, t, p)),
    dataset: readDataset(r, obj['dataset'], r.child(path, 'dataset')),
  };
}

export function readModelInput(r: WireReader, value: unknown, path: string): { modelId: string } {
  return { modelId: r.requiredString(r.object(value, path), 'model_id', path) };
}

export function readModelOutput(r: WireReader, value: unknown, path: string): { modelId: string; step: number } {
  const obj = r.object(value, path);
  return { modelId: r.requiredString(obj, 'model_id', path), step: r.int64(obj, 'step', path, 0) };
}

/** A run's `inputs` (absent → none), as `runs/get` sends it. */
export function readRunInputs(r: WireReader, value: unknown, path: string): RunInputs {
  const obj: WireObject = value === undefined || value === null ? {} : r.object(value, path);
  return {
    datasetInputs: r.array(obj, 'dataset_inputs', path, (d, p) => readDatasetInput(r, d, p)),
    modelInputs: r.array(obj, 'model_inputs', path, (m, p) => readModelInput(r, m, p)),
  };
}

export function readRunOutputs(r: WireReader, value: unknown, path: string): RunOutputs {
  const obj: WireObject = value === undefined || value === null ? {} : r.object(value, path);
  return { modelOutputs: r.array(obj, 'model_outputs', path, (m, p) => readModelOutput(r, m, p)) };
}

// ---- logged models --------------------------------------------------------------------------

export interface WireLoggedModel {
  info: {
    model_id: string;
    experiment_id: string;
    name: string;
    artifact_uri: string;
    creation_timestamp_ms: number;
    last_updated_timestamp_ms: number;
    status: LoggedModel['status'];
    status_message?: string;
    model_type: string;
    source_run_id: string;
    tags: { key: string; value: string }[];
  };
  data: { params: { key: string; value: string }[]; metrics: unknown[] };
}

/** `metricToWire` lives in wire.ts, which imports this file: it is passed in to avoid a cycle. */
export function loggedModelToWireWith(model: LoggedModel, metricToWire: (m: LoggedModel['metrics'][number]) => unknown): WireLoggedModel {
  return {
    info: {
      model_id: model.modelId,
      experiment_id: model.experimentId,
      name: model.name,
      artifact_uri: model.artifactLocation,
      creation_timestamp_ms: model.creationTimestamp,
      last_updated_timestamp_ms: model.lastUpdatedTimestamp,
      status: model.status,
      ...(model.statusMessage ? { status_message: model.statusMessage } : {}),
      model_type: model.modelType,
      source_run_id: model.sourceRunId,
      tags: tagsToWire(model.tags),
    },
    data: { params: tagsToWire(model.params), metrics: model.metrics.map(metricToWire) },
  };
}

export function loggedModelFromWireWith(
  value: unknown,
  readMetric: (r: WireReader, value: unknown, path: string) => LoggedModel['metrics'][number],
  source: WireSource = 'reply',
): LoggedModel {
  const r = new WireReader('logged model', source);
  const obj = r.object(value, '');
  const info = r.object(obj['info'], 'info');
  const data = obj['data'] === undefined || obj['data'] === null ? {} : r.object(obj['data'], 'data');
  return {
    modelId: r.requiredString(info, 'model_id', 'info'),
    experimentId: r.requiredString(info, 'experiment_id', 'info'),
    name: r.string(info, 'name', 'info'),
    artifactLocation: r.string(info, 'artifact_uri', 'info'),
    creationTimestamp: r.int64(info, 'creation_timestamp_ms', 'info', 0),
    lastUpdatedTimestamp: r.int64(info, 'last_updated_timestamp_ms', 'info', 0),
    status: r.enumValue(info, 'status', 'info', LOGGED_MODEL_STATUSES, 'LOGGED_MODEL_PENDING'),
    statusMessage: r.string(info, 'status_message', 'info'),
    modelType: r.string(info, 'model_type', 'info'),
    sourceRunId: r.string(info, 'source_run_id', 'info'),
    tags: r.array(info, 'tags', 'info', (t, p) => readKeyValue(r, t, p)),
    params: r.array(data, 'params', 'data', (t, p) => readKeyValue(r, t, p)),
    metrics: r.array(data, 'metrics', 'data', (m, p) => readMetric(r, m, p)),
  };
}
