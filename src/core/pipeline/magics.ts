// IPython-only syntax (line and cell magics, `!shell` lines, `x = !cmd`, `obj?` help) is not Python:
// it is commented out before parsing, keeping the line count so warnings point at the right line.

export interface MagicLine {
  /** 1-based line in the cell. */
  line: number;
  text: string;
}

export interface CleanedCell {
  code: string;
  magics: MagicLine[];
}

/** Cell magics whose body is ordinary Python: only their first line goes. */
const PYTHON_BODY_CELL_MAGICS: ReadonlySet<string> = new Set(['time', 'timeit', 'capture', 'prun', 'debug']);

const LINE_MAGIC = /^\s*[%!]/;
const MAGIC_ASSIGNMENT = /^\s*[A-Za-z_][\w.,\s]*=\s*[%!]/;
const HELP = /^\s*[\w.[\]'"()]+\?\??\s*$/;

export function commentOutMagics(source: string): CleanedCell {
  const lines = source.split('\n');
  const magics: MagicLine[] = [];
  const first = lines.findIndex((l) => l.trim() !== '');
  const firstLine = first >= 0 ? (lines[first] ?? '') : '';
  if (firstLine.trimStart().startsWith('%%')) {
    const name = /^%%(\w+)/.exec(firstLine.trim())?.[1] ?? '';
    magics.push({ line: first + 1, text: firstLine.trim() });
    lines[first] = `# ${firstLine}`;
    if (!PYTHON_BODY_CELL_MAGICS.has(name)) {
      for (let i = first + 1; i < lines.length; i++) lines[i] = `# ${lines[i] ?? ''}`;
      return { code: lines.join('\n'), magics };
    }
  }
  let inString: '"""' | "'''" | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!inString && (LINE_MAGIC.test(line) || MAGIC_ASSIGNMENT.test(line) || HELP.test(line)) && !line.trimStart().startsWith('%%')) {
      const indent = /^\s*/.exec(line)?.[0] ?? '';
      magics.push({ line: i + 1, text: line.trim() });
      // Inside a block a bare comment would leave it empty: keep a `pass`.
      lines[i] = indent ? `${indent}pass  # ${line.trimStart()}` : `# ${line}`;
      continue;
    }
    inString = trackTripleQuotes(line, inString);
  }
  return { code: lines.join('\n'), magics };
}

function trackTripleQuotes(line: string, open: '"""' | "'''" | undefined): '"""' | "'''" | undefined {
  let state = open;
  for (let i = 0; i < line.length; i++) {
    if (!state && line[i] === '#') break;
    const three = line.slice(i, i + 3);
    if (three === '"""' || three === "'''") {
      if (!state) state = three;
      else if (state === three) state = undefined;
      i += 2;
    }
  }
  return state;
}
