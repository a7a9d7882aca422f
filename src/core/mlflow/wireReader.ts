import { TrackingError } from '../store/errors.ts';

/**
 * Who produced the JSON being read: a server's reply (our REST client) or a client's request
 * (Labbook's own MLflow-compatible endpoint). It decides the error code and wording: a bad reply
 * is the server's fault (INTERNAL_ERROR), a bad request is the caller's (INVALID_PARAMETER_VALUE).
 */
export type WireSource = 'reply' | 'request';

export type WireObject = Readonly<Record<string, unknown>>;

const MAX_SHOWN = 60;

/** A short, safe rendering of a bad value for an error message. */
function show(value: unknown): string {
  if (value === undefined) return 'missing';
  let text: string;
  try {
    // undefined only for a function or a symbol, which JSON cannot hold anyway
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/**
 * Reads MLflow's protobuf-JSON with proto2 semantics: an absent field means its default ('' / 0 /
 * false / []), a present field of the wrong type is an error. Every error names the field path.
 */
export class WireReader {
  private readonly thing: string;
  private readonly source: WireSource;

  constructor(thing: string, source: WireSource) {
    this.thing = thing;
    this.source = source;
  }

  fail(path: string, detail: string): TrackingError {
    const where = path ? `${path} ` : 'it ';
    return this.source === 'reply'
      ? new TrackingError('INTERNAL_ERROR', `The server sent a malformed ${this.thing}: ${where}${detail}.`)
      : new TrackingError('INVALID_PARAMETER_VALUE', `The request has a malformed ${this.thing}: ${where}${detail}.`);
  }

  object(value: unknown, path: string): WireObject {
    if (value === undefined) throw this.fail(path, 'is missing');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw this.fail(path, `is ${show(value)}, not an object`);
    }
    return value as WireObject;
  }

  /** Absent or null → ''. */
  string(obj: WireObject, key: string, path: string): string {
    const value = obj[key];
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string') throw this.fail(join(path, key), `is ${show(value)}, not a string`);
    return value;
  }

  /** A string that identifies something: absent or empty is an error. */
  requiredString(obj: WireObject, key: string, path: string): string {
    const value = this.string(obj, key, path);
    if (value === '') throw this.fail(join(path, key), 'is missing');
    return value;
  }

  /** int64: a JSON number or (protobuf's canonical form) a numeric string. Absent → `fallback`. */
  int64<F extends number | null>(obj: WireObject, key: string, path: string, fallback: F): number | F {
    const value = obj[key];
    if (value === undefined || value === null) return fallback;
    let parsed = Number.NaN;
    if (typeof value === 'number') parsed = value;
    else if (typeof value === 'string' && /^-?\d{1,20}$/.test(value.trim())) parsed = Number(value.trim());
    if (!Number.isInteger(parsed)) throw this.fail(join(path, key), `is ${show(value)}, not an integer`);
    return parsed;
  }

  /** double: a number, a numeric string, or protobuf-JSON's "NaN" / "Infinity" / "-Infinity". */
  double(obj: WireObject, key: string, path: string): number {
    const value = obj[key];
    if (value === undefined || value === null) return 0;
    if (typeof value === 'number') return value;
    if (typeof value === 'string') {
      const text = value.trim();
      if (text === 'NaN') return Number.NaN;
      if (text === 'Infinity') return Number.POSITIVE_INFINITY;
      if (text === '-Infinity') return Number.NEGATIVE_INFINITY;
      // Number('') is 0 and Number('0x10') is 16: only accept decimal notation.
      if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
    }
    throw this.fail(join(path, key), `is ${show(value)}, not a number`);
  }

  boolean(obj: WireObject, key: string, path: string): boolean {
    const value = obj[key];
    if (value === undefined || value === null) return false;
    if (typeof value !== 'boolean') throw this.fail(join(path, key), `is ${show(value)}, not true or false`);
    return value;
  }

  /** A repeated field: absent → []; each element read by `read(element, elementPath)`. */
  array<T>(obj: WireObject, key: string, path: string, read: (element: unknown, elementPath: string) => T): T[] {
    const value = obj[key];
    if (value === undefined || value === null) return [];
    const at = join(path, key);
    if (!Array.isArray(value)) throw this.fail(at, `is ${show(value)}, not a list`);
    // A reader that takes no path (log-batch's 1000 metrics) is spared building one per element.
    if (read.length < 2) return value.map((element) => read(element, at));
    return value.map((element, index) => read(element, join(at, index)));
  }

  /** An enum field given by name, or by number as protobuf-JSON also allows. Absent → `fallback`. */
  enumValue<T extends string>(obj: WireObject, key: string, path: string, names: readonly T[], fallback: T): T {
    const value = obj[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'string' && (names as readonly string[]).includes(value)) return value as T;
    // Proto enums here number their values from 1 in declaration order.
    if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= names.length) {
      return names[value - 1] as T;
    }
    throw this.fail(join(path, key), `is ${show(value)}, not one of ${names.join(', ')}`);
  }

  /** A field that holds one of a few strings. Absent → `fallback`. */
  oneOf<T extends string>(obj: WireObject, key: string, path: string, names: readonly T[], fallback: T): T {
    const value = obj[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'string' && (names as readonly string[]).includes(value)) return value as T;
    throw this.fail(join(path, key), `is ${show(value)}, not one of ${names.join(', ')}`);
  }

  child(path: string, key: string): string {
    return join(path, key);
  }
}

/** A key/value pair on the wire: a tag, a param, a registry tag. */
export interface WireTag {
  key: string;
  value: string;
}

/** Tags and params: `{key, value}` with a non-empty key. */
export function readKeyValue(r: WireReader, value: unknown, path: string): WireTag {
  const obj = r.object(value, path);
  return { key: r.requiredString(obj, 'key', path), value: r.string(obj, 'value', path) };
}
