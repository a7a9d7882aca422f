// The order of the merged cells: a cell-level diff3.
//
// Each side is aligned to base (alignSides.ts over ../diff/align.ts), so every base cell is, on
// each side, kept in place (an in-order pair), moved, or deleted. From the two fates each base cell
// gets a home: both sides (kept in place on both: the stable cells of the diff3), one side (moved
// there; deleted on the other but changed here, or kept here across crossing deletions: a conflict
// kept where this side has it; moved on both: local's place), or none (deleted). Each side's cell sequence, keeping only the cells at home there and
// its new cells, is cut at the stable cells; the stable cells come in the same order on both sides,
// so the cuts pair up into segments. A segment only one side filled is taken; one both filled holds
// local's new cells then remote's (base cells among them in base order), except that new cells
// which are the same new cell on both sides (alignCells between the two runs) are merged into one.
// Linear apart from the alignments.
import { alignCells, type Alignment } from '../diff/align.ts';
import { alignForMerge } from './alignSides.ts';
import type { NotebookCell } from '../notebook/notebookModel.ts';
import type { MergeSide } from './model.ts';

export type Placement =
  /** A base cell in the result; `local`/`remote` null on the side that deleted it (a conflict). */
  | { kind: 'base'; base: number; local: number | null; remote: number | null; movedBy: MergeSide | 'both' | null; movedApart: boolean }
  /** A cell one side added. */
  | { kind: 'added'; side: MergeSide; index: number }
  /** Cells both sides added at the same place that are the same new cell. */
  | { kind: 'addedBoth'; local: number; remote: number };

export interface CellOrder {
  placements: Placement[];
  /** Base cells deleted without conflict, in base order. */
  deleted: Array<{ base: number; by: MergeSide | 'both' }>;
}

type Fate = 'kept' | 'moved' | 'deleted';
type Home = 'both' | 'local' | 'remote' | 'none';

interface SideMap {
  /** Base index → this side's index, or -1. */
  toSide: Int32Array;
  /** This side's index → base index, or -1 for a new cell. */
  toBase: Int32Array;
  moved: Uint8Array;
}

function sideMap(alignment: Alignment, baseCount: number, sideCount: number): SideMap {
  const toSide = new Int32Array(baseCount).fill(-1);
  const toBase = new Int32Array(sideCount).fill(-1);
  const moved = new Uint8Array(baseCount);
  for (const p of alignment.inOrder) {
    toSide[p.base] = p.remote;
    toBase[p.remote] = p.base;
  }
  for (const p of alignment.moved) {
    toSide[p.base] = p.remote;
    toBase[p.remote] = p.base;
    moved[p.base] = 1;
  }
  return { toSide, toBase, moved };
}

const fate = (map: SideMap, b: number): Fate => ((map.toSide[b] as number) < 0 ? 'deleted' : map.moved[b] ? 'moved' : 'kept');

/**
 * `changed(b, side, index)`: whether that side (its cell `index`) changed the content of base cell
 * b (what makes a deletion on the other side a conflict).
 */
export function orderCells(
  base: NotebookCell[],
  local: NotebookCell[],
  remote: NotebookCell[],
  ignoreWhitespace: boolean,
  changed: (b: number, side: MergeSide, index: number) => boolean,
): CellOrder {
  const L = sideMap(alignForMerge(base, local, ignoreWhitespace), base.length, local.length);
  const R = sideMap(alignForMerge(base, remote, ignoreWhitespace), base.length, remote.length);
  const crossing = crossingDeletions(L, R, base.length);
  const homes: Home[] = new Array<Home>(base.length);
  const deleted: CellOrder['deleted'] = [];
  for (let b = 0; b < base.length; b++) {
    const fl = fate(L, b);
    const fr = fate(R, b);
    let home: Home;
    if (fl === 'deleted' && fr === 'deleted') home = 'none';
    else if (fl === 'deleted') home = crossing[b] || changed(b, 'remote', R.toSide[b] as number) ? 'remote' : 'none';
    else if (fr === 'deleted') home = crossing[b] || changed(b, 'local', L.toSide[b] as number) ? 'local' : 'none';
    else if (fl === 'moved') home = 'local';
    else if (fr === 'moved') home = 'remote';
    else home = 'both';
    homes[b] = home;
    if (home === 'none') deleted.push({ base: b, by: fl === 'deleted' && fr === 'deleted' ? 'both' : fl === 'deleted' ? 'local' : 'remote' });
  }

  const seqL = sequence(L, local.length, homes, 'local');
  const seqR = sequence(R, remote.length, homes, 'remote');
  const placements: Placement[] = [];
  const placeBase = (b: number) => {
    const fl = fate(L, b);
    const fr = fate(R, b);
    const movedBy = fl === 'moved' && fr === 'moved' ? 'both' : fl === 'moved' ? 'local' : fr === 'moved' ? 'remote' : null;
    const li = L.toSide[b] as number;
    const ri = R.toSide[b] as number;
    const movedApart = movedBy === 'both' && predecessor(L, li) !== predecessor(R, ri);
    placements.push({ kind: 'base', base: b, local: li < 0 ? null : li, remote: ri < 0 ? null : ri, movedBy, movedApart });
  };
  const placeSide = (side: MergeSide, index: number) => {
    const b = ((side === 'local' ? L : R).toBase[index] as number);
    if (b < 0) placements.push({ kind: 'added', side, index });
    else placeBase(b);
  };

  let x = 0;
  let y = 0;
  for (;;) {
    const segL = until(seqL, x, L, homes);
    const segR = until(seqR, y, R, homes);
    mergeSegment(segL, segR, L, R, local, remote, ignoreWhitespace, placements, placeSide);
    x += segL.length;
    y += segR.length;
    if (x >= seqL.length && y >= seqR.length) break;
    // Both stand on the same stable cell (stable cells come in base order on both sides); anything
    // else is a bug, and a wrong merge must not pass for a right one.
    const stable = L.toBase[seqL[x] as number] as number;
    if (x >= seqL.length || y >= seqR.length || stable !== R.toBase[seqR[y] as number]) throw new Error('merge: the stable cells of the two sides are out of step');
    placeBase(stable);
    x++;
    y++;
  }
  return { placements, deleted };
}

/**
 * Base cells in a stretch between two cells both sides kept in place where each side deleted
 * cells the other kept (nbdime#597: local deletes 3 and 6-8, remote 4-7). Taking every deletion
 * would leave nothing of a stretch both sides rewrote differently, as a diff3 of lines would not:
 * there it is a conflict, so here each cell only one side deleted is a "deleted" conflict. One
 * side deleting a subset of what the other deleted is no such crossing: all of it goes.
 */
function crossingDeletions(L: SideMap, R: SideMap, count: number): Uint8Array {
  const crossing = new Uint8Array(count);
  let start = 0;
  for (let b = 0; b <= count; b++) {
    if (b < count && (fate(L, b) !== 'kept' || fate(R, b) !== 'kept')) continue;
    // [start, b) is a stretch between stable cells.
    let onlyL = false;
    let onlyR = false;
    for (let k = start; k < b; k++) {
      const dl = fate(L, k) === 'deleted';
      const dr = fate(R, k) === 'deleted';
      if (dl && !dr) onlyL = true;
      if (dr && !dl) onlyR = true;
    }
    if (onlyL && onlyR) for (let k = start; k < b; k++) if ((fate(L, k) === 'deleted') !== (fate(R, k) === 'deleted')) crossing[k] = 1;
    start = b + 1;
  }
  return crossing;
}

/** This side's indices that belong in the result from this side: its new cells and cells at home here or on both sides. */
function sequence(map: SideMap, count: number, homes: Home[], side: MergeSide): number[] {
  const out: number[] = [];
  for (let j = 0; j < count; j++) {
    const b = map.toBase[j] as number;
    if (b < 0 || homes[b] === 'both' || homes[b] === side) out.push(j);
  }
  return out;
}

/** The run of `seq` from `from` up to (not including) the next stable cell. */
function until(seq: number[], from: number, map: SideMap, homes: Home[]): number[] {
  let end = from;
  while (end < seq.length) {
    const b = map.toBase[seq[end] as number] as number;
    if (b >= 0 && homes[b] === 'both') break;
    end++;
  }
  return seq.slice(from, end);
}

/** The base cell just before side index j on that side (-1 at the start, -2 for a new cell). */
function predecessor(map: SideMap, j: number): number {
  return j > 0 ? (map.toBase[j - 1] as number) === -1 ? -2 : (map.toBase[j - 1] as number) : -1;
}

function mergeSegment(
  segL: number[],
  segR: number[],
  L: SideMap,
  R: SideMap,
  local: NotebookCell[],
  remote: NotebookCell[],
  ignoreWhitespace: boolean,
  placements: Placement[],
  placeSide: (side: MergeSide, index: number) => void,
): void {
  if (!segL.length || !segR.length) {
    for (const j of segL) placeSide('local', j);
    for (const j of segR) placeSide('remote', j);
    return;
  }
  // Both sides filled the same place: pair their new cells that are one new cell.
  const newL = segL.filter((j) => (L.toBase[j] as number) < 0);
  const newR = segR.filter((j) => (R.toBase[j] as number) < 0);
  const pairs = newL.length && newR.length
    ? alignCells(newL.map((j) => local[j] as NotebookCell), newR.map((j) => remote[j] as NotebookCell), { ignoreWhitespace }).inOrder
    : [];
  let x = 0;
  let y = 0;
  // Up to each pair, and after the last: new cells local's first, then remote's; base cells (kept
  // by one side, conflicts or moves) in base order among them.
  const interleave = (endL: number, endR: number) => {
    while (x < endL || y < endR) {
      const bl = x < endL ? (L.toBase[segL[x] as number] as number) : Infinity;
      const br = y < endR ? (R.toBase[segR[y] as number] as number) : Infinity;
      if (bl === -1 || (br !== -1 && bl <= br)) placeSide('local', segL[x++] as number);
      else placeSide('remote', segR[y++] as number);
    }
  };
  const atL = new Map(segL.map((j, k) => [j, k]));
  const atR = new Map(segR.map((j, k) => [j, k]));
  for (const pair of pairs) {
    const lj = newL[pair.base] as number;
    const rj = newR[pair.remote] as number;
    interleave(atL.get(lj) as number, atR.get(rj) as number);
    placements.push({ kind: 'addedBoth', local: lj, remote: rj });
    x++;
    y++;
  }
  interleave(segL.length, segR.length);
}
