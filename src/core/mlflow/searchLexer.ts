/**
 * Tokens of MLflow's search syntax (filters and order_by clauses) and the error every search
 * syntax problem is reported with. The parser lives in searchFilter.ts.
 */
import { TrackingError } from '../store/errors.ts';

/** What was being read, for the first words of an error message. */
export type SearchSubject = 'filter' | 'order_by clause';

/**
 * A filter or order_by clause that does not parse. The message quotes the offending text, its
 * 0-based position and a caret line under it, because users type these by hand in a search box.
 */
export class SearchSyntaxError extends TrackingError {
  /** 0-based offset (UTF-16 code units) into the input. */
  readonly position: number;
  /** The offending text; empty at the end of the input. */
  readonly token: string;
  /** The explanation alone, without position and caret line. */
  readonly reason: string;
  readonly input: string;

  constructor(input: string, position: number, token: string, reason: string, subject: SearchSubject = 'filter') {
    super('INVALID_PARAMETER_VALUE', formatSyntaxError(input, position, token, reason, subject));
    this.position = position;
    this.token = token;
    this.reason = reason;
    this.input = input;
  }
}

function formatSyntaxError(input: string, position: number, token: string, reason: string, subject: SearchSubject): string {
  // Line breaks and tabs become spaces so the caret stays under the offending text.
  const echo = input.replace(/[\r\n\t]/g, ' ');
  const carets = '^'.repeat(Math.max(1, Math.min(token.length, input.length - position)));
  return `Invalid ${subject} at position ${position}: ${reason}\n  ${echo}\n  ${' '.repeat(position)}${carets}`;
}

/** One dot-separated part of an identifier; quoted parts keep dots and spaces. */
export interface Segment {
  readonly text: string;
  readonly quoted: boolean;
  readonly start: number;
  readonly end: number;
}

interface TokenSpan {
  readonly start: number;
  readonly end: number;
  /** The token as written. */
  readonly text: string;
}

export type Token =
  | (TokenSpan & { readonly kind: 'identifier'; readonly segments: readonly Segment[] })
  | (TokenSpan & { readonly kind: 'string'; readonly value: string })
  | (TokenSpan & { readonly kind: 'number'; readonly value: number })
  | (TokenSpan & { readonly kind: 'operator' | 'lparen' | 'rparen' | 'comma' | 'end' })
  /** Lexing failed here; the parser reports it when it reaches this token, so errors come in reading order. */
  | (TokenSpan & { readonly kind: 'invalid'; readonly problem: string });

const WORD_CHAR = /[\p{L}\p{N}_]/u;
const WORD_START = /[\p{L}_]/u;
const NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const OPERATOR_CHARS = '<>=!';
const QUOTES = `'"`;

/** Splits the input into tokens, ending with one `end` token or at the first `invalid` one. */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  for (;;) {
    while (i < input.length && /\s/.test(input.charAt(i))) i++;
    if (i >= input.length) {
      tokens.push({ kind: 'end', start: input.length, end: input.length, text: '' });
      return tokens;
    }
    const token = readToken(input, i, tokens.at(-1));
    tokens.push(token);
    if (token.kind === 'invalid') return tokens;
    i = token.end;
  }
}

function readToken(input: string, start: number, previous: Token | undefined): Token {
  const ch = input.charAt(start);
  const span = (end: number): TokenSpan => ({ start, end, text: input.slice(start, end) });
  if (ch === '(') return { kind: 'lparen', ...span(start + 1) };
  if (ch === ')') return { kind: 'rparen', ...span(start + 1) };
  if (ch === ',') return { kind: 'comma', ...span(start + 1) };
  if (OPERATOR_CHARS.includes(ch)) {
    // A run of operator characters is one token, so `<<` is reported whole.
    let end = start;
    while (end < input.length && OPERATOR_CHARS.includes(input.charAt(end))) end++;
    return { kind: 'operator', ...span(end) };
  }
  if (QUOTES.includes(ch)) {
    const quoted = readQuoted(input, start);
    if (quoted === undefined) return unterminated(input, start);
    return { kind: 'string', value: quoted.value, ...span(quoted.end) };
  }
  NUMBER.lastIndex = start;
  const number = NUMBER.exec(input);
  if (number !== null) {
    const end = start + number[0].length;
    if (end < input.length && WORD_CHAR.test(input.charAt(end))) {
      let wordEnd = end;
      while (wordEnd < input.length && WORD_CHAR.test(input.charAt(wordEnd))) wordEnd++;
      const text = input.slice(start, wordEnd);
      return { kind: 'invalid', ...span(wordEnd), problem: `"${text}" is not a number` };
    }
    return { kind: 'number', value: Number(number[0]), ...span(end) };
  }
  if (WORD_START.test(ch) || ch === '`') return readIdentifier(input, start);
  const char = String.fromCodePoint(input.codePointAt(start) ?? 0);
  const afterKey = previous?.kind === 'identifier' && previous.end === start;
  const hint = afterKey
    ? `; quote keys that contain special characters with backticks, e.g. metrics.\`val-loss\``
    : '';
  return { kind: 'invalid', ...span(start + char.length), problem: `unexpected character "${char}"${hint}` };
}

function unterminated(input: string, start: number): Token {
  const quote = input.charAt(start);
  return {
    kind: 'invalid',
    start,
    end: input.length,
    text: input.slice(start),
    problem: `unterminated string: the ${quote} at position ${start} is never closed`,
  };
}

/**
 * A quoted string from its opening quote. A doubled quote (SQL) or a backslash before a quote or
 * a backslash stands for that character; any other backslash is kept, so Windows paths and LIKE
 * patterns read as typed. Backticks (identifiers only) have no escapes, as in MLflow.
 */
function readQuoted(input: string, start: number): { value: string; end: number } | undefined {
  const quote = input.charAt(start);
  let value = '';
  let i = start + 1;
  while (i < input.length) {
    const ch = input.charAt(i);
    if (ch === quote) {
      if (quote !== '`' && input.charAt(i + 1) === quote) {
        value += quote;
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    if (ch === '\\' && quote !== '`' && i + 1 < input.length && `'"\\`.includes(input.charAt(i + 1))) {
      value += input.charAt(i + 1);
      i += 2;
      continue;
    }
    value += ch;
    i++;
  }
  return undefined;
}

/**
 * `metrics.rmse`, `tags.mlflow.source.name`, `` metrics.`my metric` ``, `params."my param"`:
 * dot-separated segments, each a word or (after a dot, or backticked first) a quoted text.
 */
function readIdentifier(input: string, start: number): Token {
  const segments: Segment[] = [];
  let i = start;
  let first = true;
  for (;;) {
    const ch = input.charAt(i);
    if (ch === '`' || (!first && QUOTES.includes(ch))) {
      const quoted = readQuoted(input, i);
      if (quoted === undefined) return unterminated(input, i);
      segments.push({ text: quoted.value, quoted: true, start: i, end: quoted.end });
      i = quoted.end;
    } else {
      let end = i;
      while (end < input.length && WORD_CHAR.test(input.charAt(end))) end++;
      // An empty segment (`metrics.` or `tags.a..b`) is kept for the parser to report.
      segments.push({ text: input.slice(i, end), quoted: false, start: i, end });
      i = end;
    }
    first = false;
    if (input.charAt(i) !== '.') break;
    i++;
  }
  return { kind: 'identifier', start, end: i, text: input.slice(start, i), segments };
}

/** The identifier as a plain keyword (`AND`, `like`, `DESC`), upper-cased, or undefined. */
export function keywordOf(token: Token): string | undefined {
  if (token.kind !== 'identifier' || token.segments.length !== 1) return undefined;
  const only = token.segments[0];
  return only === undefined || only.quoted ? undefined : only.text.toUpperCase();
}
