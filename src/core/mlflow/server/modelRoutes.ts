// Model registry routes and MLflow 3's logged-model routes (what `log_model` and
// `mlflow.register_model` call), over the local store.
import { invalidParameter } from '../../store/errors.ts';
import { searchLoggedModelsInMemory } from '../../store/loggedModelSearch.ts';
import { LOGGED_MODEL_STATUSES } from '../../store/sqlite/loggedModelTables.ts';
import type { SqliteTrackingStore } from '../../store/sqlite/sqliteTrackingStore.ts';
import { fileInfoToWire, loggedModelToWire, modelVersionToWire, registeredModelToWire, tagFromWire } from '../wire.ts';
import { WireReader } from '../wireReader.ts';
import { decodePathPart, type RequestParams } from './httpPlumbing.ts';
import type { RouteHandler } from './trackingRoutes.ts';

/** A logged-model route with its `{model_id}` (and `{tag_key}`) taken from the path. */
export type ModelIdHandler = (params: RequestParams, modelId: string, tail: string) => unknown;

export function registryRoutes(store: SqliteTrackingStore): Map<string, RouteHandler> {
  const routes = new Map<string, RouteHandler>();
  const r = new WireReader('model registry request', 'request');
  const add = (method: string, path: string, handler: RouteHandler) => routes.set(`${method} /api/2.0/mlflow/${path}`, handler);
  const name = (p: RequestParams) => r.requiredString(p, 'name', '');
  const query = (p: RequestParams) => ({
    filter: r.string(p, 'filter', ''),
    maxResults: r.int64(p, 'max_results', '', 0) || undefined,
    pageToken: r.string(p, 'page_token', ''),
  });

  add('POST', 'registered-models/create', async (p) => ({
    registered_model: registeredModelToWire(
      await store.createRegisteredModel(name(p), { description: r.string(p, 'description', ''), tags: r.array(p, 'tags', '', (t) => tagFromWire(t, 'request')) }),
    ),
  }));
  add('GET', 'registered-models/get', async (p) => ({ registered_model: registeredModelToWire(await store.getRegisteredModel(name(p))) }));
  const searchModels: RouteHandler = async (p) => {
    const page = await store.searchRegisteredModels(query(p));
    return { registered_models: page.items.map(registeredModelToWire), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
  };
  add('GET', 'registered-models/search', searchModels);
  add('POST', 'registered-models/search', searchModels);
  add('DELETE', 'registered-models/delete', async (p) => (await store.deleteRegisteredModel(name(p)), {}));
  add('POST', 'registered-models/set-tag', async (p) => (await store.setRegisteredModelTag(name(p), tagFromWire(p, 'request')), {}));
  add('POST', 'registered-models/alias', async (p) => (await store.setRegisteredModelAlias(name(p), r.requiredString(p, 'alias', ''), r.requiredString(p, 'version', '')), {}));
  add('DELETE', 'registered-models/alias', async (p) => (await store.deleteRegisteredModelAlias(name(p), r.requiredString(p, 'alias', '')), {}));
  add('GET', 'registered-models/alias', async (p) => ({ model_version: modelVersionToWire(await store.getModelVersionByAlias(name(p), r.requiredString(p, 'alias', ''))) }));
  add('POST', 'model-versions/create', async (p) => ({
    model_version: modelVersionToWire(
      await store.createModelVersion(name(p), r.requiredString(p, 'source', ''), sourceRun(store, r.requiredString(p, 'source', ''), r.string(p, 'run_id', '')), {
        description: r.string(p, 'description', ''),
        tags: r.array(p, 'tags', '', (t) => tagFromWire(t, 'request')),
      }),
    ),
  }));
  add('GET', 'model-versions/get', async (p) => ({ model_version: modelVersionToWire(await store.getModelVersion(name(p), r.requiredString(p, 'version', ''))) }));
  const searchVersions: RouteHandler = async (p) => {
    const page = await store.searchModelVersions(query(p));
    return { model_versions: page.items.map(modelVersionToWire), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
  };
  add('GET', 'model-versions/search', searchVersions);
  add('POST', 'model-versions/search', searchVersions);
  add('POST', 'model-versions/set-tag', async (p) => (await store.setModelVersionTag(name(p), r.requiredString(p, 'version', ''), tagFromWire(p, 'request')), {}));
  add('GET', 'model-versions/get-download-uri', async (p) => ({ artifact_uri: (await store.getModelVersion(name(p), r.requiredString(p, 'version', ''))).source }));

  // ── logged models (MLflow 3) ──
  add('POST', 'logged-models', (p) => {
    const sourceRunId = r.string(p, 'source_run_id', '');
    const model = store.transaction(() =>
      store.loggedModels.create({
        experimentId: r.requiredString(p, 'experiment_id', ''),
        name: r.string(p, 'name', ''),
        modelType: r.string(p, 'model_type', ''),
        sourceRunId,
        tags: r.array(p, 'tags', '', (t) => tagFromWire(t, 'request')),
        params: r.array(p, 'params', '', (t) => tagFromWire(t, 'request')),
      }),
    );
    return { model: loggedModelToWire(model) };
  });
  add('POST', 'logged-models/search', (p) => {
    const s = new WireReader('search logged models request', 'request');
    /** `dataset_name` / `dataset_digest` of a dataset filter or an order_by entry, those given. */
    const dataset = (obj: RequestParams, path: string) => {
      const name = s.string(obj, 'dataset_name', path);
      const digest = s.string(obj, 'dataset_digest', path);
      return { ...(name ? { datasetName: name } : {}), ...(digest ? { datasetDigest: digest } : {}) };
    };
    const page = searchLoggedModelsInMemory(store.loggedModels.list(s.array(p, 'experiment_ids', '', (id, path) => idString(s, id, path))), {
      filter: s.string(p, 'filter', ''),
      datasets: s.array(p, 'datasets', '', (d, path) => {
        const obj = s.object(d, path);
        return { ...dataset(obj, path), datasetName: s.requiredString(obj, 'dataset_name', path) };
      }),
      orderBy: s.array(p, 'order_by', '', (o, path) => {
        const obj = s.object(o, path);
        // protobuf's default for `ascending` is true.
        const ascending = obj['ascending'] === undefined ? true : s.boolean(obj, 'ascending', path);
        return { fieldName: s.requiredString(obj, 'field_name', path), ascending, ...dataset(obj, path) };
      }),
      maxResults: s.int64(p, 'max_results', '', 0) || undefined,
      pageToken: s.string(p, 'page_token', ''),
    });
    return { models: page.items.map(loggedModelToWire), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
  });
  return routes;
}

/** Experiment ids arrive as strings, though protobuf-JSON clients may send numbers. */
function idString(r: WireReader, value: unknown, path: string): string {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value))) return String(value);
  throw r.fail(path, 'is not an experiment id');
}

/**
 * MLflow 3 registers `models:/<model id>` without a run id; like MLflow's server, take the run
 * from the logged model so the version still points at the run that produced it.
 */
function sourceRun(store: SqliteTrackingStore, source: string, runId: string): string {
  const model = /^models:\/(m-[0-9a-f]+)$/.exec(source);
  if (runId || !model?.[1]) return runId;
  return store.loggedModels.get(model[1]).sourceRunId;
}

/** `/api/2.0/mlflow/logged-models/{model_id}[/tags[/{key}]|/params|/artifacts/directories]`. */
export function loggedModelRoute(store: SqliteTrackingStore, method: string, modelId: string, tail: string): ModelIdHandler | undefined {
  const r = new WireReader('logged model request', 'request');
  const key = `${method} ${tail.startsWith('tags/') ? 'tags/{key}' : tail}`;
  switch (key) {
    case 'GET ':
      return () => ({ model: loggedModelToWire(store.loggedModels.get(modelId)) });
    case 'PATCH ':
      return (p) => {
        const status = r.enumValue(p, 'status', '', LOGGED_MODEL_STATUSES, 'LOGGED_MODEL_READY');
        return { model: loggedModelToWire(store.transaction(() => store.loggedModels.finalize(modelId, status))) };
      };
    case 'DELETE ':
      return () => (store.transaction(() => store.loggedModels.delete(modelId)), {});
    case 'PATCH tags':
      return (p) => {
        const tags = r.array(p, 'tags', '', (t) => tagFromWire(t, 'request'));
        store.transaction(() => {
          store.loggedModels.get(modelId);
          store.loggedModels.setTags(modelId, tags);
        });
        return {};
      };
    case 'DELETE tags/{key}':
      return () => (store.transaction(() => store.loggedModels.deleteTag(modelId, decodePathPart(tail.slice('tags/'.length)))), {});
    case 'POST params':
      return (p) => {
        const params = r.array(p, 'params', '', (t) => tagFromWire(t, 'request'));
        store.transaction(() => {
          store.loggedModels.get(modelId);
          store.loggedModels.logParams(modelId, params);
        });
        return {};
      };
    case 'GET artifacts/directories':
      return async (p) => {
        const model = store.loggedModels.get(modelId);
        const files = await store.artifacts.list(model.artifactLocation, r.string(p, 'artifact_directory_path', ''));
        return { root_uri: model.artifactLocation, files: files.map(fileInfoToWire) };
      };
    default:
      if (!/^[\w-]+$/.test(modelId)) throw invalidParameter(`Invalid logged model id '${modelId}'.`);
      return undefined;
  }
}
