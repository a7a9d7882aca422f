// The notebook diff as plain JSON data. The core computes it once (`diffNotebooks`) and every view
// renders it: the CLI's text (`renderText`), later the webview. Nothing here is a class or holds a
// function, so it crosses `postMessage` and `--json` as is.
//
// Conventions:
// - Cell, output and line indices are 0-based; views add 1 when they show them.
// - A part of a cell (`source`, `outputs`, `metadata`, …) is present only when it differs under the
//   options in force — except for added and removed cells, whose `source` and `outputs` describe the
//   whole cell (every line inserted or deleted) so a view needs nothing else to show them.
// - Unchanged cells carry no content: a view that wants to show them reads the notebooks.
import type { CellType, JsonValue } from '../notebook/notebookModel.ts';
import type { DiffOptions } from './options.ts';

export type CellDiffKind = 'unchanged' | 'modified' | 'added' | 'removed' | 'moved';

/** The diff of two notebooks, `base` (before) → `remote` (after), as nbdime calls them. */
export interface NotebookDiff {
  /** Bumped when the shape changes incompatibly. */
  modelVersion: 1;
  base: NotebookSummary;
  remote: NotebookSummary;
  options: DiffOptions;
  /**
   * Every cell of both notebooks exactly once, in reading order of the remote notebook: matched
   * pairs (unchanged, modified, moved — a moved cell sits at its remote position), with removed
   * cells placed where they were relative to their neighbours.
   */
  cells: CellDiff[];
  /** Notebook-level metadata changes (volatile keys dropped when `ignoreVolatileMetadata`). */
  metadata: KeyChange[];
  stats: DiffStats;
}

export interface NotebookSummary {
  /** As given by the caller (a path, or git's path for both sides). */
  name: string;
  /** e.g. "4.5". */
  nbformat: string;
  cellCount: number;
}

export interface DiffStats {
  unchanged: number;
  modified: number;
  added: number;
  removed: number;
  moved: number;
  /** Moved cells whose content changed too. */
  movedAndModified: number;
  /** Cells counted unchanged only because their differences were all in outputs (`ignoreOutputOnlyChanges`). */
  outputOnlyChangesHidden: number;
  /** False when, under the options, there is nothing to show. */
  hasChanges: boolean;
}

export interface CellDiff {
  kind: CellDiffKind;
  cellType: CellType;
  /** Position in the base notebook; null for added cells. */
  baseIndex: number | null;
  /** Position in the remote notebook; null for removed cells. */
  remoteIndex: number | null;
  /** The cell id (remote's, else base's) when the notebook has ids. */
  id?: string;
  /** How the pair was found: same cell id, same content, or similar content. Absent for added/removed. */
  matchedBy?: 'id' | 'content' | 'similarity';
  source?: TextDiff;
  outputs?: OutputDiff[];
  metadata?: KeyChange[];
  attachments?: KeyChange[];
  /** Present when execution counts are compared (`ignoreExecutionCounts` off) and differ. */
  executionCount?: { base: number | null; remote: number | null };
}

/** A line diff in unified-diff shape. */
export interface TextDiff {
  hunks: Hunk[];
  added: number;
  removed: number;
}

export interface Hunk {
  /** 0-based first line of the hunk on each side, and how many lines of that side it covers. */
  baseStart: number;
  baseCount: number;
  remoteStart: number;
  remoteCount: number;
  lines: DiffLine[];
}

export interface DiffLine {
  op: 'context' | 'insert' | 'delete';
  /** The line without its newline (context lines show the remote text). */
  text: string;
  /**
   * On a changed line that replaced (or was replaced by) a similar one: the [start, end) UTF-16
   * ranges of `text` that differ; empty when this side only lost nothing (the other side added
   * words). Absent: the whole line is the change.
   */
  spans?: Span[];
}

export type Span = [start: number, end: number];

/** One output of a matched cell, or an output present on one side only. */
export interface OutputDiff {
  op: 'unchanged' | 'modified' | 'added' | 'removed';
  baseIndex: number | null;
  remoteIndex: number | null;
  /** Summaries of each side's output (absent on the side it is missing from, and for unchanged ones). */
  base?: OutputSummary;
  remote?: OutputSummary;
  /** For modified outputs: what differs. */
  changes?: OutputChange[];
}

export interface OutputSummary {
  outputType: string;
  /** Stream name (stdout/stderr). */
  name?: string;
  mimeTypes: string[];
  /** The first lines of its text (stream text, text/plain, or the error), control characters kept. */
  preview?: string;
  images?: ImageRef[];
  ename?: string;
  evalue?: string;
}

/** An image by content: equal hashes mean equal bytes (base64 compared with whitespace removed). */
export interface ImageRef {
  mime: string;
  hash: string;
  /** Decoded size in bytes (SVG: its length). */
  bytes: number;
}

export type OutputChange =
  | { part: 'text'; key: string; diff: TextDiff }
  | { part: 'image'; mime: string; base: ImageRef | null; remote: ImageRef | null }
  | { part: 'data'; mime: string; base: JsonValue | null; remote: JsonValue | null }
  | { part: 'error'; ename?: { base: string; remote: string }; evalue?: { base: string; remote: string }; traceback?: TextDiff }
  | { part: 'executionCount'; base: number | null; remote: number | null }
  | { part: 'metadata'; changes: KeyChange[] };

/** A change to one key of a JSON object; nested objects are walked, so `path` may be deep. */
export interface KeyChange {
  op: 'added' | 'removed' | 'changed';
  path: string[];
  base?: JsonValue;
  remote?: JsonValue;
}
