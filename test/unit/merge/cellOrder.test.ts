// The cell level of the merge: insertions, deletions and moves from each side, cells both sides
// added, and deletions that meet changes.
import assert from 'node:assert/strict';
import { code, markdown, merge, notebook, sources, stream } from './notebooks.ts';

const base = notebook([code('import os'), code('x = 1\ny = 2'), markdown('# Results'), code('print(x)'), code('plot(y)')]);

describe('merge: cell order', () => {
  it('takes insertions, deletions and moves made on one side', () => {
    const local = notebook([code('import os'), code('import sys'), code('x = 1\ny = 2'), markdown('# Results'), code('print(x)'), code('plot(y)')]);
    const remote = notebook([code('import os'), code('x = 1\ny = 2'), code('plot(y)'), markdown('# Results'), code('print(x)')]);
    const m = merge(base, local, remote);
    assert.deepEqual(sources(m), ['import os', 'import sys', 'x = 1\ny = 2', 'plot(y)', '# Results', 'print(x)']);
    assert.equal(m.stats.conflicts, 0);
    assert.deepEqual(m.cells.map((c) => c.origin), ['unchanged', 'local', 'unchanged', 'remote', 'unchanged', 'unchanged']);

    const deleting = notebook([code('import os'), markdown('# Results'), code('print(x)'), code('plot(y)')]);
    const d = merge(base, deleting, base);
    assert.deepEqual(sources(d), ['import os', '# Results', 'print(x)', 'plot(y)']);
    assert.deepEqual(d.decisions, [{ kind: 'deletedCell', by: 'local', base: 1, lines: ['x = 1', 'y = 2'] }]);
    assert.equal(d.stats.deleted, 1);
  });

  it('combines insertions, deletions and moves from both sides at different places', () => {
    const local = notebook([code('import os'), code('import sys'), code('x = 1\ny = 2'), markdown('# Results'), code('print(x)')]);
    const remote = notebook([code('plot(y)'), code('import os'), code('x = 1\ny = 2'), markdown('# Results'), code('print(x)'), code('save()')]);
    const m = merge(base, local, remote);
    // Local deleted plot(y); remote moved it (unchanged): the deletion wins, and is recorded.
    assert.deepEqual(sources(m), ['import os', 'import sys', 'x = 1\ny = 2', '# Results', 'print(x)', 'save()']);
    assert.deepEqual(m.decisions, [{ kind: 'deletedCell', by: 'local', base: 4, lines: ['plot(y)'] }]);
  });

  it('a cell both sides moved to different places goes where local put it, and says so', () => {
    const local = notebook([code('plot(y)'), code('import os'), code('x = 1\ny = 2'), markdown('# Results'), code('print(x)')]);
    const remote = notebook([code('import os'), code('x = 1\ny = 2'), code('plot(y)'), markdown('# Results'), code('print(x)')]);
    const m = merge(base, local, remote);
    assert.deepEqual(sources(m), ['plot(y)', 'import os', 'x = 1\ny = 2', '# Results', 'print(x)']);
    assert.deepEqual(m.decisions, [{ kind: 'moved', cell: 0 }]);
    assert.equal(m.stats.conflicts, 0);
    // Both moved it to the same place: nothing to decide.
    assert.deepEqual(merge(base, local, local).decisions, []);
  });

  it('a cell moved on one side and edited on the other is edited at its new place', () => {
    const local = notebook([code('import os'), code('x = 1\ny = 2'), code('plot(y)'), markdown('# Results'), code('print(x)')]);
    const remote = notebook([code('import os'), code('x = 1\ny = 2'), markdown('# Results'), code('print(x)'), code('plot(y)\nshow()')]);
    const m = merge(base, local, remote);
    assert.deepEqual(sources(m), ['import os', 'x = 1\ny = 2', 'plot(y)\nshow()', '# Results', 'print(x)']);
    assert.equal(m.cells[2]?.origin, 'remote');
    assert.equal(m.stats.conflicts, 0);
  });

  it('a cell one side moved and the other deleted: deleted if only moved, a conflict at its new place if also edited', () => {
    const plot = 'fig = plot(y, title="y over x")\nfig.savefig("y.png")\nplt.close(fig)';
    const b = notebook([code('import os'), code('x = 1\ny = 2'), markdown('# Results'), code(plot)]);
    const remote = notebook([code('import os'), code('x = 1\ny = 2'), markdown('# Results')]);
    const moved = notebook([code(plot), code('import os'), code('x = 1\ny = 2'), markdown('# Results')]);
    const m = merge(b, moved, remote);
    assert.deepEqual(sources(m), ['import os', 'x = 1\ny = 2', '# Results']);
    assert.deepEqual(m.decisions, [{ kind: 'deletedCell', by: 'remote', base: 3, lines: plot.split('\n') }]);
    const movedEdited = notebook([code(`${plot}\nprint("saved")`), code('import os'), code('x = 1\ny = 2'), markdown('# Results')]);
    const e = merge(b, movedEdited, remote);
    assert.deepEqual(sources(e), [`${plot}\nprint("saved")`, 'import os', 'x = 1\ny = 2', '# Results']);
    assert.deepEqual(e.cells[0]?.conflicts, [{ kind: 'deleted', deletedBy: 'remote' }]);
  });

  it('a short cell both sides rewrote, each adding a cell next to it, is a source conflict (no ids: nothing pairs it but its place)', () => {
    const b = notebook([code('lr = 0.1'), code('train()')], {}, 4);
    const local = notebook([code('lr = 0.01'), code('# note'), code('train()')], {}, 4);
    const remote = notebook([code('lr = 0.5'), code('# other'), code('train()')], {}, 4);
    const m = merge(b, local, remote);
    assert.deepEqual(sources(m), ['lr = 0.01', '# note', '# other', 'train()']);
    assert.deepEqual(m.cells[0]?.conflicts, [{ kind: 'source', regions: [{ conflict: { base: ['lr = 0.1'], local: ['lr = 0.01'], remote: ['lr = 0.5'] } }] }]);
    assert.deepEqual([m.cells[0]?.base, m.cells[0]?.local, m.cells[0]?.remote], [0, 0, 0]);
    assert.equal(m.stats.conflicts, 1);
    assert.deepEqual(m.decisions, []);
    // Only one side added a cell: the same source conflict, not a "deleted" one.
    const plain = notebook([code('lr = 0.5'), code('train()')], {}, 4);
    for (const [l, r] of [[local, plain], [plain, local]] as const) {
      const one = merge(b, l, r);
      assert.deepEqual(sources(one), [l === plain ? 'lr = 0.5' : 'lr = 0.01', '# note', 'train()'], 'local\'s version in the result');
      assert.deepEqual(one.cells[0]?.conflicts.map((k) => k.kind), ['source']);
      assert.equal(one.stats.conflicts, 1);
    }
    // A new cell before the rewrite, and a cell of another type: the rewrite still pairs with its like.
    const before = notebook([markdown('## Setup'), code('lr = 0.01'), code('train()')], {}, 4);
    const m2 = merge(b, before, remote);
    assert.deepEqual(m2.cells.map((c) => c.conflicts.map((k) => k.kind)), [[], ['source'], [], []]);
    // With ids that differ, a new cell is new: local deleted the cell and added another.
    const withIds = (cells: ReturnType<typeof code>[], ids: string[]) => notebook(cells.map((c, i) => ({ ...c, id: ids[i] as string })));
    const ib = withIds([code('lr = 0.1'), code('train()')], ['a', 't']);
    const il = withIds([code('lr = 0.01'), code('# note'), code('train()')], ['n1', 'n2', 't']);
    const ir = withIds([code('lr = 0.5'), code('train()')], ['a', 't']);
    assert.deepEqual(merge(ib, il, ir).cells.map((c) => c.conflicts.map((k) => k.kind)), [[], [], ['deleted'], []]);
  });

  it('a cell both sides added alike appears once', () => {
    const local = notebook([code('import os'), code('import numpy as np'), code('x = 1\ny = 2'), markdown('# Results'), code('print(x)'), code('plot(y)')]);
    const m = merge(base, local, local);
    assert.deepEqual(sources(m), sources(merge(base, local, base)));
    assert.equal(m.cells[1]?.origin, 'same');
    assert.deepEqual([m.cells[1]?.local, m.cells[1]?.remote, m.cells[1]?.base], [1, 1, null]);
  });

  it('the same new cell added differently by both sides is one "added" conflict', () => {
    const local = notebook([code('import os'), code('def f(a):\n    return a + 1\n\nf(2)'), code('x = 1\ny = 2'), markdown('# Results'), code('print(x)'), code('plot(y)')]);
    const remote = notebook([code('import os'), code('def f(a):\n    return a + 2\n\nf(2)'), code('x = 1\ny = 2'), markdown('# Results'), code('print(x)'), code('plot(y)')]);
    const m = merge(base, local, remote);
    assert.equal(m.cells.length, 6);
    const added = m.cells[1];
    assert.ok(added);
    assert.equal(added.base, null);
    assert.equal(added.origin, 'conflict');
    assert.deepEqual(added.conflicts, [
      { kind: 'added' },
      { kind: 'source', regions: [{ ok: ['def f(a):'] }, { conflict: { base: [], local: ['    return a + 1'], remote: ['    return a + 2'] } }, { ok: ['', 'f(2)'] }] },
    ]);
    assert.equal(added.versions?.base, undefined);
    assert.equal(added.versions?.local?.source, 'def f(a):\n    return a + 1\n\nf(2)');
    assert.equal(added.versions?.remote?.source, 'def f(a):\n    return a + 2\n\nf(2)');
    assert.equal(added.cell.source, added.versions?.local?.source);
    assert.equal(m.stats.conflicts, 1);
  });

  it('unrelated cells both sides added at the same place come local first, then remote', () => {
    const local = notebook([code('import os'), code('import sys'), markdown('## Setup'), code('x = 1\ny = 2'), markdown('# Results'), code('print(x)'), code('plot(y)')]);
    const remote = notebook([code('import os'), code('seed = 42\nrandom.seed(seed)'), code('x = 1\ny = 2'), markdown('# Results'), code('print(x)'), code('plot(y)')]);
    const m = merge(base, local, remote);
    assert.deepEqual(sources(m).slice(0, 5), ['import os', 'import sys', '## Setup', 'seed = 42\nrandom.seed(seed)', 'x = 1\ny = 2']);
    assert.deepEqual(m.cells.slice(1, 4).map((c) => c.origin), ['local', 'local', 'remote']);
    assert.equal(m.stats.conflicts, 0);
  });

  it('a cell deleted on one side and edited on the other is a "deleted" conflict, never dropped', () => {
    const local = notebook([code('import os'), markdown('# Results'), code('print(x)'), code('plot(y)')]);
    const remote = notebook([code('import os'), code('x = 1\ny = 3'), markdown('# Results'), code('print(x)'), code('plot(y)')]);
    const m = merge(base, local, remote);
    assert.deepEqual(sources(m), ['import os', 'x = 1\ny = 3', '# Results', 'print(x)', 'plot(y)']);
    const cell = m.cells[1];
    assert.ok(cell);
    assert.deepEqual(cell.conflicts, [{ kind: 'deleted', deletedBy: 'local' }]);
    assert.deepEqual([cell.base, cell.local, cell.remote], [1, null, 1]);
    assert.equal(cell.versions?.remote?.source, 'x = 1\ny = 3');
    assert.equal(cell.versions?.base?.source, 'x = 1\ny = 2');
    assert.equal(cell.versions?.local, undefined);
    assert.equal(m.stats.conflicts, 1);

    // The other way round: remote deleted, local changed the metadata (tags).
    const tagged = notebook([code('import os'), code('x = 1\ny = 2', { metadata: { tags: ['parameters'] } }), markdown('# Results'), code('print(x)'), code('plot(y)')]);
    const r = merge(base, tagged, local);
    assert.deepEqual(r.cells[1]?.conflicts, [{ kind: 'deleted', deletedBy: 'remote' }]);
    assert.deepEqual(r.cells[1]?.cell.metadata, { tags: ['parameters'] });
  });

  it('a cell deleted on one side whose other side changed only outputs, counts or volatile metadata is deleted', () => {
    const local = notebook([code('import os'), markdown('# Results'), code('print(x)'), code('plot(y)')]);
    const rerun = notebook([
      code('import os'),
      code('x = 1\ny = 2', { outputs: [stream('done\n')], execution_count: 7, metadata: { ExecuteTime: { end_time: '2026-01-01' } } }),
      markdown('# Results'),
      code('print(x)'),
      code('plot(y)'),
    ]);
    const m = merge(base, local, rerun);
    assert.deepEqual(sources(m), ['import os', '# Results', 'print(x)', 'plot(y)']);
    assert.deepEqual(m.decisions, [{ kind: 'deletedCell', by: 'local', base: 1, lines: ['x = 1', 'y = 2'] }]);
  });

  it('crossing deletions (each side deleted cells the other kept) conflict instead of emptying the stretch (nbdime#597)', () => {
    const parts = Array.from({ length: 10 }, (_, i) => `part_${i + 1} = load("part-${i + 1}.parquet")`);
    const without = (drop: number[]) => notebook(parts.filter((_, i) => !drop.includes(i + 1)).map((s) => code(s)));
    const m = merge(without([]), without([3, 6, 7, 8]), without([4, 5, 6, 7]));
    assert.deepEqual(
      m.cells.map((c) => [c.cell.source.split(' ')[0], c.conflicts.map((k) => (k.kind === 'deleted' ? `deleted by ${k.deletedBy}` : k.kind)).join()]),
      [['part_1', ''], ['part_2', ''], ['part_3', 'deleted by local'], ['part_4', 'deleted by remote'], ['part_5', 'deleted by remote'], ['part_8', 'deleted by local'], ['part_9', ''], ['part_10', '']],
    );
    assert.deepEqual(m.decisions.map((d) => (d.kind === 'deletedCell' ? `${d.base}:${d.by}` : d.kind)), ['5:both', '6:both']);
    // One side deleting a subset of the other's deletions is no crossing: all of it goes.
    const subset = merge(without([]), without([3]), without([3, 4]));
    assert.equal(subset.stats.conflicts, 0);
    assert.equal(subset.cells.length, 8);
  });

  it('a cell both sides deleted is deleted by both', () => {
    const gone = notebook([code('import os'), markdown('# Results'), code('print(x)'), code('plot(y)')]);
    const m = merge(base, gone, gone);
    assert.deepEqual(m.decisions, [{ kind: 'deletedCell', by: 'both', base: 1, lines: ['x = 1', 'y = 2'] }]);
    assert.equal(m.stats.deleted, 1);
  });

  it('a cell both sides rewrote in place is one source conflict, not two cells', () => {
    // As nbdime's source-conflict test: every line but one changed, differently on each side.
    const b = notebook([markdown('intro'), code('test\nhello\nmore\ntext\nworld'), markdown('end')]);
    const l = notebook([markdown('intro'), code('test 2\nhello 2\nmore\ntext 2\nworld 2'), markdown('end')]);
    const r = notebook([markdown('intro'), code('test 3\nhello 3\nmore\ntext 3\nworld 3'), markdown('end')]);
    const m = merge(b, l, r);
    assert.equal(m.cells.length, 3);
    assert.deepEqual([m.cells[1]?.base, m.cells[1]?.conflicts.map((k) => k.kind)], [1, ['source']]);
    assert.equal(m.cells[1]?.versions?.base?.source, 'test\nhello\nmore\ntext\nworld');
    // Rewritten on one side only: simply that side's cell, in place.
    assert.deepEqual(sources(merge(b, l, b)), ['intro', 'test 2\nhello 2\nmore\ntext 2\nworld 2', 'end']);
    assert.equal(merge(b, l, b).cells[1]?.origin, 'local');
  });

  it('cells with ids pair by id even when rewritten', () => {
    const withIds = notebook([code('a = 1', { id: 'c1' }), code('b = 2', { id: 'c2' }), code('c = 3', { id: 'c3' })]);
    const local = notebook([code('completely different', { id: 'c1' }), code('b = 2', { id: 'c2' }), code('c = 3', { id: 'c3' })]);
    const remote = notebook([code('c = 3', { id: 'c3' }), code('a = 1', { id: 'c1' }), code('b = 2', { id: 'c2' })]);
    const m = merge(withIds, local, remote);
    assert.deepEqual(sources(m), ['c = 3', 'completely different', 'b = 2']);
    assert.deepEqual(m.cells.map((c) => c.cell.id), ['c3', 'c1', 'c2']);
    assert.equal(m.stats.conflicts, 0);
  });

  it('empty notebooks merge to nothing; one side filling an empty base is taken', () => {
    const empty = notebook([]);
    assert.deepEqual(merge(empty, empty, empty).cells, []);
    const m = merge(empty, empty, base);
    assert.deepEqual(sources(m), sources(merge(base, base, base)));
    assert.ok(m.cells.every((c) => c.origin === 'remote'));
  });
});
