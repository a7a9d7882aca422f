// Line diffs of texts (cell sources, text outputs, tracebacks) into unified-style hunks, with
// word-level spans on changed lines that pair up, so a view can highlight what changed inside one.
import type { DiffLine, Hunk, Span, TextDiff } from './model.ts';
import { commonSubsequence, Interner } from './myers.ts';

export interface TextDiffOptions {
  /** Compare lines with all whitespace removed (`git diff -w`). */
  ignoreWhitespace: boolean;
  /** Unchanged lines kept around each change. */
  context: number;
}

/** Lines beyond this length are marked as changed whole: word diffs of minified blobs help nobody. */
const MAX_WORD_DIFF_LINE = 4000;
const TOKEN = /\w+|\s+|[^\w\s]/g;

/** `a\nb\n` and `a\nb` → ['a', 'b']; '' → []. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Text with all whitespace removed: the comparison key when whitespace is ignored. */
export function stripWhitespace(text: string): string {
  return text.replace(/\s+/g, '');
}

export function diffText(base: string, remote: string, options: TextDiffOptions): TextDiff {
  if (base === remote) return { hunks: [], added: 0, removed: 0 };
  const a = splitLines(base);
  const b = splitLines(remote);
  const interner = new Interner();
  // When only one text ends with a newline, its other's last line differs from the same line with
  // one (git's "\ No newline at end of file"), unless whitespace is ignored.
  const endsDiffer = !options.ignoreWhitespace && base.endsWith('\n') !== remote.endsWith('\n');
  const keys = (lines: string[], text: string) => {
    const open = endsDiffer && text !== '' && !text.endsWith('\n');
    return lines.map((line, k) => {
      const text = options.ignoreWhitespace ? stripWhitespace(line) : line;
      return interner.id(open && k === lines.length - 1 ? `${text}\0` : text);
    });
  };
  const matches = commonSubsequence(keys(a, base), keys(b, remote));

  // The whole script as one list of lines, then cut into hunks around the changes.
  const lines: DiffLine[] = [];
  const baseAt: number[] = [];
  const remoteAt: number[] = [];
  let i = 0;
  let j = 0;
  let added = 0;
  let removed = 0;
  const push = (line: DiffLine, ai: number, bj: number) => {
    lines.push(line);
    baseAt.push(ai);
    remoteAt.push(bj);
  };
  const flushChanges = (iEnd: number, jEnd: number) => {
    const deletes: DiffLine[] = [];
    const inserts: DiffLine[] = [];
    for (; i < iEnd; i++) {
      const line: DiffLine = { op: 'delete', text: a[i] as string };
      deletes.push(line);
      push(line, i, j);
      removed++;
    }
    for (; j < jEnd; j++) {
      const line: DiffLine = { op: 'insert', text: b[j] as string };
      inserts.push(line);
      push(line, i, j);
      added++;
    }
    // Lines replaced one for one get word-level spans.
    for (let k = 0; k < Math.min(deletes.length, inserts.length); k++) addSpans(deletes[k] as DiffLine, inserts[k] as DiffLine, options.ignoreWhitespace);
  };
  for (const [mi, mj] of matches) {
    flushChanges(mi, mj);
    push({ op: 'context', text: b[mj] as string }, i, j);
    i++;
    j++;
  }
  flushChanges(a.length, b.length);
  if (added === 0 && removed === 0) return { hunks: [], added, removed };
  return { hunks: cutHunks(lines, baseAt, remoteAt, options.context), added, removed };
}

/** A whole text as one hunk of inserted or deleted lines (an added or removed cell). */
export function wholeText(text: string, op: 'insert' | 'delete'): TextDiff {
  const lines = splitLines(text);
  if (lines.length === 0) return { hunks: [], added: 0, removed: 0 };
  const count = lines.length;
  const hunk: Hunk = {
    baseStart: 0,
    baseCount: op === 'delete' ? count : 0,
    remoteStart: 0,
    remoteCount: op === 'insert' ? count : 0,
    lines: lines.map((text) => ({ op, text })),
  };
  return { hunks: [hunk], added: op === 'insert' ? count : 0, removed: op === 'delete' ? count : 0 };
}

function cutHunks(lines: DiffLine[], baseAt: number[], remoteAt: number[], context: number): Hunk[] {
  const hunks: Hunk[] = [];
  let k = 0;
  while (k < lines.length) {
    while (k < lines.length && (lines[k] as DiffLine).op === 'context') k++;
    if (k >= lines.length) break;
    const start = Math.max(0, k - context);
    // Keep going while the next change is close enough that the hunks would touch.
    let end = k;
    for (;;) {
      while (end < lines.length && (lines[end] as DiffLine).op !== 'context') end++;
      let next = end;
      while (next < lines.length && (lines[next] as DiffLine).op === 'context') next++;
      if (next < lines.length && next - end <= 2 * context) end = next;
      else {
        end = Math.min(lines.length, end + context);
        break;
      }
    }
    const slice = lines.slice(start, end);
    hunks.push({
      baseStart: baseAt[start] as number,
      baseCount: slice.filter((l) => l.op !== 'insert').length,
      remoteStart: remoteAt[start] as number,
      remoteCount: slice.filter((l) => l.op !== 'delete').length,
      lines: slice,
    });
    k = end;
  }
  return hunks;
}

/** Marks the words that differ between a deleted line and the inserted line that replaced it. */
function addSpans(deleted: DiffLine, inserted: DiffLine, ignoreWhitespace: boolean): void {
  const before = deleted.text;
  const after = inserted.text;
  if (before.length > MAX_WORD_DIFF_LINE || after.length > MAX_WORD_DIFF_LINE) return;
  const tokensA = before.match(TOKEN) ?? [];
  const tokensB = after.match(TOKEN) ?? [];
  const interner = new Interner();
  const key = (t: string) => interner.id(ignoreWhitespace && /^\s+$/.test(t) ? ' ' : t);
  const matches = commonSubsequence(tokensA.map(key), tokensB.map(key));
  const matchedA = new Uint8Array(tokensA.length);
  const matchedB = new Uint8Array(tokensB.length);
  let common = 0;
  for (const [i, j] of matches) {
    matchedA[i] = 1;
    matchedB[j] = 1;
    common += (tokensA[i] as string).length;
  }
  // Lines with little in common read better as a plain delete + insert.
  if (common < 0.3 * Math.max(before.length, after.length)) return;
  deleted.spans = unmatchedSpans(tokensA, matchedA, ignoreWhitespace);
  inserted.spans = unmatchedSpans(tokensB, matchedB, ignoreWhitespace);
}

function unmatchedSpans(tokens: string[], matched: Uint8Array, ignoreWhitespace: boolean): Span[] {
  const spans: Span[] = [];
  let offset = 0;
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t] as string;
    const changed = !matched[t] && !(ignoreWhitespace && /^\s+$/.test(token));
    if (changed) {
      const last = spans.at(-1);
      if (last && last[1] === offset) last[1] = offset + token.length;
      else spans.push([offset, offset + token.length]);
    }
    offset += token.length;
  }
  return spans;
}
