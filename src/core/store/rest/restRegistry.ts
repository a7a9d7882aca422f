/** The model registry half of the MLflow REST store (`/api/2.0/mlflow/registered-models/…`, `/model-versions/…`). */
import type { MlflowRestClient } from '../../mlflow/restClient.ts';
import { modelVersionFromWire, registeredModelFromWire, tagToWire } from '../../mlflow/wire.ts';
import { notFound, TrackingError } from '../errors.ts';
import { replyField, replyPage } from './restReplies.ts';
import type { ModelVersion, Page, RegisteredModel, SearchRegistryQuery, Tag } from '../types.ts';

const API = '/api/2.0/mlflow';

export class RestModelRegistry {
  private readonly client: MlflowRestClient;

  constructor(client: MlflowRestClient) {
    this.client = client;
  }

  async createRegisteredModel(name: string, options: { description?: string; tags?: readonly Tag[] } = {}): Promise<RegisteredModel> {
    const route = 'registered-models/create';
    const reply = await this.client.post(`${API}/${route}`, {
      name,
      description: options.description,
      tags: (options.tags ?? []).map(tagToWire),
    });
    return registeredModelFromWire(replyField(reply, 'registered_model', route));
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    const route = 'registered-models/get';
    const reply = await this.client.get(`${API}/${route}`, { name });
    return registeredModelFromWire(replyField(reply, 'registered_model', route));
  }

  async searchRegisteredModels(query: SearchRegistryQuery = {}): Promise<Page<RegisteredModel>> {
    const route = 'registered-models/search';
    const reply = await this.client.get(`${API}/${route}`, {
      filter: query.filter,
      max_results: query.maxResults,
      page_token: query.pageToken,
    });
    return replyPage(reply, 'registered_models', route, (m) => registeredModelFromWire(m));
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    await this.client.json({ method: 'DELETE', path: `${API}/registered-models/delete`, json: { name } });
  }

  async setRegisteredModelTag(name: string, tag: Tag): Promise<void> {
    await this.client.post(`${API}/registered-models/set-tag`, { name, key: tag.key, value: tag.value }, { idempotent: true });
  }

  async createModelVersion(
    name: string,
    source: string,
    runId: string,
    options: { description?: string; tags?: readonly Tag[] } = {},
  ): Promise<ModelVersion> {
    const route = 'model-versions/create';
    const reply = await this.client.post(`${API}/${route}`, {
      name,
      source,
      run_id: runId || undefined,
      description: options.description,
      tags: (options.tags ?? []).map(tagToWire),
    });
    return modelVersionFromWire(replyField(reply, 'model_version', route));
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    const route = 'model-versions/get';
    const reply = await this.client.get(`${API}/${route}`, { name, version });
    return modelVersionFromWire(replyField(reply, 'model_version', route));
  }

  async searchModelVersions(query: SearchRegistryQuery = {}): Promise<Page<ModelVersion>> {
    const route = 'model-versions/search';
    const reply = await this.client.get(`${API}/${route}`, {
      filter: query.filter,
      max_results: query.maxResults,
      page_token: query.pageToken,
    });
    return replyPage(reply, 'model_versions', route, (v) => modelVersionFromWire(v));
  }

  async setModelVersionTag(name: string, version: string, tag: Tag): Promise<void> {
    await this.client.post(`${API}/model-versions/set-tag`, { name, version, key: tag.key, value: tag.value }, { idempotent: true });
  }

  async setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    await this.client.post(`${API}/registered-models/alias`, { name, alias, version }, { idempotent: true });
  }

  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    await this.client.json({ method: 'DELETE', path: `${API}/registered-models/alias`, json: { name, alias } });
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    const route = 'registered-models/alias';
    try {
      const reply = await this.client.get(`${API}/${route}`, { name, alias });
      return modelVersionFromWire(replyField(reply, 'model_version', route));
    } catch (err) {
      // MLflow answers an unknown alias with INVALID_PARAMETER_VALUE; other stores say the alias
      // does not exist. Look at the model to tell that case from a truly invalid request.
      if (!(err instanceof TrackingError) || err.code !== 'INVALID_PARAMETER_VALUE') throw err;
      const model = await this.getRegisteredModel(name);
      if (model.aliases.some((a) => a.alias === alias)) throw err;
      throw notFound(`Registered model "${name}" has no alias "${alias}".`);
    }
  }
}
