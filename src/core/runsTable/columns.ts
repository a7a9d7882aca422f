// The Runs Table's columns: the fixed attribute columns, the discovered param, metric and tag
// columns, each named by its MLflow search identifier, and the cell a run has in each.
import { jsonNumber } from '../runDetails/sparkline.ts';
import type { RunKeys } from '../store/trackingStore.ts';
import type { Run } from '../store/types.ts';
import type { Cell, ColumnDef, ColumnId, ColumnKind, ColumnValueType, MetricValue, TableRow } from './types.ts';

/** The tags the attribute columns read (as the explorer's hover and Run Details read them). */
export const SOURCE_TAG = 'mlflow.source.name';
export const COMMIT_TAG = 'mlflow.source.git.commit';
export const DIRTY_TAG = 'labbook.git.dirty';
export const NOTE_TAG = 'mlflow.note.content';

/** Characters of a git commit the table shows (as `git log --oneline`). */
const SHORT_COMMIT = 8;

const PREFIX: Record<ColumnKind, string> = { attribute: 'attributes', param: 'params', metric: 'metrics', tag: 'tags' };
const KIND_OF_PREFIX = new Map<string, ColumnKind>(Object.entries(PREFIX).map(([kind, prefix]) => [prefix, kind as ColumnKind]));

interface AttributeSpec {
  readonly key: string;
  readonly label: string;
  readonly valueType: ColumnValueType;
  /** The MLflow search identifier a sort or filter on the column becomes; absent: not searchable. */
  readonly search?: string;
}

const ATTRIBUTES: readonly AttributeSpec[] = [
  { key: 'run_name', label: 'Run', valueType: 'string', search: 'attributes.run_name' },
  { key: 'status', label: 'Status', valueType: 'status', search: 'attributes.status' },
  { key: 'start_time', label: 'Start', valueType: 'time', search: 'attributes.start_time' },
  { key: 'duration', label: 'Duration', valueType: 'duration' },
  { key: 'user_id', label: 'User', valueType: 'string', search: 'attributes.user_id' },
  { key: 'source', label: 'Source', valueType: 'string', search: searchIdentifier('tag', SOURCE_TAG) },
  { key: 'git_commit', label: 'Git commit', valueType: 'string', search: searchIdentifier('tag', COMMIT_TAG) },
  { key: 'note', label: 'Note', valueType: 'string', search: searchIdentifier('tag', NOTE_TAG) },
];

/** A key as MLflow search reads it: plain dotted words as they are, anything else double-quoted. */
export function searchIdentifier(kind: ColumnKind, key: string): string {
  const plain = /^[\p{L}\p{N}_]+(\.[\p{L}\p{N}_]+)*$/u.test(key) && /^[\p{L}_]/u.test(key);
  return `${PREFIX[kind]}.${plain ? key : `"${key.replace(/\\/g, '\\\\').replace(/"/g, '""')}"`}`;
}

export function columnId(kind: ColumnKind, key: string): ColumnId {
  return `${PREFIX[kind]}.${key}`;
}

/** A column id's kind and key (`params.model.lr` → param `model.lr`), or undefined when it names no kind. */
export function parseColumnId(id: ColumnId): { kind: ColumnKind; key: string } | undefined {
  const dot = id.indexOf('.');
  const kind = dot > 0 ? KIND_OF_PREFIX.get(id.slice(0, dot)) : undefined;
  const key = id.slice(dot + 1);
  return kind && key ? { kind, key } : undefined;
}

/** The search identifier a sort or filter on the column becomes, or undefined when the store cannot search it. */
export function columnSearchIdentifier(id: ColumnId): string | undefined {
  const parsed = parseColumnId(id);
  if (!parsed) return undefined;
  if (parsed.kind === 'attribute') return ATTRIBUTES.find((a) => a.key === parsed.key)?.search;
  return searchIdentifier(parsed.kind, parsed.key);
}

/** `model.lr` → group `model`, label `lr`; `optimizer/beta1` → `optimizer`, `beta1`; `lr` → no group. */
export function prefixGroup(key: string): { group?: string; label: string } {
  const match = /^([^./]+)[./](.+)$/.exec(key);
  return match?.[1] && match[2] ? { group: match[1], label: match[2] } : { label: key };
}

function keyedColumn(kind: Exclude<ColumnKind, 'attribute'>, key: string): ColumnDef {
  return { id: columnId(kind, key), kind, key, ...prefixGroup(key), valueType: kind === 'metric' ? 'number' : 'string', searchable: true };
}

export const ATTRIBUTE_COLUMNS: readonly ColumnDef[] = ATTRIBUTES.map((a) => ({
  id: columnId('attribute', a.key),
  kind: 'attribute',
  key: a.key,
  label: a.label,
  valueType: a.valueType,
  searchable: a.search !== undefined,
}));

/** Every column: the attributes, then params, metrics and tags (each sorted by key). */
export function discoverColumns(keys: RunKeys): ColumnDef[] {
  return [
    ...ATTRIBUTE_COLUMNS,
    ...keys.params.map((k) => keyedColumn('param', k)),
    ...keys.metrics.map((k) => keyedColumn('metric', k)),
    ...keys.tags.map((k) => keyedColumn('tag', k)),
  ];
}

/** The param, metric and tag keys some columns read (the attribute columns read the tags they show). */
export function keysOfColumns(ids: readonly ColumnId[]): RunKeys {
  const keys = { params: [] as string[], metrics: [] as string[], tags: [SOURCE_TAG, COMMIT_TAG, DIRTY_TAG, NOTE_TAG] };
  for (const id of ids) {
    const parsed = parseColumnId(id);
    if (parsed?.kind === 'param') keys.params.push(parsed.key);
    else if (parsed?.kind === 'metric') keys.metrics.push(parsed.key);
    else if (parsed?.kind === 'tag') keys.tags.push(parsed.key);
  }
  return keys;
}

/** The keys a page of runs has, for stores that cannot list them in one query. */
export function keysOfRuns(runs: readonly Run[], into: { params: Set<string>; metrics: Set<string>; tags: Set<string> }): void {
  for (const run of runs) {
    for (const p of run.data.params) into.params.add(p.key);
    for (const m of run.data.metrics) into.metrics.add(m.key);
    for (const t of run.data.tags) into.tags.add(t.key);
  }
}

/** A number as a cell: NaN and the infinities as their names (JSON has no number for them). */
export function numberCell(value: number): Cell {
  return jsonNumber(value);
}

/** A run with its params, metrics and tags by key, so a row of 500 cells is 500 lookups, not scans. */
export interface IndexedRun {
  readonly run: Run;
  readonly params: ReadonlyMap<string, string>;
  readonly metrics: ReadonlyMap<string, number>;
  readonly tags: ReadonlyMap<string, string>;
}

export function indexRun(run: Run): IndexedRun {
  return {
    run,
    params: new Map(run.data.params.map((p) => [p.key, p.value])),
    metrics: new Map(run.data.metrics.map((m) => [m.key, m.value])),
    tags: new Map(run.data.tags.map((t) => [t.key, t.value])),
  };
}

/** The short commit with `*` when the working tree had uncommitted changes at launch. */
function commitCell(tags: ReadonlyMap<string, string>): Cell {
  const commit = tags.get(COMMIT_TAG);
  if (!commit) return null;
  const dirty = tags.get(DIRTY_TAG);
  return `${commit.slice(0, SHORT_COMMIT)}${dirty === 'true' || dirty === '1' ? '*' : ''}`;
}

function attributeCell(indexed: IndexedRun, key: string, now: number): Cell {
  const { info } = indexed.run;
  switch (key) {
    case 'run_name':
      return info.runName;
    case 'status':
      return info.status;
    case 'start_time':
      return info.startTime;
    case 'duration': {
      const end = info.endTime ?? (info.status === 'RUNNING' ? now : null);
      return end === null ? null : Math.max(0, end - info.startTime);
    }
    case 'user_id':
      return info.userId || null;
    case 'source':
      return indexed.tags.get(SOURCE_TAG) ?? null;
    case 'git_commit':
      return commitCell(indexed.tags);
    case 'note':
      return indexed.tags.get(NOTE_TAG) ?? null;
    default:
      return null;
  }
}

/** Min/max of a metric's history, by run then key, for columns that show them instead of the last value. */
export type ExtremesLookup = (runId: string, key: string) => { readonly min: number; readonly max: number } | undefined;

/** One run's cell in a column; `metricValue` picks last, min or max for metric columns. */
export function cellOf(indexed: IndexedRun, id: ColumnId, now: number, metricValue: MetricValue = 'last', extremes?: ExtremesLookup): Cell {
  const parsed = parseColumnId(id);
  if (!parsed) return null;
  switch (parsed.kind) {
    case 'attribute':
      return attributeCell(indexed, parsed.key, now);
    case 'param':
      return indexed.params.get(parsed.key) ?? null;
    case 'tag':
      return indexed.tags.get(parsed.key) ?? null;
    case 'metric': {
      if (metricValue !== 'last') {
        const found = extremes?.(indexed.run.info.runId, parsed.key);
        return found ? numberCell(found[metricValue]) : null;
      }
      const value = indexed.metrics.get(parsed.key);
      return value === undefined ? null : numberCell(value);
    }
  }
}

/** A run as a table row with the asked columns (absent cells left out). */
export function rowOf(indexed: IndexedRun, columnIds: readonly ColumnId[], now: number, metricValueOf: (id: ColumnId) => MetricValue, extremes?: ExtremesLookup): TableRow {
  const cells: Record<ColumnId, Cell> = {};
  for (const id of columnIds) {
    const cell = cellOf(indexed, id, now, metricValueOf(id), extremes);
    if (cell === null) continue;
    // defineProperty, so a column named __proto__ stays a key (a page holds 50,000 cells: only there).
    if (id === '__proto__') Object.defineProperty(cells, id, { value: cell, enumerable: true, writable: true, configurable: true });
    else cells[id] = cell;
  }
  return { runId: indexed.run.info.runId, experimentId: indexed.run.info.experimentId, cells };
}
