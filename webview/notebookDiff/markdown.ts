// A small markdown → DOM renderer for markdown cells. It builds elements and text nodes and never
// parses HTML, so raw HTML in a cell shows literally; links navigate only when http(s), images show
// as their alt text. Every scan is linear: searches for closers are cached per kind and only move forward.
import { el } from '../shared/dom.ts';

/** Deeper nesting (quotes, lists, emphasis) than this is shown as plain text. */
const MAX_DEPTH = 8;
/** How far a link's `(url)` is looked for. */
const MAX_URL = 2048;
const FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*([^`\s]*)/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]|$)/;
const RULE = /^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$/;
const QUOTE = /^ {0,3}> ?/;
const ITEM = /^( *)([-*+]|\d{1,9}[.)])(?:[ \t]+|$)/;
const PUNCT = /^[!-/:-@[-`{-~]$/;
const WORD = /^[\p{L}\p{N}]$/u;

export function renderMarkdown(source: string): HTMLElement {
  return el('div', { className: 'markdown' }, blocks(source.split(/\r?\n/).map(expandTabs), 0));
}

function expandTabs(line: string): string {
  let i = 0;
  while (line[i] === '\t') i++;
  return i ? '    '.repeat(i) + line.slice(i) : line;
}

const lead = (line: string): number => line.length - line.trimStart().length;
const blank = (line: string | undefined): boolean => line !== undefined && line.trim() === '';
const startsBlock = (line: string): boolean => FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || ITEM.test(line);

function blocks(lines: readonly string[], depth: number): Node[] {
  const out: Node[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    const fence = FENCE.exec(line);
    const heading = HEADING.exec(line);
    if (blank(line)) i++;
    else if (fence) {
      const marker = fence[1] as string;
      const body: string[] = [];
      for (i++; i < lines.length && !closesFence(lines[i] as string, marker); i++) body.push(lines[i] as string);
      i++;
      const code = el('code', { text: body.join('\n') });
      if (fence[2]) code.setAttribute('data-lang', fence[2]);
      out.push(el('pre', { className: 'md-code' }, [code]));
    } else if (heading) {
      const level = (heading[1] as string).length;
      out.push(el(`h${level}` as 'h1', {}, inline(headingText(line.slice(heading[0].length)), depth)));
      i++;
    } else if (RULE.test(line)) {
      out.push(el('hr'));
      i++;
    } else if (QUOTE.test(line)) {
      const inner: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i] as string)) inner.push((lines[i++] as string).replace(QUOTE, ''));
      out.push(el('blockquote', {}, depth < MAX_DEPTH ? blocks(inner, depth + 1) : [el('p', { text: inner.join('\n') })]));
    } else if (ITEM.test(line)) {
      i = list(lines, i, depth, out);
    } else {
      const para = [line.trim()];
      for (i++; i < lines.length && !blank(lines[i]) && !startsBlock(lines[i] as string); i++) para.push((lines[i] as string).trim());
      out.push(el('p', {}, inline(para.join('\n'), depth)));
    }
  }
  return out;
}

function closesFence(line: string, marker: string): boolean {
  const t = line.trim();
  return lead(line) < 4 && t.length >= marker.length && [...t].every((c) => c === marker[0]);
}

function headingText(rest: string): string {
  const t = rest.trim();
  let j = t.length;
  while (j > 0 && t[j - 1] === '#') j--;
  return j === 0 || t[j - 1] === ' ' || t[j - 1] === '\t' ? t.slice(0, j).trim() : t;
}

/** One list from lines[start]: sibling items at about the same indentation, each item's more-indented lines as its content. */
function list(lines: readonly string[], start: number, depth: number, out: Node[]): number {
  const first = ITEM.exec(lines[start] as string) as RegExpExecArray;
  const indent = (first[1] as string).length;
  const ordered = /\d/.test(first[2] as string);
  const root = el(ordered ? 'ol' : 'ul');
  const number = parseInt(first[2] as string, 10);
  if (ordered && number !== 1) root.setAttribute('start', String(number));
  const sibling = (line: string | undefined): RegExpExecArray | null => {
    const m = line === undefined ? null : ITEM.exec(line);
    return m && (m[1] as string).length <= indent + 1 && /\d/.test(m[2] as string) === ordered ? m : null;
  };
  let i = start;
  for (let m = sibling(lines[i]); m; m = sibling(lines[i])) {
    const text = (lines[i] as string).slice(m[0].length);
    const contentIndent = text.trim() ? m[0].length : (m[1] as string).length + 2;
    const content = [text];
    let loose = false;
    for (i++; i < lines.length; i++) {
      const line = lines[i] as string;
      if (blank(line)) {
        let k = i;
        while (blank(lines[k])) k++;
        if (k >= lines.length || lead(lines[k] as string) < contentIndent) break;
        loose = true;
        content.push(...lines.slice(i, k).map(() => ''));
        i = k - 1;
      } else if (lead(line) >= contentIndent || (lead(line) > indent + 1 && ITEM.test(line))) content.push(line.slice(Math.min(lead(line), contentIndent)));
      else if (!startsBlock(line) && !blank(content[content.length - 1])) content.push(line.trim());
      else break;
    }
    const item = el('li', {}, depth < MAX_DEPTH ? blocks(content, depth + 1) : [document.createTextNode(content.join('\n'))]);
    if (!loose) for (const p of [...item.children]) if (p.tagName === 'P') p.replaceWith(...p.childNodes);
    root.append(item);
    let k = i;
    while (blank(lines[k])) k++;
    if (sibling(lines[k])) i = k;
  }
  out.push(root);
  return i;
}

type Finder = (key: string, from: number, scan: (from: number) => number) => number;

/** Caches each kind of search: a later search from further on reuses the last answer while it still holds. */
function finder(): Finder {
  const cache = new Map<string, [number, number]>();
  return (key, from, scan) => {
    const hit = cache.get(key);
    if (hit && hit[0] <= from && (hit[1] < 0 || hit[1] >= from)) return hit[1];
    const result = scan(from);
    cache.set(key, [from, result]);
    return result;
  };
}

function runLength(text: string, at: number, c: string): number {
  let n = 0;
  while (text[at + n] === c) n++;
  return n;
}

/** The next run of `c` that can close: exactly n long for code, else a run after non-space (for `_` not before a word character). */
function closer(text: string, from: number, c: string, size: number): number {
  for (let p = text.indexOf(c, from); p >= 0; ) {
    const n = runLength(text, p, c);
    if (c === '`' ? n === size : (size === 1 ? n === 1 : n >= 2) && !/\s/.test(text[p - 1] ?? ' ') && (c === '*' || !WORD.test(text[p + n] ?? ' '))) {
      return c === '`' ? p : p + n - size;
    }
    p = text.indexOf(c, p + n);
  }
  return -1;
}

function inline(text: string, depth: number, links = true): Node[] {
  const out: Node[] = [];
  const find = finder();
  let buf = '';
  const push = (node: Node) => {
    if (buf) out.push(document.createTextNode(buf));
    buf = '';
    out.push(node);
  };
  for (let i = 0; i < text.length; ) {
    const c = text[i] as string;
    if (c === '\\' && PUNCT.test(text[i + 1] ?? '')) {
      buf += text[i + 1];
      i += 2;
      continue;
    }
    const link = c === '[' || (c === '!' && text[i + 1] === '[') ? parseLink(text, c === '!' ? i + 1 : i, find) : null;
    if (link && c === '!') {
      push(el('span', { className: 'md-image', text: `[${link.text}]`, attrs: { title: link.url } }));
      i = link.end;
      continue;
    }
    if (link && links) {
      push(anchor(link.text, link.url, depth));
      i = link.end;
      continue;
    }
    if (c === '`' || ((c === '*' || c === '_') && depth < MAX_DEPTH)) {
      const n = runLength(text, i, c);
      const size = c === '`' ? n : Math.min(n, 2);
      const opens = c === '`' || (!/\s/.test(text[i + n] ?? ' ') && (c === '*' || !WORD.test(text[i - 1] ?? ' ')));
      const close = opens ? find(`${c}${size}`, i + size, (from) => closer(text, from, c, size)) : -1;
      if (close > i + size) {
        const inner = text.slice(i + size, close);
        if (c === '`') push(el('code', { text: inner.length > 2 && inner.startsWith(' ') && inner.endsWith(' ') ? inner.slice(1, -1) : inner }));
        else push(el(size === 2 ? 'strong' : 'em', {}, inline(inner, depth + 1, links)));
        i = close + size;
      } else {
        buf += text.slice(i, i + n);
        i += n;
      }
      continue;
    }
    buf += c;
    i++;
  }
  if (buf) out.push(document.createTextNode(buf));
  return out;
}

/** `[text](url "title")` from the `[` at `open`; the url is its first word, without <>. */
function parseLink(text: string, open: number, find: Finder): { text: string; url: string; end: number } | null {
  const close = find(']', open + 1, (from) => text.indexOf(']', from));
  if (close < 0 || text[close + 1] !== '(') return null;
  // The url may hold balanced parentheses; the scan is capped so that unclosed links stay linear.
  let end = -1;
  for (let i = close + 2, open = 0; i < Math.min(text.length, close + 2 + MAX_URL) && text[i] !== '\n'; i++) {
    if (text[i] === '(') open++;
    else if (text[i] === ')' && open-- === 0) {
      end = i;
      break;
    }
  }
  if (end < 0) return null;
  const url = text.slice(close + 2, end).trim().split(/\s/)[0] ?? '';
  return { text: text.slice(open + 1, close), url: url.startsWith('<') && url.endsWith('>') ? url.slice(1, -1) : url, end: end + 1 };
}

/** A link shows its text with the url as its title; only http(s) urls get an href (VS Code opens them outside). */
function anchor(text: string, url: string, depth: number): HTMLElement {
  const a = el('a', { className: 'md-link', attrs: { title: url } }, text ? inline(text, depth + 1, false) : [document.createTextNode(url)]);
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') a.setAttribute('href', parsed.href);
  } catch {
    // not an absolute url: no navigation
  }
  return a;
}
