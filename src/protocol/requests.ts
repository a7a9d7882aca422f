/**
 * One definition per webview request, as GitLens defines its IPC commands: a panel's `requests`
 * table maps each method name (written once, as the key) to an entry that holds the params type,
 * the result type and the validator of the params. Everything else is derived from the table: the
 * methods the host accepts, the host's handler map (a missing handler is a compile error), the
 * webview's typed `request(method, params)`, and the webview tests' fake hosts, which answer
 * through `answerRequest` exactly as the panel host does.
 *
 *   export const homeRequests = {
 *     runCommand: defineRequest<{ readonly command: HomeCommand }, null>({ command: oneOf(HOME_COMMANDS) }),
 *   } satisfies RequestTable;
 */
import { errorMessage } from '../shared/errorMessage.ts';
import { isRecord, type RequestMessage, type ResponseMessage, type RpcError } from './rpc.ts';

/** A request's params failed validation (or a handler refused them); the webview gets code 'badParams'. */
export class BadParamsError extends Error {
  override readonly name = 'BadParamsError';
  /** The offending field ('a.b' when nested), or '' when the params as a whole are wrong. */
  readonly field: string;

  constructor(message: string, field = '') {
    super(message);
    this.field = field;
  }
}

/** Reads one untrusted field (`field` names it in the error); returns it typed or throws BadParamsError. */
export type Check<T> = (value: unknown, field: string) => T;

/** A check for every key of `P`, optional keys included, so a declared param cannot go unchecked. */
export type FieldChecks<P> = { readonly [K in keyof P]-?: Check<P[K]> };

export interface RequestDef<P, R> {
  /** Reads a request's untrusted params; throws BadParamsError naming the field. */
  readonly parse: (raw: unknown) => P;
  /**
   * Type only, never set at run time: the params and result types, kept as properties so that
   * ParamsOf/ResultOf are plain indexed types that stay usable with a generic method name.
   */
  readonly params: P;
  readonly result: R;
}

/** Method name → its definition. Panels declare theirs with `{ … } satisfies RequestTable`. */
export type RequestTable = { readonly [method: string]: RequestDef<unknown, unknown> };
export type MethodOf<T extends RequestTable> = keyof T & string;
export type ParamsOf<T extends RequestTable, M extends keyof T> = T[M]['params'];
export type ResultOf<T extends RequestTable, M extends keyof T> = T[M]['result'];

/** One handler per request of a table, given typed, validated params. */
export type RequestHandlers<T extends RequestTable> = {
  readonly [M in keyof T]: (params: ParamsOf<T, M>) => Promise<ResultOf<T, M>>;
};

function fail(field: string, what: string): never {
  throw new BadParamsError(field ? `'${field}' must be ${what}` : `the params must be ${what}`, field);
}

function readFields<P>(value: unknown, checks: FieldChecks<P>, prefix: string): P {
  if (!isRecord(value)) fail(prefix, 'an object');
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(checks)) {
    const read = (checks as Record<string, Check<unknown>>)[key] as Check<unknown>;
    const field = prefix ? `${prefix}.${key}` : key;
    const parsed = read(Object.hasOwn(value, key) ? value[key] : undefined, field);
    // Absent optional fields stay absent, so the handler's params are plain JSON.
    if (parsed !== undefined) out[key] = parsed;
  }
  return out as P;
}

/**
 * One request: `P` its params, `R` its result. `params` is a check per field of `P` (the params
 * must be an object; unknown keys are dropped), or NO_PARAMS when `P` is null.
 */
export function defineRequest<P extends object | null, R>(params: P extends null ? typeof NO_PARAMS : FieldChecks<P>): RequestDef<P, R> {
  const parse = params === NO_PARAMS ? (raw: unknown) => NO_PARAMS(raw, '') as P : (raw: unknown) => readFields(raw, params as FieldChecks<P>, '');
  return { parse } as RequestDef<P, R>;
}

/** The params of a request that takes none: null (or nothing at all). */
export const NO_PARAMS: Check<null> = (value, field) => {
  if (value !== null && value !== undefined) fail(field, 'null (this request takes no params)');
  return null;
};

export const string: Check<string> = (value, field) => (typeof value === 'string' ? value : fail(field, 'a string'));

export const nonEmptyString: Check<string> = (value, field) => (typeof value === 'string' && value !== '' ? value : fail(field, 'a non-empty string'));

export const boolean: Check<boolean> = (value, field) => (typeof value === 'boolean' ? value : fail(field, 'true or false'));

export const integer: Check<number> = (value, field) => (typeof value === 'number' && Number.isSafeInteger(value) ? value : fail(field, 'an integer'));

export const finiteNumber: Check<number> = (value, field) => (typeof value === 'number' && Number.isFinite(value) ? value : fail(field, 'a finite number'));

/** Any number, NaN and ±∞ included (e.g. a metric's value). */
export const number: Check<number> = (value, field) => (typeof value === 'number' ? value : fail(field, 'a number'));

export function numberAtLeast(min: number): Check<number> {
  return (value, field) => (typeof value === 'number' && Number.isFinite(value) && value >= min ? value : fail(field, `a number of at least ${min}`));
}

export function integerBetween(min: number, max: number): Check<number> {
  return (value, field) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max ? value : fail(field, `an integer from ${min} to ${max}`));
}

export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (value, field) => (value === undefined ? undefined : check(value, field));
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (value, field) => (value === null ? null : check(value, field));
}

export function oneOf<const V extends string>(values: readonly V[]): Check<V> {
  return (value, field) => ((values as readonly unknown[]).includes(value) ? (value as V) : fail(field, `one of ${values.join(', ')}`));
}

export function arrayOf<T>(check: Check<T>, limits: { readonly max?: number } = {}): Check<T[]> {
  return (value, field) => {
    if (!Array.isArray(value)) fail(field, 'a list');
    if (limits.max !== undefined && value.length > limits.max) fail(field, `a list of at most ${limits.max}`);
    return value.map((item: unknown, i) => check(item, `${field}[${i}]`));
  };
}

/** A JSON object used as a map: every value checked. */
export function recordOf<T>(check: Check<T>): Check<Record<string, T>> {
  return (value, field) => {
    if (!isRecord(value)) fail(field, 'an object');
    const out: Record<string, T> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty, so a key named __proto__ stays a key instead of setting the prototype.
      Object.defineProperty(out, key, { value: check(item, `${field}.${key}`), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
}

/** A nested object param, checked field by field like a request's params. */
export function object<T>(checks: FieldChecks<T>): Check<T> {
  return (value, field) => readFields(value, checks, field);
}

/** Whether `value` passes `check`: a type guard for state read back from elsewhere (e.g. getState). */
export function conforms<T>(check: Check<T>, value: unknown): value is T {
  try {
    check(value, '');
    return true;
  } catch (err) {
    if (err instanceof BadParamsError) return false;
    throw err;
  }
}

/** The method names a table defines (its own keys: never `toString` or `__proto__`). */
export function methodsOf(table: RequestTable): ReadonlySet<string> {
  return new Set(Object.keys(table));
}

/** The params of a request for `method`, read through its table entry; errors start with the method. */
export function parseParams<T extends RequestTable, M extends MethodOf<T>>(table: T, method: M, raw: unknown): ParamsOf<T, M>;
/** A method name as it came (e.g. from a page's message), unknown ones refused. */
export function parseParams(table: RequestTable, method: string, raw: unknown): unknown;
export function parseParams(table: RequestTable, method: string, raw: unknown): unknown {
  const def = Object.hasOwn(table, method) ? table[method] : undefined;
  if (!def) throw new BadParamsError(`unknown method ${JSON.stringify(method)}`);
  try {
    return def.parse(raw);
  } catch (err) {
    if (err instanceof BadParamsError) throw new BadParamsError(`${method}: ${err.message}`, err.field);
    throw err;
  }
}

/**
 * Answers one request (as parseWebviewMessage read it): validates its params through the table,
 * calls the handler with them, and turns what it throws into an error reply ('badParams' for a
 * BadParamsError, else 'failed'). The panel host and the webview tests' fake hosts both answer
 * through it, so a malformed request is refused the same way in both.
 */
export async function answerRequest<T extends RequestTable>(
  table: T,
  handlers: RequestHandlers<T>,
  request: RequestMessage,
  onError?: (err: unknown) => void,
): Promise<ResponseMessage> {
  try {
    const params: unknown = parseParams(table, request.method, request.params);
    const handler = (handlers as Readonly<Record<string, (params: unknown) => Promise<unknown>>>)[request.method];
    if (!handler) throw new Error(`no handler for ${request.method}`);
    return { kind: 'response', id: request.id, ok: true, result: (await handler(params)) ?? null };
  } catch (err) {
    onError?.(err);
    const error: RpcError = { code: err instanceof BadParamsError ? 'badParams' : 'failed', message: errorMessage(err) };
    return { kind: 'response', id: request.id, ok: false, error };
  }
}
