// Shared by the merge tests: nbformat 4 notebooks written as JSON (as Jupyter saves them) and read
// back through the real reader, so the merge sees what it sees in use.
import type { JsonObject, JsonValue, Notebook } from '../../../src/core/notebook/notebookModel.ts';
import { parseNotebook } from '../../../src/core/notebook/readNotebook.ts';
import { mergeNotebooks } from '../../../src/core/merge/mergeNotebooks.ts';
import type { MergeOptions, NotebookMerge } from '../../../src/core/merge/model.ts';

export interface RawCell {
  cell_type: 'code' | 'markdown' | 'raw';
  id?: string;
  source: string | string[];
  metadata: JsonObject;
  outputs?: JsonValue[];
  execution_count?: number | null;
  attachments?: JsonObject;
}

export function code(source: string, extra: Partial<RawCell> = {}): RawCell {
  return { cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null, ...extra };
}

export function markdown(source: string, extra: Partial<RawCell> = {}): RawCell {
  return { cell_type: 'markdown', source, metadata: {}, ...extra };
}

export function stream(text: string): JsonValue {
  return { output_type: 'stream', name: 'stdout', text };
}

export function result(count: number, text: string): JsonValue {
  return { output_type: 'execute_result', execution_count: count, data: { 'text/plain': text }, metadata: {} };
}

export function notebook(cells: RawCell[], metadata: JsonObject = {}, minor = 5): Notebook {
  const json = { nbformat: 4, nbformat_minor: minor, metadata, cells };
  return parseNotebook(JSON.stringify(json), 'test.ipynb');
}

export function merge(base: Notebook, local: Notebook, remote: Notebook, options: Partial<MergeOptions> = {}): NotebookMerge {
  return mergeNotebooks({ notebook: base, name: 'base.ipynb' }, { notebook: local, name: 'local.ipynb' }, { notebook: remote, name: 'remote.ipynb' }, options);
}

/** The result's sources in order (a conflicted cell shows its `cell`). */
export function sources(m: NotebookMerge): string[] {
  return m.cells.map((c) => c.cell.source);
}
