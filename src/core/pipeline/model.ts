// The pipeline export's data model: plain JSON, so the CLI prints it and a webview can render it.
import type { JsonValue } from '../notebook/notebookModel.ts';

/** What a value is, as far as the code that defines it tells: the smoke tests check this kind. */
export type ValueKind = 'dataframe' | 'series' | 'model' | 'estimator' | 'ndarray' | 'number' | 'unknown';

export type WarningKind =
  | 'undefinedName'
  | 'cycle'
  | 'unknownPrev'
  | 'functionReadsGlobal'
  | 'starImport'
  | 'unserializable'
  | 'magic'
  | 'syntaxError'
  | 'parameters'
  | 'singleStep'
  | 'emptyStep';

export interface PipelineWarning {
  kind: WarningKind;
  message: string;
  /** 0-based index of the notebook cell. */
  cell?: number;
  /** 1-based line within that cell's source. */
  line?: number;
  step?: string;
}

/** A name flowing from one step to a later one. */
export interface StepInput {
  name: string;
  from: string;
}

export interface PipelineStep {
  /** A Python identifier, unique in the pipeline: the module, function and Metaflow step name. */
  name: string;
  /** The heading, tag or marker it came from (for display). */
  title: string;
  /** 0-based indices of the notebook cells whose code it runs. */
  cells: number[];
  inputs: StepInput[];
  /** Parameters (from the parameters cell) the step reads. */
  params: string[];
  /** Names it defines that a later step (or the metrics) needs, each with its expected kind. */
  outputs: Array<{ name: string; kind: ValueKind }>;
  /** Names from `prev:` tags. */
  prev: string[];
}

export interface PipelineEdge {
  from: string;
  to: string;
  /** The names carried; empty for an ordering-only edge (a `prev:` tag). */
  names: string[];
}

export interface PipelineParameter {
  name: string;
  value: JsonValue;
  /** The Python literal as written. */
  literal: string;
  cell: number;
  line: number;
}

/** One file of the generated package, its path relative to the export folder (forward slashes). */
export interface GeneratedFile {
  path: string;
  content: string;
}

export type FileAction = 'create' | 'update' | 'unchanged' | 'conflict' | 'remove';

export interface PlannedFile extends GeneratedFile {
  /**
   * create: new file; update: overwrites a file the last export wrote and nobody edited;
   * unchanged: already identical; conflict: the file on disk was edited since (or not written by
   * Labbook) and is kept unless forced.
   */
  action: Exclude<FileAction, 'remove'>;
}

export interface ExportConflict {
  path: string;
  reason: 'edited' | 'notOurs' | 'editedStale';
  message: string;
}
