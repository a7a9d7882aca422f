// What Labbook writes, checked by Jupyter's own validator (Python nbformat): every fixture and
// nbdime test notebook written back, the conflicted notebooks of nbdime's merge triples, and
// their resolutions with both versions kept (repeated cell ids).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { conflictNotebook } from '../../src/core/merge/conflictNotebook.ts';
import { mergeNotebooks } from '../../src/core/merge/mergeNotebooks.ts';
import type { CellResolution } from '../../src/core/merge/model.ts';
import { applyResolutions } from '../../src/core/merge/resolve.ts';
import { parseNotebook } from '../../src/core/notebook/readNotebook.ts';
import { serializeNotebook } from '../../src/core/notebook/writeNotebook.ts';
import { runPython, testPython } from '../support/python.ts';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');
const UNREADABLE = new Set(['broken.ipynb', 'nbformat3.ipynb', 'no-cells.ipynb']);
/**
 * Validates each file named on the command line; prints one line per file. Warnings are failures:
 * nbformat only warns about a missing cell id (MissingIDFieldWarning) that other readers reject.
 */
const VALIDATE = `
import sys, warnings, nbformat
warnings.simplefilter("error")
for f in sys.argv[1:]:
    try:
        nbformat.validate(nbformat.read(f, as_version=nbformat.NO_CONVERT))
        print("ok", f)
    except Exception as e:
        print("FAIL", f, str(e).splitlines()[0])
`;

function nbdimeFiles(): string {
  const lib = path.join(path.dirname(path.dirname(testPython())), 'lib');
  const pythonDir = readdirSync(lib).find((d) => d.startsWith('python'));
  assert.ok(pythonDir);
  return path.join(lib, pythonDir, 'site-packages', 'nbdime', 'tests', 'files');
}

describe('interop: notebooks Labbook writes pass nbformat.validate', function () {
  this.timeout(180_000);
  let out: string;
  before(() => (out = mkdtempSync(path.join(tmpdir(), 'labbook-write-valid-'))));
  after(() => rmSync(out, { recursive: true, force: true }));

  it('validates written fixtures, conflicted merges and “take both” resolutions', async () => {
    const written: string[] = [];
    const write = (name: string, text: string) => {
      const p = path.join(out, name);
      writeFileSync(p, text);
      written.push(p);
    };
    const sources = [path.join(FIXTURES, 'notebooks'), nbdimeFiles()];
    for (const dir of sources) {
      for (const f of readdirSync(dir).filter((x) => x.endsWith('.ipynb') && !UNREADABLE.has(x))) {
        write(`${path.basename(dir)}--${f}`, serializeNotebook(parseNotebook(readFileSync(path.join(dir, f), 'utf8'), f)));
      }
    }
    const triples = path.join(FIXTURES, 'nbdime-merge');
    const read = (f: string) => ({ notebook: parseNotebook(readFileSync(path.join(triples, f), 'utf8'), f), name: f });
    let conflicted = 0;
    for (const t of readdirSync(triples).filter((f) => f.endsWith('--1.ipynb')).map((f) => f.replace('--1.ipynb', ''))) {
      const merge = mergeNotebooks(read(`${t}--1.ipynb`), read(`${t}--2.ipynb`), read(`${t}--3.ipynb`), { outputs: 'both' });
      if (merge.stats.conflicts === 0) continue;
      conflicted++;
      write(`conflicted--${t}.ipynb`, serializeNotebook(conflictNotebook(merge)));
      const both: Record<number, CellResolution> = {};
      merge.cells.forEach((c, k) => (both[k] = { take: 'both' }));
      const metadata = Object.fromEntries(merge.metadata.conflicts.map((c) => [c.path.join('/'), 'remote' as const]));
      write(`both--${t}.ipynb`, serializeNotebook(applyResolutions(merge, { cells: both, metadata })));
    }
    assert.ok(conflicted >= 3, `only ${conflicted} triples conflict`);
    // Sides of mixed versions: base and local are 4.4 without ids, local adds a cell, remote is 4.5.
    const side = (minor: number, sources: string[]) => {
      const cells = sources.map((s, k) => ({ cell_type: 'markdown', metadata: {}, source: s, ...(minor >= 5 ? { id: `cell-${k}` } : {}) }));
      return { notebook: parseNotebook(JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: minor }), `4.${minor}`), name: `4.${minor}` };
    };
    const mixed = mergeNotebooks(side(4, ['a', 'b']), side(4, ['a', 'c', 'b']), side(5, ['a', 'b', 'd']));
    assert.equal(mixed.stats.conflicts, 0);
    assert.equal(mixed.nbformatMinor, 5);
    write('mixed-4.4-4.5.ipynb', serializeNotebook(applyResolutions(mixed, { cells: {}, metadata: {} })));

    const result = await runPython(['-c', VALIDATE, ...written], {}, 120_000);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, written.length);
    assert.deepEqual(lines.filter((l) => !l.startsWith('ok')), []);
  });
});
