// Turns a NotebookMerge plus the user's choices (the merge panel, or none for a clean merge) into
// the result notebook. Pure: the caller writes it (serializeNotebook) and marks it resolved in git.
import type { CellOutput, JsonObject, JsonValue, Notebook, NotebookCell } from '../notebook/notebookModel.ts';
import { stripMergeRecord } from './conflictNotebook.ts';
import type { CellResolution, KeyConflict, MergedCell, MergeResolutions, NotebookMerge, OutputPolicy } from './model.ts';

/** No choices made: what a clean merge needs. */
export const NO_RESOLUTIONS: MergeResolutions = Object.freeze({ cells: Object.freeze({}), metadata: Object.freeze({}) });

/** Conflicts that still have no resolution; `message` names them for a person. */
export class MergeUnresolvedError extends Error {
  override readonly name = 'MergeUnresolvedError';
  readonly cells: number[];
  readonly metadata: string[];

  constructor(left: { cells: number[]; metadata: string[] }) {
    const parts: string[] = [];
    if (left.cells.length > 0) parts.push(`cell${left.cells.length === 1 ? '' : 's'} ${left.cells.map((k) => k + 1).join(', ')}`);
    if (left.metadata.length > 0) parts.push(`notebook metadata ${left.metadata.map((p) => `'${p}'`).join(', ')}`);
    const count = left.cells.length + left.metadata.length;
    super(`${count} merge conflict${count === 1 ? ' is' : 's are'} not resolved yet: ${parts.join('; ')}.`);
    this.cells = left.cells;
    this.metadata = left.metadata;
  }
}

/** The conflicted merged cells (indices in `merge.cells`) and metadata paths (joined with '/') `r` leaves open. */
export function unresolvedConflicts(merge: NotebookMerge, r: MergeResolutions): { cells: number[]; metadata: string[] } {
  const cells: number[] = [];
  merge.cells.forEach((cell, k) => {
    if (cell.conflicts.length > 0 && !isResolution(r.cells?.[k])) cells.push(k);
  });
  const metadata = merge.metadata.conflicts.map(metadataKey).filter((key) => !isMetadataChoice(r.metadata?.[key]));
  return { cells, metadata };
}

/**
 * The result notebook: every merged cell as merged, or as its resolution says. Throws
 * MergeUnresolvedError when a conflict has no resolution. A resolution may also sit on a cell
 * without conflicts (e.g. to choose its outputs again); there every version is the merged cell.
 */
export function applyResolutions(merge: NotebookMerge, r: MergeResolutions): Notebook {
  const left = unresolvedConflicts(merge, r);
  if (left.cells.length > 0 || left.metadata.length > 0) throw new MergeUnresolvedError(left);
  const cells: NotebookCell[] = [];
  merge.cells.forEach((merged, k) => {
    const resolution = r.cells?.[k];
    if (!isResolution(resolution)) cells.push(structuredClone(merged.cell));
    else cells.push(...resolveCell(merged, resolution));
  });
  const metadata = structuredClone(merge.metadata.merged);
  for (const conflict of merge.metadata.conflicts) {
    const choice = r.metadata?.[metadataKey(conflict)] as 'local' | 'remote' | 'base';
    setPath(metadata, conflict.path, conflict[choice]);
  }
  // The conflict notebook's record (`labbook.merge`) describes conflicts this result no longer has.
  return stripMergeRecord({ nbformat: merge.nbformat, nbformatMinor: merge.nbformatMinor, metadata, cells });
}

/** The key `MergeResolutions.metadata` uses for a notebook metadata conflict. */
export function metadataKey(conflict: KeyConflict): string {
  return conflict.path.join('/');
}

function resolveCell(merged: MergedCell, resolution: CellResolution): NotebookCell[] {
  const versions = merged.versions ?? { base: merged.cell, local: merged.cell, remote: merged.cell };
  let chosen: Array<{ cell: NotebookCell; side: 'local' | 'remote' | 'base' }>;
  switch (resolution.take) {
    case 'local':
    case 'remote':
    case 'base': {
      const cell = versions[resolution.take];
      chosen = cell ? [{ cell, side: resolution.take }] : [];
      break;
    }
    case 'both':
      chosen = [];
      if (versions.local) chosen.push({ cell: versions.local, side: 'local' });
      // Without versions (a cell with no conflict) "both" would only repeat the same cell.
      if (versions.remote && merged.versions) chosen.push({ cell: versions.remote, side: 'remote' });
      break;
    case 'delete':
      chosen = [];
      break;
    case 'edited': {
      const side = versions.local ? 'local' : versions.remote ? 'remote' : 'base';
      const cell = versions[side] ?? merged.cell;
      chosen = [{ cell: { ...cell, source: typeof resolution.source === 'string' ? resolution.source : cell.source }, side }];
      break;
    }
  }
  return chosen.map(({ cell, side }) => {
    const copy = structuredClone(cell);
    if (resolution.outputs !== undefined && copy.cellType === 'code') {
      // Both versions kept: each gets its own side's outputs (unless cleared), so an outputs choice
      // of 'both' puts each side's outputs in once, not the two sides' in each cell.
      const policy = chosen.length > 1 && resolution.outputs !== 'clear' && side !== 'base' ? side : resolution.outputs;
      const { outputs, executionCount } = outputsFor(merged, policy, side, cell);
      copy.outputs = outputs;
      copy.executionCount = executionCount;
    }
    return copy;
  });
}

/** Outputs and count a policy gives: each side's own from `merged.outputs` when both changed them, else the versions'. */
function outputsFor(merged: MergedCell, policy: OutputPolicy, side: 'local' | 'remote' | 'base', cell: NotebookCell): { outputs: CellOutput[]; executionCount: number | null } {
  const own = (s: 'local' | 'remote'): { outputs: CellOutput[]; executionCount: number | null } => {
    if (merged.outputs) return { outputs: structuredClone(merged.outputs[s]), executionCount: s === 'local' ? merged.outputs.localCount : merged.outputs.remoteCount };
    const version = merged.versions?.[s] ?? (side === s ? cell : undefined) ?? merged.cell;
    return { outputs: structuredClone(version.outputs), executionCount: version.executionCount };
  };
  switch (policy) {
    case 'clear':
      return { outputs: [], executionCount: null };
    case 'local':
    case 'remote':
      return own(policy);
    case 'both': {
      const local = own('local');
      const remote = own('remote');
      // Outputs of two different runs: no one execution count describes them.
      return { outputs: [...local.outputs, ...remote.outputs], executionCount: null };
    }
  }
}

/** Sets (or, for undefined, deletes) the value at `path`, creating objects on the way. */
function setPath(target: JsonObject, path: readonly string[], value: JsonValue | undefined): void {
  if (path.length === 0) return;
  let node: JsonObject = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      if (value === undefined) return;
      node[key] = {};
    }
    node = node[key] as JsonObject;
  }
  const last = path[path.length - 1] as string;
  if (value === undefined) delete node[last];
  else node[last] = structuredClone(value);
}

const TAKES: ReadonlySet<string> = new Set(['local', 'remote', 'both', 'base', 'delete', 'edited']);

function isResolution(value: CellResolution | undefined): value is CellResolution {
  return typeof value === 'object' && value !== null && TAKES.has(value.take);
}

function isMetadataChoice(value: unknown): value is 'local' | 'remote' | 'base' {
  return value === 'local' || value === 'remote' || value === 'base';
}
