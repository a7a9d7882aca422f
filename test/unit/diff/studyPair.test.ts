// The diff over a real 100-cell notebook pair (study.ipynb → study-edited.ipynb, written by
// test/fixtures/notebooks/make_study_fixtures.py, which documents the edit session): every edit,
// insert, delete and the move found where the session made them, everything else unchanged.
import assert from 'node:assert/strict';
import { diffNotebooks } from '../../../src/core/diff/diffNotebooks.ts';
import type { NotebookDiff, OutputChange } from '../../../src/core/diff/model.ts';
import type { Notebook } from '../../../src/core/notebook/notebookModel.ts';
import { cellAt, changedCells, diffFixtures, loadFixture } from './fixtures.ts';
import { STUDY_EDITS } from '../../fixtures/notebooks/studyEdits.ts';

const BASE = 'study.ipynb';
const REMOTE = 'study-edited.ipynb';
const EDITS = STUDY_EDITS;
/** In reading order (remote positions), as the diff lists them. */
const STUDY = [
  'modified 0→0',
  'removed 12→-',
  'modified 23→21',
  'modified 29→27',
  'moved 8→59',
  'modified 62→61',
  'removed 63→-',
  'added -→68',
  'modified 75→74',
  'modified 80→79',
  'added -→89',
  'modified 90→90',
  'added -→95',
  'modified 95→96',
];
/** Re-run cells whose outputs changed with the new split, the ridge grid and the bigger forest (or a timing). */
const OUTPUT_ONLY = [
  'modified 67→65', // baseline scores
  'modified 69→67', // linear scores
  'modified 70→69', // its coefficients
  'modified 71→70', // … and their plot
  'modified 73→72', // residual plot
  'modified 77→76', // lasso
  'modified 78→77', // lasso coefficients
  'modified 81→80', // forest importances
  'modified 82→81', // … and their plot
  'modified 84→83', // gradient boosting
  'modified 86→85', // permutation importance
  'modified 87→86', // the NameError: its traceback names the execution count
  'modified 89→88', // the score table
  'modified 93→93', // cross-validation: the bigger forest, and a timing
  'modified 94→94', // predicted vs actual
  'modified 97→98', // the exported summary
];

function assertEveryCellOnce(diff: NotebookDiff, baseCells: number, remoteCells: number): void {
  const base = diff.cells.flatMap((c) => (c.baseIndex === null ? [] : [c.baseIndex])).sort((x, y) => x - y);
  const remote = diff.cells.flatMap((c) => (c.remoteIndex === null ? [] : [c.remoteIndex]));
  assert.deepEqual(base, Array.from({ length: baseCells }, (_, i) => i));
  // Reading order: remote positions run 0..n-1 along the list.
  assert.deepEqual(remote, Array.from({ length: remoteCells }, (_, j) => j));
}

/** The notebook as nbformat < 4.5 would have it: no cell ids, so only content can align it. */
function withoutIds(notebook: Notebook): Notebook {
  return { ...notebook, nbformatMinor: 4, cells: notebook.cells.map(({ id: _id, ...cell }) => cell) };
}

describe('diff: a real 100-cell study notebook, edited and re-run', () => {
  it('shows each edit as a modified cell, inserts as added, deletes as removed, the move as moved, the rest unchanged', () => {
    const diff = diffFixtures(BASE, REMOTE);
    assert.equal(loadFixture(BASE).cells.length, 100);
    assert.equal(loadFixture(REMOTE).cells.length, 101);
    assert.deepEqual(changedCells(diff), STUDY);
    assert.deepEqual(
      diff.cells.filter((c) => c.kind === 'modified').map((c) => [c.baseIndex, c.remoteIndex]),
      EDITS,
    );
    assert.deepEqual(diff.stats, { unchanged: 89, modified: 8, added: 3, removed: 2, moved: 1, movedAndModified: 0, outputOnlyChangesHidden: OUTPUT_ONLY.length, hasChanges: true });
    assert.equal(diff.cells.length, 103);
    assertEveryCellOnce(diff, 100, 101);
    assert.ok(diff.cells.every((c) => c.kind === 'added' || c.kind === 'removed' || c.matchedBy === 'id'));
    // Outside the edits, the re-run changed nothing but execution counts and outputs of unchanged sources.
    assert.ok(diff.cells.filter((c) => c.kind === 'unchanged').every((c) => c.source === undefined && c.outputs === undefined && c.metadata === undefined));
  });

  it('each change shows what the session did', () => {
    const diff = diffFixtures(BASE, REMOTE);
    const changed = (i: number | null, j: number | null) =>
      cellAt(diff, i, j)
        .source?.hunks.flatMap((h) => h.lines)
        .filter((l) => l.op !== 'context')
        .map((l) => `${l.op === 'insert' ? '+' : '-'} ${l.text}`);
    assert.deepEqual(changed(0, 0), ['- # Diabetes progression: a regression study', '+ # Diabetes progression one year on: a regression study']);
    assert.deepEqual(changed(23, 21), ['- The measurement the original study found most predictive.', '+ The measurement the original study found most predictive. Its quartiles should show a clear staircase.']);
    // One-token edits: the changed number highlighted, the rest of the line plain.
    const bins = cellAt(diff, 29, 27).source?.hunks[0]?.lines.filter((l) => l.op !== 'context');
    assert.deepEqual(bins, [
      { op: 'delete', text: 'left.hist(df["bp"], bins=20, color="tab:blue")', spans: [[25, 27]] },
      { op: 'insert', text: 'left.hist(df["bp"], bins=15, color="tab:blue")', spans: [[25, 27]] },
    ]);
    // … and the re-run plot: a new PNG, compared by content.
    const plot = cellAt(diff, 29, 27).outputs ?? [];
    assert.deepEqual(plot.map((o) => [o.op, o.changes?.map((c) => c.part)]), [['modified', ['image']]]);
    const image = plot[0]?.changes?.[0] as Extract<OutputChange, { part: 'image' }>;
    assert.equal(image.mime, 'image/png');
    assert.notEqual(image.base?.hash, image.remote?.hash);
    assert.deepEqual(changed(62, 61), [
      '- X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=RANDOM_STATE)',
      '+ X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=RANDOM_STATE)',
    ]);
    assert.deepEqual(
      cellAt(diff, 62, 61).outputs?.map((o) => [o.base?.preview, o.remote?.preview]),
      [['(353, 10) (89, 10)', '(331, 10) (111, 10)']],
    );
    assert.match(changed(75, 74)?.join('\n') ?? '', /^- .*np\.logspace\(-2, 3, 20\).*\n\+ .*np\.logspace\(-3, 3, 50\)/);
    assert.match(changed(80, 79)?.join('\n') ?? '', /^- .*n_estimators=200, max_depth=6,.*\n\+ .*n_estimators=400, max_depth=8,/);
    // The rewritten plot: three lines out, six in, and its figure changed.
    assert.deepEqual(changed(90, 90)?.map((l) => l[0]), ['-', '-', '-', '+', '+', '+', '+', '+', '+']);
    assert.deepEqual(cellAt(diff, 90, 90).outputs?.map((o) => o.changes?.map((c) => (c.part === 'text' ? c.key : c.part))), [['image', 'text/plain']]);
    assert.equal(changed(95, 96)?.length, 3);
    // The move carries no change of its own.
    const moved = cellAt(diff, 8, 59);
    assert.deepEqual(Object.keys(moved).sort(), ['baseIndex', 'cellType', 'id', 'kind', 'matchedBy', 'remoteIndex']);
    assert.deepEqual(changed(12, null), ['- df.sample(5, random_state=RANDOM_STATE)']);
    assert.deepEqual(cellAt(diff, 63, null).outputs?.map((o) => o.op), ['removed']);
    assert.equal(cellAt(diff, null, 68).cellType, 'code');
    assert.equal(cellAt(diff, null, 89).cellType, 'code');
    assert.equal(cellAt(diff, null, 95).cellType, 'markdown');
  });

  it('outputs shown: the re-run cells downstream of the edits are modified by their outputs alone', () => {
    const diff = diffFixtures(BASE, REMOTE, { ignoreOutputOnlyChanges: false });
    const byRemote = (s: string) => {
      const [, base, remote] = /(\S+)→(\S+)$/.exec(s) ?? [];
      return remote === '-' ? Number(base) - 0.5 : Number(remote);
    };
    assert.deepEqual(changedCells(diff), [...STUDY, ...OUTPUT_ONLY].sort((x, y) => byRemote(x) - byRemote(y)));
    for (const name of OUTPUT_ONLY) {
      const [i, j] = name.replace('modified ', '').split('→').map(Number);
      const cell = cellAt(diff, i as number, j as number);
      assert.deepEqual(Object.keys(cell).filter((k) => ['source', 'outputs', 'metadata', 'attachments', 'executionCount'].includes(k)), ['outputs'], name);
    }
  });

  it('without cell ids, content alone finds the same alignment, but for the rewritten plot', () => {
    const diff = diffNotebooks({ notebook: withoutIds(loadFixture(BASE)), name: BASE }, { notebook: withoutIds(loadFixture(REMOTE)), name: REMOTE });
    // The score plot, rewritten from one bar chart to two (weighted similarity 0.48, under the 0.5
    // edit bar), is shown as the old cell removed and a new one added.
    assert.deepEqual(
      changedCells(diff),
      STUDY.flatMap((c) => (c === 'modified 90→90' ? [] : c === 'added -→89' ? ['removed 90→-', c, 'added -→90'] : [c])),
    );
    assertEveryCellOnce(diff, 100, 101);
    assert.ok(diff.cells.filter((c) => c.kind === 'modified').every((c) => c.matchedBy === 'similarity'));
    assert.equal(cellAt(diff, 8, 59).matchedBy, 'content');
  });
});
