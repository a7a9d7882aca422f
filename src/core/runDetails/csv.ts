// A small CSV reader for previews (RFC 4180): quoted fields may hold the delimiter, doubled quotes
// and line breaks; CRLF, LF and a trailing newline are all fine. Bounded by rows, so a huge file
// costs only what is shown.

export interface CsvTable {
  readonly rows: string[][];
  /** There were more rows than `maxRows`. */
  readonly truncated: boolean;
}

export function parseCsv(text: string, options: { delimiter?: string; maxRows?: number } = {}): CsvTable {
  const delimiter = options.delimiter ?? ',';
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  /** Something of the current row was read (a row of one empty quoted field still counts). */
  let started = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  const endRow = (): boolean => {
    row.push(field);
    field = '';
    rows.push(row);
    row = [];
    started = false;
    return rows.length > maxRows;
  };
  while (i < n) {
    const c = text[i] as string;
    if (c !== '\n' && c !== '\r') started = true;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
    } else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      // Blank lines are skipped, as Python's csv module does.
      if (started && endRow()) return { rows: rows.slice(0, maxRows), truncated: true };
    } else {
      // A quote inside an unquoted field is kept as it is, as most readers do.
      field += c;
    }
    i++;
  }
  // The last row, unless the text ended with a line break (or was empty).
  if (started || quoted) {
    if (endRow()) return { rows: rows.slice(0, maxRows), truncated: true };
  }
  return { rows, truncated: false };
}

/** Tab for `.tsv`/`.tab`, else whichever of , ; | tab is most frequent on the first line. */
export function guessDelimiter(path: string, sample: string): string {
  if (/\.(tsv|tab)$/i.test(path)) return '\t';
  const firstLine = sample.slice(0, sample.search(/\r|\n/) === -1 ? sample.length : sample.search(/\r|\n/));
  let best = ',';
  let bestCount = 0;
  for (const candidate of [',', ';', '\t', '|']) {
    const count = firstLine.split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}
