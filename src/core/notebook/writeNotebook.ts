// Writes the typed cell model back to nbformat 4 JSON the way Jupyter's own writer does (sorted
// keys, indent 1, non-ASCII as is, multi-line text as lists of lines, a trailing newline), so a
// notebook Labbook writes (a merge result) differs from Jupyter's copy only where its content does
// and its git diff stays small. The inverse of readNotebook.ts's parseNotebook.
import { createHash } from 'node:crypto';
import type { CellOutput, JsonObject, JsonValue, MimeBundle, Notebook, NotebookCell } from './notebookModel.ts';

/** Mime types nbformat splits into lines besides text/* (rwbase._non_text_split_mimes). */
const NON_TEXT_SPLIT_MIMES: ReadonlySet<string> = new Set(['application/javascript', 'image/svg+xml']);
const SURROGATE = /[\ud800-\udfff]/;

/**
 * The notebook as nbformat JSON text. Cell ids are written only for nbformat ≥ 4.5, where the
 * schema requires every cell to have one, unique: a repeated id (e.g. a merge that kept both
 * versions of a cell) gets a numbered variant, and a missing one (a cell from a 4.4 side of a
 * merge) a fresh one from a hash of its position and source, so the file validates.
 */
export function serializeNotebook(nb: Notebook, options: { indent?: number } = {}): string {
  const indent = Math.max(0, Math.min(8, Math.floor(options.indent ?? 1)));
  const withIds = nb.nbformat > 4 || (nb.nbformat === 4 && nb.nbformatMinor >= 5);
  const ids: Array<string | undefined> = withIds ? uniqueIds(nb.cells) : [];
  const json: JsonObject = {
    cells: nb.cells.map((cell, k) => cellJson(cell, ids[k])),
    metadata: nb.metadata,
    nbformat: nb.nbformat,
    nbformat_minor: nb.nbformatMinor,
  };
  return `${stringifySorted(json, indent)}\n`;
}

/** The indent (in spaces) a JSON text uses, from its first indented line; 1 (Jupyter's) when it has none. */
export function detectIndent(text: string): number {
  const match = /^[[{][^\n]*\n( +)\S/.exec(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const width = match?.[1]?.length ?? 1;
  return Math.min(width, 8);
}

function cellJson(cell: NotebookCell, id: string | undefined): JsonObject {
  const json: JsonObject = { cell_type: cell.cellType, metadata: cell.metadata, source: splitLines(cell.source) };
  if (id !== undefined) json.id = id;
  if (cell.cellType === 'code') {
    json.execution_count = cell.executionCount;
    json.outputs = cell.outputs.map(outputJson);
  } else if (cell.attachments) {
    // The schema has no attachments on code cells; markdown and raw cells keep theirs.
    const attachments: JsonObject = {};
    for (const [name, bundle] of Object.entries(cell.attachments)) attachments[name] = bundleJson(bundle);
    json.attachments = attachments;
  }
  return json;
}

function outputJson(output: CellOutput): JsonObject {
  switch (output.outputType) {
    case 'stream':
      return { output_type: 'stream', name: output.name, text: splitLines(output.text) };
    case 'execute_result':
      return { output_type: 'execute_result', execution_count: output.executionCount, data: bundleJson(output.data), metadata: output.metadata };
    case 'display_data':
      return { output_type: 'display_data', data: bundleJson(output.data), metadata: output.metadata };
    case 'error':
      return { output_type: 'error', ename: output.ename, evalue: output.evalue, traceback: output.traceback };
    case 'other':
      // An output type nbformat does not define: written back exactly as it was read.
      return output.raw;
  }
}

/** As nbformat's _split_mimebundle: text/* (and JavaScript, SVG) as lines; images and JSON as they are. */
function bundleJson(bundle: MimeBundle): JsonObject {
  const json: JsonObject = {};
  for (const [mime, value] of Object.entries(bundle)) {
    json[mime] = typeof value === 'string' && (mime.startsWith('text/') || NON_TEXT_SPLIT_MIMES.has(mime)) ? splitLines(value) : value;
  }
  return json;
}

/** Lines keeping their endings (Python's str.splitlines(True) for \n, \r\n and \r); '' → []. */
export function splitLines(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

function uniqueIds(cells: readonly NotebookCell[]): string[] {
  const taken = new Set<string>();
  for (const cell of cells) if (cell.id !== undefined) taken.add(cell.id);
  const used = new Set<string>();
  // Deterministic, so writing the same merge twice gives the same file.
  const fresh = (start: string, next: (n: number) => string): string => {
    let id = start;
    for (let n = 2; taken.has(id) || used.has(id); n++) id = next(n);
    taken.add(id);
    return id;
  };
  return cells.map((cell, k) => {
    let id = cell.id;
    if (id === undefined) {
      // nbformat's own ids are 8 hex characters (uuid4().hex[:8]); a clash takes more of the hash.
      const hash = createHash('sha256').update(`${k}\n${cell.source}`).digest('hex');
      id = fresh(hash.slice(0, 8), (n) => (n <= 57 ? hash.slice(0, n + 7) : `${hash.slice(0, 56)}-${n}`));
    } else if (used.has(id)) {
      const stem = id.slice(0, 56);
      id = fresh(id, (n) => `${stem}-${n}`);
    }
    used.add(id);
    return id;
  });
}

/** JSON.stringify with every object's keys in code-point order, as Python's json.dumps(sort_keys=True, ensure_ascii=False). */
function stringifySorted(value: JsonValue, indent: number): string {
  const parts: string[] = [];
  write(value, '');
  return parts.join('');

  function write(v: JsonValue, pad: string): void {
    if (v === null || typeof v !== 'object') {
      // A non-finite number has no JSON form; JSON.stringify writes null, as Python's allow_nan=False would refuse.
      parts.push(JSON.stringify(v) ?? 'null');
      return;
    }
    const inner = indent > 0 ? pad + ' '.repeat(indent) : '';
    const open = indent > 0 ? `\n${inner}` : '';
    const sep = indent > 0 ? `,\n${inner}` : ',';
    const close = indent > 0 ? `\n${pad}` : '';
    if (Array.isArray(v)) {
      if (v.length === 0) {
        parts.push('[]');
        return;
      }
      parts.push('[', open);
      v.forEach((item, k) => {
        if (k > 0) parts.push(sep);
        write(item, inner);
      });
      parts.push(close, ']');
      return;
    }
    const keys = Object.keys(v).filter((key) => v[key] !== undefined).sort(compareCodePoints);
    if (keys.length === 0) {
      parts.push('{}');
      return;
    }
    parts.push('{', open);
    keys.forEach((key, k) => {
      if (k > 0) parts.push(sep);
      parts.push(JSON.stringify(key), indent > 0 ? ': ' : ':');
      write(v[key] as JsonValue, inner);
    });
    parts.push(close, '}');
  }
}

function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : 1;
  // UTF-16 order differs from code-point order only past the BMP; compare those the slow way.
  const ia = [...a];
  const ib = [...b];
  for (let k = 0; k < Math.min(ia.length, ib.length); k++) {
    const ca = ia[k]!.codePointAt(0)!;
    const cb = ib[k]!.codePointAt(0)!;
    if (ca !== cb) return ca - cb;
  }
  return ia.length - ib.length;
}
