// The notebook writer: Jupyter's own format (the fixtures, written by nbformat, come back byte for
// byte), and a lossless round trip through the reader for every real notebook we have and for
// random cell models.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import type { CellOutput, Notebook, NotebookCell } from '../../../src/core/notebook/notebookModel.ts';
import { parseNotebook } from '../../../src/core/notebook/readNotebook.ts';
import { detectIndent, serializeNotebook, splitLines } from '../../../src/core/notebook/writeNotebook.ts';
import { testPython } from '../../support/python.ts';
import { checkProperty, fuzzRuns, fuzzTitle } from '../fuzz/fuzzing.ts';

const FIXTURES = path.resolve(import.meta.dirname, '..', '..', 'fixtures');
const UNREADABLE = new Set(['broken.ipynb', 'nbformat3.ipynb', 'no-cells.ipynb']);

function notebooksIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb') && !UNREADABLE.has(f))
    .map((f) => path.join(dir, f));
}

/** nbdime's own test notebooks, in the test venv's site-packages. */
function nbdimeFiles(): string {
  const lib = path.join(path.dirname(path.dirname(testPython())), 'lib');
  const pythonDir = readdirSync(lib).find((d) => d.startsWith('python'));
  assert.ok(pythonDir, `no python* folder in ${lib}`);
  return path.join(lib, pythonDir, 'site-packages', 'nbdime', 'tests', 'files');
}

describe('core/notebook: writing notebooks', () => {
  it('writes the Jupyter-written fixtures back byte for byte', () => {
    const files = notebooksIn(path.join(FIXTURES, 'notebooks'));
    assert.ok(files.length >= 10);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      assert.equal(serializeNotebook(parseNotebook(text, file)), text, file);
    }
  });

  it('round-trips every fixture and nbdime test notebook through the reader', () => {
    const files = [...notebooksIn(path.join(FIXTURES, 'notebooks')), ...notebooksIn(path.join(FIXTURES, 'nbdime-merge')), ...notebooksIn(nbdimeFiles())];
    assert.ok(files.length >= 60, `only ${files.length} notebooks`);
    for (const file of files) {
      const nb = parseNotebook(readFileSync(file, 'utf8'), file);
      const text = serializeNotebook(nb);
      const back = parseNotebook(text, file);
      // From nbformat 4.5 a cell without an id gets a fresh one; all else comes back as it was.
      const withIds = nb.nbformat === 4 && nb.nbformatMinor >= 5;
      const expected = { ...nb, cells: nb.cells.map((c, k) => (withIds && c.id === undefined ? { ...c, id: back.cells[k]?.id } : c)) };
      assert.deepStrictEqual(back, expected, file);
      if (withIds) assert.ok(back.cells.every((c) => typeof c.id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(c.id)), file);
      assert.ok(text.endsWith('}\n'), file);
      assert.equal(serializeNotebook(parseNotebook(text, file)), text, `${file}: writing is stable`);
    }
  });

  it('sorts keys, splits text into lines, keeps images and JSON data whole, and keeps ids only from nbformat 4.5', () => {
    const output: CellOutput = {
      outputType: 'display_data',
      executionCount: null,
      data: { 'text/plain': 'a\nb', 'image/png': 'iVBOR\nw0K', 'application/json': { z: 1, a: [1, 2] }, 'image/svg+xml': '<svg>\n</svg>' },
      metadata: {},
    };
    const cell: NotebookCell = { id: 'c1', cellType: 'code', source: 'x = 1\nprint(x)', metadata: { z: 1, a: { y: 2, b: 'é' } }, outputs: [output], executionCount: 3 };
    const nb: Notebook = { nbformat: 4, nbformatMinor: 5, metadata: { kernelspec: { name: 'python3' } }, cells: [cell] };
    const json = JSON.parse(serializeNotebook(nb)) as { cells: Array<Record<string, unknown>> };
    const written = json.cells[0] as { id: string; source: string[]; metadata: object; outputs: Array<{ data: Record<string, unknown> }> };
    assert.deepEqual(Object.keys(json), ['cells', 'metadata', 'nbformat', 'nbformat_minor']);
    assert.deepEqual(Object.keys(written), ['cell_type', 'execution_count', 'id', 'metadata', 'outputs', 'source']);
    assert.deepEqual(written.source, ['x = 1\n', 'print(x)']);
    assert.deepEqual(written.outputs[0]?.data, { 'application/json': { a: [1, 2], z: 1 }, 'image/png': 'iVBOR\nw0K', 'image/svg+xml': ['<svg>\n', '</svg>'], 'text/plain': ['a\n', 'b'] });
    assert.ok(serializeNotebook(nb).includes('"b": "é"'), 'non-ASCII as is');
    assert.ok(!('id' in (JSON.parse(serializeNotebook({ ...nb, nbformatMinor: 4 })) as { cells: object[] }).cells[0]!));
    // Numeric-looking keys sort as strings, as Python's sort_keys does (not JS's integer-first order).
    const keys = serializeNotebook({ ...nb, metadata: { b: 1, 10: 2, 2: 3 } });
    assert.match(keys, /"10": 2,\n {2}"2": 3,\n {2}"b": 1/);
  });

  it('gives a repeated cell id a numbered variant and a missing one a fresh, stable id, so the file validates', () => {
    const cell = (id: string | undefined, source: string): NotebookCell => ({ ...(id ? { id } : {}), cellType: 'markdown', source, metadata: {}, outputs: [], executionCount: null });
    const nb: Notebook = { nbformat: 4, nbformatMinor: 5, metadata: {}, cells: [cell('a', '1'), cell('a', '2'), cell('a-2', '3'), cell(undefined, '4'), cell(undefined, '4'), cell(undefined, '')] };
    const text = serializeNotebook(nb);
    const ids = parseNotebook(text, 'ids.ipynb').cells.map((c) => c.id);
    assert.deepEqual(ids.slice(0, 3), ['a', 'a-3', 'a-2']);
    for (const id of ids.slice(3)) assert.match(id ?? '', /^[0-9a-f]{8,}$/);
    assert.equal(new Set(ids).size, ids.length, 'unique, even for equal sources');
    assert.equal(serializeNotebook(nb), text, 'the same notebook gets the same ids');
    // A fresh id never takes one a later cell already has.
    const alone = parseNotebook(serializeNotebook({ ...nb, cells: [cell(undefined, '4')] }), 'alone.ipynb').cells[0]?.id ?? '';
    const clash = parseNotebook(serializeNotebook({ ...nb, cells: [cell(undefined, '4'), cell(alone, 'x')] }), 'clash.ipynb').cells.map((c) => c.id ?? '');
    assert.equal(clash[1], alone);
    assert.match(clash[0] ?? '', /^[0-9a-f]{9,}$/);
    assert.ok(clash[0]?.startsWith(alone), 'more of the same hash');
    // Below 4.5 ids are not part of the format: none is written.
    assert.ok(!serializeNotebook({ ...nb, nbformatMinor: 4 }).includes('"id"'));
  });

  it('writes with the indent asked for, and detects a file’s indent', () => {
    const nb: Notebook = { nbformat: 4, nbformatMinor: 4, metadata: { a: 1 }, cells: [] };
    assert.equal(serializeNotebook(nb, { indent: 2 }), '{\n  "cells": [],\n  "metadata": {\n    "a": 1\n  },\n  "nbformat": 4,\n  "nbformat_minor": 4\n}\n');
    assert.equal(detectIndent(serializeNotebook(nb)), 1);
    assert.equal(detectIndent(serializeNotebook(nb, { indent: 2 })), 2);
    assert.equal(detectIndent(serializeNotebook(nb, { indent: 4 })), 4);
    assert.equal(detectIndent('\ufeff{\n    "cells": []\n}'), 4);
    assert.equal(detectIndent('{"cells": []}'), 1);
    assert.equal(detectIndent(''), 1);
  });

  it('splits lines as Python’s splitlines(True) does for \\n, \\r\\n and \\r', () => {
    assert.deepEqual(splitLines(''), []);
    assert.deepEqual(splitLines('a'), ['a']);
    assert.deepEqual(splitLines('a\n'), ['a\n']);
    assert.deepEqual(splitLines('a\r\nb\rc\n\nd'), ['a\r\n', 'b\r', 'c\n', '\n', 'd']);
  });

  const runs = fuzzRuns(200);
  it(fuzzTitle('round-trips random cell models', runs), () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 40 }).chain((s) => fc.constantFrom(s, `${s}\n`, `${s}\r\nx\ry`));
    const json = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
    const metadata = fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 3 });
    const output: fc.Arbitrary<CellOutput> = fc.oneof(
      fc.record({ outputType: fc.constant('stream' as const), name: fc.constantFrom('stdout', 'stderr'), text }),
      fc.record({ outputType: fc.constant('execute_result' as const), executionCount: fc.option(fc.nat(), { nil: null }), data: fc.record({ 'text/plain': text, 'image/png': fc.base64String() }), metadata }),
      fc.record({ outputType: fc.constant('display_data' as const), executionCount: fc.constant(null), data: fc.record({ 'text/html': text, 'application/json': json }), metadata }),
      fc.record({ outputType: fc.constant('error' as const), ename: text, evalue: text, traceback: fc.array(text, { maxLength: 3 }) }),
    ) as fc.Arbitrary<CellOutput>;
    const cell: fc.Arbitrary<NotebookCell> = fc.oneof(
      fc.record({ id: fc.uuid(), cellType: fc.constant('code' as const), source: text, metadata, outputs: fc.array(output, { maxLength: 3 }), executionCount: fc.option(fc.nat(), { nil: null }) }),
      fc.record({ id: fc.uuid(), cellType: fc.constantFrom('markdown' as const, 'raw' as const), source: text, metadata, outputs: fc.constant([]), executionCount: fc.constant(null) }),
    ) as fc.Arbitrary<NotebookCell>;
    const notebook = fc.record({ nbformat: fc.constant(4), nbformatMinor: fc.constant(5), metadata, cells: fc.uniqueArray(cell, { maxLength: 6, selector: (c) => c.id }) }) as fc.Arbitrary<Notebook>;
    checkProperty(notebook, runs, (nb) => {
      const normal = JSON.parse(JSON.stringify(nb)) as Notebook;
      assert.deepStrictEqual(parseNotebook(serializeNotebook(normal), 'random.ipynb'), normal);
    });
  });
});
