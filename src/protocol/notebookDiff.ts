/** Contract between the host and the Notebook Diff panel (webview/notebookDiff). */
import type { NotebookDiff } from '../core/diff/model.ts';
import type { DiffOptions } from '../core/diff/options.ts';
import type { Notebook } from '../core/notebook/notebookModel.ts';
import { boolean, conforms, defineRequest, object, type Check, type RequestTable } from './requests.ts';
import { isRecord } from './rpc.ts';

export const NOTEBOOK_DIFF_VIEW_TYPE = 'labbook.notebookDiff';

/** The noise toggles the panel offers (the rest of DiffOptions stays the host's). */
export type DiffToggles = Pick<DiffOptions, 'ignoreExecutionCounts' | 'ignoreVolatileMetadata' | 'ignoreOutputOnlyChanges' | 'ignoreWhitespace'>;
export const DIFF_TOGGLE_KEYS: readonly (keyof DiffToggles)[] = ['ignoreExecutionCounts', 'ignoreVolatileMetadata', 'ignoreOutputOnlyChanges', 'ignoreWhitespace'];

/** What the panel shows: the diff, and both notebooks (unchanged cells and outputs are rendered from them). */
export interface NotebookDiffData {
  /** Where the sides come from; the page keeps it in its state so VS Code can restore the panel. */
  readonly source: DiffSource;
  /** e.g. "train.ipynb (HEAD ↔ working tree)". */
  readonly title: string;
  readonly baseLabel: string;
  readonly remoteLabel: string;
  readonly diff: NotebookDiff;
  readonly base: Notebook;
  readonly remote: Notebook;
}

/** Where the two sides come from, so a restored panel can recompute (JSON only). */
export type DiffSource =
  | { readonly kind: 'files'; readonly base: string; readonly remote: string }
  | { readonly kind: 'git'; readonly file: string; readonly revision: string }
  /** A notebook artifact of two runs of one store (the store's explorer root id). */
  | { readonly kind: 'runs'; readonly store: string; readonly baseRun: string; readonly remoteRun: string; readonly path: string };

const diffToggles: Check<DiffToggles> = object<DiffToggles>({
  ignoreExecutionCounts: boolean,
  ignoreVolatileMetadata: boolean,
  ignoreOutputOnlyChanges: boolean,
  ignoreWhitespace: boolean,
});

export const notebookDiffRequests = {
  /** The current diff, computed with the panel's toggles. */
  getDiff: defineRequest<{ readonly toggles: DiffToggles }, NotebookDiffData>({ toggles: diffToggles }),
} satisfies RequestTable;
export type NotebookDiffRequests = typeof notebookDiffRequests;

export type ChangeDirection = 'next' | 'previous';

/**
 * The host says a side changed on disk (the page asks again), or the user pressed a change
 * navigation key (F7 / Shift+F7, Alt+F5 / Shift+Alt+F5, as in VS Code's diff editor), which the
 * workbench, not the page, receives.
 */
export type NotebookDiffEvent = { readonly type: 'sourceChanged' } | { readonly type: 'goToChange'; readonly direction: ChangeDirection };

export type DiffLayout = 'sideBySide' | 'inline';

/** Kept with getState/setState; the host also serializes `source` so VS Code can restore the panel. */
export interface NotebookDiffState {
  readonly source: DiffSource;
  readonly toggles: DiffToggles;
  readonly layout: DiffLayout;
  /** Index into the list of changed cells the user last jumped to. */
  readonly currentChange: number;
}

export function isDiffToggles(value: unknown): value is DiffToggles {
  return conforms(diffToggles, value);
}

export function isDiffSource(value: unknown): value is DiffSource {
  if (!isRecord(value)) return false;
  if (value.kind === 'files') return typeof value.base === 'string' && typeof value.remote === 'string';
  if (value.kind === 'git') return typeof value.file === 'string' && typeof value.revision === 'string';
  if (value.kind === 'runs') {
    return typeof value.store === 'string' && typeof value.baseRun === 'string' && typeof value.remoteRun === 'string' && typeof value.path === 'string';
  }
  return false;
}
