// From a merge and the user's resolutions to the notebook "Mark as Resolved" writes, and where the
// resolutions are kept between reloads. No vscode import (the state is any Memento-like store).
import { applyResolutions } from '../../core/merge/resolve.ts';
import type { MergeResolutions, NotebookMerge } from '../../core/merge/model.ts';
import type { Notebook } from '../../core/notebook/notebookModel.ts';
import { conflictsOf, readMergeResolutions, type ResolveTarget } from '../../protocol/notebookMerge.ts';
import { BadParamsError } from '../../protocol/requests.ts';

/** Resolutions of this merge only: indices of cells it has, keys of metadata conflicts it has. */
export function resolutionsFor(merge: NotebookMerge, r: MergeResolutions): MergeResolutions {
  const keys = new Set(merge.metadata.conflicts.map((k) => k.path.join('/')));
  return {
    cells: Object.fromEntries(Object.entries(r.cells).filter(([i]) => merge.cells[Number(i)] !== undefined && (merge.cells[Number(i)]?.conflicts.length || merge.cells[Number(i)]?.outputs))),
    metadata: Object.fromEntries(Object.entries(r.metadata).filter(([k]) => keys.has(k))),
  };
}

/** The resolved notebook (throws naming what is left when a conflict has no resolution). */
export function resolvedNotebook(merge: NotebookMerge, r: MergeResolutions): Notebook {
  return applyResolutions(merge, resolutionsFor(merge, r));
}

/** The resolutions with `target` set or cleared; a target the merge has no conflict (or outputs decision) for is refused. */
export function applyTarget(merge: NotebookMerge, r: MergeResolutions, target: ResolveTarget): MergeResolutions {
  if (target.kind === 'metadata') {
    if (!conflictsOf(merge).some((c) => c.kind === 'metadata' && c.key === target.key)) {
      throw new BadParamsError(`the notebook metadata has no conflict at '${target.key}'`, 'target.key');
    }
    const metadata = { ...r.metadata };
    if (target.choice === null) delete metadata[target.key];
    else metadata[target.key] = target.choice;
    return { cells: r.cells, metadata };
  }
  const cell = merge.cells[target.cell];
  if (!cell || (cell.conflicts.length === 0 && !cell.outputs)) throw new BadParamsError(`merged cell ${target.cell} has nothing to resolve`, 'target.cell');
  const resolution = target.resolution;
  if (resolution?.take === 'edited' && resolution.source === undefined) throw new BadParamsError('an edited resolution needs its source', 'target.resolution.source');
  if (resolution?.take === 'base' && !cell.versions?.base) throw new BadParamsError(`merged cell ${target.cell} has no base version`, 'target.resolution.take');
  const cells = { ...r.cells };
  if (resolution === null) delete cells[target.cell];
  else cells[target.cell] = resolution;
  return { cells, metadata: r.metadata };
}

/** The part of vscode.Memento used here, so this stays testable in plain Node. */
export interface StateStore {
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void>;
}

const KEY = 'labbook.merge.resolutions';
/** Files whose resolutions are kept: the ones set most recently (merges aborted or left open are forgotten past it). */
export const KEPT_FILES = 50;

interface Kept {
  readonly signature: string;
  readonly resolutions: MergeResolutions;
}

/** Resolutions per output file (workspace state), kept only for a merge with the same conflicts. */
export class ResolutionStore {
  private readonly state: StateStore;

  constructor(state: StateStore) {
    this.state = state;
  }

  private all(): Record<string, Kept> {
    const value = this.state.get(KEY);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, Kept>) : {};
  }

  get(file: string, signature: string): MergeResolutions {
    const kept = Object.hasOwn(this.all(), file) ? this.all()[file] : undefined;
    return kept?.signature === signature ? readMergeResolutions(kept.resolutions) : { cells: {}, metadata: {} };
  }

  async set(file: string, signature: string, resolutions: MergeResolutions): Promise<void> {
    // Most recently set last; the oldest beyond KEPT_FILES go.
    const rest = Object.entries(this.all()).filter(([name]) => name !== file);
    await this.state.update(KEY, Object.fromEntries([...rest.slice(Math.max(0, rest.length - (KEPT_FILES - 1))), [file, { signature, resolutions }]]));
  }

  async clear(file: string): Promise<void> {
    const rest = { ...this.all() };
    delete rest[file];
    await this.state.update(KEY, rest);
  }
}
