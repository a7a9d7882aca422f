/** Contract between the host and the Notebook Merge panel (webview/notebookMerge). */
import type { CellResolution, MergeResolutions, NotebookMerge, OutputPolicy } from '../core/merge/model.ts';
import { BadParamsError, conforms, defineRequest, integerBetween, NO_PARAMS, nullable, object, oneOf, optional, recordOf, string, type Check, type RequestTable } from './requests.ts';
import { isRecord } from './rpc.ts';

export const NOTEBOOK_MERGE_VIEW_TYPE = 'labbook.notebookMerge';

/**
 * Where the three sides come from, so a restored panel can merge again (JSON only):
 * - `file`: a conflicted notebook: the Labbook conflict notebook the git driver wrote (cells marked
 *   under `labbook.merge`) while the file holds one, else git's stages :1: :2: :3: when git has the
 *   path unmerged;
 * - `files`: three notebooks picked by the user, the result written to `output`.
 */
export type MergeSource =
  | { readonly kind: 'file'; readonly file: string }
  | { readonly kind: 'files'; readonly base: string; readonly local: string; readonly remote: string; readonly output: string };

/** Where the panel's merge came from: git's stages, a conflict notebook's markers, or three files. */
export type MergeOrigin = 'git' | 'markers' | 'files';

/** What the panel shows: the merge and the resolutions chosen so far (the host keeps them). */
export interface NotebookMergeData {
  readonly source: MergeSource;
  /** e.g. "train.ipynb (ours ↔ theirs)". */
  readonly title: string;
  readonly origin: MergeOrigin;
  /** Where the merge came from, in words (the subtitle), e.g. why git's stages were used rather than the file. */
  readonly from?: string;
  /** A key of the conflicts' content: the page drops its edit drafts when it changes. */
  readonly signature?: string;
  /** The file "Mark as Resolved" writes. */
  readonly output: string;
  readonly merge: NotebookMerge;
  readonly resolutions: MergeResolutions;
}

/**
 * One resolution to set (a value) or to clear (null): a merged cell's, or a notebook metadata key's
 * (path joined with '/'). A cell without conflicts but with an outputs decision takes a resolution
 * that only picks its outputs again (`take: 'local'`: every version of such a cell is the merged one).
 */
export type ResolveTarget =
  | { readonly kind: 'cell'; readonly cell: number; readonly resolution: CellResolution | null }
  | { readonly kind: 'metadata'; readonly key: string; readonly choice: 'local' | 'remote' | 'base' | null };

export interface MarkResolvedResult {
  /** The file written. */
  readonly file: string;
  /** Whether it was `git add`ed (it was unmerged in git). */
  readonly staged: boolean;
  /** Why a file git had unmerged was written but not staged (git add failed, or Restricted Mode). */
  readonly notStaged?: string;
}

export const OUTPUT_CHOICES: readonly OutputPolicy[] = ['clear', 'local', 'remote', 'both'];
const TAKES: readonly CellResolution['take'][] = ['local', 'remote', 'both', 'base', 'delete', 'edited'];
const METADATA_CHOICES = ['local', 'remote', 'base'] as const;
/** Far above any notebook Labbook reads (MAX_NOTEBOOK_CELLS), so an index is a small integer. */
const MAX_CELL_INDEX = 10_000_000;

const cellResolution: Check<CellResolution> = object<CellResolution>({
  take: oneOf(TAKES),
  source: optional(string),
  outputs: optional(oneOf(OUTPUT_CHOICES)),
});

const resolveTarget: Check<ResolveTarget> = (value, field) => {
  if (isRecord(value) && value.kind === 'cell') {
    return object<{ kind: 'cell'; cell: number; resolution: CellResolution | null }>({
      kind: oneOf(['cell'] as const),
      cell: integerBetween(0, MAX_CELL_INDEX),
      resolution: nullable(cellResolution),
    })(value, field);
  }
  if (isRecord(value) && value.kind === 'metadata') {
    return object<{ kind: 'metadata'; key: string; choice: 'local' | 'remote' | 'base' | null }>({
      kind: oneOf(['metadata'] as const),
      key: string,
      choice: nullable(oneOf(METADATA_CHOICES)),
    })(value, field);
  }
  throw new BadParamsError(`'${field}' must be a cell or metadata resolution`, field);
};

const resolutions: Check<MergeResolutions> = object<MergeResolutions>({
  cells: recordOf(cellResolution),
  metadata: recordOf(oneOf(METADATA_CHOICES)),
});

export const notebookMergeRequests = {
  /** The merge (computed again from the source, with the current settings) and the resolutions kept for it. */
  getMerge: defineRequest<null, NotebookMergeData>(NO_PARAMS),
  /** Sets or clears one resolution; the host keeps (and persists) them all and answers with them. */
  resolve: defineRequest<{ readonly target: ResolveTarget; readonly signature?: string }, MergeResolutions>({ target: resolveTarget, signature: optional(string) }),
  /**
   * Loads the merge again and writes the resolved notebook (staging it while git has it unmerged);
   * refused while conflicts remain, and when the merge changed or cannot be loaded any more.
   * `signature` is the merge the page shows: a resolve or write for another one is refused (the page reloads).
   */
  markResolved: defineRequest<{ readonly signature?: string }, MarkResolvedResult>({ signature: optional(string) }),
} satisfies RequestTable;
export type NotebookMergeRequests = typeof notebookMergeRequests;

export type ConflictDirection = 'next' | 'previous';

/**
 * The source or the merge settings changed (the page asks again), or the user pressed F7 /
 * Shift+F7, which the workbench, not the page, receives.
 */
export type NotebookMergeEvent = { readonly type: 'sourceChanged' } | { readonly type: 'goToConflict'; readonly direction: ConflictDirection };

/** Kept with getState/setState; the host serializes `source` so VS Code can restore the panel. */
export interface NotebookMergeState {
  readonly source: MergeSource;
  readonly resolutions: MergeResolutions;
  /** Index into the list of conflicts the user last went to (-1: none yet). */
  readonly currentConflict: number;
  readonly scrollY: number;
  /** Drafts of edited sources not yet applied, by merged cell index. */
  readonly drafts?: Record<string, string>;
  /** The signature of the merge the drafts belong to. */
  readonly signature?: string;
  /** Outputs picked for a conflicted cell before its version was taken, by merged cell index. */
  readonly pendingOutputs?: Record<string, OutputPolicy>;
}

export function isMergeSource(value: unknown): value is MergeSource {
  if (!isRecord(value)) return false;
  if (value.kind === 'file') return typeof value.file === 'string' && value.file !== '';
  if (value.kind === 'files') return ['base', 'local', 'remote', 'output'].every((k) => typeof value[k] === 'string' && value[k] !== '');
  return false;
}

export function isMergeResolutions(value: unknown): value is MergeResolutions {
  return conforms(resolutions, value);
}

/** Reads resolutions back from storage (workspace state or the page's state): malformed ones are dropped. */
export function readMergeResolutions(value: unknown): MergeResolutions {
  return isMergeResolutions(value) ? resolutions(value, '') : { cells: {}, metadata: {} };
}

/** The conflicts a merge has, in reading order: conflicted cells (by merged index), then notebook metadata keys. */
export type ConflictRef = { readonly kind: 'cell'; readonly cell: number } | { readonly kind: 'metadata'; readonly key: string };

export function conflictsOf(merge: NotebookMerge): ConflictRef[] {
  const out: ConflictRef[] = [];
  merge.cells.forEach((c, i) => {
    if (c.conflicts.length) out.push({ kind: 'cell', cell: i });
  });
  for (const k of merge.metadata.conflicts) out.push({ kind: 'metadata', key: k.path.join('/') });
  return out;
}

/** The conflicts no resolution covers yet (what "N of M conflicts left" counts). */
export function conflictsLeft(merge: NotebookMerge, r: MergeResolutions): ConflictRef[] {
  return conflictsOf(merge).filter((c) => (c.kind === 'cell' ? !Object.hasOwn(r.cells, c.cell) : !Object.hasOwn(r.metadata, c.key)));
}
