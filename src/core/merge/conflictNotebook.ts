// The git driver's output when conflicts remain: a valid nbformat notebook (never raw <<<<<<< in
// the JSON) in which each conflicted cell is spelled out as banner, local version, banner, remote
// version, banner. Every one of those cells is marked in its metadata under `labbook.merge`, and
// the start banner also holds the base version and the conflict details, so the file describes
// itself: readConflictNotebook rebuilds the NotebookMerge from it (after a reload, on another
// machine, or after a plain `git merge` that ran the driver), and the person who opens it in
// Jupyter reads the banners.
import type { CellOutput, JsonObject, JsonValue, Notebook, NotebookCell } from '../notebook/notebookModel.ts';
import { betweenBanner, endBanner, metadataBanner, startBanner } from './conflictBanners.ts';
import {
  DEFAULT_MERGE_OPTIONS,
  OUTPUT_POLICIES,
  type CellConflict,
  type KeyConflict,
  type MergedCell,
  type MergeDecision,
  type MergeOptions,
  type MergeStats,
  type NotebookMerge,
  type OutputPolicy,
} from './model.ts';

/** A cell's role in a spelled-out conflict; 'metadata' is the notice above the first cell about notebook metadata conflicts. */
export type ConflictRole = 'start' | 'local' | 'remote' | 'between' | 'end' | 'metadata';

/** What `labbook.merge` holds in a cell's metadata. `conflict` is 1-based (0 for the metadata notice). */
export interface ConflictMarker {
  conflict: number;
  role: ConflictRole;
  kinds: Array<CellConflict['kind']>;
  /** On the start banner: what readConflictNotebook needs beyond the version cells. */
  base?: NotebookCell;
  conflicts?: CellConflict[];
  indices?: { base: number | null; local: number | null; remote: number | null };
  outputs?: MergedCell['outputs'];
  /** On a version cell: its own id (the writer may rename a repeated one), absent when it had none. */
  id?: string;
  /**
   * What the marker displaced, restored on read-back: `{ merge: … }` when `labbook` already held a
   * `merge` key (an old conflict notebook that was committed), else `labbook` itself when it was
   * not an object with keys (`{}`, a string…).
   */
  keep?: JsonValue;
}

const MARKER_KEY = 'merge';

/** The merge as a notebook that holds every version of every conflict. */
export function conflictNotebook(merge: NotebookMerge): Notebook {
  const total = merge.cells.filter((c) => c.conflicts.length > 0).length;
  const cells: NotebookCell[] = [];
  if (merge.metadata.conflicts.length > 0) {
    cells.push(banner(metadataBanner(merge.metadata.conflicts, total), { conflict: 0, role: 'metadata', kinds: [] }, 'labbook-merge-metadata'));
  }
  let k = 0;
  for (const merged of merge.cells) {
    if (merged.conflicts.length === 0) {
      cells.push(json(merged.cell));
      continue;
    }
    k += 1;
    const kinds = merged.conflicts.map((c) => c.kind);
    const versions = merged.versions ?? { local: merged.cell };
    const start: ConflictMarker = {
      conflict: k,
      role: 'start',
      kinds,
      conflicts: merged.conflicts,
      indices: { base: merged.base, local: merged.local, remote: merged.remote },
    };
    if (versions.base) start.base = versions.base;
    if (merged.outputs) start.outputs = merged.outputs;
    cells.push(banner(startBanner(k, total, merged), start, `labbook-merge-${k}-start`));
    if (versions.local) cells.push(marked(versions.local, { conflict: k, role: 'local', kinds }));
    cells.push(banner(betweenBanner(k, merged), { conflict: k, role: 'between', kinds }, `labbook-merge-${k}-between`));
    if (versions.remote) cells.push(marked(versions.remote, { conflict: k, role: 'remote', kinds }));
    cells.push(banner(endBanner(k), { conflict: k, role: 'end', kinds }, `labbook-merge-${k}-end`));
  }
  const metadata = withMarker(merge.metadata.merged, {
    conflicts: merge.metadata.conflicts,
    names: merge.names,
    options: merge.options,
    decisions: merge.decisions,
    stats: merge.stats,
    cellCount: merge.cells.length,
  } as unknown as JsonObject);
  return { nbformat: merge.nbformat, nbformatMinor: merge.nbformatMinor, metadata, cells };
}

/**
 * The merge a conflicted notebook holds, or undefined when no cell carries a Labbook conflict
 * marker. `name` names its sides when the file does not. What a person did by hand counts: a
 * version whose banners are gone is resolved (the marker comes off), and so are the notebook
 * metadata conflicts once the notice about them is gone (local's values, in place, stay).
 */
export function readConflictNotebook(nb: Notebook, name: string): NotebookMerge | undefined {
  const stored = isObject(nb.metadata.labbook) && isObject(nb.metadata.labbook[MARKER_KEY]) ? nb.metadata.labbook[MARKER_KEY] : undefined;
  const cells: MergedCell[] = [];
  let open: { k: number; merged: MergedCell; local?: NotebookCell; remote?: NotebookCell } | undefined;
  const groups: Array<NonNullable<typeof open>> = [];
  let markers = false;
  let notice = false;
  for (const cell of nb.cells) {
    const marker = markerOf(cell);
    if (!marker) {
      cells.push(plain(cell));
      continue;
    }
    markers = true;
    switch (marker.role) {
      case 'start': {
        const merged: MergedCell = {
          base: marker.indices?.base ?? null,
          local: marker.indices?.local ?? null,
          remote: marker.indices?.remote ?? null,
          origin: 'conflict',
          cell: cell,
          conflicts: validConflicts(marker.conflicts),
          versions: marker.base ? { base: marker.base } : {},
        };
        if (marker.outputs) merged.outputs = marker.outputs;
        open = { k: marker.conflict, merged };
        groups.push(open);
        cells.push(merged);
        break;
      }
      case 'local':
      case 'remote':
        if (open && open.k === marker.conflict && !open[marker.role]) open[marker.role] = unmarked(cell, marker);
        else cells.push(plain(unmarked(cell, marker))); // its banners are gone: the person resolved it by hand
        break;
      case 'end':
        if (open?.k === marker.conflict) open = undefined;
        break;
      case 'metadata':
        notice = true;
        break;
      case 'between':
        break;
    }
  }
  // Only cell markers count: the notebook-level record alone stays behind when a person resolved
  // every conflict by hand (deleting the banners), and the file is then no conflict any more.
  if (!markers) return undefined;
  for (const group of groups) {
    const versions = group.merged.versions ?? {};
    if (group.local) versions.local = group.local;
    if (group.remote) versions.remote = group.remote;
    const cell = group.local ?? group.remote;
    if (cell) group.merged.cell = cell;
  }
  // Both versions deleted by hand, banners kept: the person chose to delete the cell.
  const result = cells.filter((c) => c.origin !== 'conflict' || c.versions?.local !== undefined || c.versions?.remote !== undefined);

  const metadata = withoutRecord(nb.metadata);
  const keyConflicts = notice && Array.isArray(stored?.conflicts) ? stored.conflicts.filter(isKeyConflict) : [];
  const cellCount = typeof stored?.cellCount === 'number' ? stored.cellCount : -1;
  const sameShape = cellCount === result.length;
  const conflicts = result.filter((c) => c.conflicts.length > 0).length + keyConflicts.length;
  return {
    modelVersion: 1,
    names: readNames(stored?.names, name),
    options: readOptions(stored?.options),
    nbformat: nb.nbformat,
    nbformatMinor: nb.nbformatMinor,
    cells: result,
    metadata: { merged: metadata, conflicts: keyConflicts as unknown as KeyConflict[] },
    // Decisions point at merged cells by index: only while the cells are as the merge left them.
    decisions: sameShape && Array.isArray(stored?.decisions) ? (stored.decisions as unknown as MergeDecision[]) : [],
    stats: readStats(sameShape ? stored?.stats : undefined, conflicts, result),
  };
}

function banner(text: string, marker: ConflictMarker, id: string): NotebookCell {
  return { id, cellType: 'markdown', source: text, metadata: { labbook: { [MARKER_KEY]: json(marker) } }, outputs: [], executionCount: null };
}

function marked(cell: NotebookCell, marker: ConflictMarker): NotebookCell {
  const copy = json(cell);
  if (cell.id !== undefined) marker.id = cell.id;
  copy.metadata = withMarker(cell.metadata, marker as unknown as JsonObject);
  return copy;
}

function unmarked(cell: NotebookCell, marker: ConflictMarker): NotebookCell {
  const copy = json(cell);
  copy.metadata = withoutMarker(cell.metadata, marker as unknown as JsonObject);
  if (typeof marker.id === 'string') copy.id = marker.id;
  else if (marker.role === 'local' || marker.role === 'remote') delete copy.id;
  return copy;
}

/**
 * Whether the file still marks an open conflict: a conflict's start banner with a version under
 * it, or the notice about notebook metadata conflicts. Markers left on a version whose banners a
 * person deleted, and the notebook-level record, do not count (readConflictNotebook reads those as
 * resolved, and a resolution written through applyResolutions drops them).
 */
export function hasConflictMarkers(nb: Notebook): boolean {
  if (!nb.cells.some((cell) => markerOf(cell) !== undefined)) return false;
  return (readConflictNotebook(nb, 'notebook')?.stats.conflicts ?? 0) > 0;
}

/** `nb` (the same cells) without the notebook-level `labbook.merge` record conflictNotebook leaves, for a file whose conflicts are all resolved. */
export function stripMergeRecord(nb: Notebook): Notebook {
  return { ...nb, metadata: withoutRecord(nb.metadata) };
}

/** `metadata` with `marker` at labbook.merge; what that displaced goes into the marker's `keep`. */
function withMarker(metadata: JsonObject, marker: JsonObject): JsonObject {
  const copy = json(metadata);
  const prior = copy.labbook;
  const labbook = isObject(prior) ? prior : {};
  const value = json(marker);
  if (isObject(prior) && prior[MARKER_KEY] !== undefined) value.keep = { [MARKER_KEY]: prior[MARKER_KEY] };
  else if (prior !== undefined && !(isObject(prior) && Object.keys(prior).length > 0)) value.keep = json(prior);
  labbook[MARKER_KEY] = value;
  copy.labbook = labbook;
  return copy;
}

/** The inverse of withMarker. */
function withoutMarker(metadata: JsonObject, marker: JsonObject | undefined): JsonObject {
  const copy = json(metadata);
  if (!isObject(copy.labbook)) return copy;
  delete copy.labbook[MARKER_KEY];
  const keep = marker?.keep;
  if (isObject(keep) && keep[MARKER_KEY] !== undefined) copy.labbook[MARKER_KEY] = keep[MARKER_KEY];
  else if (Object.keys(copy.labbook).length === 0) {
    if (keep !== undefined) copy.labbook = keep;
    else delete copy.labbook;
  }
  return copy;
}

/** Notebook metadata without the merge record, nor older records it kept (a committed conflict notebook merged again). */
function withoutRecord(metadata: JsonObject): JsonObject {
  let copy = metadata;
  // Each round takes off one level of nesting; the bound is for hand-made files only.
  for (let n = 0; n < 1000 && isObject(copy.labbook) && copy.labbook[MARKER_KEY] !== undefined; n++) {
    const record = copy.labbook[MARKER_KEY];
    copy = withoutMarker(copy, isObject(record) ? record : undefined);
  }
  return copy === metadata ? json(metadata) : copy;
}

function plain(cell: NotebookCell): MergedCell {
  return { base: null, local: null, remote: null, origin: 'unchanged', cell, conflicts: [] };
}

const ROLES: ReadonlySet<string> = new Set(['start', 'local', 'remote', 'between', 'end', 'metadata']);
const KINDS: ReadonlySet<string> = new Set(['source', 'deleted', 'added', 'metadata', 'cellType', 'executionCount']);

/** The marker in a cell's metadata, checked: the file may have been edited by hand. */
function markerOf(cell: NotebookCell): ConflictMarker | undefined {
  const labbook = cell.metadata.labbook;
  const raw = isObject(labbook) ? labbook[MARKER_KEY] : undefined;
  if (!isObject(raw) || typeof raw.role !== 'string' || !ROLES.has(raw.role) || typeof raw.conflict !== 'number') return undefined;
  const marker: ConflictMarker = { conflict: raw.conflict, role: raw.role as ConflictRole, kinds: [] };
  if (isObject(raw.base) && typeof raw.base.cellType === 'string' && typeof raw.base.source === 'string') marker.base = raw.base as unknown as NotebookCell;
  if (Array.isArray(raw.conflicts)) marker.conflicts = raw.conflicts as unknown as CellConflict[];
  if (isObject(raw.indices)) {
    const index = (v: JsonValue | undefined) => (typeof v === 'number' ? v : null);
    marker.indices = { base: index(raw.indices.base), local: index(raw.indices.local), remote: index(raw.indices.remote) };
  }
  if (isObject(raw.outputs) && Array.isArray(raw.outputs.local) && Array.isArray(raw.outputs.remote)) {
    const o = raw.outputs;
    marker.outputs = {
      policy: OUTPUT_POLICIES.includes(o.policy as OutputPolicy) ? (o.policy as OutputPolicy) : DEFAULT_MERGE_OPTIONS.outputs,
      local: o.local as unknown as CellOutput[],
      remote: o.remote as unknown as CellOutput[],
      localCount: typeof o.localCount === 'number' ? o.localCount : null,
      remoteCount: typeof o.remoteCount === 'number' ? o.remoteCount : null,
    };
  }
  if (typeof raw.id === 'string') marker.id = raw.id;
  if (raw.keep !== undefined) marker.keep = raw.keep;
  return marker;
}

function validConflicts(conflicts: CellConflict[] | undefined): CellConflict[] {
  const valid = (conflicts ?? []).filter((c) => isObject(c as unknown as JsonValue) && KINDS.has(c.kind));
  // A start banner whose details were lost still marks a conflict: the person must choose.
  return valid.length > 0 ? valid : [{ kind: 'source', regions: [] }];
}

function isKeyConflict(value: JsonValue): boolean {
  return isObject(value) && Array.isArray(value.path) && value.path.every((p) => typeof p === 'string');
}

function readNames(value: JsonValue | undefined, name: string): NotebookMerge['names'] {
  const names = isObject(value) ? value : {};
  const pick = (key: string, fallback: string) => (typeof names[key] === 'string' ? names[key] : fallback);
  return { base: pick('base', `${name} (base)`), local: pick('local', `${name} (ours)`), remote: pick('remote', `${name} (theirs)`) };
}

function readOptions(value: JsonValue | undefined): MergeOptions {
  const options: MergeOptions = { ...DEFAULT_MERGE_OPTIONS };
  if (!isObject(value)) return options;
  for (const key of ['autoResolveExecutionCounts', 'autoResolveVolatileMetadata', 'ignoreWhitespace'] as const) {
    if (typeof value[key] === 'boolean') options[key] = value[key];
  }
  if (OUTPUT_POLICIES.includes(value.outputs as OutputPolicy)) options.outputs = value.outputs as OutputPolicy;
  return options;
}

function readStats(value: JsonValue | undefined, conflicts: number, cells: readonly MergedCell[]): MergeStats {
  const stats: MergeStats = { conflicts, unchanged: cells.length - cells.filter((c) => c.conflicts.length > 0).length, fromLocal: 0, fromRemote: 0, combined: 0, deleted: 0 };
  if (!isObject(value)) return stats;
  for (const key of ['unchanged', 'fromLocal', 'fromRemote', 'combined', 'deleted'] as const) {
    if (typeof value[key] === 'number') stats[key] = value[key];
  }
  return stats;
}

/** A JSON-clean deep copy (no undefined members), typed as what it copies. */
function json<T>(value: T): T & JsonObject {
  return JSON.parse(JSON.stringify(value)) as T & JsonObject;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
