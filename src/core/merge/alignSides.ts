// Base aligned with one side for the merge: the diff's alignCells, completed with two pairings the
// diff can do without but a merge cannot. An unpaired base cell reads as deleted, and a deletion
// against the other side's edit is a conflict (or, deleted on both sides with a new cell on each,
// two rewrites kept side by side without one: a wrong clean merge), so a cell a side edited must
// pair whenever it plausibly can:
// - a retyped cell: the diff pairs cells of one type only, yet Jupyter's "change cell type" keeps
//   the source and id; in each gap between in-order pairs, a leftover base cell and a leftover side
//   cell of another type with the same id, or else the same source, pair;
// - a rewrite in place: a small gap pairs its leftovers as diff3 pairs lines (a replaced line is an
//   edit of the line). As many on both sides, with the same cell types in the same order: in order,
//   however unlike they are. Otherwise (a rewrite plus a cell added next to it, or two cells folded
//   into one): each base cell with the most similar same-type side cell, keeping order, as many
//   pairs as order and types allow, similarity deciding between them. Two cells with different ids
//   never pair this way: an id that changed means a new cell (Jupyter keeps ids through edits).
import { alignCells, type Alignment, type CellPair } from '../diff/align.ts';
import { SimilarityIndex } from '../diff/similarity.ts';
import type { NotebookCell } from '../notebook/notebookModel.ts';

/** Gaps with at most this many leftover cells on each side pair in place. */
const REWRITE_IN_PLACE = 4;
/** Uneven gaps pair by similarity when the smaller side has at most REWRITE_IN_PLACE and the larger at most this. */
const REWRITE_UNEVEN = 16;
/** Each pair's weight on top of its similarity: more pairs beat fewer unless similarity says otherwise. */
const PAIR_WEIGHT = 0.01;

export function alignForMerge(base: NotebookCell[], side: NotebookCell[], ignoreWhitespace: boolean): Alignment {
  const alignment = alignCells(base, side, { ignoreWhitespace });
  const pairedA = new Uint8Array(base.length);
  const pairedB = new Uint8Array(side.length);
  for (const p of alignment.inOrder) {
    pairedA[p.base] = 1;
    pairedB[p.remote] = 1;
  }
  for (const p of alignment.moved) {
    pairedA[p.base] = 1;
    pairedB[p.remote] = 1;
  }
  const inOrder: CellPair[] = [];
  let added = 0;
  let i = 0;
  let j = 0;
  for (const anchor of [...alignment.inOrder, { base: base.length, remote: side.length, matchedBy: 'content' as const }]) {
    const leftA: number[] = [];
    const leftB: number[] = [];
    for (let k = i; k < anchor.base; k++) if (!pairedA[k]) leftA.push(k);
    for (let k = j; k < anchor.remote; k++) if (!pairedB[k]) leftB.push(k);
    if (leftA.length && leftB.length) {
      const pairs = retyped(base, side, leftA, leftB);
      if (!pairs.length) pairs.push(...inPlace(base, side, leftA, leftB));
      inOrder.push(...pairs);
      added += pairs.length;
    }
    if (anchor.base < base.length) inOrder.push(anchor);
    i = anchor.base + 1;
    j = anchor.remote + 1;
  }
  return added ? { inOrder, moved: alignment.moved } : alignment;
}

/** A small gap's rewrites in place (see the header); none for a large gap. */
function inPlace(base: NotebookCell[], side: NotebookCell[], leftA: number[], leftB: number[]): CellPair[] {
  const k = leftA.length;
  const m = leftB.length;
  if (Math.min(k, m) > REWRITE_IN_PLACE || Math.max(k, m) > REWRITE_UNEVEN) return [];
  const cellA = (x: number) => base[leftA[x] as number] as NotebookCell;
  const cellB = (y: number) => side[leftB[y] as number] as NotebookCell;
  const can = (x: number, y: number) => {
    const a = cellA(x);
    const b = cellB(y);
    return a.cellType === b.cellType && (a.id === undefined || b.id === undefined || a.id === b.id);
  };
  if (k === m && leftA.every((_, x) => can(x, x))) return leftA.map((a, x) => ({ base: a, remote: leftB[x] as number, matchedBy: 'similarity' }));
  // The heaviest order-keeping matching (an LCS-like table, at most 4 × 16 or 16 × 4).
  const index = new SimilarityIndex(leftA.map((_, x) => cellA(x)), leftB.map((_, y) => cellB(y)));
  const best: Float64Array[] = Array.from({ length: k + 1 }, () => new Float64Array(m + 1));
  for (let x = k - 1; x >= 0; x--) {
    for (let y = m - 1; y >= 0; y--) {
      const row = best[x] as Float64Array;
      const skip = Math.max((best[x + 1] as Float64Array)[y] as number, row[y + 1] as number);
      const take = can(x, y) ? index.similarity(x, y) + PAIR_WEIGHT + ((best[x + 1] as Float64Array)[y + 1] as number) : -1;
      row[y] = Math.max(skip, take);
    }
  }
  // Walk the table from the start, taking a pair when it is part of a best matching (the earliest
  // side cell on ties: with nothing to tell them apart, a rewrite stays first).
  const pairs: CellPair[] = [];
  let x = 0;
  let y = 0;
  while (x < k && y < m) {
    const here = (best[x] as Float64Array)[y] as number;
    if (can(x, y) && Math.abs(index.similarity(x, y) + PAIR_WEIGHT + ((best[x + 1] as Float64Array)[y + 1] as number) - here) < 1e-12) {
      pairs.push({ base: leftA[x] as number, remote: leftB[y] as number, matchedBy: 'similarity' });
      x++;
      y++;
    } else if (((best[x] as Float64Array)[y + 1] as number) === here) y++;
    else x++;
  }
  return pairs;
}

/** Leftover cells of one gap whose type changed: same id, or else same source; increasing in both. */
function retyped(base: NotebookCell[], side: NotebookCell[], leftA: number[], leftB: number[]): CellPair[] {
  const byKey = new Map<string, number[]>();
  for (const k of leftB) {
    for (const key of keysOf(side[k] as NotebookCell)) {
      const list = byKey.get(key);
      if (list) list.push(k);
      else byKey.set(key, [k]);
    }
  }
  const pairs: CellPair[] = [];
  const taken = new Set<number>();
  let lastJ = -1;
  for (const b of leftA) {
    const cell = base[b] as NotebookCell;
    for (const key of keysOf(cell)) {
      const k = byKey.get(key)?.find((x) => x > lastJ && !taken.has(x) && (side[x] as NotebookCell).cellType !== cell.cellType);
      if (k === undefined) continue;
      pairs.push({ base: b, remote: k, matchedBy: key.startsWith('i') ? 'id' : 'content' });
      taken.add(k);
      lastJ = k;
      break;
    }
  }
  return pairs;
}

function keysOf(cell: NotebookCell): string[] {
  return cell.id === undefined ? [`s\0${cell.source}`] : [`i\0${cell.id}`, `s\0${cell.source}`];
}
