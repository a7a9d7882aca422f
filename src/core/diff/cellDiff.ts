// The parts of one cell pair that differ under the options: source (line diff with word spans),
// outputs, metadata (volatile keys dropped first), attachments, execution count.
import type { JsonObject, JsonValue, MimeBundle, NotebookCell } from '../notebook/notebookModel.ts';
import { jsonEqual } from './json.ts';
import { diffKeys, withoutKeys } from './metadataDiff.ts';
import type { KeyChange, OutputDiff, TextDiff } from './model.ts';
import { VOLATILE_CELL_METADATA, type DiffOptions } from './options.ts';
import { diffOutputs, imageRef, isImageMime, wholeOutputs } from './outputDiff.ts';
import { diffText, stripWhitespace, wholeText } from './textDiff.ts';

export interface CellParts {
  source?: TextDiff;
  outputs?: OutputDiff[];
  metadata?: KeyChange[];
  attachments?: KeyChange[];
  executionCount?: { base: number | null; remote: number | null };
}

/** What differs between two matched cells; `{}` when nothing does. */
export function diffCellPair(a: NotebookCell, b: NotebookCell, options: DiffOptions): CellParts {
  const parts: CellParts = {};
  if (a.source !== b.source && !(options.ignoreWhitespace && stripWhitespace(a.source) === stripWhitespace(b.source))) {
    const source = diffText(a.source, b.source, { ignoreWhitespace: options.ignoreWhitespace, context: options.contextLines });
    if (source.hunks.length) parts.source = source;
  }
  if ((a.outputs.length || b.outputs.length) && !outputsEqual(a, b, options.ignoreExecutionCounts)) {
    const outputs = diffOutputs(a.outputs, b.outputs, options.ignoreExecutionCounts);
    if (outputs) parts.outputs = outputs;
  }
  const metadata = diffKeys(cellMetadata(a, options), cellMetadata(b, options));
  if (metadata.length) parts.metadata = metadata;
  if (a.attachments || b.attachments) {
    const attachments = diffAttachments(attachmentSummary(a.attachments), attachmentSummary(b.attachments));
    if (attachments.length) parts.attachments = attachments;
  }
  if (!options.ignoreExecutionCounts && a.executionCount !== b.executionCount) parts.executionCount = { base: a.executionCount, remote: b.executionCount };
  return parts;
}

/** The whole cell as inserted (added) or deleted (removed). */
export function wholeCell(cell: NotebookCell, op: 'added' | 'removed', options: DiffOptions): CellParts {
  const parts: CellParts = {};
  const source = wholeText(cell.source, op === 'added' ? 'insert' : 'delete');
  if (source.hunks.length) parts.source = source;
  if (cell.outputs.length) parts.outputs = wholeOutputs(cell.outputs, op);
  const metadata = cellMetadata(cell, options);
  const attachments = attachmentSummary(cell.attachments);
  const changes = (obj: JsonObject) => (op === 'added' ? diffKeys({}, obj) : diffKeys(obj, {}));
  if (Object.keys(metadata).length) parts.metadata = changes(metadata);
  if (Object.keys(attachments).length) parts.attachments = changes(attachments);
  return parts;
}

export function hasParts(parts: CellParts): boolean {
  return parts.source !== undefined || parts.outputs !== undefined || parts.metadata !== undefined || parts.attachments !== undefined || parts.executionCount !== undefined;
}

/** True when outputs are the only part that differs. */
export function onlyOutputsDiffer(parts: CellParts): boolean {
  return parts.outputs !== undefined && parts.source === undefined && parts.metadata === undefined && parts.attachments === undefined && parts.executionCount === undefined;
}

function cellMetadata(cell: NotebookCell, options: DiffOptions): JsonObject {
  return options.ignoreVolatileMetadata ? withoutKeys(cell.metadata, VOLATILE_CELL_METADATA) : cell.metadata;
}

function outputsEqual(a: NotebookCell, b: NotebookCell, ignoreExecutionCounts: boolean): boolean {
  if (a.outputs.length !== b.outputs.length) return false;
  for (let k = 0; k < a.outputs.length; k++) {
    const x = a.outputs[k];
    const y = b.outputs[k];
    if (ignoreExecutionCounts && x && y && 'executionCount' in x && 'executionCount' in y && x.executionCount !== y.executionCount) {
      if (!jsonEqual({ ...x, executionCount: null }, { ...y, executionCount: null })) return false;
    } else if (!jsonEqual(x, y)) return false;
  }
  return true;
}

/** Attachments change by name, then by mime type: an image's whole ref changes, not its fields. */
function diffAttachments(base: JsonObject, remote: JsonObject): KeyChange[] {
  const changes: KeyChange[] = [];
  for (const change of diffKeys(base, remote)) {
    if (change.path.length <= 2) changes.push(change);
    else {
      const path = change.path.slice(0, 2);
      if (changes.some((c) => c.path.length === 2 && c.path[0] === path[0] && c.path[1] === path[1])) continue;
      const [name, mime] = path as [string, string];
      changes.push({ op: 'changed', path, base: (base[name] as JsonObject)[mime], remote: (remote[name] as JsonObject)[mime] });
    }
  }
  return changes;
}

/** Attachments by name and mime type; images stand for their content hash and size, not their base64. */
function attachmentSummary(attachments: Record<string, MimeBundle> | undefined): JsonObject {
  const summary: JsonObject = {};
  for (const [name, bundle] of Object.entries(attachments ?? {})) {
    const entry: JsonObject = {};
    for (const [mime, value] of Object.entries(bundle)) {
      entry[mime] = isImageMime(mime) ? (imageRef(mime, value) as unknown as JsonValue) : value;
    }
    summary[name] = entry;
  }
  return summary;
}
