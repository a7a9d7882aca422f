// The noise filters of the notebook diff. Each is a toggle and all are on by default: a diff is read
// for what a person changed, and re-running a notebook changes counts, timings and outputs.

export interface DiffOptions {
  /** Cell `execution_count` and the count on `execute_result` outputs. */
  ignoreExecutionCounts: boolean;
  /** Timing and view-state metadata (see VOLATILE_CELL_METADATA / VOLATILE_NOTEBOOK_METADATA). */
  ignoreVolatileMetadata: boolean;
  /** A cell whose only differences are in its outputs counts as unchanged (outputs of otherwise changed cells are still diffed). */
  ignoreOutputOnlyChanges: boolean;
  /** Source that differs only in whitespace is equal (`git diff -w`). */
  ignoreWhitespace: boolean;
  /** Unchanged lines shown around each change in a source hunk. */
  contextLines: number;
}

export const DEFAULT_DIFF_OPTIONS: Readonly<DiffOptions> = Object.freeze({
  ignoreExecutionCounts: true,
  ignoreVolatileMetadata: true,
  ignoreOutputOnlyChanges: true,
  ignoreWhitespace: true,
  contextLines: 3,
});

/** Every filter off: the diff shows everything that differs (what nbdime shows). */
export const SHOW_EVERYTHING: Readonly<DiffOptions> = Object.freeze({
  ignoreExecutionCounts: false,
  ignoreVolatileMetadata: false,
  ignoreOutputOnlyChanges: false,
  ignoreWhitespace: false,
  contextLines: 3,
});

export function resolveDiffOptions(options: Partial<DiffOptions> = {}): DiffOptions {
  const resolved = { ...DEFAULT_DIFF_OPTIONS };
  for (const [key, value] of Object.entries(options) as Array<[keyof DiffOptions, DiffOptions[keyof DiffOptions] | undefined]>) {
    if (value !== undefined) (resolved as Record<string, unknown>)[key] = value;
  }
  if (!Number.isInteger(resolved.contextLines) || resolved.contextLines < 0) resolved.contextLines = DEFAULT_DIFF_OPTIONS.contextLines;
  return resolved;
}

/**
 * Cell metadata written by running or viewing a notebook, not by editing it: the execute-time
 * extension, JupyterLab's recorded timing, collapsed/scrolled output views, the trust flag, and
 * papermill's run timings.
 */
export const VOLATILE_CELL_METADATA: readonly (readonly string[])[] = [
  ['ExecuteTime'],
  ['execution'],
  ['collapsed'],
  ['scrolled'],
  ['jupyter', 'outputs_hidden'],
  ['trusted'],
  ['papermill', 'start_time'],
  ['papermill', 'end_time'],
  ['papermill', 'duration'],
];

/** Notebook metadata that changes with every run: saved widget state, the trust flag. */
export const VOLATILE_NOTEBOOK_METADATA: readonly (readonly string[])[] = [
  ['widgets', 'application/vnd.jupyter.widget-state+json'],
  ['trusted'],
  ['papermill', 'start_time'],
  ['papermill', 'end_time'],
  ['papermill', 'duration'],
];
