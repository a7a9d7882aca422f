// Which cell of the base notebook became which cell of the remote one.
//
// 1. Anchors: each cell gets a key — its id when both notebooks have that id (once each, same cell
//    type), else its type and source — and a longest common subsequence of the two key sequences
//    (Myers, near-linear on typical edits) pairs the cells that stayed in order.
// 2. Exact moves: an unpaired cell whose key is also unpaired on the other side moved there.
// 3. Edits: in each gap between anchors, cells of the same type pair up by source similarity,
//    keeping order (the heaviest increasing chain of candidate pairs), so an edited cell is
//    "modified", not "removed + added". Candidates are bounded: all pairs of a small gap, a band
//    around the diagonal of a large one.
// 4. Edited moves: leftover cells that are very similar across gaps are paired as moved.
import type { NotebookCell } from '../notebook/notebookModel.ts';
import { jsonEqual } from './json.ts';
import { commonSubsequence, Interner } from './myers.ts';
import { SimilarityIndex } from './similarity.ts';
import { stripWhitespace } from './textDiff.ts';

export interface CellPair {
  base: number;
  remote: number;
  matchedBy: 'id' | 'content' | 'similarity';
}

export interface Alignment {
  /** Pairs that kept their relative order, increasing in both indices. */
  inOrder: CellPair[];
  /** Pairs that crossed other pairs: moved cells. */
  moved: CellPair[];
}

export interface AlignOptions {
  ignoreWhitespace: boolean;
}

/** Two cells of the same type at least this alike (weighted Dice, similarity.ts) are one cell, edited. */
export const EDIT_SIMILARITY = 0.5;
/** Across gaps the bar is higher: a far-away similar cell is more often a sibling than the same one. */
export const MOVE_SIMILARITY = 0.7;
/** Gaps up to this many candidate pairs compare every pair; larger ones a band around the diagonal. */
const DENSE_PAIRS = 40_000;
const BAND = 64;
/** Same outputs breaks ties between equally similar candidates. */
const SAME_OUTPUTS_BONUS = 0.02;

class Side {
  readonly cells: NotebookCell[];
  readonly keys: Int32Array;
  readonly keyIsId: Uint8Array;
  readonly paired: Uint8Array;

  constructor(cells: NotebookCell[], keys: Int32Array, keyIsId: Uint8Array) {
    this.cells = cells;
    this.keys = keys;
    this.keyIsId = keyIsId;
    this.paired = new Uint8Array(cells.length);
  }
}

/** Both sides, and the similarity index, built only when some cell is left to match by content. */
class Sides {
  readonly A: Side;
  readonly B: Side;
  private index: SimilarityIndex | undefined;

  constructor(A: Side, B: Side) {
    this.A = A;
    this.B = B;
  }

  similarity(i: number, j: number): number {
    this.index ??= new SimilarityIndex(this.A.cells, this.B.cells);
    return this.index.similarity(i, j);
  }
}

export function alignCells(base: NotebookCell[], remote: NotebookCell[], options: AlignOptions): Alignment {
  const keyInterner = new Interner();
  const sharedIds = usableIds(base, remote);
  const keysOf = (cells: NotebookCell[]) => {
    const keys = new Int32Array(cells.length);
    const isId = new Uint8Array(cells.length);
    cells.forEach((cell, index) => {
      if (cell.id !== undefined && sharedIds.has(cell.id)) {
        keys[index] = keyInterner.id(`i\0${cell.id}`);
        isId[index] = 1;
      } else {
        keys[index] = keyInterner.id(`c\0${cell.cellType}\0${options.ignoreWhitespace ? stripWhitespace(cell.source) : cell.source}`);
      }
    });
    return { keys, isId };
  };
  const a = keysOf(base);
  const b = keysOf(remote);
  const A = new Side(base, a.keys, a.isId);
  const B = new Side(remote, b.keys, b.isId);
  const sides = new Sides(A, B);
  const by = (i: number): CellPair['matchedBy'] => (A.keyIsId[i] ? 'id' : 'content');

  // 1. Anchors.
  const anchors: CellPair[] = commonSubsequence(A.keys, B.keys).map(([i, j]) => ({ base: i, remote: j, matchedBy: by(i) }));
  for (const p of anchors) {
    A.paired[p.base] = 1;
    B.paired[p.remote] = 1;
  }

  // 2. Exact moves.
  const moved: CellPair[] = [];
  const waiting = new Map<number, number[]>();
  for (let i = 0; i < base.length; i++) {
    if (A.paired[i]) continue;
    const key = A.keys[i] as number;
    const list = waiting.get(key);
    if (list) list.push(i);
    else waiting.set(key, [i]);
  }
  for (let j = 0; j < remote.length; j++) {
    if (B.paired[j]) continue;
    const i = waiting.get(B.keys[j] as number)?.shift();
    if (i === undefined) continue;
    moved.push({ base: i, remote: j, matchedBy: by(i) });
    A.paired[i] = 1;
    B.paired[j] = 1;
  }

  // 3. Edits within each gap between anchors.
  const inOrder: CellPair[] = [];
  let prevI = -1;
  let prevJ = -1;
  for (const anchor of [...anchors, { base: base.length, remote: remote.length, matchedBy: 'content' as const }]) {
    const gapA = unpairedIn(A, prevI + 1, anchor.base);
    const gapB = unpairedIn(B, prevJ + 1, anchor.remote);
    if (gapA.length && gapB.length) inOrder.push(...matchGap(sides, gapA, gapB));
    if (anchor.base < base.length) inOrder.push(anchor);
    prevI = anchor.base;
    prevJ = anchor.remote;
  }
  for (const p of inOrder) {
    A.paired[p.base] = 1;
    B.paired[p.remote] = 1;
  }

  // 4. Edited moves.
  moved.push(...matchMoves(sides));
  moved.sort((x, y) => x.remote - y.remote);
  return { inOrder, moved };
}

/** Ids that occur exactly once on each side, on cells of the same type. */
function usableIds(base: NotebookCell[], remote: NotebookCell[]): Set<string> {
  const count = (cells: NotebookCell[]) => {
    const seen = new Map<string, { n: number; type: string }>();
    for (const cell of cells) {
      if (cell.id === undefined) continue;
      const entry = seen.get(cell.id);
      if (entry) entry.n++;
      else seen.set(cell.id, { n: 1, type: cell.cellType });
    }
    return seen;
  };
  const inBase = count(base);
  const inRemote = count(remote);
  const ids = new Set<string>();
  for (const [id, entry] of inBase) {
    const other = inRemote.get(id);
    if (entry.n === 1 && other?.n === 1 && other.type === entry.type) ids.add(id);
  }
  return ids;
}

function unpairedIn(side: Side, from: number, to: number): number[] {
  const out: number[] = [];
  for (let k = from; k < to; k++) if (!side.paired[k]) out.push(k);
  return out;
}

interface Candidate {
  ia: number;
  jb: number;
  weight: number;
}

/** The order-keeping set of similar pairs with the largest total similarity. */
function matchGap(sides: Sides, gapA: number[], gapB: number[]): CellPair[] {
  const candidates: Candidate[] = [];
  const dense = gapA.length * gapB.length <= DENSE_PAIRS;
  for (let ia = 0; ia < gapA.length; ia++) {
    const centre = Math.round((ia * gapB.length) / gapA.length);
    const lo = dense ? 0 : Math.max(0, centre - BAND);
    const hi = dense ? gapB.length - 1 : Math.min(gapB.length - 1, centre + BAND);
    const i = gapA[ia] as number;
    // Same-type pairs only, visited in decreasing jb (what the chain below needs within one row).
    for (let jb = hi; jb >= lo; jb--) {
      const weight = similarity(sides, i, gapB[jb] as number, EDIT_SIMILARITY);
      if (weight > 0) candidates.push({ ia, jb, weight });
    }
  }
  if (!candidates.length) return [];
  const chain = heaviestChain(candidates, gapB.length);
  return chain.map((c) => ({ base: gapA[c.ia] as number, remote: gapB[c.jb] as number, matchedBy: 'similarity' }));
}

/** Similarity of base cell i and remote cell j, plus the outputs tie-break; 0 below `threshold` or across types. */
function similarity(sides: Sides, i: number, j: number, threshold: number): number {
  const { A, B } = sides;
  const a = A.cells[i] as NotebookCell;
  const b = B.cells[j] as NotebookCell;
  if (a.cellType !== b.cellType) return 0;
  // A cell whose id pairs it elsewhere is not free to be "edited into" another.
  if (A.keyIsId[i] || B.keyIsId[j]) return 0;
  const s = sides.similarity(i, j);
  if (s < threshold) return 0;
  return s + (a.outputs.length && jsonEqual(a.outputs, b.outputs) ? SAME_OUTPUTS_BONUS : 0);
}

/**
 * Candidates sorted by ia ascending, jb descending within a row (as matchGap makes them): the
 * chain strictly increasing in both with the largest total weight, by a Fenwick tree of prefix
 * maxima over jb. O(P log n).
 */
function heaviestChain(candidates: Candidate[], width: number): Candidate[] {
  const best = new Float64Array(width + 1);
  const bestAt = new Int32Array(width + 1).fill(-1);
  const prev = new Int32Array(candidates.length).fill(-1);
  const total = new Float64Array(candidates.length);
  let top = -1;
  for (let c = 0; c < candidates.length; c++) {
    const { jb, weight } = candidates[c] as Candidate;
    // Best chain ending strictly before column jb: prefix maximum over positions 1..jb.
    let value = 0;
    let from = -1;
    for (let k = jb; k > 0; k -= k & -k) {
      if ((best[k] as number) > value) {
        value = best[k] as number;
        from = bestAt[k] as number;
      }
    }
    total[c] = value + weight;
    prev[c] = from;
    for (let k = jb + 1; k <= width; k += k & -k) {
      if ((total[c] as number) > (best[k] as number)) {
        best[k] = total[c] as number;
        bestAt[k] = c;
      }
    }
    if (top === -1 || (total[c] as number) > (total[top] as number)) top = c;
  }
  const chain: Candidate[] = [];
  for (let c = top; c !== -1; c = prev[c] as number) chain.push(candidates[c] as Candidate);
  return chain.reverse();
}

/** Leftover cells across the whole notebook, greedily by similarity; bounded like a dense gap. */
function matchMoves(sides: Sides): CellPair[] {
  const { A, B } = sides;
  const leftA = unpairedIn(A, 0, A.cells.length);
  const leftB = unpairedIn(B, 0, B.cells.length);
  if (!leftA.length || !leftB.length || leftA.length * leftB.length > DENSE_PAIRS) return [];
  const candidates: Array<{ i: number; j: number; weight: number }> = [];
  for (const i of leftA) {
    for (const j of leftB) {
      const weight = similarity(sides, i, j, MOVE_SIMILARITY);
      if (weight > 0) candidates.push({ i, j, weight });
    }
  }
  candidates.sort((x, y) => y.weight - x.weight || x.i - y.i || x.j - y.j);
  const pairs: CellPair[] = [];
  for (const { i, j } of candidates) {
    if (A.paired[i] || B.paired[j]) continue;
    A.paired[i] = 1;
    B.paired[j] = 1;
    pairs.push({ base: i, remote: j, matchedBy: 'similarity' });
  }
  return pairs;
}
