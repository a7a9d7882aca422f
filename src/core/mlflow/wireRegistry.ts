/** MLflow's model registry JSON (model_registry.proto) to and from Labbook's types; see wire.ts. */
import type { ModelVersion, ModelVersionStatus, RegisteredModel, Tag } from '../store/types.ts';
import { readKeyValue, WireReader, type WireSource, type WireTag } from './wireReader.ts';

export interface WireModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  /** Stages are deprecated in MLflow; sent as MLflow sends it for a version never transitioned. */
  current_stage: string;
  description: string;
  source: string;
  run_id: string;
  status: ModelVersionStatus;
  tags: WireTag[];
  aliases: string[];
}

export interface WireRegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string;
  latest_versions: WireModelVersion[];
  tags: WireTag[];
  aliases: { alias: string; version: string }[];
}

const MODEL_VERSION_STATUSES: readonly ModelVersionStatus[] = ['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY'];

function tagToWire(tag: Tag): WireTag {
  return { key: tag.key, value: tag.value };
}

export function modelVersionToWire(version: ModelVersion): WireModelVersion {
  return {
    name: version.name,
    version: version.version,
    creation_timestamp: version.creationTimestamp,
    last_updated_timestamp: version.lastUpdatedTimestamp,
    current_stage: 'None',
    description: version.description,
    source: version.source,
    run_id: version.runId,
    status: version.status,
    tags: version.tags.map(tagToWire),
    aliases: [...version.aliases],
  };
}

function readModelVersion(r: WireReader, value: unknown, path: string): ModelVersion {
  const obj = r.object(value, path);
  return {
    name: r.requiredString(obj, 'name', path),
    version: r.requiredString(obj, 'version', path),
    creationTimestamp: r.int64(obj, 'creation_timestamp', path, 0),
    lastUpdatedTimestamp: r.int64(obj, 'last_updated_timestamp', path, 0),
    description: r.string(obj, 'description', path),
    source: r.string(obj, 'source', path),
    runId: r.string(obj, 'run_id', path),
    status: r.enumValue(obj, 'status', path, MODEL_VERSION_STATUSES, 'PENDING_REGISTRATION'),
    tags: r.array(obj, 'tags', path, (t, p) => readKeyValue(r, t, p)),
    aliases: r.array(obj, 'aliases', path, (a, p) => {
      if (typeof a !== 'string' || a === '') throw r.fail(p, 'is not an alias name');
      return a;
    }),
  };
}

export function modelVersionFromWire(value: unknown, source: WireSource = 'reply'): ModelVersion {
  return readModelVersion(new WireReader('model version', source), value, '');
}

export function registeredModelToWire(model: RegisteredModel): WireRegisteredModel {
  return {
    name: model.name,
    creation_timestamp: model.creationTimestamp,
    last_updated_timestamp: model.lastUpdatedTimestamp,
    description: model.description,
    latest_versions: model.latestVersions.map(modelVersionToWire),
    tags: model.tags.map(tagToWire),
    aliases: model.aliases.map((a) => ({ alias: a.alias, version: a.version })),
  };
}

export function registeredModelFromWire(value: unknown, source: WireSource = 'reply'): RegisteredModel {
  const r = new WireReader('registered model', source);
  const obj = r.object(value, '');
  return {
    name: r.requiredString(obj, 'name', ''),
    creationTimestamp: r.int64(obj, 'creation_timestamp', '', 0),
    lastUpdatedTimestamp: r.int64(obj, 'last_updated_timestamp', '', 0),
    description: r.string(obj, 'description', ''),
    tags: r.array(obj, 'tags', '', (t, p) => readKeyValue(r, t, p)),
    aliases: r.array(obj, 'aliases', '', (a, p) => {
      const alias = r.object(a, p);
      return { alias: r.requiredString(alias, 'alias', p), version: r.requiredString(alias, 'version', p) };
    }),
    latestVersions: r.array(obj, 'latest_versions', '', (v, p) => readModelVersion(r, v, p)),
  };
}
