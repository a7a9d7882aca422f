// The three-way notebook merge: cell order by a cell-level diff3 (cellOrder.ts), each cell both
// sides kept merged part by part (cellMerge.ts), notebook metadata key by key (metadataMerge.ts).
// Pure and synchronous: the CLI, the git driver and the merge panel all call this one function.
import { VOLATILE_NOTEBOOK_METADATA } from '../diff/options.ts';
import { splitLines } from '../diff/textDiff.ts';
import type { Notebook, NotebookCell } from '../notebook/notebookModel.ts';
import { contentChanged, deletedConflict, mergeCell, type CellMerge } from './cellMerge.ts';
import { orderCells, type Placement } from './cellOrder.ts';
import { mergeKeys } from './metadataMerge.ts';
import type { MergeDecision, MergedCell, MergeOptions, MergeStats, NotebookMerge } from './model.ts';
import { resolveMergeOptions } from './options.ts';

export { resolveMergeOptions } from './options.ts';

export interface MergeInput {
  notebook: Notebook;
  /** What views call this side (a path, or git's path with the stage). */
  name: string;
}

export function mergeNotebooks(base: MergeInput, local: MergeInput, remote: MergeInput, options: Partial<MergeOptions> = {}): NotebookMerge {
  const opts = resolveMergeOptions(options);
  const B = base.notebook.cells;
  const L = local.notebook.cells;
  const R = remote.notebook.cells;
  const order = orderCells(B, L, R, opts.ignoreWhitespace, (b, side, index) => contentChanged(B[b] as NotebookCell, (side === 'local' ? L : R)[index] as NotebookCell));

  const cells: MergedCell[] = [];
  const decisions: MergeDecision[] = [];
  const stats: MergeStats = { conflicts: 0, unchanged: 0, fromLocal: 0, fromRemote: 0, combined: 0, deleted: 0 };
  for (const { base: b, by } of order.deleted) {
    decisions.push({ kind: 'deletedCell', by, base: b, lines: splitLines((B[b] as NotebookCell).source) });
    stats.deleted++;
  }
  for (const placement of order.placements) {
    const { indices, merge } = placeCell(placement, B, L, R, opts);
    const at = cells.length;
    const cell: MergedCell = { ...indices, origin: merge.origin, cell: merge.cell, conflicts: merge.conflicts };
    if (merge.versions) cell.versions = merge.versions;
    if (merge.outputs) cell.outputs = merge.outputs;
    cells.push(cell);
    for (const { by, lines } of merge.deletedLines) decisions.push({ kind: 'deletedLines', by, cell: at, lines });
    if (merge.outputsPolicy) decisions.push({ kind: 'outputs', cell: at, policy: merge.outputsPolicy });
    if (merge.executionCountCleared) decisions.push({ kind: 'executionCount', cell: at, value: null });
    for (const path of merge.volatile) decisions.push({ kind: 'volatileMetadata', cell: at, path });
    if (placement.kind === 'base' && placement.movedApart) decisions.push({ kind: 'moved', cell: at });
    switch (cell.origin) {
      case 'conflict':
        stats.conflicts++;
        break;
      case 'unchanged':
        stats.unchanged++;
        break;
      case 'local':
        stats.fromLocal++;
        break;
      case 'remote':
        stats.fromRemote++;
        break;
      case 'same':
      case 'combined':
        stats.combined++;
        break;
    }
  }

  const metadata = mergeKeys(base.notebook.metadata, local.notebook.metadata, remote.notebook.metadata, {
    volatile: VOLATILE_NOTEBOOK_METADATA,
    autoResolveVolatile: opts.autoResolveVolatileMetadata,
  });
  for (const path of metadata.autoVolatile) decisions.push({ kind: 'volatileMetadata', cell: null, path });
  stats.conflicts += metadata.conflicts.length;

  // The format of the newer side (a merge must not downgrade what either side wrote).
  const ln = local.notebook;
  const rn = remote.notebook;
  const newer = rn.nbformat > ln.nbformat || (rn.nbformat === ln.nbformat && rn.nbformatMinor > ln.nbformatMinor) ? rn : ln;
  return {
    modelVersion: 1,
    names: { base: base.name, local: local.name, remote: remote.name },
    options: opts,
    nbformat: newer.nbformat,
    nbformatMinor: newer.nbformatMinor,
    cells,
    metadata: { merged: metadata.merged, conflicts: metadata.conflicts },
    decisions,
    stats,
  };
}

type Indices = Pick<MergedCell, 'base' | 'local' | 'remote'>;

function placeCell(p: Placement, B: NotebookCell[], L: NotebookCell[], R: NotebookCell[], opts: MergeOptions): { indices: Indices; merge: CellMerge } {
  switch (p.kind) {
    case 'added': {
      const cell = (p.side === 'local' ? L : R)[p.index] as NotebookCell;
      const indices: Indices = { base: null, local: p.side === 'local' ? p.index : null, remote: p.side === 'remote' ? p.index : null };
      return { indices, merge: { origin: p.side, cell, conflicts: [], deletedLines: [], executionCountCleared: false, volatile: [] } };
    }
    case 'addedBoth': {
      const l = L[p.local] as NotebookCell;
      const r = R[p.remote] as NotebookCell;
      // Against an empty base, every part either side wrote is a change: equal parts merge, different ones conflict.
      const merge = mergeCell({ cellType: l.cellType, source: '', metadata: {}, outputs: [], executionCount: null }, l, r, opts);
      // Both added it: never "unchanged" or one side's, even when one version is the empty cell.
      if (merge.origin === 'unchanged') merge.origin = 'same';
      else if (merge.origin === 'local' || merge.origin === 'remote') merge.origin = 'combined';
      if (merge.conflicts.length) {
        merge.conflicts.unshift({ kind: 'added' });
        if (merge.versions) delete merge.versions.base;
      }
      // Nothing of either side was dropped: what the empty base "lost" is nothing.
      merge.deletedLines = [];
      return { indices: { base: null, local: p.local, remote: p.remote }, merge };
    }
    case 'base': {
      const b = B[p.base] as NotebookCell;
      const indices: Indices = { base: p.base, local: p.local, remote: p.remote };
      if (p.local === null) return { indices, merge: deletedConflict(b, R[p.remote as number] as NotebookCell, 'local') };
      if (p.remote === null) return { indices, merge: deletedConflict(b, L[p.local] as NotebookCell, 'remote') };
      const merge = mergeCell(b, L[p.local] as NotebookCell, R[p.remote] as NotebookCell, opts);
      // A move is a change too: an otherwise untouched cell that moved came from the side that moved it.
      if (merge.origin === 'unchanged' && (p.movedBy === 'local' || p.movedBy === 'remote')) merge.origin = p.movedBy;
      return { indices, merge };
    }
  }
}
