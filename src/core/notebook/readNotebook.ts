// Reads nbformat 4.x (every minor) into the typed cell model. Strict where a wrong guess would
// mislead (unknown cell types, missing sources, nbformat 3), lenient where Jupyter itself is
// (missing `metadata`, `outputs` or `nbformat_minor`), and always naming the file in the error.
import { readFile, stat } from 'node:fs/promises';
import { locateJsonError } from './jsonErrorPosition.ts';
import type { CellOutput, CellType, JsonObject, JsonValue, MimeBundle, Notebook, NotebookCell } from './notebookModel.ts';
import { NotebookFormatError } from './notebookErrors.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

/** Beyond these a file is not a notebook anyone edits by hand: refuse it rather than exhaust memory. */
export const MAX_NOTEBOOK_BYTES = 512 * 1024 * 1024;
export const MAX_NOTEBOOK_CELLS = 100_000;

const CELL_TYPES: ReadonlySet<string> = new Set(['code', 'markdown', 'raw']);

/** Reads and parses a notebook file; `displayName` (default: the path) is what error messages call it. */
export async function readNotebookFile(file: string, displayName = file): Promise<Notebook> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    throw new NotebookFormatError('unreadable', displayName, `${displayName}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (size > MAX_NOTEBOOK_BYTES) {
    throw new NotebookFormatError('tooLarge', displayName, `${displayName} is ${formatMb(size)}; Labbook reads notebooks up to ${formatMb(MAX_NOTEBOOK_BYTES)}.`);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new NotebookFormatError('unreadable', displayName, `${displayName}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseNotebook(text, displayName);
}

/** Parses notebook JSON text; `file` names it in error messages. */
export function parseNotebook(text: string, file: string): Notebook {
  if (text.length > MAX_NOTEBOOK_BYTES) {
    throw new NotebookFormatError('tooLarge', file, `${file} is larger than ${formatMb(MAX_NOTEBOOK_BYTES)}; Labbook does not read notebooks that large.`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a BOM some Windows editors add
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const where = locateJsonError(text);
    if (where) {
      throw new NotebookFormatError('invalidJson', file, `${file} is not valid JSON: ${where.reason} at line ${where.line}, column ${where.column}.`, where);
    }
    throw new NotebookFormatError('invalidJson', file, `${file} is not valid JSON (${errorMessage(err)}).`);
  }
  return toNotebook(json, file);
}

/** A notebook with no cells: the "other side" of an added or deleted file. */
export function emptyNotebook(): Notebook {
  return { nbformat: 4, nbformatMinor: 5, metadata: {}, cells: [] };
}

function toNotebook(json: unknown, file: string): Notebook {
  const fail = (message: string, code: 'notANotebook' | 'invalidCell' | 'unsupportedVersion' | 'tooLarge' = 'notANotebook') => new NotebookFormatError(code, file, `${file}: ${message}`);
  if (!isObject(json)) throw fail('not a Jupyter notebook (the top level is not a JSON object).');
  const version = json.nbformat;
  if (version === undefined && 'worksheets' in json) throw upgradeError(file, 3);
  if (typeof version !== 'number' || !Number.isInteger(version)) throw fail("not a Jupyter notebook (no 'nbformat' version number).");
  if (version < 4) throw upgradeError(file, version);
  if (version > 4) throw fail(`nbformat ${version} is newer than Labbook understands (it reads nbformat 4.x).`, 'unsupportedVersion');
  const minor = typeof json.nbformat_minor === 'number' ? json.nbformat_minor : 0;
  if (!Array.isArray(json.cells)) throw fail(`not a valid nbformat 4 notebook: it has no 'cells' list.`);
  if (json.cells.length > MAX_NOTEBOOK_CELLS) {
    throw fail(`has ${json.cells.length} cells; Labbook reads notebooks of up to ${MAX_NOTEBOOK_CELLS} cells.`, 'tooLarge');
  }
  const cells = json.cells.map((cell, index) => toCell(cell, index, (message) => fail(`cell ${index + 1}: ${message}`, 'invalidCell')));
  return { nbformat: version, nbformatMinor: minor, metadata: isObject(json.metadata) ? json.metadata : {}, cells };
}

function upgradeError(file: string, version: number): NotebookFormatError {
  return new NotebookFormatError(
    'unsupportedVersion',
    file,
    `${file} is an nbformat ${version} notebook; Labbook reads nbformat 4. Convert it with\n` +
      `  jupyter nbconvert --to notebook --nbformat 4 ${quoteArg(file)}\n` +
      `(this writes a converted copy beside it, ending in .nbconvert.ipynb).`,
  );
}

function toCell(raw: unknown, _index: number, fail: (message: string) => NotebookFormatError): NotebookCell {
  if (!isObject(raw)) throw fail('is not a JSON object.');
  const type = raw.cell_type;
  if (typeof type !== 'string') throw fail("has no 'cell_type'.");
  if (!CELL_TYPES.has(type)) throw fail(`unknown cell_type '${type}' (expected code, markdown or raw).`);
  const source = multiline(raw.source);
  if (source === undefined) throw fail(raw.source === undefined ? "has no 'source'." : "'source' is neither a string nor a list of strings.");
  const cell: NotebookCell = {
    cellType: type as CellType,
    source,
    metadata: isObject(raw.metadata) ? raw.metadata : {},
    outputs: [],
    executionCount: null,
  };
  if (typeof raw.id === 'string') cell.id = raw.id;
  if (isObject(raw.attachments)) {
    const attachments: Record<string, MimeBundle> = {};
    for (const [name, bundle] of Object.entries(raw.attachments)) attachments[name] = isObject(bundle) ? mimeBundle(bundle) : {};
    cell.attachments = attachments;
  }
  if (type === 'code') {
    cell.executionCount = typeof raw.execution_count === 'number' ? raw.execution_count : null;
    if (raw.outputs !== undefined && !Array.isArray(raw.outputs)) throw fail("'outputs' is not a list.");
    cell.outputs = (raw.outputs ?? []).map((output, k) => toOutput(output, (message) => fail(`output ${k + 1}: ${message}`)));
  }
  return cell;
}

function toOutput(raw: unknown, fail: (message: string) => NotebookFormatError): CellOutput {
  if (!isObject(raw)) throw fail('is not a JSON object.');
  switch (raw.output_type) {
    case 'stream':
      return { outputType: 'stream', name: typeof raw.name === 'string' ? raw.name : 'stdout', text: multiline(raw.text) ?? '' };
    case 'execute_result':
    case 'display_data':
      return {
        outputType: raw.output_type,
        executionCount: typeof raw.execution_count === 'number' ? raw.execution_count : null,
        data: isObject(raw.data) ? mimeBundle(raw.data) : {},
        metadata: isObject(raw.metadata) ? raw.metadata : {},
      };
    case 'error':
      return {
        outputType: 'error',
        ename: typeof raw.ename === 'string' ? raw.ename : '',
        evalue: typeof raw.evalue === 'string' ? raw.evalue : '',
        // Not String(line): a JSON object whose `toString` is not a function makes that throw.
        traceback: Array.isArray(raw.traceback) ? raw.traceback.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))) : [],
      };
    default:
      if (typeof raw.output_type !== 'string') throw fail("has no 'output_type'.");
      return { outputType: 'other', originalType: raw.output_type, raw };
  }
}

/** Text mime types are stored as a string or a list of lines; JSON mime types as JSON. */
function mimeBundle(raw: JsonObject): MimeBundle {
  const bundle: MimeBundle = {};
  for (const [mime, value] of Object.entries(raw)) {
    const isJson = mime === 'application/json' || mime.endsWith('+json');
    bundle[mime] = isJson ? value : (multiline(value) ?? value);
  }
  return bundle;
}

function multiline(value: JsonValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((line) => typeof line === 'string')) return value.join('');
  return undefined;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function formatMb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

function quoteArg(file: string): string {
  return /^[\w./@:+-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`;
}
