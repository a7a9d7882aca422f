/**
 * MLflow's REST JSON (snake_case, as in mlflow/protos/service.proto and model_registry.proto) to
 * and from Labbook's camelCase types. The same functions serve the REST client (reading replies)
 * and Labbook's own MLflow-compatible endpoint (reading requests, writing replies), so each
 * `xToWire` / `xFromWire` pair round-trips exactly.
 *
 * Reading follows protobuf-JSON: absent fields take their proto default, int64 may be a number or
 * a numeric string, doubles may be "NaN" / "Infinity" / "-Infinity". Writing follows what the
 * MLflow server sends: int64 as numbers, non-finite doubles as those strings (JSON has no NaN).
 * The model registry's half lives in wireRegistry.ts and is re-exported here.
 */
import { RUN_STATUSES } from '../store/types.ts';
import type {
  Experiment,
  FileInfo,
  LifecycleStage,
  LoggedModel,
  Metric,
  Param,
  Run,
  RunInfo,
  Tag,
} from '../store/types.ts';
import { readKeyValue, WireReader, type WireSource, type WireTag } from './wireReader.ts';
import {
  loggedModelFromWireWith as readLoggedModel,
  loggedModelToWireWith as writeLoggedModel,
  readRunInputs,
  readRunOutputs,
  runInputsToWire,
  runOutputsToWire,
  type WireLoggedModel,
  type WireRunInputs,
  type WireRunOutputs,
} from './wireRunIo.ts';

export type { WireSource, WireTag } from './wireReader.ts';
export * from './wireRegistry.ts';
export type { WireDataset, WireDatasetInput, WireLoggedModel, WireRunInputs, WireRunOutputs } from './wireRunIo.ts';

export type WireParam = WireTag;

/** A double as protobuf-JSON writes it. */
export type WireDouble = number | 'NaN' | 'Infinity' | '-Infinity';

export interface WireMetric {
  key: string;
  value: WireDouble;
  timestamp: number;
  step: number;
  /** MLflow 3's links: present only on values logged with them. */
  dataset_name?: string;
  dataset_digest?: string;
  model_id?: string;
  run_id?: string;
}

export interface WireExperiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  last_update_time: number;
  creation_time: number;
  tags: WireTag[];
}

export interface WireRunInfo {
  run_id: string;
  /** Deprecated duplicate of run_id that older MLflow clients still read. */
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: RunInfo['status'];
  start_time: number;
  /** Absent while the run has not ended, as MLflow sends it. */
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: LifecycleStage;
}

export interface WireRunData {
  metrics: WireMetric[];
  params: WireParam[];
  tags: WireTag[];
}

export interface WireRun {
  info: WireRunInfo;
  data: WireRunData;
  inputs?: WireRunInputs;
  outputs?: WireRunOutputs;
}

export interface WireFileInfo {
  path: string;
  is_dir: boolean;
  /** Absent for directories. */
  file_size?: number;
}

const LIFECYCLE_STAGES: readonly LifecycleStage[] = ['active', 'deleted'];

// ---- tags, params, metrics ----------------------------------------------------------------

export function tagToWire(tag: Tag): WireTag {
  return { key: tag.key, value: tag.value };
}

export function paramToWire(param: Param): WireParam {
  return { key: param.key, value: param.value };
}

export function tagFromWire(value: unknown, source: WireSource = 'reply'): Tag {
  return readKeyValue(new WireReader('tag', source), value, '');
}

export function paramFromWire(value: unknown, source: WireSource = 'reply'): Param {
  return readKeyValue(new WireReader('param', source), value, '');
}

export function doubleToWire(value: number): WireDouble {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}

export function metricToWire(metric: Metric & { readonly runId?: string }): WireMetric {
  const wire: WireMetric = { key: metric.key, value: doubleToWire(metric.value), timestamp: metric.timestamp, step: metric.step };
  if (metric.datasetName) wire.dataset_name = metric.datasetName;
  if (metric.datasetDigest) wire.dataset_digest = metric.datasetDigest;
  if (metric.modelId) wire.model_id = metric.modelId;
  if (metric.runId) wire.run_id = metric.runId;
  return wire;
}

/** A metric with MLflow 3's optional links (model, dataset, run), each kept only when non-empty. */
function readMetric(r: WireReader, value: unknown, path: string): Metric & { runId?: string } {
  const obj = r.object(value, path);
  const datasetName = r.string(obj, 'dataset_name', path);
  const datasetDigest = r.string(obj, 'dataset_digest', path);
  const modelId = r.string(obj, 'model_id', path);
  const runId = r.string(obj, 'run_id', path);
  // Built in place, not spread from a links object: log-batch reads 1000 of these per request.
  const metric: { -readonly [K in keyof Metric]: Metric[K] } & { runId?: string } = {
    key: r.requiredString(obj, 'key', path),
    value: r.double(obj, 'value', path),
    timestamp: r.int64(obj, 'timestamp', path, 0),
    step: r.int64(obj, 'step', path, 0),
  };
  if (datasetName) metric.datasetName = datasetName;
  if (datasetDigest) metric.datasetDigest = datasetDigest;
  if (modelId) metric.modelId = modelId;
  if (runId) metric.runId = runId;
  return metric;
}

/** Readers hold no state: one per source serves every metric (log-batch reads 1000 a request). */
const METRIC_READERS: Readonly<Record<WireSource, WireReader>> = { reply: new WireReader('metric', 'reply'), request: new WireReader('metric', 'request') };

export function metricFromWire(value: unknown, source: WireSource = 'reply'): Metric {
  return readMetric(METRIC_READERS[source], value, '');
}

// ---- experiments ----------------------------------------------------------------------------

export function experimentToWire(experiment: Experiment): WireExperiment {
  return {
    experiment_id: experiment.experimentId,
    name: experiment.name,
    artifact_location: experiment.artifactLocation,
    lifecycle_stage: experiment.lifecycleStage,
    last_update_time: experiment.lastUpdateTime,
    creation_time: experiment.creationTime,
    tags: experiment.tags.map(tagToWire),
  };
}

export function experimentFromWire(value: unknown, source: WireSource = 'reply'): Experiment {
  const r = new WireReader('experiment', source);
  const obj = r.object(value, '');
  const creationTime = r.int64(obj, 'creation_time', '', 0);
  return {
    experimentId: r.requiredString(obj, 'experiment_id', ''),
    name: r.requiredString(obj, 'name', ''),
    artifactLocation: r.string(obj, 'artifact_location', ''),
    lifecycleStage: r.oneOf(obj, 'lifecycle_stage', '', LIFECYCLE_STAGES, 'active'),
    creationTime,
    // Experiments made before MLflow tracked updates have none: they were last changed when made.
    lastUpdateTime: r.int64(obj, 'last_update_time', '', creationTime),
    tags: r.array(obj, 'tags', '', (t, p) => readKeyValue(r, t, p)),
  };
}

// ---- runs -----------------------------------------------------------------------------------

export function runInfoToWire(info: RunInfo): WireRunInfo {
  const wire: WireRunInfo = {
    run_id: info.runId,
    run_uuid: info.runId,
    run_name: info.runName,
    experiment_id: info.experimentId,
    user_id: info.userId,
    status: info.status,
    start_time: info.startTime,
    artifact_uri: info.artifactUri,
    lifecycle_stage: info.lifecycleStage,
  };
  if (info.endTime !== null) wire.end_time = info.endTime;
  return wire;
}

function readRunInfo(r: WireReader, value: unknown, path: string): RunInfo {
  const obj = r.object(value, path);
  const runId = r.string(obj, 'run_id', path) || r.string(obj, 'run_uuid', path);
  if (!runId) throw r.fail(r.child(path, 'run_id'), 'is missing');
  return {
    runId,
    runName: r.string(obj, 'run_name', path),
    experimentId: r.requiredString(obj, 'experiment_id', path),
    userId: r.string(obj, 'user_id', path),
    status: r.enumValue(obj, 'status', path, RUN_STATUSES, 'RUNNING'),
    startTime: r.int64(obj, 'start_time', path, 0),
    endTime: r.int64(obj, 'end_time', path, null),
    artifactUri: r.string(obj, 'artifact_uri', path),
    lifecycleStage: r.oneOf(obj, 'lifecycle_stage', path, LIFECYCLE_STAGES, 'active'),
  };
}

export function runInfoFromWire(value: unknown, source: WireSource = 'reply'): RunInfo {
  return readRunInfo(new WireReader('run info', source), value, '');
}

export function runToWire(run: Run): WireRun {
  const wire: WireRun = {
    info: runInfoToWire(run.info),
    data: {
      metrics: run.data.metrics.map(metricToWire),
      params: run.data.params.map(paramToWire),
      tags: run.data.tags.map(tagToWire),
    },
  };
  if (run.inputs) wire.inputs = runInputsToWire(run.inputs);
  if (run.outputs) wire.outputs = runOutputsToWire(run.outputs);
  return wire;
}

export function runFromWire(value: unknown, source: WireSource = 'reply'): Run {
  const r = new WireReader('run', source);
  const obj = r.object(value, '');
  const info = readRunInfo(r, obj['info'], 'info');
  // A run with nothing logged may come without `data` at all.
  const data = obj['data'] === undefined || obj['data'] === null ? {} : r.object(obj['data'], 'data');
  return {
    info,
    data: {
      metrics: r.array(data, 'metrics', 'data', (m, p) => readMetric(r, m, p)),
      params: r.array(data, 'params', 'data', (m, p) => readKeyValue(r, m, p)),
      tags: r.array(data, 'tags', 'data', (m, p) => readKeyValue(r, m, p)),
    },
    // MLflow 3 always sends both (empty when nothing was logged); older servers send neither.
    ...(obj['inputs'] === undefined ? {} : { inputs: readRunInputs(r, obj['inputs'], 'inputs') }),
    ...(obj['outputs'] === undefined ? {} : { outputs: readRunOutputs(r, obj['outputs'], 'outputs') }),
  };
}

// ---- logged models (MLflow 3) -----------------------------------------------------------------

export function loggedModelToWire(model: LoggedModel): WireLoggedModel {
  return writeLoggedModel(model, metricToWire);
}

export function loggedModelFromWire(value: unknown, source: WireSource = 'reply'): LoggedModel {
  return readLoggedModel(value, readMetric, source);
}

// ---- artifacts ------------------------------------------------------------------------------

export function fileInfoToWire(file: FileInfo): WireFileInfo {
  const wire: WireFileInfo = { path: file.path, is_dir: file.isDir };
  if (file.fileSize !== undefined) wire.file_size = file.fileSize;
  return wire;
}

export function fileInfoFromWire(value: unknown, source: WireSource = 'reply'): FileInfo {
  const r = new WireReader('file info', source);
  const obj = r.object(value, '');
  const path = r.requiredString(obj, 'path', '');
  const isDir = r.boolean(obj, 'is_dir', '');
  const fileSize = r.int64(obj, 'file_size', '', null);
  return fileSize === null ? { path, isDir } : { path, isDir, fileSize };
}
