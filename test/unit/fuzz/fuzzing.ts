// Shared pieces of the property-based (fast-check) fuzz tests: the seed and case counts (fixed by
// default so CI runs are reproducible; LABBOOK_FUZZ_SEED and LABBOOK_FUZZ_RUNS override them), the
// "parses or throws its own typed error" check, and mutators that damage real JSON documents.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { errorMessage } from '../../../src/shared/errorMessage.ts';

function envInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return value;
}

/** The seed every property runs with; a failure report prints it with the path to replay. */
export const FUZZ_SEED = envInteger('LABBOOK_FUZZ_SEED', 20261111);

/** Cases for one property: its default, or LABBOOK_FUZZ_RUNS for all of them. */
export function fuzzRuns(defaultRuns: number): number {
  return envInteger('LABBOOK_FUZZ_RUNS', defaultRuns);
}

/** A test title that reports how many cases the property runs, so CI logs show it. */
export function fuzzTitle(what: string, runs: number): string {
  return `${what} [${runs} fuzz cases, seed ${FUZZ_SEED}]`;
}

/** Runs a property with the shared seed and counts the cases it really ran. */
export function checkProperty<T>(arbitrary: fc.Arbitrary<T>, runs: number, predicate: (value: T) => void): void {
  let cases = 0;
  fc.assert(
    fc.property(arbitrary, (value) => {
      cases++;
      predicate(value);
    }),
    { seed: FUZZ_SEED, numRuns: runs },
  );
  // Shrinking re-runs the predicate, so a pass ran at least `runs` cases.
  assert.ok(cases >= runs, `expected ${runs} cases, ran ${cases}`);
}

export async function checkAsyncProperty<T>(arbitrary: fc.Arbitrary<T>, runs: number, predicate: (value: T) => Promise<void>): Promise<void> {
  let cases = 0;
  await fc.assert(
    fc.asyncProperty(arbitrary, async (value) => {
      cases++;
      await predicate(value);
    }),
    { seed: FUZZ_SEED, numRuns: runs },
  );
  assert.ok(cases >= runs, `expected ${runs} cases, ran ${cases}`);
}

function describeThrown(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : `non-Error ${String(err)}`;
}

/**
 * The property itself: `parse` returns, or throws an error `isOwn` accepts (the module's typed
 * error) whose message passes `names` (it names the file or field). Anything else fails.
 * Returns the result, or undefined when it threw.
 */
export function parsesOrThrowsOwn<T>(parse: () => T, isOwn: (err: unknown) => boolean, names: (message: string) => boolean): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (!isOwn(err)) assert.fail(`threw something other than its own typed error: ${describeThrown(err)}`);
    const message = errorMessage(err);
    assert.ok(names(message), `the error does not name the file or field: ${message}`);
    return undefined;
  }
}

export async function parsesOrThrowsOwnAsync<T>(parse: () => Promise<T>, isOwn: (err: unknown) => boolean, names: (message: string) => boolean): Promise<T | undefined> {
  try {
    return await parse();
  } catch (err) {
    if (!isOwn(err)) assert.fail(`threw something other than its own typed error: ${describeThrown(err)}`);
    const message = errorMessage(err);
    assert.ok(names(message), `the error does not name the file or field: ${message}`);
    return undefined;
  }
}

// ---- JSON mutation ----------------------------------------------------------------------------

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Keys that break code which indexes plain objects or calls String() on them. */
export const HOSTILE_KEYS = ['__proto__', 'toString', 'valueOf', 'constructor', 'hasOwnProperty', 'toJSON'] as const;

const HUGE = 'x'.repeat(1 << 20);

/** One value of each JSON type, and the awkward ones (a `toString` that is not a function…). */
const REPRESENTATIVES: readonly Json[] = [null, true, 0, -1, 1.5, 1e308, 2 ** 53 + 2, '', 'NaN', [], {}, [null], ['a', 1]];
const HOSTILE: readonly Json[] = [{ toString: 1 }, { valueOf: {}, toString: {} }, JSON.parse('{"__proto__": {"toString": 1}}') as Json];

/** Values of every JSON type (and the awkward ones) to put where something else belongs. */
export const wrongValue: fc.Arbitrary<Json> = fc.oneof(
  { arbitrary: fc.constantFrom(...REPRESENTATIVES), weight: 4 },
  { arbitrary: fc.constantFrom(...HOSTILE), weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>, weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 1 },
  // Huge strings: rare, so the cases stay fast.
  { arbitrary: fc.constant<Json>(HUGE), weight: 1 },
);

/**
 * Where a mutation applies. `walk`: down from the root, each number picking a child (modulo
 * their count). `key`: one of the format's field names (or, without a list, of the document's
 * keys), one occurrence of it, and optionally one child of its value; so every field is hit,
 * however rare in the file.
 */
export type Target =
  | { readonly walk: readonly number[] }
  | { readonly key: number; readonly occurrence: number; readonly child: number | null };

const target: fc.Arbitrary<Target> = fc.oneof(
  { arbitrary: fc.record({ walk: fc.array(fc.nat(), { maxLength: 8 }) }), weight: 1 },
  { arbitrary: fc.record({ key: fc.nat(), occurrence: fc.nat(), child: fc.option(fc.nat()) }), weight: 3 },
);

export type JsonMutation =
  | { readonly kind: 'replace'; readonly at: Target; readonly value: Json }
  | { readonly kind: 'delete'; readonly at: Target }
  | { readonly kind: 'hostileKey'; readonly at: Target; readonly key: string; readonly value: Json }
  | { readonly kind: 'duplicate'; readonly at: Target };

export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('replace' as const), at: target, value: wrongValue }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), at: target }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('hostileKey' as const), at: target, key: fc.constantFrom(...HOSTILE_KEYS), value: wrongValue }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at: target }), weight: 1 },
);

type Path = readonly (string | number)[];

function childKeys(node: Json): (string | number)[] {
  if (node === null || typeof node !== 'object') return [];
  return Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
}

function childOf(node: Json, key: string | number): Json {
  return (node as Record<string | number, Json>)[key] as Json;
}

/** Every path in a JSON value, the root first (bounded: the first `limit` of a large document). */
function jsonPaths(value: Json, limit = 20_000): Path[] {
  const out: Path[] = [];
  const walk = (v: Json, path: Path): void => {
    if (out.length >= limit) return;
    out.push(path);
    for (const key of childKeys(v)) walk(childOf(v, key), [...path, key]);
  };
  walk(value, []);
  return out;
}

/** The path a target reaches in `root` (the root itself when nothing matches). */
function resolveTarget(root: Json, at: Target, fields: readonly string[] | undefined): Path {
  if ('walk' in at) {
    const path: (string | number)[] = [];
    let node = root;
    for (const step of at.walk) {
      const keys = childKeys(node);
      if (keys.length === 0) break;
      const key = keys[step % keys.length] as string | number;
      path.push(key);
      node = childOf(node, key);
    }
    return path;
  }
  const paths = jsonPaths(root);
  const names = fields ?? [...new Set(paths.map((p) => p.at(-1)).filter((k): k is string => typeof k === 'string'))].sort();
  if (names.length === 0) return [];
  const name = names[at.key % names.length];
  const hits = paths.filter((p) => p.at(-1) === name);
  if (hits.length === 0) return [];
  const path = hits[at.occurrence % hits.length] ?? [];
  if (at.child === null) return path;
  let node = root;
  for (const step of path) node = childOf(node, step);
  const keys = childKeys(node);
  return keys.length === 0 ? path : [...path, keys[at.child % keys.length] as string | number];
}

function parentOf(root: Json, path: Path): Json | undefined {
  let node: Json | undefined = root;
  for (const step of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, Json>)[step];
  }
  return node;
}

/**
 * Applies mutations to a deep copy of `doc`, each at the path its target reaches in the copy so
 * far. `fields`: the format's field names that `key` targets pick from.
 */
export function mutateJson(doc: Json, mutations: readonly JsonMutation[], fields?: readonly string[]): Json {
  let root = structuredClone(doc);
  for (const m of mutations) {
    const path = resolveTarget(root, m.at, fields);
    const key = path.at(-1);
    const parent = parentOf(root, path);
    const container = parent !== null && typeof parent === 'object' && key !== undefined ? (parent as Record<string | number, Json>) : undefined;
    switch (m.kind) {
      case 'replace':
        if (container === undefined) root = structuredClone(m.value);
        else defineOwn(container, key as string | number, structuredClone(m.value));
        break;
      case 'delete':
        if (Array.isArray(container)) container.splice(key as number, 1);
        else if (container !== undefined) delete container[key as string];
        break;
      case 'hostileKey': {
        const target = container === undefined ? root : container[key as string | number];
        if (target !== null && typeof target === 'object' && !Array.isArray(target)) defineOwn(target, m.key, structuredClone(m.value));
        break;
      }
      case 'duplicate':
        if (Array.isArray(container)) container.splice(key as number, 0, structuredClone(container[key as number] ?? null));
        break;
    }
  }
  return root;
}

/** Sets an own property, even `__proto__`, as JSON.parse would have made it. */
function defineOwn(target: Record<string | number, Json>, key: string | number, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export type TextMutation =
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'remove'; readonly at: number; readonly length: number }
  | { readonly kind: 'repeat'; readonly at: number; readonly length: number; readonly times: number };

const structural = fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '\\', '\n', '\u0000', '\ufeff', 'null', '-', '1e999', '\ud800');

export const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(structural, fc.string({ unit: 'binary', maxLength: 8 })) }),
  fc.record({ kind: fc.constant('remove' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 4 }), times: fc.integer({ min: 2, max: 20_000 }) }),
);

/** Applies text mutations (offsets taken modulo the current length). */
export function mutateText(text: string, mutations: readonly TextMutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    switch (m.kind) {
      case 'truncate':
        out = out.slice(0, at);
        break;
      case 'insert':
        out = out.slice(0, at) + m.text + out.slice(at);
        break;
      case 'remove':
        out = out.slice(0, at) + out.slice(at + m.length);
        break;
      case 'repeat':
        // Long runs of one token: deep nesting, long numbers, many blank lines.
        out = out.slice(0, at) + out.slice(at, at + m.length).repeat(m.times) + out.slice(at);
        break;
    }
  }
  return out;
}

/** A real document damaged structurally, then (sometimes) as text. */
export function mutatedDocument(docs: readonly Json[]): fc.Arbitrary<{ doc: number; json: readonly JsonMutation[]; text: readonly TextMutation[] }> {
  return fc.record({
    doc: fc.nat({ max: docs.length - 1 }),
    json: fc.array(jsonMutation, { minLength: 0, maxLength: 4 }),
    text: fc.oneof({ arbitrary: fc.constant([]), weight: 3 }, { arbitrary: fc.array(textMutation, { minLength: 1, maxLength: 3 }), weight: 2 }),
  });
}

export function renderMutated(
  docs: readonly Json[],
  pick: { doc: number; json: readonly JsonMutation[]; text: readonly TextMutation[] },
  options: { indent?: number; fields?: readonly string[] } = {},
): string {
  const doc = docs[pick.doc] ?? null;
  return mutateText(JSON.stringify(mutateJson(doc, pick.json, options.fields), null, options.indent), pick.text);
}
