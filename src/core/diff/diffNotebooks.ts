// The notebook diff: align the cells, diff each pair, lay the result out in reading order.
import type { Notebook, NotebookCell } from '../notebook/notebookModel.ts';
import { alignCells, type CellPair } from './align.ts';
import { diffCellPair, hasParts, onlyOutputsDiffer, wholeCell, type CellParts } from './cellDiff.ts';
import { diffKeys, withoutKeys } from './metadataDiff.ts';
import type { CellDiff, CellDiffKind, DiffStats, NotebookDiff } from './model.ts';
import { resolveDiffOptions, VOLATILE_NOTEBOOK_METADATA, type DiffOptions } from './options.ts';

export interface DiffInput {
  notebook: Notebook;
  /** What views call this side (a path). */
  name: string;
}

export function diffNotebooks(base: DiffInput, remote: DiffInput, options: Partial<DiffOptions> = {}): NotebookDiff {
  const opts = resolveDiffOptions(options);
  const a = base.notebook.cells;
  const b = remote.notebook.cells;
  const { inOrder, moved } = alignCells(a, b, { ignoreWhitespace: opts.ignoreWhitespace });
  const stats: DiffStats = { unchanged: 0, modified: 0, added: 0, removed: 0, moved: 0, movedAndModified: 0, outputOnlyChangesHidden: 0, hasChanges: false };

  const paired = (pair: CellPair, isMove: boolean): CellDiff => {
    const cellA = a[pair.base] as NotebookCell;
    const cellB = b[pair.remote] as NotebookCell;
    let parts = diffCellPair(cellA, cellB, opts);
    if (opts.ignoreOutputOnlyChanges && onlyOutputsDiffer(parts)) {
      parts = {};
      stats.outputOnlyChangesHidden++;
    }
    const changed = hasParts(parts);
    const kind: CellDiffKind = isMove ? 'moved' : changed ? 'modified' : 'unchanged';
    stats[kind]++;
    if (isMove && changed) stats.movedAndModified++;
    return cellDiff(kind, cellB, pair.base, pair.remote, parts, pair.matchedBy, cellB.id ?? cellA.id);
  };
  const single = (index: number, kind: 'added' | 'removed'): CellDiff => {
    const cell = (kind === 'added' ? b[index] : a[index]) as NotebookCell;
    stats[kind]++;
    return cellDiff(kind, cell, kind === 'removed' ? index : null, kind === 'added' ? index : null, wholeCell(cell, kind, opts), undefined, cell.id);
  };

  // Reading order: walk the remote notebook; before each in-order pair, the base cells it passed
  // that went nowhere are removed; a moved cell shows where it is now.
  const pairAtRemote = new Map<number, CellPair>(inOrder.map((p) => [p.remote, p]));
  const moveAtRemote = new Map<number, CellPair>(moved.map((p) => [p.remote, p]));
  const baseTaken = new Uint8Array(a.length);
  for (const p of inOrder) baseTaken[p.base] = 1;
  for (const p of moved) baseTaken[p.base] = 1;
  const cells: CellDiff[] = [];
  let nextBase = 0;
  const flushRemoved = (until: number) => {
    for (; nextBase < until; nextBase++) if (!baseTaken[nextBase]) cells.push(single(nextBase, 'removed'));
  };
  // Within a gap, removed cells come first, as in a unified diff: the base position of the next
  // in-order pair at or after each remote position says how far they reach.
  const gapEnd = new Int32Array(b.length + 1).fill(a.length);
  for (let j = b.length - 1; j >= 0; j--) gapEnd[j] = pairAtRemote.get(j)?.base ?? (gapEnd[j + 1] as number);
  for (let j = 0; j < b.length; j++) {
    const pair = pairAtRemote.get(j);
    const move = moveAtRemote.get(j);
    flushRemoved(gapEnd[j] as number);
    if (pair) {
      nextBase = pair.base + 1;
      cells.push(paired(pair, false));
    } else if (move) cells.push(paired(move, true));
    else cells.push(single(j, 'added'));
  }
  flushRemoved(a.length);

  const metaA = opts.ignoreVolatileMetadata ? withoutKeys(base.notebook.metadata, VOLATILE_NOTEBOOK_METADATA) : base.notebook.metadata;
  const metaB = opts.ignoreVolatileMetadata ? withoutKeys(remote.notebook.metadata, VOLATILE_NOTEBOOK_METADATA) : remote.notebook.metadata;
  const metadata = diffKeys(metaA, metaB);
  stats.hasChanges = stats.modified + stats.added + stats.removed + stats.moved > 0 || metadata.length > 0;
  return {
    modelVersion: 1,
    base: { name: base.name, nbformat: `${base.notebook.nbformat}.${base.notebook.nbformatMinor}`, cellCount: a.length },
    remote: { name: remote.name, nbformat: `${remote.notebook.nbformat}.${remote.notebook.nbformatMinor}`, cellCount: b.length },
    options: opts,
    cells,
    metadata,
    stats,
  };
}

function cellDiff(
  kind: CellDiffKind,
  cell: NotebookCell,
  baseIndex: number | null,
  remoteIndex: number | null,
  parts: CellParts,
  matchedBy: CellDiff['matchedBy'],
  id: string | undefined,
): CellDiff {
  const diff: CellDiff = { kind, cellType: cell.cellType, baseIndex, remoteIndex };
  if (id !== undefined) diff.id = id;
  if (matchedBy) diff.matchedBy = matchedBy;
  return Object.assign(diff, parts);
}
