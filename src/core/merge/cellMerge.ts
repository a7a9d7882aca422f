// One cell that both sides kept (or both added at the same place), merged part by part: source by
// line (sourceMerge.ts), cell type as a value, metadata and attachments key by key
// (metadataMerge.ts), outputs whole (by the policy when both changed them differently), and the
// execution count as a value. Each part yields an "ours" and a "theirs" result, so a conflicted
// cell carries git-style versions with the other side's clean changes already in.
import { jsonEqual } from '../diff/json.ts';
import { withoutKeys } from '../diff/metadataDiff.ts';
import { VOLATILE_CELL_METADATA } from '../diff/options.ts';
import type { CellOutput, JsonObject, MimeBundle, NotebookCell } from '../notebook/notebookModel.ts';
import { mergeKeys } from './metadataMerge.ts';
import type { CellConflict, MergedCell, MergeOptions, MergeSide, OutputPolicy } from './model.ts';
import { mergeSource } from './sourceMerge.ts';

/** A merged cell before it has its index in the result: decisions are kept per cell here. */
export interface CellMerge {
  origin: MergedCell['origin'];
  cell: NotebookCell;
  conflicts: CellConflict[];
  versions?: MergedCell['versions'];
  outputs?: MergedCell['outputs'];
  deletedLines: Array<{ by: MergeSide; lines: string[] }>;
  outputsPolicy?: OutputPolicy;
  executionCountCleared: boolean;
  volatile: string[][];
}

/** Whether `other` changed what a person edits: source, type, non-volatile metadata, attachments (not outputs or counts). */
export function contentChanged(base: NotebookCell, other: NotebookCell): boolean {
  if (base.source !== other.source || base.cellType !== other.cellType) return true;
  if (!jsonEqual(base.attachments ?? {}, other.attachments ?? {})) return true;
  if (jsonEqual(base.metadata, other.metadata)) return false;
  return !jsonEqual(withoutKeys(base.metadata, VOLATILE_CELL_METADATA), withoutKeys(other.metadata, VOLATILE_CELL_METADATA));
}

/** Outputs equal as JSON, execute_result counts aside when `ignoreCounts`. */
export function outputsEqual(a: CellOutput[], b: CellOutput[], ignoreCounts: boolean): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) {
    const x = a[k] as CellOutput;
    const y = b[k] as CellOutput;
    if (ignoreCounts && x.outputType === 'execute_result' && y.outputType === 'execute_result') {
      if (!jsonEqual(x.data, y.data) || !jsonEqual(x.metadata, y.metadata)) return false;
    } else if (!jsonEqual(x, y)) return false;
  }
  return true;
}

/** A value changed by one side is taken; changed alike, once; differently: undefined (a conflict). */
function threeWay<T>(base: T, local: T, remote: T): { value: T } | undefined {
  if (local === remote || base === remote) return { value: local };
  if (base === local) return { value: remote };
  return undefined;
}

export function mergeCell(base: NotebookCell, local: NotebookCell, remote: NotebookCell, options: MergeOptions): CellMerge {
  if (jsonEqual(local, remote) || jsonEqual(base, remote)) return clean(base, local, remote);
  if (jsonEqual(base, local)) return clean(base, remote, local, 'remote');
  const conflicts: CellConflict[] = [];
  const source = mergeSource(base.source, local.source, remote.source);
  if (source.regions) conflicts.push({ kind: 'source', regions: source.regions });

  let type = threeWay(base.cellType, local.cellType, remote.cellType);
  // A code cell has no attachments (the writer drops them, as the schema says): an attachment one
  // side added or changed in its markdown/raw cell, while the other side made the cell code, would
  // vanish without a trace. Both sides are involved, so it is theirs to choose: a cellType conflict
  // (each version keeps its own side's type; taking the markdown side keeps the attachment). An
  // attachment on a side's own code cell is no change the merge loses: that side's file cannot
  // hold it either.
  if (type?.value === 'code' && (attachmentLost(base, local) || attachmentLost(base, remote))) type = undefined;
  if (!type) conflicts.push({ kind: 'cellType', base: base.cellType, local: local.cellType, remote: remote.cellType });

  const keyOptions = { volatile: VOLATILE_CELL_METADATA, autoResolveVolatile: options.autoResolveVolatileMetadata };
  const metadata = mergeKeys(base.metadata, local.metadata, remote.metadata, keyOptions);
  if (metadata.conflicts.length) conflicts.push({ kind: 'metadata', part: 'metadata', keys: metadata.conflicts });
  const asObject = (a: Record<string, MimeBundle> | undefined) => (a ?? {}) as JsonObject;
  const attachments = mergeKeys(asObject(base.attachments), asObject(local.attachments), asObject(remote.attachments), { volatile: [], autoResolveVolatile: false });
  if (attachments.conflicts.length) conflicts.push({ kind: 'metadata', part: 'attachments', keys: attachments.conflicts });
  const attachmentsOf = (merged: JsonObject) =>
    Object.keys(merged).length || (local.attachments && remote.attachments) ? (merged as Record<string, MimeBundle>) : undefined;

  // Outputs whole: a re-run replaces them all, so there is nothing finer to merge. Outputs are
  // compared without their execute_result counts: the counts are the executionCount part's
  // business (auto-resolved, or a conflict of their own), so outputs that differ only there are
  // never "changed differently" and never go through the policy.
  const localOut = !outputsEqual(base.outputs, local.outputs, true);
  const remoteOut = !outputsEqual(base.outputs, remote.outputs, true);
  let outputs = jsonEqual(base.outputs, local.outputs) ? remote.outputs : local.outputs;
  let outputsTheirs: CellOutput[] | undefined;
  let outputsInfo: MergedCell['outputs'];
  if (remoteOut && !localOut) outputs = remote.outputs;
  else if (localOut && remoteOut && !outputsEqual(local.outputs, remote.outputs, true)) {
    const policy = options.outputs;
    outputs = policy === 'clear' ? [] : policy === 'local' ? local.outputs : policy === 'remote' ? remote.outputs : [...local.outputs, ...remote.outputs];
    outputsInfo = { policy, local: local.outputs, remote: remote.outputs, localCount: local.executionCount, remoteCount: remote.executionCount };
  }

  let countOurs = local.executionCount;
  let countTheirs = remote.executionCount;
  let executionCountCleared = false;
  const count = threeWay(base.executionCount, local.executionCount, remote.executionCount);
  if (count) countOurs = countTheirs = count.value;
  else if (options.autoResolveExecutionCounts) {
    countOurs = countTheirs = null;
    executionCountCleared = true;
  } else {
    conflicts.push({ kind: 'executionCount', base: base.executionCount, local: local.executionCount, remote: remote.executionCount });
    // Outputs alike but for their counts: each version keeps its own side's, matching its count.
    if (!outputsInfo && !localOut && !remoteOut) {
      outputs = local.outputs;
      outputsTheirs = remote.outputs;
    }
  }
  if (outputsInfo?.policy === 'clear') countOurs = countTheirs = null;

  const id = threeWay(base.id, local.id, remote.id)?.value ?? local.id ?? remote.id;
  const build = (text: string, cellType: NotebookCell['cellType'], meta: JsonObject, att: JsonObject, executionCount: number | null, cellOutputs = outputs): NotebookCell => {
    const cell: NotebookCell = { cellType, source: text, metadata: meta, outputs: cellOutputs, executionCount };
    if (id !== undefined) cell.id = id;
    const attached = attachmentsOf(att);
    if (attached) cell.attachments = attached;
    return cell;
  };
  const ours = build(source.text, type?.value ?? local.cellType, metadata.merged, attachments.merged, countOurs);
  const result: CellMerge = {
    origin: conflicts.length ? 'conflict' : jsonEqual(local, remote) ? 'same' : 'combined',
    cell: ours,
    conflicts,
    deletedLines: source.deleted,
    executionCountCleared,
    volatile: metadata.autoVolatile,
  };
  if (conflicts.length) {
    result.versions = { base, local: ours, remote: build(source.textRemote, type?.value ?? remote.cellType, metadata.mergedRemote, attachments.mergedRemote, countTheirs, outputsTheirs ?? outputs) };
  }
  if (outputsInfo) {
    result.outputs = outputsInfo;
    result.outputsPolicy = outputsInfo.policy;
  }
  return result;
}

/** Whether `side` (a markdown or raw cell) added or changed an attachment: what a code cell would lose. */
function attachmentLost(base: NotebookCell, side: NotebookCell): boolean {
  if (side.cellType === 'code' || !side.attachments) return false;
  return Object.entries(side.attachments).some(([name, bundle]) => !base.attachments || !Object.hasOwn(base.attachments, name) || !jsonEqual(base.attachments[name], bundle));
}

/** `changed` is the only side (if any) that differs from base: its cell is the result. */
function clean(base: NotebookCell, changed: NotebookCell, other: NotebookCell, side: MergeSide = 'local'): CellMerge {
  const same = jsonEqual(changed, other);
  const unchanged = jsonEqual(base, changed);
  const origin: MergedCell['origin'] = unchanged ? 'unchanged' : same ? 'same' : side;
  const deletedLines = unchanged || same ? [] : mergeSource(base.source, side === 'local' ? changed.source : base.source, side === 'remote' ? changed.source : base.source).deleted;
  return { origin, cell: changed, conflicts: [], deletedLines, executionCountCleared: false, volatile: [] };
}

/** A cell one side deleted while the other changed its content: kept whole as that side has it, as a conflict. */
export function deletedConflict(base: NotebookCell, kept: NotebookCell, deletedBy: MergeSide): CellMerge {
  const versions: MergedCell['versions'] = deletedBy === 'local' ? { base, remote: kept } : { base, local: kept };
  return { origin: 'conflict', cell: kept, conflicts: [{ kind: 'deleted', deletedBy }], versions, deletedLines: [], executionCountCleared: false, volatile: [] };
}
