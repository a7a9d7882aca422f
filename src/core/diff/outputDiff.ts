// Outputs diffed by what they are: stream and text mime data as text, images by content hash,
// errors by name, value and traceback, JSON data as values.
import type { CellOutput, DataOutput, JsonValue } from '../notebook/notebookModel.ts';
import { contentHash, jsonEqual, stableStringify } from './json.ts';
import { diffKeys } from './metadataDiff.ts';
import type { ImageRef, OutputChange, OutputDiff, OutputSummary } from './model.ts';
import { commonSubsequence, Interner } from './myers.ts';
import { diffText } from './textDiff.ts';

const PREVIEW_LINES = 3;
const PREVIEW_CHARS = 200;
// IPython colours tracebacks; the codes are not part of what changed.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

export function isImageMime(mime: string): boolean {
  return mime.startsWith('image/') && !mime.endsWith('+json');
}

function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || mime.endsWith('+json');
}

/** The identity of an output for matching: everything but what the options ignore. */
export function outputKey(output: CellOutput, ignoreExecutionCounts: boolean): string {
  if ((output.outputType === 'execute_result' || output.outputType === 'display_data') && ignoreExecutionCounts) {
    return stableStringify({ ...output, executionCount: null });
  }
  return stableStringify(output);
}

export function imageRef(mime: string, value: JsonValue): ImageRef {
  const text = typeof value === 'string' ? value : stableStringify(value);
  if (mime === 'image/svg+xml') return { mime, hash: contentHash(text), bytes: text.length };
  const base64 = text.replace(/\s+/g, '');
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return { mime, hash: contentHash(base64), bytes: Math.max(0, Math.floor((base64.length * 3) / 4) - padding) };
}

export function summarizeOutput(output: CellOutput): OutputSummary {
  switch (output.outputType) {
    case 'stream':
      return { outputType: 'stream', name: output.name, mimeTypes: [], preview: preview(output.text) };
    case 'error':
      return { outputType: 'error', mimeTypes: [], ename: output.ename, evalue: output.evalue, preview: preview(`${output.ename}: ${output.evalue}`) };
    case 'other':
      return { outputType: output.originalType, mimeTypes: [] };
    default: {
      const mimeTypes = Object.keys(output.data);
      const summary: OutputSummary = { outputType: output.outputType, mimeTypes };
      const images = mimeTypes.filter(isImageMime).map((mime) => imageRef(mime, output.data[mime] as JsonValue));
      if (images.length) summary.images = images;
      const text = output.data['text/plain'];
      if (typeof text === 'string') summary.preview = preview(text);
      return summary;
    }
  }
}

function preview(text: string): string {
  const lines = text.replace(ANSI, '').replace(/\n+$/, '').split('\n').slice(0, PREVIEW_LINES).join('\n');
  return lines.length > PREVIEW_CHARS ? `${lines.slice(0, PREVIEW_CHARS)}…` : lines;
}

/** Output by output: equal ones matched in order, the rest paired by kind, or added/removed. Undefined when nothing differs. */
export function diffOutputs(base: CellOutput[], remote: CellOutput[], ignoreExecutionCounts: boolean): OutputDiff[] | undefined {
  const interner = new Interner();
  const baseKeys = base.map((o) => interner.id(outputKey(o, ignoreExecutionCounts)));
  const remoteKeys = remote.map((o) => interner.id(outputKey(o, ignoreExecutionCounts)));
  const result: OutputDiff[] = [];
  let changed = false;
  let i = 0;
  let j = 0;
  const gap = (iEnd: number, jEnd: number) => {
    while (i < iEnd || j < jEnd) {
      const a = base[i];
      const b = remote[j];
      if (i < iEnd && j < jEnd && a && b && sameKind(a, b)) {
        const changes = outputChanges(a, b, ignoreExecutionCounts);
        if (changes.length) {
          result.push({ op: 'modified', baseIndex: i, remoteIndex: j, base: summarizeOutput(a), remote: summarizeOutput(b), changes });
          changed = true;
        } else result.push({ op: 'unchanged', baseIndex: i, remoteIndex: j });
        i++;
        j++;
      } else if (i < iEnd && a) {
        result.push({ op: 'removed', baseIndex: i, remoteIndex: null, base: summarizeOutput(a) });
        changed = true;
        i++;
      } else if (b) {
        result.push({ op: 'added', baseIndex: null, remoteIndex: j, remote: summarizeOutput(b) });
        changed = true;
        j++;
      } else break;
    }
  };
  for (const [mi, mj] of commonSubsequence(baseKeys, remoteKeys)) {
    gap(mi, mj);
    result.push({ op: 'unchanged', baseIndex: i++, remoteIndex: j++ });
  }
  gap(base.length, remote.length);
  return changed ? result : undefined;
}

/** Every output of an added or removed cell. */
export function wholeOutputs(outputs: CellOutput[], op: 'added' | 'removed'): OutputDiff[] {
  return outputs.map((output, index) =>
    op === 'added'
      ? { op, baseIndex: null, remoteIndex: index, remote: summarizeOutput(output) }
      : { op, baseIndex: index, remoteIndex: null, base: summarizeOutput(output) },
  );
}

function sameKind(a: CellOutput, b: CellOutput): boolean {
  if (a.outputType !== b.outputType) return false;
  if (a.outputType === 'stream' && b.outputType === 'stream') return a.name === b.name;
  if (a.outputType === 'other' && b.outputType === 'other') return a.originalType === b.originalType;
  return true;
}

function outputChanges(a: CellOutput, b: CellOutput, ignoreExecutionCounts: boolean): OutputChange[] {
  const changes: OutputChange[] = [];
  if (a.outputType === 'stream' && b.outputType === 'stream') {
    if (a.text !== b.text) changes.push({ part: 'text', key: `stream:${b.name}`, diff: diffText(a.text, b.text, { ignoreWhitespace: false, context: 3 }) });
  } else if (a.outputType === 'error' && b.outputType === 'error') {
    const change: OutputChange = { part: 'error' };
    if (a.ename !== b.ename) change.ename = { base: a.ename, remote: b.ename };
    if (a.evalue !== b.evalue) change.evalue = { base: a.evalue, remote: b.evalue };
    const before = a.traceback.join('\n').replace(ANSI, '');
    const after = b.traceback.join('\n').replace(ANSI, '');
    if (before !== after) change.traceback = diffText(before, after, { ignoreWhitespace: false, context: 3 });
    if (change.ename || change.evalue || change.traceback) changes.push(change);
  } else if ((a.outputType === 'execute_result' || a.outputType === 'display_data') && b.outputType === a.outputType) {
    changes.push(...dataChanges(a, b, ignoreExecutionCounts));
  } else if (!jsonEqual(a, b)) {
    changes.push({ part: 'data', mime: 'application/x-unknown-output', base: a as unknown as JsonValue, remote: b as unknown as JsonValue });
  }
  return changes;
}

function dataChanges(a: DataOutput, b: DataOutput, ignoreExecutionCounts: boolean): OutputChange[] {
  const changes: OutputChange[] = [];
  const mimes = [...Object.keys(a.data), ...Object.keys(b.data).filter((m) => !Object.hasOwn(a.data, m))];
  for (const mime of mimes) {
    const before = Object.hasOwn(a.data, mime) ? (a.data[mime] as JsonValue) : undefined;
    const after = Object.hasOwn(b.data, mime) ? (b.data[mime] as JsonValue) : undefined;
    if (isImageMime(mime)) {
      const refA = before === undefined ? null : imageRef(mime, before);
      const refB = after === undefined ? null : imageRef(mime, after);
      if (refA?.hash !== refB?.hash || !sameImage(before, after)) changes.push({ part: 'image', mime, base: refA, remote: refB });
    } else if (isJsonMime(mime) || (before !== undefined && typeof before !== 'string') || (after !== undefined && typeof after !== 'string')) {
      if (!jsonEqual(before, after)) changes.push({ part: 'data', mime, base: before ?? null, remote: after ?? null });
    } else if (before !== after) {
      changes.push({ part: 'text', key: mime, diff: diffText(before ?? '', after ?? '', { ignoreWhitespace: false, context: 3 }) });
    }
  }
  if (!ignoreExecutionCounts && a.executionCount !== b.executionCount) changes.push({ part: 'executionCount', base: a.executionCount, remote: b.executionCount });
  const metadata = diffKeys(a.metadata, b.metadata);
  if (metadata.length) changes.push({ part: 'metadata', changes: metadata });
  return changes;
}

/** Hashes name images; equality is decided on the content itself (base64 whitespace aside). */
function sameImage(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return jsonEqual(a, b);
  return a === b || a.replace(/\s+/g, '') === b.replace(/\s+/g, '');
}
