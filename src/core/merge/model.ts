// The three-way notebook merge as plain JSON data, like the diff's model (../diff/model.ts): the
// core computes it once (`mergeNotebooks`), and the CLI, the git driver and the merge panel read
// it. Nothing here is a class or holds a function, so it crosses `postMessage` and `--json` as is.
//
// Conventions:
// - `local` is "ours" (git's %A, stage 2), `remote` is "theirs" (%B, stage 3), `base` the common
//   ancestor (%O, stage 1), as nbdime names them.
// - Cell indices are 0-based positions in each side's notebook; null where the cell is absent.
// - Every merged cell carries its result cell whole, so a writer needs nothing but the merge.
import type { CellOutput, CellType, JsonObject, JsonValue, NotebookCell } from '../notebook/notebookModel.ts';

export type MergeSide = 'local' | 'remote';

/**
 * What happens to outputs both sides changed differently: clear them (the default: re-running
 * recreates them), take one side's, or keep both (local's, then remote's).
 */
export type OutputPolicy = 'clear' | 'local' | 'remote' | 'both';
export const OUTPUT_POLICIES: readonly OutputPolicy[] = ['clear', 'local', 'remote', 'both'];

export interface MergeOptions {
  /** Execution counts both sides changed differently are cleared (null) instead of conflicting. */
  autoResolveExecutionCounts: boolean;
  /** Volatile metadata (the diff's VOLATILE_CELL_METADATA / VOLATILE_NOTEBOOK_METADATA) both sides changed differently: local's value, not a conflict. */
  autoResolveVolatileMetadata: boolean;
  /** Outputs both sides changed differently. */
  outputs: OutputPolicy;
  /** Cell alignment treats sources equal up to whitespace as equal (as the diff's toggle). */
  ignoreWhitespace: boolean;
}

export const DEFAULT_MERGE_OPTIONS: Readonly<MergeOptions> = Object.freeze({
  autoResolveExecutionCounts: true,
  autoResolveVolatileMetadata: true,
  outputs: 'clear',
  ignoreWhitespace: true,
});

export interface NotebookMerge {
  /** Bumped when the shape changes incompatibly. */
  modelVersion: 1;
  /** What each side is called (paths, or git's path with the stage). */
  names: { base: string; local: string; remote: string };
  options: MergeOptions;
  /** nbformat of the result: the higher of local's and remote's. */
  nbformat: number;
  nbformatMinor: number;
  /** The cells of the result in order. A conflicted cell is one entry holding every version. */
  cells: MergedCell[];
  /** Notebook metadata merged key by key; a conflicting key holds local's value (absent when local deleted it) and is listed in `conflicts`. */
  metadata: { merged: JsonObject; conflicts: KeyConflict[] };
  /** What the merge decided on its own that loses or changes content (deletions, outputs, counts): the record the no-lost-content rule counts on. */
  decisions: MergeDecision[];
  stats: MergeStats;
}

export interface MergeStats {
  /** Merged cells with at least one conflict, plus conflicting notebook metadata keys. */
  conflicts: number;
  /** Merged cells with no change on either side. */
  unchanged: number;
  /** Cells whose result came from one side only (edits, additions, moves). */
  fromLocal: number;
  fromRemote: number;
  /** Cells both sides changed, combined without a conflict (or changed identically). */
  combined: number;
  /** Base cells deleted by one side (unchanged on the other) or both. */
  deleted: number;
}

export interface MergedCell {
  base: number | null;
  local: number | null;
  remote: number | null;
  /**
   * How the result came about: no side changed it; one side's change; the same change on both;
   * changes from both combined; or a conflict (see `conflicts`).
   */
  origin: 'unchanged' | 'local' | 'remote' | 'same' | 'combined' | 'conflict';
  /**
   * The result cell. For a conflicted cell: what "take local" gives (`versions.local`), or the
   * remote version when local deleted the cell.
   */
  cell: NotebookCell;
  /** Empty when the cell merged cleanly. */
  conflicts: CellConflict[];
  /**
   * Present on a conflicted cell: each side's version with the other side's non-conflicting
   * changes already applied (git's "ours"/"theirs" of a diff3 merge), and the base cell. A side
   * is absent when it deleted the cell (or, for base, when both sides added it). Outputs: as
   * `cell` has them (decided by the policy).
   */
  versions?: { base?: NotebookCell; local?: NotebookCell; remote?: NotebookCell };
  /**
   * Present when both sides changed the outputs differently: the policy that decided `cell`'s
   * outputs, and each side's own outputs and execution count (a resolution may choose again).
   */
  outputs?: { policy: OutputPolicy; local: CellOutput[]; remote: CellOutput[]; localCount: number | null; remoteCount: number | null };
}

export type CellConflict =
  /** Both sides changed the same lines: diff3 regions of the source, in order. */
  | { kind: 'source'; regions: SourceRegion[] }
  /** One side deleted the cell, the other changed it. */
  | { kind: 'deleted'; deletedBy: MergeSide }
  /** Both sides inserted a different version of what is the same new cell at the same place (base null). */
  | { kind: 'added' }
  /** Metadata keys (cell metadata, or attachments when `part` says so) changed differently. */
  | { kind: 'metadata'; part: 'metadata' | 'attachments'; keys: KeyConflict[] }
  /** The cell type changed differently (e.g. code → markdown on one side, → raw on the other). */
  | { kind: 'cellType'; base: CellType | null; local: CellType; remote: CellType }
  /** Execution counts changed differently and `autoResolveExecutionCounts` is off. */
  | { kind: 'executionCount'; base: number | null; local: number | null; remote: number | null };

/** A run of source lines (without newlines): agreed, or conflicting with each side's lines. */
export type SourceRegion = { ok: string[] } | { conflict: { base: string[]; local: string[]; remote: string[] } };

/** One key (deep `path`) changed differently; a missing value means the key is absent on that side. */
export interface KeyConflict {
  path: string[];
  base?: JsonValue;
  local?: JsonValue;
  remote?: JsonValue;
}

export type MergeDecision =
  /** A base cell, or lines of it, deleted by `by` and left unchanged by the other side (`lines`: what went). */
  | { kind: 'deletedCell'; by: MergeSide | 'both'; base: number; lines: string[] }
  | { kind: 'deletedLines'; by: MergeSide; cell: number; lines: string[] }
  /** Outputs decided by the policy in a merged cell (index in `cells`). */
  | { kind: 'outputs'; cell: number; policy: OutputPolicy }
  | { kind: 'executionCount'; cell: number; value: null }
  | { kind: 'volatileMetadata'; cell: number | null; path: string[] }
  /** Both sides moved the cell to different places: local's place won. */
  | { kind: 'moved'; cell: number };

/**
 * How the user (the panel) or a CLI flag resolves one conflicted merged cell: a version
 * (`both`: local's, then remote's, as two cells), the base, the cell deleted, or an edited
 * source (kept with local's version's other parts). `outputs` overrides the outputs the policy chose.
 */
export interface CellResolution {
  take: 'local' | 'remote' | 'both' | 'base' | 'delete' | 'edited';
  /** The result source when `take` is 'edited'. */
  source?: string;
  outputs?: OutputPolicy;
}

/** Resolutions by merged cell index, and notebook metadata conflicts by their path joined with '/'. */
export interface MergeResolutions {
  cells: Record<number, CellResolution>;
  metadata: Record<string, 'local' | 'remote' | 'base'>;
}
