// Property-style: random edits, inserts, deletes and moves on a 300-cell synthetic notebook (seeded),
// checked against the known answer.
import assert from 'node:assert/strict';
import { diffNotebooks } from '../../../src/core/diff/diffNotebooks.ts';
import type { NotebookDiff } from '../../../src/core/diff/model.ts';
import { parseNotebook } from '../../../src/core/notebook/readNotebook.ts';
import { syntheticPair, type SyntheticPair } from '../../support/syntheticNotebook.ts';

function run(pair: SyntheticPair): NotebookDiff {
  return diffNotebooks({ notebook: parseNotebook(pair.base, 'base.ipynb'), name: 'base' }, { notebook: parseNotebook(pair.remote, 'remote.ipynb'), name: 'remote' });
}

function kindsByPair(diff: NotebookDiff): Map<string, string> {
  return new Map(diff.cells.map((c) => [`${c.baseIndex ?? '-'}→${c.remoteIndex ?? '-'}`, c.kind]));
}

function assertEveryCellOnce(diff: NotebookDiff, pair: SyntheticPair): void {
  const baseSeen = new Array<number>(pair.baseCells).fill(0);
  const remoteSeen = new Array<number>(pair.remoteCells).fill(0);
  for (const c of diff.cells) {
    assert.equal(c.baseIndex === null, c.kind === 'added', `only added cells lack a base index: ${JSON.stringify(c)}`);
    assert.equal(c.remoteIndex === null, c.kind === 'removed', `only removed cells lack a remote index: ${JSON.stringify(c)}`);
    if (c.baseIndex !== null) baseSeen[c.baseIndex] = (baseSeen[c.baseIndex] as number) + 1;
    if (c.remoteIndex !== null) remoteSeen[c.remoteIndex] = (remoteSeen[c.remoteIndex] as number) + 1;
  }
  assert.deepEqual(baseSeen.filter((n) => n !== 1), [], 'every base cell exactly once');
  assert.deepEqual(remoteSeen.filter((n) => n !== 1), [], 'every remote cell exactly once');
  // Reading order: remote positions increase along the list.
  const remotes = diff.cells.flatMap((c) => (c.remoteIndex === null ? [] : [c.remoteIndex]));
  assert.deepEqual(remotes, [...remotes].sort((x, y) => x - y));
}

describe('diff: random edits to a 300-cell notebook', function () {
  this.timeout(60_000);

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
    it(`seed ${seed}: every cell once, edits modified, moves moved, the rest unchanged`, () => {
      const pair = syntheticPair({ cells: 300, seed, edits: 0.1, inserts: 0.05, deletes: 0.05, moves: 4 });
      const diff = run(pair);
      assertEveryCellOnce(diff, pair);
      const kinds = kindsByPair(diff);
      const wrong = (pairs: Array<[number, number]>, kind: string) => pairs.filter(([i, j]) => kinds.get(`${i}→${j}`) !== kind).map(([i, j]) => `${i}→${j} is ${kinds.get(`${i}→${j}`) ?? 'split'}`);
      assert.deepEqual(wrong(pair.edited, 'modified'), [], 'edited cells are modified, not removed + added');
      assert.deepEqual(wrong(pair.moved, 'moved'), [], 'moved cells are moved');
      assert.deepEqual(wrong(pair.unchanged, 'unchanged'), [], 'untouched cells are unchanged');
      // A deleted cell may pair with an inserted look-alike (cut from the same template), but with
      // nothing else, and rarely.
      const paired = diff.cells.filter((c) => c.baseIndex !== null && pair.deleted.includes(c.baseIndex) && c.kind !== 'removed');
      assert.ok(paired.every((c) => pair.inserted.includes(c.remoteIndex ?? -1)));
      assert.ok(paired.length <= 2, `${paired.length} deleted cells paired with inserted ones`);
      assert.equal(diff.stats.removed + paired.length, pair.deleted.length);
      assert.equal(diff.stats.added + paired.length, pair.inserted.length);
    });
  }

  it('with cell ids, inserts and deletes are exactly added and removed', () => {
    for (const seed of [21, 22, 23]) {
      const pair = syntheticPair({ cells: 300, seed, edits: 0.1, inserts: 0.05, deletes: 0.05, moves: 4, ids: true });
      const diff = run(pair);
      assertEveryCellOnce(diff, pair);
      const kinds = kindsByPair(diff);
      assert.deepEqual(pair.inserted.filter((j) => kinds.get(`-→${j}`) !== 'added'), []);
      assert.deepEqual(pair.deleted.filter((i) => kinds.get(`${i}→-`) !== 'removed'), []);
      assert.ok(pair.edited.every(([i, j]) => kinds.get(`${i}→${j}`) === 'modified'));
      assert.ok(diff.cells.every((c) => c.matchedBy === undefined || c.matchedBy === 'id'));
    }
  });

  it('a notebook diffed with itself has no changes, and a rewritten one is all removed + added', () => {
    const pair = syntheticPair({ cells: 300, seed: 99, edits: 0, inserts: 0, deletes: 0 });
    const same = run({ ...pair, remote: pair.base, remoteCells: pair.baseCells });
    assert.equal(same.stats.hasChanges, false);
    assert.equal(same.stats.unchanged, 300);
    const other = syntheticPair({ cells: 200, seed: 100, edits: 0, inserts: 0, deletes: 0 });
    const diff = diffNotebooks({ notebook: parseNotebook(pair.base, 'a'), name: 'a' }, { notebook: parseNotebook(other.base.replaceAll(/_(\d+)/g, '_x$1'), 'b'), name: 'b' });
    assertEveryCellOnce(diff, { ...pair, remoteCells: 200 });
  });
});
