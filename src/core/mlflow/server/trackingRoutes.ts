// The MLflow REST routes the `mlflow` Python client calls for tracking (experiments, runs,
// params, metrics, tags, inputs/outputs, metric history, artifact listing), over the local store.
import { notFound, TrackingError } from '../../store/errors.ts';
import { decodePageToken, encodePageToken, pageSize } from '../../store/pageToken.ts';
import type { SqliteTrackingStore } from '../../store/sqlite/sqliteTrackingStore.ts';
import { RUN_STATUSES, type ViewType } from '../../store/types.ts';
import {
  experimentToWire,
  fileInfoToWire,
  metricFromWire,
  metricToWire,
  paramFromWire,
  runInfoToWire,
  runToWire,
  tagFromWire,
} from '../wire.ts';
import { WireReader } from '../wireReader.ts';
import { readDatasetInput, readModelInput, readModelOutput } from '../wireRunIo.ts';
import type { RequestParams } from './httpPlumbing.ts';

/** Answers a request: the reply body, or a promise of it (the server awaits either). */
export type RouteHandler = (params: RequestParams) => unknown;

const VIEW_TYPES: readonly ViewType[] = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'];

/** `/api/2.0/mlflow/...` (and the `/ajax-api/` alias MLflow's UI uses) → handler. */
export function trackingRoutes(store: SqliteTrackingStore): Map<string, RouteHandler> {
  const read = (thing: string) => new WireReader(thing, 'request');
  const routes = new Map<string, RouteHandler>();
  const add = (method: string, path: string, handler: RouteHandler) => routes.set(`${method} /api/2.0/mlflow/${path}`, handler);
  const strings = (r: WireReader, p: RequestParams, key: string): string[] => {
    const value = p[key];
    if (value === undefined || value === null) return [];
    return (Array.isArray(value) ? value : [value]).map((v, i) => {
      if (typeof v !== 'string') throw r.fail(`${key}[${i}]`, 'is not a string');
      return v;
    });
  };

  // ── experiments ──
  add('GET', 'experiments/get-by-name', async (p) => {
    const name = read('request').requiredString(p, 'experiment_name', '');
    const exp = await store.getExperimentByName(name);
    if (!exp) throw notFound(`Could not find experiment with name '${name}'`);
    return { experiment: experimentToWire(exp) };
  });
  add('POST', 'experiments/create', async (p) => {
    const r = read('create experiment request');
    const tags = r.array(p, 'tags', '', (t) => tagFromWire(t, 'request'));
    const location = r.string(p, 'artifact_location', '');
    const id = await store.createExperiment(r.requiredString(p, 'name', ''), { tags, ...(location ? { artifactLocation: location } : {}) });
    return { experiment_id: id };
  });
  add('GET', 'experiments/get', async (p) => {
    const exp = await store.getExperiment(read('request').requiredString(p, 'experiment_id', ''));
    return { experiment: experimentToWire(exp) };
  });
  const searchExperiments: RouteHandler = async (p) => {
    const r = read('search experiments request');
    const page = await store.searchExperiments({
      filter: r.string(p, 'filter', ''),
      orderBy: strings(r, p, 'order_by'),
      maxResults: r.int64(p, 'max_results', '', 1000),
      pageToken: r.string(p, 'page_token', ''),
      viewType: r.enumValue(p, 'view_type', '', VIEW_TYPES, 'ACTIVE_ONLY'),
    });
    return { experiments: page.items.map(experimentToWire), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
  };
  add('POST', 'experiments/search', searchExperiments);
  add('GET', 'experiments/search', searchExperiments);
  add('POST', 'experiments/delete', async (p) => (await store.deleteExperiment(read('request').requiredString(p, 'experiment_id', '')), {}));
  add('POST', 'experiments/restore', async (p) => (await store.restoreExperiment(read('request').requiredString(p, 'experiment_id', '')), {}));
  add('POST', 'experiments/update', async (p) => {
    const r = read('update experiment request');
    await store.renameExperiment(r.requiredString(p, 'experiment_id', ''), r.requiredString(p, 'new_name', ''));
    return {};
  });
  add('POST', 'experiments/delete-experiment-tag', async (p) => {
    const r = read('delete experiment tag request');
    await store.deleteExperimentTag(r.requiredString(p, 'experiment_id', ''), r.requiredString(p, 'key', ''));
    return {};
  });
  add('POST', 'experiments/set-experiment-tag', async (p) => {
    const r = read('set experiment tag request');
    await store.setExperimentTag(r.requiredString(p, 'experiment_id', ''), { key: r.requiredString(p, 'key', ''), value: r.string(p, 'value', '') });
    return {};
  });

  // ── runs ──
  add('POST', 'runs/create', async (p) => {
    const r = read('create run request');
    const startTime = r.int64(p, 'start_time', '', null);
    const runName = r.string(p, 'run_name', '');
    const userId = r.string(p, 'user_id', '');
    const run = await store.createRun({
      experimentId: r.string(p, 'experiment_id', '') || '0',
      tags: r.array(p, 'tags', '', (t) => tagFromWire(t, 'request')),
      ...(startTime === null ? {} : { startTime }),
      ...(runName ? { runName } : {}),
      ...(userId ? { userId } : {}),
    });
    return { run: runToWire(run) };
  });
  add('POST', 'runs/update', async (p) => {
    const r = read('update run request');
    const runId = r.string(p, 'run_id', '') || r.requiredString(p, 'run_uuid', '');
    const status = p['status'] === undefined ? undefined : r.enumValue(p, 'status', '', RUN_STATUSES, 'RUNNING');
    const endTime = r.int64(p, 'end_time', '', null);
    const runName = r.string(p, 'run_name', '');
    const run = await store.updateRun(runId, {
      ...(status ? { status } : {}),
      ...(endTime === null ? {} : { endTime }),
      ...(runName ? { runName } : {}),
    });
    return { run_info: runInfoToWire(run.info) };
  });
  add('POST', 'runs/delete', async (p) => (await store.deleteRun(read('request').requiredString(p, 'run_id', '')), {}));
  add('POST', 'runs/restore', async (p) => (await store.restoreRun(read('request').requiredString(p, 'run_id', '')), {}));
  add('GET', 'runs/get', async (p) => {
    const r = read('get run request');
    return { run: runToWire(await store.getRun(r.string(p, 'run_id', '') || r.requiredString(p, 'run_uuid', ''))) };
  });
  add('POST', 'runs/search', async (p) => {
    const r = read('search runs request');
    const page = await store.searchRuns({
      experimentIds: strings(r, p, 'experiment_ids'),
      filter: r.string(p, 'filter', ''),
      orderBy: strings(r, p, 'order_by'),
      maxResults: r.int64(p, 'max_results', '', 1000),
      pageToken: r.string(p, 'page_token', ''),
      viewType: r.enumValue(p, 'run_view_type', '', VIEW_TYPES, 'ACTIVE_ONLY'),
    });
    return { runs: page.items.map(runToWire), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
  });
  const runId = (r: WireReader, p: RequestParams) => r.string(p, 'run_id', '') || r.requiredString(p, 'run_uuid', '');
  add('POST', 'runs/log-metric', async (p) => {
    const r = read('log metric request');
    await store.logMetric(runId(r, p), metricFromWire(p, 'request'));
    return {};
  });
  add('POST', 'runs/log-parameter', async (p) => {
    const r = read('log param request');
    const param = paramFromWire(p, 'request');
    await store.logParam(runId(r, p), param.key, param.value);
    return {};
  });
  add('POST', 'runs/set-tag', async (p) => {
    const r = read('set tag request');
    await store.setTag(runId(r, p), tagFromWire(p, 'request'));
    return {};
  });
  add('POST', 'runs/delete-tag', async (p) => {
    const r = read('delete tag request');
    await store.deleteTag(r.requiredString(p, 'run_id', ''), r.requiredString(p, 'key', ''));
    return {};
  });
  add('POST', 'runs/log-batch', async (p) => {
    const r = read('log batch request');
    await store.logBatch(r.requiredString(p, 'run_id', ''), {
      metrics: r.array(p, 'metrics', '', (m) => metricFromWire(m, 'request')),
      params: r.array(p, 'params', '', (m) => paramFromWire(m, 'request')),
      tags: r.array(p, 'tags', '', (m) => tagFromWire(m, 'request')),
    });
    return {};
  });
  add('POST', 'runs/log-model', async (p) => {
    // MLflow keeps every logged model's MLmodel JSON in the run's `mlflow.log-model.history` tag.
    const r = read('log model request');
    const id = r.requiredString(p, 'run_id', '');
    const model = parseJson(r.requiredString(p, 'model_json', ''));
    if (model === undefined) throw r.fail('model_json', 'is not JSON');
    const run = await store.getRun(id);
    const history = parseJson(run.data.tags.find((t) => t.key === 'mlflow.log-model.history')?.value ?? '[]');
    // Refuse rather than overwrite a history some other client wrote: nothing logged is lost.
    if (!Array.isArray(history)) throw new TrackingError('INVALID_STATE', `Run ${id}'s tag mlflow.log-model.history is not a JSON list, so the model cannot be added to it.`);
    await store.setTag(id, { key: 'mlflow.log-model.history', value: JSON.stringify([...(history as unknown[]), model]) });
    return {};
  });
  add('POST', 'runs/log-inputs', async (p) => {
    const r = read('log inputs request');
    await store.logInputs(
      r.requiredString(p, 'run_id', ''),
      r.array(p, 'datasets', '', (d, path) => readDatasetInput(r, d, path)),
      r.array(p, 'models', '', (m, path) => readModelInput(r, m, path)),
    );
    return {};
  });
  add('POST', 'runs/outputs', async (p) => {
    const r = read('log outputs request');
    await store.logOutputs(r.requiredString(p, 'run_id', ''), r.array(p, 'models', '', (m, path) => readModelOutput(r, m, path)));
    return {};
  });

  // ── metric history, artifacts ──
  add('GET', 'metrics/get-history', async (p) => {
    const r = read('get metric history request');
    const history = await store.getMetricHistory(runId(r, p), r.requiredString(p, 'metric_key', ''));
    const size = pageSize(r.int64(p, 'max_results', '', 0) || undefined, 25_000, 25_000);
    const offset = decodePageToken(r.string(p, 'page_token', ''));
    const slice = history.slice(offset, offset + size);
    return { metrics: slice.map(metricToWire), ...(offset + size < history.length ? { next_page_token: encodePageToken(offset + size) } : {}) };
  });
  add('GET', 'artifacts/list', async (p) => {
    const r = read('list artifacts request');
    const id = runId(r, p);
    const run = await store.getRun(id);
    const files = await store.listArtifacts(id, r.string(p, 'path', ''));
    return { root_uri: run.info.artifactUri, files: files.map(fileInfoToWire) };
  });

  return routes;
}

/** JSON text's value, or undefined when it is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
