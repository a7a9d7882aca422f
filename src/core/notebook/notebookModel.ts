// The typed cell model every notebook feature reads (diff, pipeline export), after nbformat 4.x:
// multi-line strings (`source`, stream `text`, text mime data) are joined into one string, and the
// fields are camelCase. Anything the model does not name is kept in `metadata`/`data` as JSON.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type CellType = 'code' | 'markdown' | 'raw';

/** A mime bundle: text mime types joined to one string, JSON mime types (`application/json`, `…+json`) as parsed JSON. */
export type MimeBundle = Record<string, JsonValue>;

export interface StreamOutput {
  outputType: 'stream';
  name: string;
  text: string;
}

export interface DataOutput {
  outputType: 'execute_result' | 'display_data';
  /** Only `execute_result` has one. */
  executionCount: number | null;
  data: MimeBundle;
  metadata: JsonObject;
}

export interface ErrorOutput {
  outputType: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}

/** An output type nbformat does not define (kept rather than refusing the notebook). */
export interface OtherOutput {
  outputType: 'other';
  originalType: string;
  raw: JsonObject;
}

export type CellOutput = StreamOutput | DataOutput | ErrorOutput | OtherOutput;

export interface NotebookCell {
  /** nbformat ≥ 4.5 cell id; absent in older notebooks. */
  id?: string;
  cellType: CellType;
  source: string;
  metadata: JsonObject;
  /** Markdown/raw cell attachments: file name → mime bundle (base64 images). */
  attachments?: Record<string, MimeBundle>;
  /** Code cells only; empty for markdown and raw. */
  outputs: CellOutput[];
  /** Code cells only; null when never run (and always null for markdown and raw). */
  executionCount: number | null;
}

export interface Notebook {
  nbformat: number;
  nbformatMinor: number;
  metadata: JsonObject;
  cells: NotebookCell[];
}
