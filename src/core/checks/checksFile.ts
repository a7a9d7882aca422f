// Reads `.labbook/checks.yaml`: the YAML with every node's position (yaml's LineCounter), checked
// against the shipped JSON schema (ajv), so that a mistake is a result on the right line even
// without the YAML extension; then the spec the evaluator runs, each rule carrying its range.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isScalar, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import schema from '../../../schemas/checks.schema.json' with { type: 'json' };
import { findPath } from '../yaml/findPath.ts';
import type { CheckResult, ChecksSpec, ColumnSpec, DatasetSpec, DriftSpec, Located, SourceRange } from './types.ts';

export const CHECKS_FILE = '.labbook/checks.yaml';

/** The file as read: its spec when it is valid, else the problems (results with status error). */
export interface ParsedChecks {
  readonly spec?: ChecksSpec;
  readonly problems: readonly CheckResult[];
}

let validator: ValidateFunction | undefined;
function validate(): ValidateFunction {
  // Compiled once: ajv generates code per schema, a few milliseconds that need not be paid per save.
  validator ??= new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true, strictRequired: false }).compile(schema);
  return validator;
}

const START: SourceRange = { startLine: 0, startCharacter: 0, endLine: 0, endCharacter: 1 };

type Segment = string | number;

class Locator {
  private readonly doc: Document;
  private readonly lines: LineCounter;

  constructor(doc: Document, lines: LineCounter) {
    this.doc = doc;
    this.lines = lines;
  }

  range(start: number, end: number): SourceRange {
    const a = this.lines.linePos(start);
    const b = this.lines.linePos(Math.max(start, end));
    return { startLine: a.line - 1, startCharacter: a.col - 1, endLine: b.line - 1, endCharacter: b.col - 1 };
  }

  nodeRange(node: Node | null | undefined): SourceRange | undefined {
    const r = node?.range;
    return r ? this.range(r[0], r[1]) : undefined;
  }

  /** The pair holding `path`'s value (when it is a map entry) and the value's node. */
  find(path: readonly Segment[]): { pair?: Pair<unknown, unknown>; node?: Node } {
    return findPath(this.doc, path);
  }

  /** A key and its value on one range (a rule's place); the key alone when the value spans lines. */
  entry(path: readonly Segment[]): SourceRange {
    const { pair, node } = this.find(path);
    const key = pair && isScalar(pair.key) ? this.nodeRange(pair.key) : undefined;
    const value = this.nodeRange(node);
    if (key && value && value.endLine === key.startLine) return { ...key, endLine: value.endLine, endCharacter: value.endCharacter };
    if (key) return key;
    if (value) return value.endLine === value.startLine ? value : { ...value, endLine: value.startLine, endCharacter: value.startCharacter + 1 };
    return path.length > 0 ? this.entry(path.slice(0, -1)) : START;
  }
}

function pathOf(instancePath: string): Segment[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function pathText(path: readonly Segment[]): string {
  return path.reduce<string>((out, seg) => (typeof seg === 'number' ? `${out}[${seg}]` : out ? `${out}.${seg}` : seg), '');
}

function schemaMessage(err: ErrorObject, path: readonly Segment[]): string {
  const where = pathText(path);
  const at = where ? `${where}: ` : '';
  switch (err.keyword) {
    case 'additionalProperties': {
      const extra = String((err.params as { additionalProperty?: unknown }).additionalProperty);
      const known = Object.keys((err.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return `${at}unknown key '${extra}'${known.length ? ` (expected ${known.join(', ')})` : ''}`;
    }
    case 'required':
      return `${at}missing '${String((err.params as { missingProperty?: unknown }).missingProperty)}'`;
    case 'anyOf':
      return path[path.length - 1] === 'type'
        ? `${at}must be int, float, number, string, bool, datetime or a DuckDB type name (BIGINT, DOUBLE, VARCHAR, TIMESTAMP, …)`
        : `${at}a dataset needs 'path' (a file or glob) or 'inputs: true'`;
    case 'not':
      return `${at}give 'path' or 'inputs', not both`;
    case 'const':
      return `${at}must be ${JSON.stringify((err.params as { allowedValue?: unknown }).allowedValue)}`;
    default:
      return `${at}${err.message ?? 'is not valid'}`;
  }
}

/** Ajv reports an anyOf and then why each branch failed: keep the anyOf, which says it in one line. */
function withoutBranchErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const anyOf = errors.filter((e) => e.keyword === 'anyOf').map((e) => `${e.schemaPath}/`);
  return errors.filter((e) => !anyOf.some((p) => e.schemaPath.startsWith(p)));
}

function problem(message: string, range: SourceRange): CheckResult {
  return { rule: 'schema', status: 'error', message, range };
}

/** Parses and validates the checks file's text; never throws. */
export function parseChecks(text: string): ParsedChecks {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = new Locator(doc, lines);
  const problems: CheckResult[] = doc.errors.map((e) => problem(`YAML: ${e.message.split('\n')[0] ?? e.message}`, at.range(e.pos[0], e.pos[1])));
  if (problems.length > 0) return { problems };
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return { problems: [problem("the checks file is empty: declare 'datasets'", START)] };
  const check = validate();
  if (!check(data)) {
    for (const err of withoutBranchErrors(check.errors ?? [])) {
      const path = pathOf(err.instancePath);
      const extra = err.keyword === 'additionalProperties' ? String((err.params as { additionalProperty?: unknown }).additionalProperty) : undefined;
      problems.push(problem(schemaMessage(err, path), at.entry(extra === undefined ? path : [...path, extra])));
    }
    return { problems };
  }
  const spec = buildSpec(data as RawChecks, at);
  problems.push(...boundProblems(spec));
  return problems.length > 0 ? { problems } : { spec, problems: [] };
}

interface RawColumn {
  required?: boolean;
  type?: string;
  min?: number | string;
  max?: number | string;
  allowed?: (string | number | boolean)[];
  maxNullShare?: number;
  unique?: boolean;
}
interface RawDataset {
  name?: string;
  path?: string;
  inputs?: true;
  columns?: Record<string, RawColumn | null>;
  rows?: { min?: number; max?: number };
  drift?: { against: string; datasetShare?: number; thresholds?: Record<string, number> };
}
interface RawChecks {
  datasets: RawDataset[];
}

function buildSpec(raw: RawChecks, at: Locator): ChecksSpec {
  const datasets = raw.datasets.map((d, index): DatasetSpec => {
    const base: Segment[] = ['datasets', index];
    const located = <T>(value: T | undefined, ...path: Segment[]): Located<T> | undefined =>
      value === undefined ? undefined : { value, range: at.entry([...base, ...path]) };
    const columns = Object.entries(d.columns ?? {}).map(([name, c]): ColumnSpec => {
      const rule = <T>(value: T | undefined, key: string) => located(value, 'columns', name, key);
      const col = c ?? {};
      const spec: { -readonly [K in keyof ColumnSpec]: ColumnSpec[K] } = { name, range: at.entry([...base, 'columns', name]), required: col.required ?? true };
      const type = rule(col.type, 'type');
      const min = rule(col.min, 'min');
      const max = rule(col.max, 'max');
      const allowed = rule(col.allowed, 'allowed');
      const maxNullShare = rule(col.maxNullShare, 'maxNullShare');
      const unique = rule(col.unique, 'unique');
      if (type) spec.type = type;
      if (min) spec.min = min;
      if (max) spec.max = max;
      if (allowed) spec.allowed = allowed;
      if (maxNullShare) spec.maxNullShare = maxNullShare;
      if (unique) spec.unique = unique;
      return spec;
    });
    const path = located(d.path, 'path');
    const rowsMin = located(d.rows?.min, 'rows', 'min');
    const rowsMax = located(d.rows?.max, 'rows', 'max');
    const drift: DriftSpec | undefined = d.drift
      ? {
          against: { value: d.drift.against, range: at.entry([...base, 'drift', 'against']) },
          ...(d.drift.datasetShare !== undefined ? { datasetShare: d.drift.datasetShare } : {}),
          ...(d.drift.thresholds ? { thresholds: d.drift.thresholds } : {}),
        }
      : undefined;
    const entry = at.find(base).node;
    const range = at.nodeRange(entry) ?? START;
    return {
      index,
      label: d.name ?? d.path ?? "the run's inputs",
      ...(path ? { path } : {}),
      inputs: d.inputs === true,
      range: { ...range, endLine: range.startLine, endCharacter: range.startCharacter + 1 },
      columns,
      ...(rowsMin || rowsMax ? { rows: { ...(rowsMin ? { min: rowsMin } : {}), ...(rowsMax ? { max: rowsMax } : {}) } } : {}),
      ...(drift ? { drift } : {}),
    };
  });
  return { datasets };
}

/** Bounds that contradict each other can never pass: say so instead of failing every run. */
function boundProblems(spec: ChecksSpec): CheckResult[] {
  const out: CheckResult[] = [];
  for (const d of spec.datasets) {
    const { min, max } = d.rows ?? {};
    if (min && max && min.value > max.value) out.push(problem(`${d.label}: rows.min ${min.value} > rows.max ${max.value}`, min.range));
    for (const c of d.columns) {
      if (c.min && c.max && typeof c.min.value === typeof c.max.value && c.min.value > c.max.value) {
        out.push(problem(`${c.name}: min ${String(c.min.value)} > max ${String(c.max.value)}`, c.min.range));
      }
    }
  }
  return out;
}
