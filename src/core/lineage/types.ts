// Lineage as plain JSON: where a model came from (datasets and Labbook data → runs → logged models →
// model versions ← aliases) and where a dataset went. Every node carries what a view needs to show
// it and open it (run id, experiment id, model name and version, file path); the webview will get
// these objects over the protocol as they are.
import type { Dataset } from '../store/types.ts';

/** An MLflow dataset input (`mlflow.log_input`): one node per digest and name. */
export interface DatasetNode extends Dataset {
  readonly kind: 'dataset';
  readonly id: string;
  /** The node stands for every dataset with this digest, whatever its name (`usersOfDigest`). */
  readonly anyName?: true;
}

/** A file or folder Labbook fingerprinted as a run's input (`labbook/data.json`): one node per content hash. */
export interface DataNode {
  readonly kind: 'data';
  readonly id: string;
  /** As the first run that read it recorded it: relative to that run's working directory. */
  readonly path: string;
  /** The absolute path (the run's working directory joined with `path`), '' when unknown. */
  readonly absolutePath: string;
  readonly entryKind: 'file' | 'dir';
  readonly sha256?: string;
  /** The sha256 covers only the file's first and last 4 MB (it was above the hashing cap). */
  readonly partial?: true;
  /** Folders: how many files the hash covers. */
  readonly fileCount?: number;
  /** The md5s DVC records for it, when it is DVC-tracked. */
  readonly dvcMd5?: readonly string[];
}

export interface RunNode {
  readonly kind: 'run';
  readonly id: string;
  readonly runId: string;
  readonly experimentId: string;
  readonly runName: string;
  readonly status: string;
  readonly startTime: number;
}

/** MLflow 3's LoggedModel. */
export interface LoggedModelNode {
  readonly kind: 'loggedModel';
  readonly id: string;
  readonly modelId: string;
  readonly experimentId: string;
  readonly name: string;
  readonly sourceRunId: string;
}

export interface ModelVersionNode {
  readonly kind: 'modelVersion';
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly runId: string;
  readonly source: string;
  readonly aliases: readonly string[];
}

export interface AliasNode {
  readonly kind: 'alias';
  readonly id: string;
  readonly name: string;
  readonly alias: string;
  readonly version: string;
}

export type LineageNode = DatasetNode | DataNode | RunNode | LoggedModelNode | ModelVersionNode | AliasNode;
export type LineageNodeKind = LineageNode['kind'];

/**
 * `used-by`: dataset/data (or a logged model a run consumed) → run; `produced`: run → logged model;
 * `registered-as`: run or logged model → model version; `points-to`: alias → model version;
 * `parent`: parent run → child run (nested runs, sweeps).
 */
export type LineageEdgeKind = 'used-by' | 'produced' | 'registered-as' | 'points-to' | 'parent';

export interface LineageEdge {
  readonly kind: LineageEdgeKind;
  readonly from: string;
  readonly to: string;
}

/** A node whose neighbours were cut at the per-node limit: `shown` of them are in the graph. */
export interface Truncation {
  readonly nodeId: string;
  /** Which side of the node was cut: what it came from, or what came of it. */
  readonly side: 'upstream' | 'downstream';
  readonly shown: number;
  /** How many there are in all, when the store said; otherwise only that there are more. */
  readonly total?: number;
}

export interface LineageGraph {
  readonly focus: string;
  readonly nodes: readonly LineageNode[];
  readonly edges: readonly LineageEdge[];
  readonly truncated: readonly Truncation[];
  /** What could not be read or was only partly searched, one line each. */
  readonly notes: readonly string[];
}

/** What to start from: enough to find the node in a store. */
export type LineageRef =
  | { readonly kind: 'dataset'; readonly digest: string; readonly name?: string }
  | { readonly kind: 'data'; readonly hash: string }
  | { readonly kind: 'run'; readonly runId: string }
  | { readonly kind: 'loggedModel'; readonly modelId: string }
  | { readonly kind: 'modelVersion'; readonly name: string; readonly version: string }
  | { readonly kind: 'alias'; readonly name: string; readonly alias: string };

/**
 * The node id of a ref. Ids are stable across reads so views can key on them. A dataset ref with no
 * name stands for every dataset with that digest (`usersOfDigest`).
 */
export function nodeId(ref: LineageRef): string {
  switch (ref.kind) {
    case 'dataset':
      return ref.name === undefined ? `dataset:${ref.digest}` : `dataset:${ref.digest}:${ref.name}`;
    case 'data':
      return `data:${ref.hash}`;
    case 'run':
      return `run:${ref.runId}`;
    case 'loggedModel':
      return `loggedModel:${ref.modelId}`;
    case 'modelVersion':
      return `modelVersion:${ref.name}/${ref.version}`;
    case 'alias':
      return `alias:${ref.name}@${ref.alias}`;
  }
}

/**
 * What a fingerprint check says of a data node now (core/lineage/staleness.ts): still what the run
 * read, changed, gone, or not known (no hash recorded, or the check was cut short).
 */
export type DataState = 'fresh' | 'stale' | 'missing' | 'unknown';

/** What `usersOfDigest` answers: every node the digest reaches downstream, by kind. */
export interface DigestUsers {
  readonly graph: LineageGraph;
  readonly runs: readonly RunNode[];
  readonly loggedModels: readonly LoggedModelNode[];
  readonly modelVersions: readonly ModelVersionNode[];
  readonly aliases: readonly AliasNode[];
}
