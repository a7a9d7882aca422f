/**
 * A small, tolerant reader for the YAML that MLflow's file store writes (`meta.yaml`): PyYAML's
 * `safe_dump(default_flow_style=False)` of flat dicts, with the odd nested mapping (`aliases:`)
 * or list (`tags:` in old versions). Not a general YAML parser: no anchors, tags, complex keys or
 * non-empty flow collections (those come back as their raw text). Structural garbage is an error,
 * so a corrupt file is reported rather than read as nonsense.
 */

export type YamlValue = string | number | boolean | null | readonly YamlValue[] | { readonly [key: string]: YamlValue };
export type YamlMap = { readonly [key: string]: YamlValue };

export class YamlSyntaxError extends Error {
  override readonly name = 'YamlSyntaxError';
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

interface Line {
  readonly indent: number;
  readonly text: string;
  readonly number: number;
}

const MAX_DEPTH = 20;

/** Parses a meta.yaml document whose top level is a mapping (an empty document is `{}`). */
export function parseMetaYaml(source: string): YamlMap {
  const lines: Line[] = [];
  source.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, i) => {
    if (/^(---|\.\.\.)\s*$/.test(raw)) return;
    if (raw.includes('\t') && /^\s*\t/.test(raw)) throw new YamlSyntaxError(i + 1, 'tab used for indentation');
    const text = raw.trimStart();
    lines.push({ indent: raw.length - text.length, text: text.trimEnd(), number: i + 1 });
  });
  const parser = new BlockParser(lines);
  parser.skipBlank();
  if (parser.done()) return {};
  const first = parser.peek();
  if (first.indent !== 0 || first.text.startsWith('- ') || first.text === '-') {
    throw new YamlSyntaxError(first.number, 'expected a top-level "key: value" mapping');
  }
  const map = parser.mapping(0, 0);
  parser.skipBlank();
  if (!parser.done()) throw new YamlSyntaxError(parser.peek().number, `unexpected text '${parser.peek().text}'`);
  return map;
}

class BlockParser {
  private readonly lines: readonly Line[];
  private pos = 0;
  constructor(lines: readonly Line[]) {
    this.lines = lines;
  }

  done(): boolean {
    return this.pos >= this.lines.length;
  }
  peek(): Line {
    const line = this.lines[this.pos];
    if (line === undefined) throw new YamlSyntaxError(this.lines.length, 'unexpected end of file');
    return line;
  }
  skipBlank(): void {
    while (!this.done() && (this.peek().text === '' || this.peek().text.startsWith('#'))) this.pos++;
  }

  mapping(indent: number, depth: number): YamlMap {
    if (depth > MAX_DEPTH) throw new YamlSyntaxError(this.peek().number, 'nesting too deep');
    const out: Record<string, YamlValue> = {};
    for (this.skipBlank(); !this.done() && this.peek().indent === indent; this.skipBlank()) {
      const line = this.peek();
      if (line.text.startsWith('- ') || line.text === '-') break;
      const entry = splitKey(line);
      this.pos++;
      setEntry(out, entry.key, this.valueAfterKey(entry.rest, indent, line, depth));
    }
    if (!this.done() && this.peek().indent > indent) {
      throw new YamlSyntaxError(this.peek().number, `unexpected indentation before '${this.peek().text}'`);
    }
    return out;
  }

  /** A block sequence at `indent` (PyYAML puts a mapping's list items at the key's own indent). */
  sequence(indent: number, depth: number): YamlValue[] {
    if (depth > MAX_DEPTH) throw new YamlSyntaxError(this.peek().number, 'nesting too deep');
    const out: YamlValue[] = [];
    for (this.skipBlank(); !this.done() && this.peek().indent === indent; this.skipBlank()) {
      const line = this.peek();
      if (!(line.text.startsWith('- ') || line.text === '-')) break;
      const rest = line.text.slice(1).trimStart();
      const itemIndent = indent + (line.text.length - rest.length);
      if (rest !== '' && looksLikeKey(rest)) {
        // `- key: value` starts a mapping whose later keys sit at the item's indent.
        const virtual: Line = { indent: itemIndent, text: rest, number: line.number };
        const entry = splitKey(virtual);
        this.pos++;
        const item: Record<string, YamlValue> = {};
        setEntry(item, entry.key, this.valueAfterKey(entry.rest, itemIndent, virtual, depth + 1));
        for (const [key, value] of Object.entries(this.mapping(itemIndent, depth + 1))) setEntry(item, key, value);
        out.push(item);
      } else {
        this.pos++;
        out.push(this.valueAfterKey(rest, indent, line, depth + 1));
      }
    }
    return out;
  }

  private valueAfterKey(rest: string, indent: number, line: Line, depth: number): YamlValue {
    if (rest === '' || rest.startsWith('#')) {
      this.skipBlank();
      if (this.done()) return null;
      const next = this.peek();
      const isItem = next.text.startsWith('- ') || next.text === '-';
      if (isItem && next.indent >= indent) return this.sequence(next.indent, depth + 1);
      if (next.indent > indent) return this.mapping(next.indent, depth + 1);
      return null;
    }
    if (rest.startsWith("'") || rest.startsWith('"')) return this.quoted(rest, line);
    if (/^[|>][-+0-9]*(\s+#.*)?$/.test(rest)) return this.blockScalar(rest, indent);
    return this.plain(rest, indent);
  }

  private quoted(first: string, line: Line): string {
    const quote = first[0] as "'" | '"';
    const parts = [first.slice(1)];
    let closing = findClosingQuote(parts[0] ?? '', quote);
    while (closing < 0) {
      if (this.done()) throw new YamlSyntaxError(line.number, `unterminated ${quote === "'" ? 'single' : 'double'}-quoted string`);
      const next = this.peek();
      this.pos++;
      parts.push(next.text);
      closing = findClosingQuote(next.text, quote);
    }
    const last = parts.length - 1;
    const tail = (parts[last] ?? '').slice(closing + 1).trim();
    if (tail !== '' && !tail.startsWith('#')) throw new YamlSyntaxError(line.number, `unexpected text after quoted string: '${tail}'`);
    parts[last] = (parts[last] ?? '').slice(0, closing);
    return quote === "'" ? foldLines(parts).replaceAll("''", "'") : unescapeDouble(parts, line.number);
  }

  private plain(first: string, indent: number): YamlValue {
    const parts = [stripComment(first)];
    // A long plain scalar wraps onto more-indented lines (PyYAML breaks at spaces past 80 columns).
    while (!this.done() && (this.peek().indent > indent || this.peek().text === '')) {
      const next = this.peek();
      if (next.text === '' && !this.continuesAfterBlank(indent)) break;
      // A plain scalar cannot hold ': ' (PyYAML would have quoted it): this is a misplaced key.
      if (/:(\s|$)/.test(next.text)) throw new YamlSyntaxError(next.number, `unexpected indentation before '${next.text}'`);
      parts.push(next.text);
      this.pos++;
    }
    const text = foldLines(parts);
    if (parts.length === 1 && (text.startsWith('[') || text.startsWith('{'))) return flowValue(text);
    return resolvePlain(text);
  }

  private continuesAfterBlank(indent: number): boolean {
    for (let i = this.pos; i < this.lines.length; i++) {
      const line = this.lines[i];
      if (line === undefined) break;
      if (line.text !== '') return line.indent > indent && !line.text.startsWith('#');
    }
    return false;
  }

  private blockScalar(header: string, indent: number): string {
    const folded = header.startsWith('>');
    const chomp = header.includes('-') ? 'strip' : header.includes('+') ? 'keep' : 'clip';
    const body: Line[] = [];
    while (!this.done() && (this.peek().indent > indent || this.peek().text === '')) {
      body.push(this.peek());
      this.pos++;
    }
    const contentIndent = body.find((l) => l.text !== '')?.indent ?? indent + 1;
    // `text` was trimmed; rebuild each line's own extra indentation, which a block scalar keeps.
    const texts = body.map((l) => (l.text === '' ? '' : ' '.repeat(Math.max(0, l.indent - contentIndent)) + l.text));
    let value = folded ? foldBlock(texts) : texts.join('\n');
    const trailing = /\n*$/.exec(value)?.[0] ?? '';
    value = value.slice(0, value.length - trailing.length);
    if (chomp === 'keep') return `${value}\n${trailing}`;
    return chomp === 'strip' || value === '' ? value : `${value}\n`;
  }
}

/** A key as an own property, even `__proto__` (a plain assignment would replace the prototype). */
function setEntry(map: Record<string, YamlValue>, key: string, value: YamlValue): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

function looksLikeKey(text: string): boolean {
  try {
    splitKey({ indent: 0, text, number: 0 });
    return true;
  } catch {
    return false;
  }
}

function splitKey(line: Line): { key: string; rest: string } {
  const { text } = line;
  if (text.startsWith("'") || text.startsWith('"')) {
    const quote = text[0] as "'" | '"';
    const close = findClosingQuote(text.slice(1), quote);
    const after = close < 0 ? '' : text.slice(close + 2);
    if (close < 0 || !/^:(\s|$)/.test(after)) throw new YamlSyntaxError(line.number, `expected "key: value", found '${text}'`);
    const inner = text.slice(1, close + 1);
    return { key: quote === "'" ? inner.replaceAll("''", "'") : unescapeText(inner, line.number), rest: after.slice(1).trim() };
  }
  const match = /^([^\s#'"[\]{},][^:]*?|[^\s#'"[\]{},]):(?:\s+(.*))?$/.exec(text);
  if (match === null) throw new YamlSyntaxError(line.number, `expected "key: value", found '${text}'`);
  return { key: match[1] ?? '', rest: (match[2] ?? '').trim() };
}

/** Index of the closing quote in `text` (which starts after the opening one), or -1. */
function findClosingQuote(text: string, quote: "'" | '"'): number {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote === '"' && ch === '\\') {
      i++;
    } else if (ch === quote) {
      if (quote === "'" && text[i + 1] === "'") i++;
      else return i;
    }
  }
  return -1;
}

/** YAML line folding for flow scalars: one break is a space, each blank line is a newline. */
function foldLines(parts: readonly string[]): string {
  let out = parts[0] ?? '';
  let blanks = 0;
  parts.slice(1).forEach((part, i, rest) => {
    // The last part ends at the closing quote, so its trailing spaces are content.
    const isLast = i === rest.length - 1;
    const text = isLast ? part.trimStart() : part.trim();
    if (text === '' && !isLast) {
      blanks++;
      return;
    }
    out = out.trimEnd() + (blanks > 0 ? '\n'.repeat(blanks) : ' ') + text;
    blanks = 0;
  });
  return out;
}

function foldBlock(lines: readonly string[]): string {
  let out = '';
  lines.forEach((line, i) => {
    if (i === 0) out = line;
    else if (line === '' || line.startsWith(' ') || lines[i - 1] === '' || (lines[i - 1] ?? '').startsWith(' ')) out += `\n${line}`;
    else out += ` ${line}`;
  });
  return out;
}

const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};

function unescapeDouble(parts: readonly string[], lineNumber: number): string {
  let out = '';
  let blanks = 0;
  let joinNext = false;
  parts.forEach((raw, i) => {
    const isLast = i === parts.length - 1;
    let line = i === 0 ? raw : raw.trimStart();
    // A `\` at the end of a line (PyYAML's way to wrap) joins the lines with nothing between.
    const escapedBreak = !isLast && /(^|[^\\])(\\\\)*\\$/.test(line);
    if (escapedBreak) line = line.slice(0, -1);
    else if (!isLast) line = line.trimEnd();
    if (i > 0 && !joinNext) {
      if (line === '' && !isLast) {
        blanks++;
        return;
      }
      out += blanks > 0 ? '\n'.repeat(blanks) : ' ';
      blanks = 0;
    }
    out += unescapeText(line, lineNumber);
    joinNext = escapedBreak;
  });
  return out;
}

function unescapeText(text: string, lineNumber: number): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_m, esc: string) => {
    if (esc.length > 1) {
      const code = parseInt(esc.slice(1), 16);
      if (code > 0x10ffff) throw new YamlSyntaxError(lineNumber, `invalid escape '\\${esc}' (beyond Unicode)`);
      return String.fromCodePoint(code);
    }
    return ESCAPES[esc] ?? esc;
  });
}

function stripComment(text: string): string {
  const hash = text.search(/\s#/);
  return hash < 0 ? text : text.slice(0, hash).trimEnd();
}

function flowValue(text: string): YamlValue {
  if (/^\[\s*\]$/.test(text)) return [];
  if (/^\{\s*\}$/.test(text)) return {};
  return text;
}

// PyYAML's (YAML 1.1) implicit resolvers, limited to what its dumper leaves unquoted: it quotes
// any string that would resolve to something else, so a plain `123` really was a number.
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUES = new Set(['true', 'True', 'TRUE', 'yes', 'Yes', 'YES', 'on', 'On', 'ON']);
const FALSES = new Set(['false', 'False', 'FALSE', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);
const INT = /^[-+]?(0|[1-9][0-9_]*)$/;
const FLOAT = /^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?$/;

export function resolvePlain(text: string): YamlValue {
  if (NULLS.has(text)) return null;
  if (TRUES.has(text)) return true;
  if (FALSES.has(text)) return false;
  if (INT.test(text) || (FLOAT.test(text) && /[0-9]/.test(text))) return Number(text.replaceAll('_', ''));
  if (/^[-+]?\.(inf|Inf|INF)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(nan|NaN|NAN)$/.test(text)) return NaN;
  return text;
}
