// Where things are in a sweep file: yaml keeps every node's offsets and a LineCounter turns them
// into lines, so schema and semantic problems point at the key the user wrote. Ajv's errors are
// mapped to one readable line each (the branch of an anyOf that matches the value's shape, not
// every branch's complaint).
import type { ErrorObject } from 'ajv';
import { isScalar, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import type { SweepFileProblem } from './types.ts';
import { findPath } from '../yaml/findPath.ts';

export type Segment = string | number;

export class YamlLocator {
  private readonly doc: Document;
  private readonly lines: LineCounter;
  private readonly text: string;

  constructor(doc: Document, lines: LineCounter, text: string) {
    this.doc = doc;
    this.lines = lines;
    this.text = text;
  }

  /** 0-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    const p = this.lines.linePos(offset);
    return { line: p.line - 1, column: p.col - 1 };
  }

  /** The pair holding `path`'s value (when it is a map entry) and the value's node. */
  find(path: readonly Segment[]): { pair?: Pair<unknown, unknown>; node?: Node } {
    return findPath(this.doc, path);
  }

  /** Where `path` starts: its key when it is a map entry, else its value; the nearest existing parent otherwise. */
  at(path: readonly Segment[]): { line: number; column: number } {
    const { pair, node } = this.find(path);
    const key = pair && isScalar(pair.key) ? pair.key.range : undefined;
    const start = key?.[0] ?? node?.range?.[0];
    if (start !== undefined) return this.position(start);
    return path.length > 0 ? this.at(path.slice(0, -1)) : { line: 0, column: 0 };
  }

  /** The text a scalar was written as (to tell `1` from `1.0`), '' when there is none. */
  source(path: readonly Segment[]): string {
    const r = this.find(path).node?.range;
    return r ? this.text.slice(r[0], r[1]) : '';
  }

  problem(message: string, path: readonly Segment[]): SweepFileProblem {
    const where = pathText(path);
    return { message: where ? `${where}: ${message}` : message, ...this.at(path), path: where };
  }
}

export function pathText(path: readonly Segment[]): string {
  return path.reduce<string>((out, seg) => (typeof seg === 'number' ? `${out}[${seg}]` : out ? `${out}.${seg}` : seg), '');
}

function pathOf(instancePath: string): Segment[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function valueAt(data: unknown, path: readonly Segment[]): unknown {
  let v = data;
  for (const seg of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[String(seg)] : undefined;
  return v;
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(schema: unknown, v: unknown): boolean {
  const types = (schema as { type?: string | string[] } | undefined)?.type;
  if (types === undefined) return false;
  const t = jsonType(v);
  return (Array.isArray(types) ? types : [types]).some((x) => x === t || (x === 'number' && t === 'integer'));
}

/** What each alternative in the schema expects, by the JSON pointer of the schema holding the anyOf/oneOf. */
const FORM_MESSAGES: Readonly<Record<string, string>> = {
  '/properties/program': 'must be a .py or .ipynb file, or { script | notebook | recipe }',
  '/definitions/program': "give exactly one of 'script', 'notebook' or 'recipe'",
  '/definitions/parameter': 'must be a list of values, a single value, or a range { low, high }',
  '/definitions/parameterRange': "needs 'values' (a list) or 'low' and 'high'",
  '/properties/budget': 'must be a number of trials or { trials, minutes }',
  '/properties/seeds': 'must be a list of whole numbers or a count',
};

function pointer(root: unknown, ref: string): unknown {
  return ref
    .replace(/^#?\//, '')
    .split('/')
    .reduce<unknown>((node, seg) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined), root);
}

function message(err: ErrorObject): string {
  switch (err.keyword) {
    case 'additionalProperties': {
      const extra = String((err.params as { additionalProperty?: unknown }).additionalProperty);
      const known = Object.keys((err.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return `unknown key '${extra}'${known.length ? ` (expected ${known.join(', ')})` : ''}`;
    }
    case 'required':
      return `missing '${String((err.params as { missingProperty?: unknown }).missingProperty)}'`;
    case 'enum':
      return `must be one of ${((err.params as { allowedValues?: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify((err.params as { allowedValue?: unknown }).allowedValue)}`;
    case 'pattern':
      return 'must be a .py script or .ipynb notebook';
    default:
      return err.message ?? 'is not valid';
  }
}

/**
 * Ajv's errors as problems. For an anyOf, only the errors of the branch whose type matches the
 * value are kept (a mistyped key in a range is reported as that, not as "must be array"); when
 * no branch has the value's type, the anyOf's own message says what is expected. Ajv reports
 * paths inside a $ref relative to the referenced schema, so branches are told apart by the
 * schema object that failed (parentSchema), not by schemaPath.
 */
export function schemaProblems(errors: readonly ErrorObject[], data: unknown, at: YamlLocator, root: unknown): SweepFileProblem[] {
  const formOf = new Map<unknown, string>(Object.entries(FORM_MESSAGES).map(([ptr, text]) => [pointer(root, ptr), text]));
  const resolve = (b: unknown): unknown => {
    const ref = (b as { $ref?: string } | undefined)?.$ref;
    return ref ? pointer(root, ref) : b;
  };
  const drop = new Set<ErrorObject>();
  const notes = new Map<ErrorObject, string>();
  for (const e of errors.filter((x) => x.keyword === 'anyOf' || x.keyword === 'oneOf')) {
    const branches = (Array.isArray(e.schema) ? e.schema : []) as unknown[];
    const own = branches.map((b) => [b, resolve(b)]);
    const chosen = e.keyword === 'anyOf' ? branches.findIndex((b) => typeMatches(resolve(b), valueAt(data, pathOf(e.instancePath)))) : -1;
    let kept = 0;
    for (const x of errors) {
      if (x === e || (x.instancePath !== e.instancePath && !x.instancePath.startsWith(`${e.instancePath}/`))) continue;
      const branch = x.instancePath === e.instancePath ? own.findIndex((pair) => pair.includes(x.parentSchema)) : chosen;
      if (branch < 0 && x.instancePath === e.instancePath) continue;
      if (branch === chosen && chosen >= 0) kept++;
      else drop.add(x);
    }
    if (kept > 0) drop.add(e);
    else notes.set(e, formOf.get(e.parentSchema) ?? 'is not in an expected form');
  }
  const out: SweepFileProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (drop.has(e) || e.keyword === 'if') continue;
    const path = pathOf(e.instancePath);
    const extra = e.keyword === 'additionalProperties' ? String((e.params as { additionalProperty?: unknown }).additionalProperty) : undefined;
    const p = at.problem(notes.get(e) ?? message(e), extra === undefined ? path : [...path, extra]);
    const key = `${p.line}:${p.message}`;
    if (!seen.has(key)) out.push(p);
    seen.add(key);
  }
  return out;
}
