import assert from 'node:assert/strict';
import { commonSubsequence } from '../../../src/core/diff/myers.ts';
import { seededRandom } from '../../support/syntheticNotebook.ts';

/** Length of a longest common subsequence by the textbook O(NM) table. */
function lcsLength(a: number[], b: number[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let diag = 0;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j] as number;
      row[j] = a[i - 1] === b[j - 1] ? diag + 1 : Math.max(up, row[j - 1] as number);
      diag = up;
    }
  }
  return row[b.length] as number;
}

function checkValid(a: number[], b: number[], matches: Array<[number, number]>): void {
  let lastI = -1;
  let lastJ = -1;
  for (const [i, j] of matches) {
    if (!(i > lastI && j > lastJ)) assert.fail(`pairs must increase: ${JSON.stringify(matches)}`);
    if (a[i] !== b[j]) assert.fail(`a[${i}] must equal b[${j}]`);
    lastI = i;
    lastJ = j;
  }
}

describe('diff: Myers common subsequence', () => {
  it('finds a longest common subsequence on the classic example', () => {
    const a = [...'ABCABBA'].map((c) => c.charCodeAt(0));
    const b = [...'CBABAC'].map((c) => c.charCodeAt(0));
    const m = commonSubsequence(a, b);
    checkValid(a, b, m);
    assert.equal(m.length, 4);
  });

  it('handles empty, identical, disjoint and one-sided inputs', () => {
    assert.deepEqual(commonSubsequence([], [1, 2]), []);
    assert.deepEqual(commonSubsequence([1, 2], []), []);
    assert.deepEqual(commonSubsequence([1, 2, 3], [1, 2, 3]), [[0, 0], [1, 1], [2, 2]]);
    assert.deepEqual(commonSubsequence([1, 2, 3], [4, 5, 6]), []);
    assert.deepEqual(commonSubsequence([7], [1, 2, 7, 3]), [[0, 2]]);
  });

  it('matches the O(NM) table on 3000 random pairs (small alphabets, unequal lengths)', () => {
    const next = seededRandom(42);
    for (let round = 0; round < 3000; round++) {
      const alphabet = 1 + Math.floor(next() * 6);
      const a = Array.from({ length: Math.floor(next() * 30) }, () => Math.floor(next() * alphabet));
      const b = Array.from({ length: Math.floor(next() * 30) }, () => Math.floor(next() * alphabet));
      const m = commonSubsequence(a, b);
      checkValid(a, b, m);
      const expected = lcsLength(a, b);
      if (m.length !== expected) assert.fail(`LCS ${m.length} ≠ ${expected} for a=${JSON.stringify(a)} b=${JSON.stringify(b)}`);
    }
  });

  it('stays minimal on long sequences with few edits', () => {
    const next = seededRandom(7);
    const a = Array.from({ length: 5000 }, (_, i) => i);
    const b = a.filter(() => next() > 0.02);
    for (let k = 0; k < 50; k++) b.splice(Math.floor(next() * b.length), 0, 100_000 + k);
    const m = commonSubsequence(a, b);
    checkValid(a, b, m);
    assert.equal(m.length, b.length - 50);
  });

  it('past its cost bound, stays valid and close to the longest', () => {
    const next = seededRandom(11);
    for (let round = 0; round < 10; round++) {
      // Random sequences over 40 symbols differ in over a thousand places: far past the bound of 256 rounds.
      const a = Array.from({ length: 1500 }, () => Math.floor(next() * 40));
      const b = Array.from({ length: 1500 }, () => Math.floor(next() * 40));
      const m = commonSubsequence(a, b);
      checkValid(a, b, m);
      const best = lcsLength(a, b);
      assert.ok(m.length >= 0.9 * best, `${m.length} of ${best}`);
    }
  });

  it('returns a valid (if not longest) result quickly on a shuffle past its cost bound', () => {
    const next = seededRandom(9);
    const a = Array.from({ length: 20_000 }, (_, i) => i % 5000);
    const b = [...a].sort(() => next() - 0.5);
    const start = performance.now();
    const m = commonSubsequence(a, b);
    checkValid(a, b, m);
    assert.ok(m.length > 0);
    assert.ok(performance.now() - start < 20_000);
  });
});
