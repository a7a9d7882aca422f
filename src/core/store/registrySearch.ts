/**
 * Registry search over models and versions already in memory, for the read-only stores. Accepts
 * the filters MLflow clients send to search_registered_models / search_model_versions:
 * `name = 'x'`, `name LIKE 'x%'`, `name ILIKE …`, `tags.k = 'v'` (and for versions `run_id`,
 * `source_path`, `version_number`), joined by AND.
 */
import { likeMatches } from '../mlflow/likeMatch.ts';
import { invalidParameter } from './errors.ts';
import { decodePageToken, encodePageToken, pageSize } from './pageToken.ts';
import type { ModelVersion, Page, RegisteredModel, SearchRegistryQuery, Tag } from './types.ts';

type Op = '=' | '!=' | 'LIKE' | 'ILIKE' | 'IN';
interface Condition {
  readonly field: string;
  readonly op: Op;
  readonly values: readonly string[];
}

/** MLflow's defaults: 100 models a page (at most 1000), versions effectively unpaged. */
export function searchRegisteredModelsInMemory(models: readonly RegisteredModel[], query: SearchRegistryQuery = {}): Page<RegisteredModel> {
  const conditions = parseRegistryFilter(query.filter, ['name']);
  const size = pageSize(query.maxResults, 100, 1000);
  const offset = decodePageToken(query.pageToken);
  const found = models
    .filter((m) => conditions.every((c) => matches(c, modelField(m, c.field))))
    .sort((a, b) => compareText(a.name, b.name));
  return slice(found, offset, size);
}

export function searchModelVersionsInMemory(versions: readonly ModelVersion[], query: SearchRegistryQuery = {}): Page<ModelVersion> {
  const conditions = parseRegistryFilter(query.filter, ['name', 'run_id', 'source_path', 'version_number']);
  const size = pageSize(query.maxResults, 200_000, 200_000);
  const offset = decodePageToken(query.pageToken);
  const found = versions
    .filter((v) => conditions.every((c) => matches(c, versionField(v, c.field))))
    .sort((a, b) => compareText(a.name, b.name) || Number(b.version) - Number(a.version));
  return slice(found, offset, size);
}

/** A version with its MLflow stage (None, Staging, Production, Archived), which Labbook's model omits. */
export interface StagedVersion {
  readonly version: ModelVersion;
  readonly stage: string;
}

/** The latest version in each stage, as MLflow's `latest_versions` reports them. */
export function latestVersionPerStage(versions: readonly StagedVersion[]): ModelVersion[] {
  const best = new Map<string, ModelVersion>();
  for (const { version, stage } of versions) {
    const current = best.get(stage);
    if (current === undefined || Number(version.version) > Number(current.version)) best.set(stage, version);
  }
  return [...best.values()].sort((a, b) => Number(a.version) - Number(b.version));
}

function modelField(model: RegisteredModel, field: string): string | undefined {
  return field === 'name' ? model.name : tagValue(model.tags, field);
}

function versionField(version: ModelVersion, field: string): string | undefined {
  switch (field) {
    case 'name':
      return version.name;
    case 'run_id':
      return version.runId;
    case 'source_path':
      return version.source;
    case 'version_number':
      return version.version;
    default:
      return tagValue(version.tags, field);
  }
}

function tagValue(tags: readonly Tag[], field: string): string | undefined {
  return field.startsWith('tags.') ? tags.find((t) => t.key === field.slice(5))?.value : undefined;
}

function matches(condition: Condition, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  const [first = ''] = condition.values;
  switch (condition.op) {
    case '=':
      return actual === first;
    case '!=':
      return actual !== first;
    case 'IN':
      return condition.values.includes(actual);
    case 'LIKE':
      return likeMatches(actual, first, false);
    case 'ILIKE':
      return likeMatches(actual, first, true);
  }
}

const CLAUSE =
  /^\s*((?:tags?\.)?(?:`[^`]+`|"[^"]+"|[\w.-]+))\s*(=|!=|LIKE|ILIKE|IN)\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\(\s*[^)]*\)|\d+)\s*/i;
const MAX_CLAUSES = 50;

function parseRegistryFilter(filter: string | undefined, fields: readonly string[]): Condition[] {
  const text = (filter ?? '').trim();
  const conditions: Condition[] = [];
  let rest = text;
  for (let i = 0; rest !== '' && i < MAX_CLAUSES; i++) {
    const m = CLAUSE.exec(rest);
    const field = m === null ? undefined : normaliseField(m[1] ?? '');
    if (m === null || field === undefined || !(fields.includes(field) || field.startsWith('tags.'))) {
      throw invalidParameter(
        `Invalid filter '${text}': expected ${[...fields, 'tags.<key>'].join(', ')} compared with =, !=, LIKE, ILIKE or IN to a quoted string.`,
      );
    }
    const op = (m[2] ?? '=').toUpperCase() as Op;
    const raw = m[3] ?? '';
    const values = raw.startsWith('(') ? [...raw.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g)].map((v) => unquote(v[1] ?? v[2] ?? '')) : [unquote(raw.replace(/^['"]|['"]$/g, ''))];
    if ((op === 'IN') !== raw.startsWith('(')) throw invalidParameter(`Invalid filter '${text}': IN takes a parenthesised list, other comparisons one value.`);
    conditions.push({ field, op, values });
    rest = rest.slice(m[0].length);
    const and = /^AND\s+/i.exec(rest);
    if (and !== null) rest = rest.slice(and[0].length);
    else if (rest !== '') throw invalidParameter(`Invalid filter '${text}': clauses must be joined with AND.`);
  }
  if (rest !== '') throw invalidParameter(`Invalid filter '${text}': more than ${MAX_CLAUSES} clauses.`);
  return conditions;
}

function normaliseField(raw: string): string | undefined {
  const tag = /^tags?\.(.+)$/i.exec(raw);
  if (tag !== null) return `tags.${(tag[1] ?? '').replace(/^[`"](.*)[`"]$/, '$1')}`;
  const field = raw.toLowerCase();
  return field === 'source' ? 'source_path' : field;
}

function unquote(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function slice<T>(items: readonly T[], offset: number, size: number): Page<T> {
  const end = offset + size;
  const page = items.slice(offset, end);
  return end < items.length ? { items: page, nextPageToken: encodePageToken(end) } : { items: page };
}
