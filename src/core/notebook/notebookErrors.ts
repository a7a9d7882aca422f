/** Why a file could not be read as a notebook. */
export type NotebookErrorCode = 'unreadable' | 'invalidJson' | 'notANotebook' | 'unsupportedVersion' | 'invalidCell' | 'tooLarge';

/** A file that is not a notebook Labbook can read; `message` is meant for the user and names the file. */
export class NotebookFormatError extends Error {
  readonly code: NotebookErrorCode;
  readonly file: string;
  /** 1-based position of a JSON syntax error. */
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(code: NotebookErrorCode, file: string, message: string, position?: { line: number; column: number }) {
    super(message);
    this.name = 'NotebookFormatError';
    this.code = code;
    this.file = file;
    this.line = position?.line;
    this.column = position?.column;
  }
}
