import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NotebookFormatError } from '../../../src/core/notebook/notebookErrors.ts';
import { MAX_NOTEBOOK_CELLS, parseNotebook, readNotebookFile } from '../../../src/core/notebook/readNotebook.ts';
import { fixturePath, loadFixture } from './fixtures.ts';

function formatError(fn: () => unknown): NotebookFormatError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof NotebookFormatError, `expected a NotebookFormatError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an error');
}

describe('notebook: reading nbformat 4', () => {
  it('reads a real nbformat 4.5 notebook into the typed cell model', async () => {
    const nb = await readNotebookFile(fixturePath('workflow.ipynb'));
    assert.equal(nb.nbformat, 4);
    assert.equal(nb.nbformatMinor, 5);
    assert.equal(nb.cells.length, 56);
    assert.deepEqual(
      nb.cells.slice(0, 5).map((c) => [c.id, c.cellType, c.executionCount]),
      [
        ['3c6de1b7', 'markdown', null],
        ['649d69d4', 'code', 1],
        ['dfba7aad', 'code', 2],
        ['de5f4b70', 'markdown', null],
        ['5dbc716c', 'code', 3],
      ],
    );
    // Sources stored as lists of lines are joined.
    assert.equal(nb.cells[4]?.source, 'wine = load_wine(as_frame=True)\ndf = wine.frame.copy()\ndf.shape');
    assert.deepEqual(nb.cells[4]?.outputs, [{ outputType: 'execute_result', executionCount: 3, data: { 'text/plain': '(178, 14)' }, metadata: {} }]);
    const split = nb.cells[23];
    assert.deepEqual(split?.outputs, [{ outputType: 'stream', name: 'stdout', text: '(133, 14) (45, 14)\n' }]);
    const plot = nb.cells[13]?.outputs[0];
    assert.equal(plot?.outputType, 'display_data');
    assert.ok(plot?.outputType === 'display_data' && typeof plot.data['image/png'] === 'string' && plot.data['image/png'].startsWith('iVBORw0KGgo'));
    const error = nb.cells[47]?.outputs[0];
    assert.ok(error?.outputType === 'error');
    assert.equal(error.ename, 'KeyError');
    assert.equal(error.evalue, "'quality'");
    assert.ok(error.traceback.length > 3);
    assert.equal(nb.cells[53]?.cellType, 'raw');
    assert.deepEqual(nb.metadata.kernelspec, { display_name: 'Python 3 (ipykernel)', language: 'python', name: 'python3' });
  });

  it('reads nbformat 4.0 (no cell ids) and tolerates what Jupyter tolerates', () => {
    const nb = loadFixture('workflow-v40.ipynb');
    assert.equal(nb.nbformatMinor, 0);
    assert.equal(nb.cells.length, 56);
    assert.ok(nb.cells.every((c) => c.id === undefined));
    const lenient = parseNotebook('\ufeff{"nbformat": 4, "cells": [{"cell_type": "code", "source": "x"}, {"cell_type": "markdown", "source": ["a\\n", "b"], "attachments": {"p.png": {"image/png": ["iVBOR", "w0K"]}}}]}', 'lenient.ipynb');
    assert.equal(lenient.nbformatMinor, 0);
    assert.deepEqual(lenient.cells[0]?.outputs, []);
    assert.equal(lenient.cells[1]?.source, 'a\nb');
    assert.deepEqual(lenient.cells[1]?.attachments, { 'p.png': { 'image/png': 'iVBORw0K' } });
  });

  it('refuses invalid JSON with the line and column of the fault', async () => {
    await assert.rejects(readNotebookFile(fixturePath('broken.ipynb'), 'broken.ipynb'), (err: unknown) => {
      assert.ok(err instanceof NotebookFormatError);
      assert.equal(err.code, 'invalidJson');
      assert.equal(err.line, 8);
      assert.equal(err.column, 4);
      assert.equal(err.message, `broken.ipynb is not valid JSON: unexpected "\\"", expected ',' or '}' at line 8, column 4.`);
      return true;
    });
    const truncated = formatError(() => parseNotebook('{\n "cells": [\n', 'cut.ipynb'));
    assert.deepEqual([truncated.line, truncated.column], [3, 1]);
    assert.match(truncated.message, /^cut\.ipynb is not valid JSON: unexpected end of input/);
    const single = formatError(() => parseNotebook("{'cells': []}", 'quotes.ipynb'));
    assert.deepEqual([single.line, single.column], [1, 2]);
  });

  it('refuses nbformat 3 with the command that converts it', () => {
    const err = formatError(() => loadFixture('nbformat3.ipynb'));
    assert.equal(err.code, 'unsupportedVersion');
    assert.match(err.message, /^nbformat3\.ipynb is an nbformat 3 notebook; Labbook reads nbformat 4\./);
    assert.match(err.message, /jupyter nbconvert --to notebook --nbformat 4 nbformat3\.ipynb/);
    const v5 = formatError(() => parseNotebook('{"nbformat": 5, "nbformat_minor": 0, "cells": []}', 'future.ipynb'));
    assert.match(v5.message, /nbformat 5 is newer than Labbook understands/);
  });

  it('names what is missing or wrong, and where', () => {
    const noCells = formatError(() => loadFixture('no-cells.ipynb'));
    assert.equal(noCells.message, "no-cells.ipynb: not a valid nbformat 4 notebook: it has no 'cells' list.");
    const array = formatError(() => parseNotebook('[1, 2]', 'list.ipynb'));
    assert.match(array.message, /list\.ipynb: not a Jupyter notebook/);
    const noVersion = formatError(() => parseNotebook('{"cells": []}', 'nov.ipynb'));
    assert.match(noVersion.message, /no 'nbformat' version number/);
    const cell = (json: string) => formatError(() => parseNotebook(`{"nbformat": 4, "nbformat_minor": 5, "cells": [{"cell_type": "code", "source": ""}, ${json}]}`, 'c.ipynb'));
    assert.equal(cell('{"cell_type": "chart", "source": ""}').message, "c.ipynb: cell 2: unknown cell_type 'chart' (expected code, markdown or raw).");
    assert.equal(cell('{"cell_type": "code"}').message, "c.ipynb: cell 2: has no 'source'.");
    assert.equal(cell('{"cell_type": "code", "source": 3}').message, "c.ipynb: cell 2: 'source' is neither a string nor a list of strings.");
    assert.equal(cell('{"cell_type": "code", "source": "", "outputs": [{"text": "x"}]}').message, "c.ipynb: cell 2: output 1: has no 'output_type'.");
  });

  it('refuses absurd sizes before reading them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-nb-'));
    try {
      const huge = path.join(dir, 'huge.ipynb');
      writeFileSync(huge, '');
      truncateSync(huge, 513 * 1024 * 1024); // sparse: no disk used
      await assert.rejects(readNotebookFile(huge, 'huge.ipynb'), /huge\.ipynb is 513 MB; Labbook reads notebooks up to 512 MB\./);
      await assert.rejects(readNotebookFile(path.join(dir, 'missing.ipynb'), 'missing.ipynb'), /missing\.ipynb: cannot read the file \(ENOENT\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const many = `{"nbformat": 4, "nbformat_minor": 5, "cells": [${Array.from({ length: MAX_NOTEBOOK_CELLS + 1 }, () => '{"cell_type":"raw","source":""}').join(',')}]}`;
    const err = formatError(() => parseNotebook(many, 'many.ipynb'));
    assert.equal(err.code, 'tooLarge');
    assert.match(err.message, /has 100001 cells; Labbook reads notebooks of up to 100000 cells/);
  });
});
