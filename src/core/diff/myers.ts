// Myers' O(ND) difference algorithm, in linear space (the "middle snake" divide and conquer of
// Myers 1986, §4b), over sequences of integer keys. This is the one primitive under every diff
// here: cells (keys = cell hashes), lines, words. It can be swapped for `fast-myers-diff`, which
// implements the same algorithm; this copy adds two things the callers rely on:
//   - elements that occur on one side only are dropped before searching (they can never match),
//     so a rewritten notebook costs O(N) instead of O(N·D);
//   - past a cost bound the search splits at its furthest point instead of insisting on the
//     shortest script (as git's xdiff does), so pathological inputs (shuffled lines) stay bounded.
//     The result is then still a valid common subsequence, just possibly not the longest.

/** Matched index pairs `[i, j]` (a[i] === b[j]), strictly increasing in both i and j. */
export type Matches = Array<[number, number]>;

/** A longest common subsequence of `a` and `b`, as index pairs. */
export function commonSubsequence(a: ArrayLike<number>, b: ArrayLike<number>): Matches {
  // Keep only elements present on both sides, remembering where each came from.
  const inB = new Set<number>();
  for (let j = 0; j < b.length; j++) inB.add(b[j] as number);
  const inA = new Set<number>();
  const aIdx: number[] = [];
  const aKeys: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const key = a[i] as number;
    inA.add(key);
    if (inB.has(key)) {
      aIdx.push(i);
      aKeys.push(key);
    }
  }
  const bIdx: number[] = [];
  const bKeys: number[] = [];
  for (let j = 0; j < b.length; j++) {
    const key = b[j] as number;
    if (inA.has(key)) {
      bIdx.push(j);
      bKeys.push(key);
    }
  }
  const out: Matches = [];
  if (aKeys.length === 0 || bKeys.length === 0) return out;
  const search = new Search(Int32Array.from(aKeys), Int32Array.from(bKeys));
  search.lcs(0, aKeys.length, 0, bKeys.length, out);
  for (const pair of out) {
    pair[0] = aIdx[pair[0]] as number;
    pair[1] = bIdx[pair[1]] as number;
  }
  return out;
}

class Search {
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private readonly vf: Int32Array;
  private readonly vb: Int32Array;
  private readonly offset: number;

  constructor(a: Int32Array, b: Int32Array) {
    this.a = a;
    this.b = b;
    const max = a.length + b.length + 2;
    this.vf = new Int32Array(2 * max + 1);
    this.vb = new Int32Array(2 * max + 1);
    this.offset = max;
  }

  /** Appends the matches of a[aLo, aHi) × b[bLo, bHi) to `out`, in order. */
  lcs(aLo: number, aHi: number, bLo: number, bHi: number, out: Matches): void {
    const { a, b } = this;
    while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) out.push([aLo++, bLo++]);
    let suffix = 0;
    while (aLo < aHi - suffix && bLo < bHi - suffix && a[aHi - 1 - suffix] === b[bHi - 1 - suffix]) suffix++;
    aHi -= suffix;
    bHi -= suffix;
    if (aLo < aHi && bLo < bHi) {
      const [x0, y0, x1, y1] = this.middleSnake(aLo, aHi, bLo, bHi);
      this.lcs(aLo, x0, bLo, y0, out);
      for (let x = x0, y = y0; x < x1; x++, y++) out.push([x, y]);
      this.lcs(x1, aHi, y1, bHi, out);
    }
    for (let k = 0; k < suffix; k++) out.push([aHi + k, bHi + k]);
  }

  /**
   * The middle snake of a shortest edit script of a[aLo,aHi) → b[bLo,bHi) as absolute
   * [x0, y0, x1, y1] (a diagonal run from (x0,y0) to (x1,y1), possibly empty). Both ranges are
   * non-empty and differ at both ends, so the split always makes both halves smaller.
   */
  private middleSnake(aLo: number, aHi: number, bLo: number, bHi: number): [number, number, number, number] {
    const { a, b, vf, vb, offset: o } = this;
    const n = aHi - aLo;
    const m = bHi - bLo;
    const delta = n - m;
    const odd = (delta & 1) !== 0;
    // Past this many rounds, give up on minimality (see the file comment).
    const maxCost = Math.max(256, Math.ceil(Math.sqrt(n + m)) * 4);
    vf[o + 1] = 0;
    vb[o + 1] = 0;
    const dMax = Math.ceil((n + m) / 2);
    for (let d = 0; d <= dMax; d++) {
      // Forward: vf[k] = furthest x on diagonal k = x - y, from the top left.
      for (let k = -d; k <= d; k += 2) {
        let x = k === -d || (k !== d && (vf[o + k - 1] as number) < (vf[o + k + 1] as number)) ? (vf[o + k + 1] as number) : (vf[o + k - 1] as number) + 1;
        let y = x - k;
        const sx = x;
        const sy = y;
        while (x < n && y < m && a[aLo + x] === b[bLo + y]) {
          x++;
          y++;
        }
        vf[o + k] = x;
        const c = delta - k; // the same diagonal, seen from the bottom right
        if (odd && c >= -(d - 1) && c <= d - 1 && x + (vb[o + c] as number) >= n) {
          return [aLo + sx, bLo + sy, aLo + x, bLo + y];
        }
      }
      // Backward: vb[c] = furthest distance from the bottom right on reversed diagonal c.
      for (let c = -d; c <= d; c += 2) {
        let x = c === -d || (c !== d && (vb[o + c - 1] as number) < (vb[o + c + 1] as number)) ? (vb[o + c + 1] as number) : (vb[o + c - 1] as number) + 1;
        let y = x - c;
        const sx = x;
        const sy = y;
        while (x < n && y < m && a[aHi - 1 - x] === b[bHi - 1 - y]) {
          x++;
          y++;
        }
        vb[o + c] = x;
        const k = delta - c;
        if (!odd && k >= -d && k <= d && x + (vf[o + k] as number) >= n) {
          return [aHi - x, bHi - y, aHi - sx, bHi - sy];
        }
      }
      if (d >= maxCost) return this.furthestSplit(d, n, m, aLo, bLo, aHi, bHi);
    }
    // Unreachable: paths of total length n + m always meet.
    throw new Error('myers: no middle snake');
  }

  /** The point either search has pushed furthest towards the other corner, as an empty snake. */
  private furthestSplit(d: number, n: number, m: number, aLo: number, bLo: number, aHi: number, bHi: number): [number, number, number, number] {
    const { vf, vb, offset: o } = this;
    let best = -1;
    let point: [number, number] = [0, 0];
    for (let k = -d; k <= d; k += 2) {
      const x = Math.min(vf[o + k] as number, n);
      const y = x - k;
      if (y < 0 || y > m || x + y <= best || (x === n && y === m)) continue;
      best = x + y;
      point = [aLo + x, bLo + y];
    }
    for (let c = -d; c <= d; c += 2) {
      const x = Math.min(vb[o + c] as number, n);
      const y = x - c;
      if (y < 0 || y > m || x + y <= best || (x === n && y === m)) continue;
      best = x + y;
      point = [aHi - x, bHi - y];
    }
    return [point[0], point[1], point[0], point[1]];
  }
}

/** Maps strings to small integers, so texts can be diffed as integer sequences. */
export class Interner {
  private readonly ids = new Map<string, number>();

  get size(): number {
    return this.ids.size;
  }

  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(text, id);
    }
    return id;
  }
}
