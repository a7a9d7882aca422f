// Parity with nbdime's own merge on nbdime's own merge test notebooks (test/fixtures/nbdime-merge,
// from nbdime 4.0.4 with its licence): for each base/local/remote triple, run nbdime's
// `merge_notebooks` (real Python, the test venv) and Labbook's `mergeNotebooks`, and compare where
// they conflict and what the cleanly merged cells say. Where they agree they must keep agreeing;
// every difference is pinned in EXPECTED_DIFFERENCES with its reason, so a new or changed one fails.
// Writes the parity table to test-output/merge-parity.md. Plus nbdime#597, rebuilt from its thread.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mergeNotebooks } from '../../src/core/merge/mergeNotebooks.ts';
import type { NotebookMerge } from '../../src/core/merge/model.ts';
import type { Notebook } from '../../src/core/notebook/notebookModel.ts';
import { readNotebookFile } from '../../src/core/notebook/readNotebook.ts';
import { agrees, compare, conflictsWithoutBothChanged, differenceOf, labbookSites, lostLines, nbdimeMerges, writeParityTable, type Comparison, type ExpectedDifference, type NbdimeMerge, type ParityRow, type TripleFiles } from './mergeParity.ts';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'nbdime-merge');
const TABLE = path.resolve(import.meta.dirname, '..', '..', 'test-output', 'merge-parity.md');

/** nbdime's naming: `--1` base, `--2` local, `--3` remote (its test_merge_notebooks.py, test_cli_apps.py), or spelled out. */
const triple = (name: string, base: string, local: string, remote: string): TripleFiles => ({ name, base: path.join(FIXTURES, base), local: path.join(FIXTURES, local), remote: path.join(FIXTURES, remote) });
const numbered = (name: string) => triple(name, `${name}--1.ipynb`, `${name}--2.ipynb`, `${name}--3.ipynb`);

const TRIPLES: TripleFiles[] = [
  numbered('apap'),
  numbered('inline-conflict'),
  numbered('mixed-conflicts'),
  numbered('output-conflict'),
  numbered('source-conflict'),
  triple('cellids', 'cellids--base.ipynb', 'cellids--local.ipynb', 'cellids--remote.ipynb'),
  triple('multilevel-test', 'multilevel-test-base.ipynb', 'multilevel-test-local.ipynb', 'multilevel-test-remote.ipynb'),
  triple('multi_cell_nb', 'multi_cell_nb.ipynb', 'multi_cell_nb--local.ipynb', 'multi_cell_nb--remote.ipynb'),
];

/**
 * Every triple where Labbook and nbdime differ, exactly as they differ (conflict sites in base
 * terms, clean cell sources only one tool has: first lines), and why. Agreeing triples are absent.
 */
const EXPECTED_DIFFERENCES: Record<string, ExpectedDifference> = {
  apap: {
    nbdimeSites: ['cell 0'],
    labbookSites: ['cell 0'],
    cleanOnlyNbdime: [],
    cleanOnlyLabbook: ['Some lines'],
    reason: "both rewrote markdown cell 0: a conflict in both; nbdime's cell-list conflict also swallows code cell 1, which only remote edited, while Labbook takes remote's edit cleanly",
  },
  'output-conflict': {
    nbdimeSites: ['cell 1', 'cell 2'],
    labbookSites: ['cell 1'],
    cleanOnlyNbdime: [],
    cleanOnlyLabbook: [],
    reason: "both replaced cell 1 differently: a conflict in both; cell 2 got the same source edit on both sides and different re-run outputs: nbdime conflicts on the outputs, Labbook's default policy clears them (an 'outputs' decision)",
  },
  cellids: {
    nbdimeSites: ['cell 5', 'cell 6', 'cell 7'],
    labbookSites: ['cell 5', 'cell 6'],
    cleanOnlyNbdime: [],
    cleanOnlyLabbook: [],
    reason: "cells 5-6: source conflicts in both; cell 7 (empty, unchanged) got a new cell id on each side: nbdime conflicts on the id, Labbook keeps local's id (an id is not content)",
  },
};

/** Reasons for the table's agreeing rows, where a word helps. */
const AGREEMENT_NOTES: Record<string, string> = {
  'inline-conflict': 'both edited the same lines of cell 0: one source conflict in both',
  'mixed-conflicts': "same cells in conflict (sources rewritten or edited on the same lines, a tag and the Python version on both sides); nbdime counts its output conflicts too, which Labbook's default policy clears",
  'source-conflict': 'both rewrote the one cell: a conflict in both',
  'multilevel-test': 'edits on different cells: clean in both, same result',
  multi_cell_nb: 'edits and re-runs on different cells: clean in both, same result',
};

async function labbookMerge(t: TripleFiles): Promise<{ merge: NotebookMerge; sides: { base: Notebook; local: Notebook; remote: Notebook } }> {
  const [base, local, remote] = await Promise.all([readNotebookFile(t.base), readNotebookFile(t.local), readNotebookFile(t.remote)]);
  const merge = mergeNotebooks({ notebook: base, name: 'base' }, { notebook: local, name: 'local' }, { notebook: remote, name: 'remote' });
  return { merge, sides: { base, local, remote } };
}

function describeDifference(name: string, c: Comparison): string {
  return `${name} differs from nbdime, and EXPECTED_DIFFERENCES does not say so (or says otherwise). Actual difference:\n${JSON.stringify(differenceOf(c), null, 2)}`;
}

describe('interop: three-way merge parity with nbdime on its own merge test notebooks', function () {
  this.timeout(600_000);
  let nbdime: NbdimeMerge[] = [];
  const rows: ParityRow[] = [];

  before(async () => {
    nbdime = await nbdimeMerges(TRIPLES);
  });

  after(() => {
    if (rows.length) writeParityTable(TABLE, rows);
  });

  TRIPLES.forEach((t, index) => {
    it(`${t.name}: the same conflicts and clean merges as nbdime, or a documented difference; Labbook's invariants hold`, async () => {
      const { merge, sides } = await labbookMerge(t);
      const comparison = compare(nbdime[index] as NbdimeMerge, merge);
      const expected = EXPECTED_DIFFERENCES[t.name];
      rows.push({ triple: t.name, comparison, explanation: expected?.reason ?? AGREEMENT_NOTES[t.name] ?? (agrees(comparison) ? 'same conflicts, same clean merges' : 'UNEXPLAINED difference') });

      if (agrees(comparison)) assert.equal(expected, undefined, `${t.name} now agrees with nbdime: remove it from EXPECTED_DIFFERENCES`);
      else {
        assert.ok(expected, describeDifference(t.name, comparison));
        const { reason: _reason, ...pinned } = expected;
        assert.deepEqual(differenceOf(comparison), pinned, describeDifference(t.name, comparison));
      }
      // Labbook's own rules, whatever nbdime does.
      assert.deepEqual(lostLines(merge, sides), [], `${t.name}: every line of every side is in the result or a recorded deletion`);
      assert.deepEqual(conflictsWithoutBothChanged(merge, sides), [], `${t.name}: conflicts only where both sides changed`);
    });
  });

  it("nbdime's expected answers shipped with the triples: its decisions for inline-conflict, its merge of multilevel-test", async () => {
    // The Python side runs nbdime as nbdime's own tests do: it reproduces the decisions file they check.
    const shipped = JSON.parse(readFileSync(path.join(FIXTURES, 'inline-conflict--decisions.json'), 'utf8')) as Array<{ common_path: Array<string | number>; conflict: boolean }>;
    const inline = nbdime[TRIPLES.findIndex((t) => t.name === 'inline-conflict')] as NbdimeMerge;
    assert.deepEqual(
      inline.conflicts.map((c) => c.path),
      shipped.filter((d) => d.conflict).map((d) => d.common_path),
    );
    // And Labbook's merge of multilevel-test is nbdime's expected one, cell for cell.
    const { merge } = await labbookMerge(TRIPLES.find((t) => t.name === 'multilevel-test') as TripleFiles);
    const expected = await readNotebookFile(path.join(FIXTURES, 'multilevel-test-merged.ipynb'));
    assert.deepEqual(
      merge.cells.map((c) => c.cell.source),
      expected.cells.map((c) => c.source),
    );
  });

  describe('nbdime#597: cells one side kept while the other deleted their neighbours', () => {
    // From the thread: a 10-cell notebook, one branch deletes cells 3 and 6-8, the other
    // cells 4-7 (1-based). nbdime accepts every deletion (each is "unchanged on the other side")
    // and silently drops cells 3-8, though local kept 4-5 and remote kept 3 and 8; git's line
    // merge of the same edits is a conflict. Labbook must not drop a cell a side kept silently.
    const CELLS = Array.from({ length: 10 }, (_, i) => `part_${i + 1} = load("part-${i + 1}.parquet")\npart_${i + 1}.describe()`);
    const without = (drop: number[]) => CELLS.filter((_, i) => !drop.includes(i + 1));
    const SIDES = { base: CELLS, local: without([3, 6, 7, 8]), remote: without([4, 5, 6, 7]) };
    let dir = '';
    let files: TripleFiles;

    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'labbook-nbdime597-'));
      const write = (side: keyof typeof SIDES) => {
        const file = path.join(dir, `${side}.ipynb`);
        const cells = SIDES[side].map((source) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source }));
        writeFileSync(file, JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 4 }, null, 1));
        return file;
      };
      files = { name: 'nbdime#597', base: write('base'), local: write('local'), remote: write('remote') };
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("nbdime drops, without a conflict, cells one side kept; Labbook keeps each of them or shows it in a conflict", async () => {
      const [theirs] = await nbdimeMerges([files]);
      const kept = (source: string, cells: readonly string[]) => cells.some((c) => c === source);
      const keptBySide = CELLS.filter((c) => kept(c, SIDES.local) || kept(c, SIDES.remote));
      const nbdimeSources = (theirs as NbdimeMerge).cells.map((c) => c.source);
      assert.equal((theirs as NbdimeMerge).conflicts.length, 0, 'nbdime reports no conflict');
      assert.ok(keptBySide.some((c) => !nbdimeSources.includes(c)), 'nbdime drops a cell a side kept (the issue reproduces)');

      const { merge, sides } = await labbookMerge(files);
      const present = (source: string) => merge.cells.some((m) => [m.cell, m.versions?.local, m.versions?.remote, m.versions?.base].some((c) => c?.source === source));
      const droppedSilently = keptBySide.filter((c) => !present(c)).map((c) => c.split('\n')[0]);
      assert.deepEqual(droppedSilently, [], 'every cell a side kept is in the result or in a conflict');
      // Each cell only one side deleted (3, 4, 5, 8; 0-based below) is a 'deleted' conflict; 6-7, deleted by both, go.
      assert.deepEqual(labbookSites(merge), ['cell 2', 'cell 3', 'cell 4', 'cell 7']);
      assert.ok(merge.cells.every((c) => c.conflicts.every((k) => k.kind === 'deleted')));
      assert.deepEqual(lostLines(merge, sides), []);
      assert.deepEqual(conflictsWithoutBothChanged(merge, sides), []);
      rows.push({
        triple: 'nbdime#597 (from its thread)',
        comparison: compare(theirs as NbdimeMerge, merge),
        explanation: "local deletes cells 3 and 6-8, remote 4-7 (1-based): nbdime accepts every deletion and silently drops 3-8; Labbook drops 6-7 (deleted by both) and makes 3, 4, 5 and 8, each kept by one side, 'deleted' conflicts, as git's diff3 would conflict",
      });
    });
  });
});
