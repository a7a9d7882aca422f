/**
 * The metric line protocol: how a script without mlflow reports metrics, params and tags by
 * printing lines (to stdout or stderr). Any line that starts with `labbook:` is read; all other
 * output is left alone. Lines stay in the output log either way.
 *
 *     labbook: metric loss=0.25 step=3                 one metric at step 3
 *     labbook: metric loss=0.25 acc=0.91 step=3        several metrics, same step
 *     labbook: metric loss=nan timestamp=1718000000000 values may be nan, inf, -inf; time in ms
 *     labbook: param lr=0.1 optimizer=adam             params (logged once; a changed value is refused)
 *     labbook: tag stage="fine tune"                   tags; quote values with spaces (JSON string)
 *     labbook: {"metric": "loss", "value": 0.25, "step": 3}
 *     labbook: {"metrics": {"loss": 0.25, "acc": 0.91}, "step": 3, "timestamp": 1718000000000}
 *     labbook: {"param": "lr", "value": 0.1}            also {"params": {...}}
 *     labbook: {"tag": "stage", "value": "dev"}         also {"tags": {...}}
 *
 * Grammar: `labbook:` then either a JSON object, or a verb (`metric`, `param`, `tag`) followed by
 * whitespace-separated `key=value` pairs. A value is a JSON string ("…", with escapes) or runs to
 * the next whitespace. In `metric` lines `step` (integer) and `timestamp` (integer ms) are
 * reserved keys; every other value must be a number. Without `step`, a metric's points are
 * numbered 0, 1, 2… per key; without `timestamp`, the time the line was read is used.
 * In Python: `print(f"labbook: metric loss={loss} step={step}")`.
 *
 * A malformed `labbook:` line is skipped and counted as a warning; the parser never throws.
 */
import { validateKey } from '../store/validation.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

export type LineRecord =
  | { readonly kind: 'metric'; readonly key: string; readonly value: number; readonly step?: number; readonly timestamp?: number }
  | { readonly kind: 'param'; readonly key: string; readonly value: string }
  | { readonly kind: 'tag'; readonly key: string; readonly value: string };

const PREFIX = 'labbook:';
/** A partial line longer than this is dropped up to its newline (a runaway progress bar). */
export const MAX_LINE_CHARS = 256 * 1024;
const MAX_WARNING_SAMPLES = 10;

/** Parses one line; a string is the reason the line was refused, null means "not a labbook line". */
export function parseMetricLine(line: string): LineRecord[] | string | null {
  const text = line.replace(/\r$/, '').trimStart();
  if (!text.startsWith(PREFIX)) return null;
  const body = text.slice(PREFIX.length).trim();
  try {
    return body.startsWith('{') ? parseJsonForm(body) : parseWordForm(body);
  } catch (err) {
    return errorMessage(err);
  }
}

function parseWordForm(body: string): LineRecord[] {
  const verb = /^(metric|param|tag)\s+/.exec(body);
  if (!verb?.[1]) throw new Error('expected "metric", "param", "tag" or a JSON object after "labbook:"');
  const pairs = readPairs(body.slice(verb[0].length));
  if (pairs.length === 0) throw new Error(`no key=value pairs after "${verb[1]}"`);
  if (verb[1] === 'metric') {
    let step: number | undefined;
    let timestamp: number | undefined;
    const values: [string, string][] = [];
    for (const [key, value] of pairs) {
      if (key === 'step') step = integer(value, 'step');
      else if (key === 'timestamp') timestamp = integer(value, 'timestamp');
      else values.push([key, value]);
    }
    if (values.length === 0) throw new Error('a metric line needs at least one name=value besides step/timestamp');
    return values.map(([key, value]) => metric(key, number(value, key), step, timestamp));
  }
  const kind = verb[1] === 'param' ? 'param' : 'tag';
  return pairs.map(([key, value]) => ({ kind, key: validateKey(kind, key), value }));
}

function readPairs(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  let i = 0;
  // Each pass consumes at least one character or throws.
  while (i < text.length) {
    while (i < text.length && /\s/.test(text.charAt(i))) i++;
    if (i >= text.length) break;
    const eq = text.indexOf('=', i);
    const space = text.slice(i).search(/\s/);
    if (eq < 0 || (space >= 0 && i + space < eq)) throw new Error(`expected key=value at "${text.slice(i, i + 30)}"`);
    const key = text.slice(i, eq);
    if (key === '') throw new Error('empty key');
    i = eq + 1;
    let value: string;
    if (text.charAt(i) === '"') {
      const end = closingQuote(text, i);
      value = JSON.parse(text.slice(i, end + 1)) as string;
      i = end + 1;
      if (i < text.length && !/\s/.test(text.charAt(i))) throw new Error(`expected whitespace after the quoted value of ${key}`);
    } else {
      const rest = text.slice(i).search(/\s/);
      const end = rest < 0 ? text.length : i + rest;
      value = text.slice(i, end);
      i = end;
    }
    pairs.push([key, value]);
  }
  return pairs;
}

function closingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === '\\') i++;
    else if (ch === '"') return i;
  }
  throw new Error('unclosed quoted value');
}

function parseJsonForm(body: string): LineRecord[] {
  const data = JSON.parse(body) as unknown;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new Error('the JSON form must be an object');
  const o = data as Record<string, unknown>;
  const step = o['step'] === undefined ? undefined : integer(o['step'], 'step');
  const timestamp = o['timestamp'] === undefined ? undefined : integer(o['timestamp'], 'timestamp');
  const out: LineRecord[] = [];
  if (typeof o['metric'] === 'string') out.push(metric(o['metric'], number(o['value'], o['metric']), step, timestamp));
  for (const [key, value] of entries(o['metrics'], 'metrics')) out.push(metric(key, number(value, key), step, timestamp));
  for (const kind of ['param', 'tag'] as const) {
    if (typeof o[kind] === 'string') out.push({ kind, key: validateKey(kind, o[kind]), value: text(o['value']) });
    for (const [key, value] of entries(o[`${kind}s`], `${kind}s`)) out.push({ kind, key: validateKey(kind, key), value: text(value) });
  }
  if (out.length === 0) throw new Error('the JSON object has none of "metric", "metrics", "param", "params", "tag", "tags"');
  return out;
}

function entries(value: unknown, name: string): [string, unknown][] {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`"${name}" must be an object`);
  return Object.entries(value);
}

function text(value: unknown): string {
  if (value === undefined) throw new Error('missing "value"');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function metric(key: string, value: number, step: number | undefined, timestamp: number | undefined): LineRecord {
  validateKey('metric', key);
  return { kind: 'metric', key, value, ...(step === undefined ? {} : { step }), ...(timestamp === undefined ? {} : { timestamp }) };
}

function number(value: unknown, key: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'nan') return Number.NaN;
    if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Number.POSITIVE_INFINITY;
    if (lower === '-inf' || lower === '-infinity') return Number.NEGATIVE_INFINITY;
    if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(value)) return Number(value);
  }
  throw new Error(`metric ${key}: "${String(value)}" is not a number`);
}

function integer(value: unknown, name: string): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, got "${String(value)}"`);
  return n;
}

/**
 * Feeds output text in chunks of any size (split anywhere, even mid-line) and emits the records
 * of each complete `labbook:` line. Use one parser per stream (stdout, stderr).
 */
export class MetricLineParser {
  private pending = '';
  private skipping = false;
  private warningCount = 0;
  private readonly samples: string[] = [];
  private readonly onRecords: (records: LineRecord[]) => void;

  constructor(onRecords: (records: LineRecord[]) => void) {
    this.onRecords = onRecords;
  }

  /** Malformed `labbook:` lines seen so far. */
  get warnings(): number {
    return this.warningCount;
  }

  /** The first few warnings, for the log and the UI. */
  get warningSamples(): readonly string[] {
    return this.samples;
  }

  push(chunk: string): void {
    let start = 0;
    // Each pass consumes one line of the chunk.
    for (;;) {
      const newline = chunk.indexOf('\n', start);
      if (newline < 0) break;
      const piece = chunk.slice(start, newline);
      if (this.skipping) this.skipping = false;
      else this.line(this.pending + piece);
      this.pending = '';
      start = newline + 1;
    }
    if (this.skipping) return;
    this.pending += chunk.slice(start);
    if (this.pending.length > MAX_LINE_CHARS) {
      if (this.pending.trimStart().startsWith(PREFIX)) this.warn(`a labbook: line longer than ${MAX_LINE_CHARS} characters was skipped`);
      this.pending = '';
      this.skipping = true;
    }
  }

  /** The output ended: a last line without a newline still counts. */
  end(): void {
    if (!this.skipping && this.pending !== '') this.line(this.pending);
    this.pending = '';
    this.skipping = false;
  }

  private line(line: string): void {
    const parsed = parseMetricLine(line);
    if (parsed === null) return;
    if (typeof parsed === 'string') {
      this.warn(`${parsed}: ${line.trim().slice(0, 120)}`);
      return;
    }
    this.onRecords(parsed);
  }

  private warn(message: string): void {
    this.warningCount++;
    if (this.samples.length < MAX_WARNING_SAMPLES) this.samples.push(message);
  }
}
