// Applying the user's choices to a real merge (mergeNotebooks over notebooks read by the real
// reader): each way to take a conflicted cell, output choices, notebook metadata by path, and the
// error that names what is left.
import assert from 'node:assert/strict';
import { applyResolutions, MergeUnresolvedError, NO_RESOLUTIONS, unresolvedConflicts } from '../../../src/core/merge/resolve.ts';
import type { CellResolution, MergeResolutions, NotebookMerge } from '../../../src/core/merge/model.ts';
import { code, markdown, merge, notebook, result, stream } from './notebooks.ts';

const withCells = (cells: Record<number, CellResolution>, metadata: MergeResolutions['metadata'] = {}): MergeResolutions => ({ cells, metadata });
const srcs = (m: NotebookMerge, r: MergeResolutions) => applyResolutions(m, r).cells.map((c) => c.source);

describe('core/merge: applying resolutions', () => {
  const base = notebook([markdown('# Title'), code('a = 1\nb = 2\n'), code('c = 3')]);

  it('gives the merged notebook for a clean merge with no resolutions', () => {
    const local = notebook([markdown('# Title'), code('a = 10\nb = 2\n'), code('c = 3')]);
    const remote = notebook([markdown('# Title'), code('a = 1\nb = 2\n'), code('c = 30')]);
    const m = merge(base, local, remote);
    assert.deepEqual(unresolvedConflicts(m, NO_RESOLUTIONS), { cells: [], metadata: [] });
    const nb = applyResolutions(m, NO_RESOLUTIONS);
    assert.deepEqual(nb.cells.map((c) => c.source), ['# Title', 'a = 10\nb = 2\n', 'c = 30']);
    assert.equal(nb.nbformat, 4);
    assert.equal(nb.nbformatMinor, 5);
  });

  describe('a source conflict', () => {
    const local = notebook([markdown('# Title'), code('a = 10\nb = 2\n', { execution_count: 4, outputs: [stream('ours\n')] }), code('c = 3')]);
    const remote = notebook([markdown('# Title'), code('a = 11\nb = 2\n', { execution_count: 7, outputs: [stream('theirs\n')] }), code('c = 3')]);
    const m = merge(base, local, remote, { outputs: 'clear' });
    const k = m.cells.findIndex((c) => c.conflicts.length > 0);

    it('is named by the error and by unresolvedConflicts until it has a resolution', () => {
      assert.equal(k, 1);
      assert.deepEqual(unresolvedConflicts(m, NO_RESOLUTIONS), { cells: [1], metadata: [] });
      assert.throws(() => applyResolutions(m, NO_RESOLUTIONS), (e: unknown) => e instanceof MergeUnresolvedError && e.message === '1 merge conflict is not resolved yet: cell 2.' && e.cells[0] === 1);
      // A resolution with an unknown `take` (a damaged message) does not count.
      assert.deepEqual(unresolvedConflicts(m, withCells({ 1: { take: 'maybe' } as unknown as CellResolution })).cells, [1]);
      assert.deepEqual(unresolvedConflicts(m, withCells({ 1: { take: 'local' } })), { cells: [], metadata: [] });
    });

    it('takes local, remote, both in order, base, or deletes the cell', () => {
      assert.deepEqual(srcs(m, withCells({ 1: { take: 'local' } })), ['# Title', 'a = 10\nb = 2\n', 'c = 3']);
      assert.deepEqual(srcs(m, withCells({ 1: { take: 'remote' } })), ['# Title', 'a = 11\nb = 2\n', 'c = 3']);
      assert.deepEqual(srcs(m, withCells({ 1: { take: 'both' } })), ['# Title', 'a = 10\nb = 2\n', 'a = 11\nb = 2\n', 'c = 3']);
      assert.deepEqual(srcs(m, withCells({ 1: { take: 'base' } })), ['# Title', 'a = 1\nb = 2\n', 'c = 3']);
      assert.deepEqual(srcs(m, withCells({ 1: { take: 'delete' } })), ['# Title', 'c = 3']);
    });

    it('takes an edited source with the rest of the local version', () => {
      const nb = applyResolutions(m, withCells({ 1: { take: 'edited', source: 'a = 12\nb = 2\n' } }));
      assert.equal(nb.cells[1]?.source, 'a = 12\nb = 2\n');
      assert.deepEqual(nb.cells[1]?.outputs, m.cells[1]?.versions?.local?.outputs);
      assert.equal(nb.cells[1]?.cellType, 'code');
    });

    it('clears conflicting outputs by policy, and lets a resolution choose them again', () => {
      assert.deepEqual(m.cells[1]?.outputs?.policy, 'clear');
      const cleared = applyResolutions(m, withCells({ 1: { take: 'local' } })).cells[1];
      assert.deepEqual([cleared?.outputs, cleared?.executionCount], [[], null]);
      const theirs = applyResolutions(m, withCells({ 1: { take: 'local', outputs: 'remote' } })).cells[1];
      assert.deepEqual([theirs?.source, theirs?.outputs, theirs?.executionCount], ['a = 10\nb = 2\n', [{ outputType: 'stream', name: 'stdout', text: 'theirs\n' }], 7]);
      const ours = applyResolutions(m, withCells({ 1: { take: 'remote', outputs: 'local' } })).cells[1];
      assert.deepEqual([ours?.source, ours?.executionCount, ours?.outputs.length], ['a = 11\nb = 2\n', 4, 1]);
      const both = applyResolutions(m, withCells({ 1: { take: 'local', outputs: 'both' } })).cells[1];
      assert.deepEqual([both?.outputs.map((o) => (o.outputType === 'stream' ? o.text : '')), both?.executionCount], [['ours\n', 'theirs\n'], null]);
      assert.deepEqual(applyResolutions(m, withCells({ 1: { take: 'local', outputs: 'clear' } })).cells[1]?.outputs, []);
    });

    it('keeps both versions each with its own side’s outputs, whatever outputs were chosen, unless cleared', () => {
      const texts = (nb: ReturnType<typeof applyResolutions>) => nb.cells.slice(1, 3).map((c) => [c.source, c.outputs.map((o) => (o.outputType === 'stream' ? o.text : '')), c.executionCount]);
      const own = [['a = 10\nb = 2\n', ['ours\n'], 4], ['a = 11\nb = 2\n', ['theirs\n'], 7]];
      for (const outputs of ['both', 'local', 'remote'] as const) assert.deepEqual(texts(applyResolutions(m, withCells({ 1: { take: 'both', outputs } }))), own, outputs);
      assert.deepEqual(texts(applyResolutions(m, withCells({ 1: { take: 'both', outputs: 'clear' } }))), [['a = 10\nb = 2\n', [], null], ['a = 11\nb = 2\n', [], null]]);
      // Without an outputs choice, both versions have what the policy decided (cleared here).
      assert.deepEqual(texts(applyResolutions(m, withCells({ 1: { take: 'both' } }))), [['a = 10\nb = 2\n', [], null], ['a = 11\nb = 2\n', [], null]]);
    });

    it('leaves the merge as it was (applying twice gives the same notebook)', () => {
      const r = withCells({ 1: { take: 'both', outputs: 'local' } });
      const first = applyResolutions(m, r);
      first.cells[1]!.source = 'changed';
      first.cells[1]!.outputs.length = 0;
      assert.notEqual(applyResolutions(m, r).cells[1]?.source, 'changed');
      assert.equal(applyResolutions(m, r).cells[1]?.outputs.length, 1);
    });
  });

  it('resolves a cell deleted on one side and edited on the other: taking the deleting side deletes it', () => {
    const local = notebook([markdown('# Title'), code('c = 3')]);
    const remote = notebook([markdown('# Title'), code('a = 1\nb = 20\n'), code('c = 3')]);
    const m = merge(base, local, remote);
    const k = m.cells.findIndex((c) => c.conflicts.some((x) => x.kind === 'deleted'));
    assert.ok(k >= 0);
    assert.deepEqual(srcs(m, withCells({ [k]: { take: 'local' } })), ['# Title', 'c = 3']);
    assert.deepEqual(srcs(m, withCells({ [k]: { take: 'remote' } })), ['# Title', 'a = 1\nb = 20\n', 'c = 3']);
    assert.deepEqual(srcs(m, withCells({ [k]: { take: 'both' } })), ['# Title', 'a = 1\nb = 20\n', 'c = 3']);
    assert.deepEqual(srcs(m, withCells({ [k]: { take: 'edited', source: 'b = 21\n' } })), ['# Title', 'b = 21\n', 'c = 3']);
  });

  it('accepts an outputs-only resolution on a cell without conflicts', () => {
    const b = notebook([code('x = 1', { execution_count: 1, outputs: [result(1, '1')] })]);
    const l = notebook([code('x = 1', { execution_count: 2, outputs: [result(2, 'one')] })]);
    const r = notebook([code('x = 1', { execution_count: 3, outputs: [result(3, 'uno')] })]);
    const m = merge(b, l, r, { outputs: 'clear' });
    assert.equal(m.cells[0]?.conflicts.length, 0);
    assert.deepEqual(m.cells[0]?.cell.outputs, []);
    const nb = applyResolutions(m, withCells({ 0: { take: 'local', outputs: 'remote' } }));
    const out = nb.cells[0]?.outputs[0];
    assert.equal(out?.outputType === 'execute_result' ? out.data['text/plain'] : undefined, 'uno');
    assert.equal(nb.cells[0]?.executionCount, 3);
    assert.equal(applyResolutions(m, withCells({ 0: { take: 'both' } })).cells.length, 1, '"both" of a cell without versions is the cell once');
  });

  it('never writes the conflict notebook’s notebook-level record (`labbook.merge`), keeping the rest of `labbook`', () => {
    const meta = (extra: object) => ({ labbook: { merge: { conflicts: [], cellCount: 1 }, pinned: true }, ...extra });
    const m = merge(notebook([code('x')], meta({})), notebook([code('x')], meta({ a: 1 })), notebook([code('x')], meta({ b: 2 })));
    assert.deepEqual(applyResolutions(m, NO_RESOLUTIONS).metadata, { labbook: { pinned: true }, a: 1, b: 2 });
    const only = merge(notebook([code('x')], { labbook: { merge: {} } }), notebook([code('x')], { labbook: { merge: {} } }), notebook([code('y')], { labbook: { merge: {} } }));
    assert.deepEqual(applyResolutions(only, NO_RESOLUTIONS).metadata, {});
  });

  it('resolves notebook metadata conflicts by path, deleting a key whose chosen value is absent', () => {
    const b = notebook([code('x')], { kernelspec: { name: 'python3', display_name: 'Python 3' }, owner: 'ada' });
    const l = notebook([code('x')], { kernelspec: { name: 'python3', display_name: 'Py (ours)' } });
    const r = notebook([code('x')], { kernelspec: { name: 'python3', display_name: 'Py (theirs)' }, owner: 'grace' });
    const m = merge(b, l, r);
    assert.deepEqual(m.metadata.conflicts.map((c) => c.path.join('/')).sort(), ['kernelspec/display_name', 'owner']);
    assert.deepEqual(unresolvedConflicts(m, NO_RESOLUTIONS).metadata.sort(), ['kernelspec/display_name', 'owner']);
    assert.throws(() => applyResolutions(m, withCells({}, { owner: 'local' })), /1 merge conflict is not resolved yet: notebook metadata 'kernelspec\/display_name'\./);
    const ours = applyResolutions(m, withCells({}, { owner: 'local', 'kernelspec/display_name': 'local' }));
    assert.deepEqual(ours.metadata, { kernelspec: { name: 'python3', display_name: 'Py (ours)' } });
    const theirs = applyResolutions(m, withCells({}, { owner: 'remote', 'kernelspec/display_name': 'remote' }));
    assert.deepEqual(theirs.metadata, { kernelspec: { name: 'python3', display_name: 'Py (theirs)' }, owner: 'grace' });
    const based = applyResolutions(m, withCells({}, { owner: 'base', 'kernelspec/display_name': 'base' }));
    assert.deepEqual(based.metadata, { kernelspec: { name: 'python3', display_name: 'Python 3' }, owner: 'ada' });
  });
});
