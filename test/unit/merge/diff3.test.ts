// The line-level diff3 under every source merge.
import assert from 'node:assert/strict';
import { diff3Chunks, diff3Lines } from '../../../src/core/merge/diff3.ts';

const lines = (text: string) => (text === '' ? [] : text.split(' '));

describe('merge: diff3Lines', () => {
  it('unchanged texts are one ok region; empty texts none', () => {
    assert.deepEqual(diff3Lines(lines('a b c'), lines('a b c'), lines('a b c')), [{ ok: ['a', 'b', 'c'] }]);
    assert.deepEqual(diff3Lines([], [], []), []);
  });

  it('takes a change made on one side only', () => {
    assert.deepEqual(diff3Lines(lines('a b c'), lines('a B c'), lines('a b c')), [{ ok: ['a', 'B', 'c'] }]);
    assert.deepEqual(diff3Lines(lines('a b c'), lines('a b c'), lines('a c')), [{ ok: ['a', 'c'] }]);
    assert.deepEqual(diff3Lines(lines('a b c'), lines('a b c'), lines('z a b c d')), [{ ok: ['z', 'a', 'b', 'c', 'd'] }]);
  });

  it('combines changes separated by a line both kept', () => {
    assert.deepEqual(diff3Lines(lines('a b c d e'), lines('A b c d e'), lines('a b c d E')), [{ ok: ['A', 'b', 'c', 'd', 'E'] }]);
    assert.deepEqual(diff3Lines(lines('a b c'), lines('x a b c'), lines('a b c y')), [{ ok: ['x', 'a', 'b', 'c', 'y'] }]);
  });

  it('a change made alike on both sides is no conflict', () => {
    assert.deepEqual(diff3Lines(lines('a b c'), lines('a X c'), lines('a X c')), [{ ok: ['a', 'X', 'c'] }]);
    assert.deepEqual(diff3Lines(lines('a b c'), lines('a c'), lines('a c')), [{ ok: ['a', 'c'] }]);
  });

  it('different changes to the same lines conflict, with each side and the base', () => {
    assert.deepEqual(diff3Lines(lines('a b c'), lines('a X c'), lines('a Y c')), [
      { ok: ['a'] },
      { conflict: { base: ['b'], local: ['X'], remote: ['Y'] } },
      { ok: ['c'] },
    ]);
    // One side edits a line the other deleted.
    assert.deepEqual(diff3Lines(lines('a b c'), lines('a X c'), lines('a c')), [
      { ok: ['a'] },
      { conflict: { base: ['b'], local: ['X'], remote: [] } },
      { ok: ['c'] },
    ]);
  });

  it('adjacent changes with no line kept between them conflict (as diff3 and git do)', () => {
    const regions = diff3Lines(lines('a b c'), lines('A b c'), lines('a B c'));
    assert.deepEqual(regions, [{ conflict: { base: ['a', 'b'], local: ['A', 'b'], remote: ['a', 'B'] } }, { ok: ['c'] }]);
  });

  it('a conflict is trimmed of the lines both sides agree on at its ends', () => {
    // Both inserted at the same place, sharing the first and last lines.
    assert.deepEqual(diff3Lines(lines('a'), lines('a h x t'), lines('a h y t')), [
      { ok: ['a', 'h'] },
      { conflict: { base: [], local: ['x'], remote: ['y'] } },
      { ok: ['t'] },
    ]);
    // An empty base (a cell both added): one conflict unless the texts agree.
    assert.deepEqual(diff3Lines([], lines('p q'), lines('p r')), [{ ok: ['p'] }, { conflict: { base: [], local: ['q'], remote: ['r'] } }]);
    assert.deepEqual(diff3Lines([], lines('p q'), lines('p q')), [{ ok: ['p', 'q'] }]);
  });

  it('chunks say where each run came from', () => {
    const kinds = diff3Chunks(lines('a b c d e'), lines('a B c d e'), lines('a b c d')).map((c) => c.kind);
    assert.deepEqual(kinds, ['stable', 'local', 'stable', 'remote']);
  });

  it('duplicate lines and reordering keep every side line in the merge or a conflict', () => {
    const base = lines('x x y x');
    const local = lines('x y x x');
    const remote = lines('y x x x');
    for (const region of diff3Lines(base, local, remote)) {
      if ('ok' in region) assert.ok(region.ok.length > 0);
      else assert.ok(region.conflict.local.length + region.conflict.remote.length > 0);
    }
  });
});
