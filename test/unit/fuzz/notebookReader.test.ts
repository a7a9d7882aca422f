// The notebook reader under damaged real notebooks: truncated, wrong types at every path, missing
// keys, hostile keys, nbformat 3 and other versions, huge strings. Each either reads into a
// well-formed cell model or fails with a NotebookFormatError naming the file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { NotebookFormatError } from '../../../src/core/notebook/notebookErrors.ts';
import type { Notebook } from '../../../src/core/notebook/notebookModel.ts';
import { parseNotebook } from '../../../src/core/notebook/readNotebook.ts';
import { checkProperty, fuzzRuns, fuzzTitle, mutatedDocument, parsesOrThrowsOwn, renderMutated, type Json } from './fuzzing.ts';

const fixtures = path.resolve(import.meta.dirname, '..', '..', 'fixtures');
const NOTEBOOKS = [
  'notebooks/workflow.ipynb',
  'notebooks/workflow-v40.ipynb',
  'notebooks/study.ipynb',
  'notebooks/nbformat3.ipynb',
  'notebooks/no-cells.ipynb',
  'pipeline/kale.ipynb',
  'pipeline/classification.ipynb',
  'pipeline/regression.ipynb',
];
const real: Json[] = NOTEBOOKS.map((f) => JSON.parse(readFileSync(path.join(fixtures, f), 'utf8')) as Json);

/**
 * A real notebook cut down to the first cell of each shape (cell type and output types), so a
 * mutation lands on a rare field (an error's traceback, an attachment) as often as on a common one.
 */
function compact(nb: Json): Json {
  if (!isPlainObject(nb) || !Array.isArray((nb as { cells?: unknown }).cells)) return nb;
  const seen = new Set<string>();
  const cells = ((nb as { cells: Json[] }).cells).filter((cell) => {
    const c = cell as { cell_type?: unknown; outputs?: { output_type?: unknown }[]; attachments?: unknown };
    const shape = `${String(c.cell_type)}:${(c.outputs ?? []).map((o) => String(o.output_type)).sort().join(',')}:${c.attachments ? 'a' : ''}`;
    if (seen.has(shape)) return false;
    seen.add(shape);
    return true;
  });
  return { ...(nb as Record<string, Json>), cells };
}

const docs: Json[] = [...real, ...real.map(compact), ...real.map(compact)];
const FILE = 'fuzz/damaged notebook.ipynb';
/** nbformat's field names (v4, and v3's `worksheets`): the paths mutations aim at. */
const FIELDS = [
  'nbformat', 'nbformat_minor', 'metadata', 'cells', 'worksheets', 'cell_type', 'id', 'source', 'attachments', 'outputs',
  'execution_count', 'output_type', 'name', 'text', 'data', 'ename', 'evalue', 'traceback', 'kernelspec', 'text/plain', 'image/png',
];

const OUTPUT_TYPES = new Set(['stream', 'execute_result', 'display_data', 'error', 'other']);

/** What every reader of the cell model relies on. */
function assertWellFormed(nb: Notebook): void {
  assert.equal(nb.nbformat, 4);
  assert.equal(typeof nb.nbformatMinor, 'number');
  assert.ok(isPlainObject(nb.metadata));
  assert.ok(Array.isArray(nb.cells));
  for (const cell of nb.cells) {
    assert.ok(['code', 'markdown', 'raw'].includes(cell.cellType));
    assert.equal(typeof cell.source, 'string');
    assert.ok(isPlainObject(cell.metadata));
    assert.ok(cell.executionCount === null || typeof cell.executionCount === 'number');
    assert.ok(Array.isArray(cell.outputs));
    for (const output of cell.outputs) {
      assert.ok(OUTPUT_TYPES.has(output.outputType));
      if (output.outputType === 'stream') assert.equal(typeof output.text, 'string');
      if (output.outputType === 'error') assert.ok(output.traceback.every((line) => typeof line === 'string'));
    }
  }
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const damagedNotebook = fc.record({
  pick: mutatedDocument(docs),
  // nbformat 3, 5, 0, -1 …: the version check is part of what is fuzzed.
  version: fc.option(fc.integer({ min: -1, max: 6 }), { freq: 4 }),
  indent: fc.constantFrom(undefined, 1),
});

function render(input: { pick: Parameters<typeof renderMutated>[1]; version: number | null; indent: number | undefined }): string {
  const base = docs[input.pick.doc] ?? null;
  const doc = input.version !== null && isPlainObject(base) ? { ...(base as Record<string, Json>), nbformat: input.version } : base;
  return renderMutated([doc], { ...input.pick, doc: 0 }, { indent: input.indent, fields: FIELDS });
}

describe('fuzz: the notebook reader', function () {
  this.timeout(120_000);
  const runs = fuzzRuns(2000);

  it(fuzzTitle('reads a damaged real notebook, or refuses it with a NotebookFormatError naming the file', runs), () => {
    checkProperty(damagedNotebook, runs, (input) => {
      const text = render(input);
      const nb = parsesOrThrowsOwn(
        () => parseNotebook(text, FILE),
        (err) => err instanceof NotebookFormatError && err.file === FILE,
        (message) => message.includes(FILE),
      );
      if (nb !== undefined) assertWellFormed(nb);
    });
  });

  const anyText = fuzzRuns(300);
  it(fuzzTitle('refuses arbitrary text and JSON with a NotebookFormatError naming the file', anyText), () => {
    const input = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)));
    checkProperty(input, anyText, (text) => {
      const nb = parsesOrThrowsOwn(
        () => parseNotebook(text, FILE),
        (err) => err instanceof NotebookFormatError && err.file === FILE,
        (message) => message.includes(FILE),
      );
      if (nb !== undefined) assertWellFormed(nb);
    });
  });
});
