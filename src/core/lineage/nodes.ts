// Store entities as lineage nodes: only what a view shows and needs to open each one.
import path from 'node:path';
import { DIGEST_LENGTH } from '../data/dataRecord.ts';
import type { DataEntry } from '../data/observedRecord.ts';
import type { Dataset, LoggedModel, ModelVersion, Run } from '../store/types.ts';
import { nodeId, type AliasNode, type DataNode, type DatasetNode, type LoggedModelNode, type ModelVersionNode, type RunNode } from './types.ts';

export function datasetNode(dataset: Dataset): DatasetNode {
  return { ...dataset, kind: 'dataset', id: nodeId({ kind: 'dataset', digest: dataset.digest, name: dataset.name }) };
}

/** The hash a data entry is known by: its sha256, else its first DVC md5; none for an unhashed entry. */
export function dataHash(entry: DataEntry): string | undefined {
  return entry.sha256 ?? entry.dvc?.outs[0]?.md5;
}

/** Whether `hash` names this entry: its sha256 (or the 32-character prefix MLflow digests keep) or one of its DVC md5s. */
export function dataEntryHas(entry: DataEntry, hash: string): boolean {
  if (entry.sha256 !== undefined && (entry.sha256 === hash || (hash.length >= DIGEST_LENGTH && entry.sha256.startsWith(hash)))) return true;
  return (entry.dvc?.outs ?? []).some((o) => o.md5 === hash);
}

export function dataNode(entry: DataEntry, cwd: string, hash: string): DataNode {
  const md5s = (entry.dvc?.outs ?? []).map((o) => o.md5);
  return {
    kind: 'data', id: nodeId({ kind: 'data', hash }), path: entry.path,
    absolutePath: cwd === '' && !path.isAbsolute(entry.path) ? '' : path.resolve(cwd, entry.path),
    entryKind: entry.kind,
    ...(entry.sha256 !== undefined ? { sha256: entry.sha256 } : {}),
    ...(entry.partial ? { partial: true as const } : {}),
    ...(entry.fileCount !== undefined ? { fileCount: entry.fileCount } : {}),
    ...(md5s.length > 0 ? { dvcMd5: md5s } : {}),
  };
}

export function runNode(run: Run): RunNode {
  const { info } = run;
  return { kind: 'run', id: nodeId({ kind: 'run', runId: info.runId }), runId: info.runId, experimentId: info.experimentId, runName: info.runName, status: info.status, startTime: info.startTime };
}

export function loggedModelNode(model: LoggedModel): LoggedModelNode {
  return { kind: 'loggedModel', id: nodeId({ kind: 'loggedModel', modelId: model.modelId }), modelId: model.modelId, experimentId: model.experimentId, name: model.name, sourceRunId: model.sourceRunId };
}

export function modelVersionNode(version: ModelVersion): ModelVersionNode {
  return {
    kind: 'modelVersion', id: nodeId({ kind: 'modelVersion', name: version.name, version: version.version }),
    name: version.name, version: version.version, runId: version.runId, source: version.source, aliases: [...version.aliases],
  };
}

export function aliasNode(name: string, alias: string, version: string): AliasNode {
  return { kind: 'alias', id: nodeId({ kind: 'alias', name, alias }), name, alias, version };
}

/**
 * The logged model a version was registered from, when its source names one: MLflow 3 registers
 * `models:/<model id>` (a registered model's own URI, `models:/<name>/<version>`, has a slash).
 */
export function loggedModelIdOf(version: Pick<ModelVersion, 'source'>): string | undefined {
  const m = /^models:\/([^/@]+)\/?$/.exec(version.source);
  return m?.[1];
}
