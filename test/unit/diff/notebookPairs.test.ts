// The diff over real notebook pairs (test/fixtures/notebooks, made by make_fixtures.py): which cell
// became which, and what each changed cell shows.
import assert from 'node:assert/strict';
import type { OutputChange } from '../../../src/core/diff/model.ts';
import { SHOW_EVERYTHING } from '../../../src/core/diff/options.ts';
import { cellAt, changedCells, diffFixtures, loadFixture } from './fixtures.ts';

const EDITED = ['modified 0→0', 'modified 23→23', 'removed 24→-', 'added -→27', 'modified 34→34', 'modified 54→54'];

describe('diff: real notebook pairs', () => {
  it('edited and re-run: edits are modified cells, the deleted and added cells are removed/added, output-only changes hidden', () => {
    const diff = diffFixtures('workflow.ipynb', 'workflow-edited.ipynb');
    assert.deepEqual(changedCells(diff), EDITED);
    assert.deepEqual(diff.stats, { unchanged: 51, modified: 4, added: 1, removed: 1, moved: 0, movedAndModified: 0, outputOnlyChangesHidden: 11, hasChanges: true });
    // Every cell of both sides exactly once, in reading order.
    assert.equal(diff.cells.length, 57);
    assert.ok(diff.cells.every((c) => c.kind === 'added' || c.kind === 'removed' || c.matchedBy === 'id'));

    const split = cellAt(diff, 23, 23);
    assert.deepEqual(split.source?.hunks, [
      {
        baseStart: 0,
        baseCount: 6,
        remoteStart: 0,
        remoteCount: 6,
        lines: [
          { op: 'context', text: 'X = df[features]' },
          { op: 'context', text: 'y = df["target"]' },
          { op: 'context', text: 'X_train, X_test, y_train, y_test = train_test_split(' },
          { op: 'delete', text: '    X, y, test_size=0.25, stratify=y, random_state=RANDOM_STATE', spans: [[22, 24]] },
          { op: 'insert', text: '    X, y, test_size=0.2, stratify=y, random_state=RANDOM_STATE', spans: [[22, 23]] },
          { op: 'context', text: ')' },
          { op: 'context', text: 'print(X_train.shape, X_test.shape)' },
        ],
      },
    ]);
    // The source changed, so its outputs are diffed too.
    assert.deepEqual(split.outputs, [
      {
        op: 'modified',
        baseIndex: 0,
        remoteIndex: 0,
        base: { outputType: 'stream', name: 'stdout', mimeTypes: [], preview: '(133, 14) (45, 14)' },
        remote: { outputType: 'stream', name: 'stdout', mimeTypes: [], preview: '(142, 14) (36, 14)' },
        changes: [
          {
            part: 'text',
            key: 'stream:stdout',
            diff: { hunks: [{ baseStart: 0, baseCount: 1, remoteStart: 0, remoteCount: 1, lines: [{ op: 'delete', text: '(133, 14) (45, 14)', spans: [[1, 4], [11, 13]] }, { op: 'insert', text: '(142, 14) (36, 14)', spans: [[1, 4], [11, 13]] }] }], added: 1, removed: 1 },
          },
        ],
      },
    ]);
    const removed = cellAt(diff, 24, null);
    assert.equal(removed.cellType, 'code');
    assert.deepEqual(removed.source?.hunks[0]?.lines, [{ op: 'delete', text: 'y_train.value_counts(normalize=True).sort_index().round(3)' }]);
    assert.equal(removed.outputs?.[0]?.op, 'removed');
    const added = cellAt(diff, null, 27);
    assert.equal(added.cellType, 'markdown');
    assert.equal(added.source?.added, 1);
    const notes = cellAt(diff, 54, 54);
    assert.deepEqual(notes.source?.hunks[0]?.lines.map((l) => l.op), ['context', 'context', 'context', 'insert']);
    assert.equal(cellAt(diff, 0, 0).source?.hunks[0]?.lines[1]?.text, '# Wine cultivar classification');
  });

  it('edited and re-run, outputs shown: the re-run cells downstream of the edits are modified by their outputs alone', () => {
    const diff = diffFixtures('workflow.ipynb', 'workflow-edited.ipynb', { ignoreOutputOnlyChanges: false });
    const outputOnly = ['modified 12→12', 'modified 26→25', 'modified 30→30', 'modified 31→31', 'modified 36→36', 'modified 37→37', 'modified 39→39', 'modified 41→41', 'modified 42→42', 'modified 44→44', 'modified 45→45'];
    assert.deepEqual(changedCells(diff), [...EDITED, ...outputOnly].sort(byRemote));
    for (const id of outputOnly) {
      const [i, j] = id.replace('modified ', '').split('→').map(Number);
      const cell = cellAt(diff, i as number, j as number);
      assert.deepEqual(Object.keys(cell).filter((k) => ['source', 'outputs', 'metadata', 'attachments', 'executionCount'].includes(k)), ['outputs'], id);
    }
    // The importance plot of the bigger forest: a different PNG, found by hash.
    const plot = cellAt(diff, 37, 37).outputs?.[0];
    const change = plot?.changes?.[0] as Extract<OutputChange, { part: 'image' }>;
    assert.equal(change.part, 'image');
    assert.equal(change.mime, 'image/png');
    assert.notEqual(change.base?.hash, change.remote?.hash);
    assert.ok((change.base?.bytes ?? 0) > 1000);
  });

  it('nbformat 4.0 without ids against 4.5 with ids: the same alignment, found from content', () => {
    const diff = diffFixtures('workflow-v40.ipynb', 'workflow-edited.ipynb');
    assert.deepEqual(changedCells(diff), EDITED);
    assert.equal(diff.base.nbformat, '4.0');
    assert.equal(diff.remote.nbformat, '4.5');
    assert.deepEqual(
      diff.cells.filter((c) => c.kind === 'modified').map((c) => c.matchedBy),
      ['similarity', 'similarity', 'similarity', 'similarity'],
    );
    assert.equal(diffFixtures('workflow.ipynb', 'workflow-v40.ipynb').stats.hasChanges, false);
  });

  it('moved cells are moved, by id or by content', () => {
    const byId = diffFixtures('workflow.ipynb', 'workflow-moved.ipynb');
    const moves = ['moved 19→8', 'moved 20→9', 'moved 36→41', 'moved 37→42'];
    assert.deepEqual(changedCells(byId), moves);
    assert.deepEqual(byId.stats, { unchanged: 52, modified: 0, added: 0, removed: 0, moved: 4, movedAndModified: 0, outputOnlyChangesHidden: 0, hasChanges: true });
    assert.ok(byId.cells.filter((c) => c.kind === 'moved').every((c) => c.matchedBy === 'id' && c.source === undefined));
    const byContent = diffFixtures('workflow-v40.ipynb', 'workflow-moved.ipynb');
    assert.deepEqual(changedCells(byContent), moves);
    assert.ok(byContent.cells.filter((c) => c.kind === 'moved').every((c) => c.matchedBy === 'content'));
    // Moved cells sit at their remote position: remote indices run 0..55 in order.
    assert.deepEqual(
      byId.cells.map((c) => c.remoteIndex),
      Array.from({ length: 56 }, (_, j) => j),
    );
  });

  it('a re-run notebook has no differences by default; its output-only change shows on request', () => {
    const diff = diffFixtures('workflow.ipynb', 'workflow-rerun.ipynb');
    assert.equal(diff.stats.hasChanges, false);
    assert.equal(diff.stats.outputOnlyChangesHidden, 1);
    const shown = diffFixtures('workflow.ipynb', 'workflow-rerun.ipynb', { ignoreOutputOnlyChanges: false });
    assert.deepEqual(changedCells(shown), ['modified 12→12']);
    const sample = cellAt(shown, 12, 12).outputs?.[0];
    assert.deepEqual(
      sample?.changes?.map((c) => (c.part === 'text' ? c.key : c.part)),
      ['text/html', 'text/plain'],
    );
    const counts = diffFixtures('workflow.ipynb', 'workflow-rerun.ipynb', { ignoreExecutionCounts: false });
    const base = loadFixture('workflow.ipynb');
    const executed = base.cells.flatMap((c, i) => (c.executionCount === null ? [] : [i]));
    assert.deepEqual(
      counts.cells.filter((c) => c.kind === 'modified').map((c) => c.baseIndex),
      executed,
    );
    assert.deepEqual(cellAt(counts, 4, 4).executionCount, { base: 3, remote: 14 });
    // The count on an execute_result is not a difference of its own once outputs are compared.
    assert.deepEqual(cellAt(counts, 4, 4).outputs?.[0]?.changes, [{ part: 'executionCount', base: 3, remote: 14 }]);
  });

  it('a restyled plot: the source change with word spans, and the PNG compared by content', () => {
    const diff = diffFixtures('workflow.ipynb', 'workflow-plot.ipynb');
    assert.deepEqual(changedCells(diff), ['modified 13→13']);
    const cell = cellAt(diff, 13, 13);
    const changed = cell.source?.hunks[0]?.lines.filter((l) => l.op !== 'context');
    assert.deepEqual(changed, [
      { op: 'delete', text: '    ax.hist(group["alcohol"], bins=12, alpha=0.6, label=name)', spans: [[35, 37], [47, 48]] },
      { op: 'insert', text: '    ax.hist(group["alcohol"], bins=20, alpha=0.8, label=name)', spans: [[35, 37], [47, 48]] },
    ]);
    const output = cell.outputs?.[0];
    assert.equal(output?.op, 'modified');
    assert.equal(output?.changes?.length, 1, 'the text/plain "<Figure size …>" is unchanged');
    const image = output?.changes?.[0] as Extract<OutputChange, { part: 'image' }>;
    assert.equal(image.part, 'image');
    assert.match(image.base?.hash ?? '', /^[0-9a-f]{14}$/);
    assert.notEqual(image.base?.hash, image.remote?.hash);
  });

  it('timing and view metadata and execution counts are noise by default, and each filter can be turned off', () => {
    assert.equal(diffFixtures('workflow.ipynb', 'workflow-noise.ipynb').stats.hasChanges, false);
    const base = loadFixture('workflow.ipynb');
    const codeCells = base.cells.flatMap((c, i) => (c.cellType === 'code' ? [i] : []));
    const volatile = diffFixtures('workflow.ipynb', 'workflow-noise.ipynb', { ignoreVolatileMetadata: false });
    assert.deepEqual(
      volatile.cells.filter((c) => c.kind === 'modified').map((c) => c.baseIndex),
      codeCells,
    );
    assert.deepEqual(
      cellAt(volatile, 11, 11).metadata?.map((m) => `${m.op} ${m.path.join('.')}`),
      ['added ExecuteTime', 'added execution', 'added jupyter'],
    );
    assert.deepEqual(volatile.metadata.map((m) => `${m.op} ${m.path.join('.')}`), ['added widgets']);
    assert.ok(volatile.cells.every((c) => c.executionCount === undefined && c.outputs === undefined));
    const counts = diffFixtures('workflow.ipynb', 'workflow-noise.ipynb', { ignoreExecutionCounts: false });
    assert.deepEqual(cellAt(counts, 1, 1).executionCount, { base: 1, remote: 41 });
    assert.ok(counts.cells.every((c) => c.metadata === undefined));
  });

  it('a cell rewritten in place is one modified cell when ids say so, removed + added when they cannot', () => {
    const withIds = diffFixtures('workflow.ipynb', 'workflow-rewritten.ipynb');
    assert.deepEqual(changedCells(withIds), ['modified 48→48']);
    assert.equal(cellAt(withIds, 48, 48).matchedBy, 'id');
    assert.equal(cellAt(withIds, 48, 48).id, '1d64fa0c');
    assert.deepEqual(changedCells(diffFixtures('workflow-v40.ipynb', 'workflow-rewritten.ipynb')), ['removed 48→-', 'added -→48']);
  });

  it('shows everything nbdime would when every filter is off', () => {
    const diff = diffFixtures('workflow.ipynb', 'workflow-noise.ipynb', SHOW_EVERYTHING);
    const codeCells = loadFixture('workflow.ipynb').cells.filter((c) => c.cellType === 'code').length;
    assert.equal(codeCells, 40);
    assert.equal(diff.stats.modified, codeCells);
    assert.deepEqual(diff.options, { ...SHOW_EVERYTHING });
  });
});

function byRemote(x: string, y: string): number {
  const remote = (s: string) => {
    const [, base, rem] = /(\S+)→(\S+)$/.exec(s) ?? [];
    return rem === '-' ? Number(base) - 0.5 : Number(rem);
  };
  return remote(x) - remote(y);
}
