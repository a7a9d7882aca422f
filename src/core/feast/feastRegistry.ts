// A Feast repository's registry as Labbook shows it: projects, and in each its entities, data
// sources, feature views, on-demand feature views and feature services, plus where each object is
// declared in the repository's Python files. Built from the driver's answer (feastDriverSource.ts),
// which is checked field by field: a bad answer is an error with the field's path, never a crash
// further on.

export type FeastObjectKind = 'entity' | 'dataSource' | 'featureView' | 'onDemandFeatureView' | 'featureService';

export type Tags = Readonly<Record<string, string>>;

export interface FeastField {
  readonly name: string;
  /** Feast's type, as Feast prints it (Float32, Int64, Array(String), …). */
  readonly dtype: string;
  readonly description: string;
  readonly tags: Tags;
}

/** Where an object is declared: a file (absolute), a 1-based line and a 0-based column. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

interface FeastObjectBase {
  readonly name: string;
  readonly description: string;
  readonly tags: Tags;
  readonly owner: string;
  readonly location?: SourceLocation;
}

export interface FeastEntity extends FeastObjectBase {
  readonly kind: 'entity';
  readonly joinKeys: readonly string[];
  /** Feast's ValueType name (INT64, STRING, …). */
  readonly valueType: string;
  readonly updated?: string;
}

export interface FeastDataSource extends FeastObjectBase {
  readonly kind: 'dataSource';
  /** The source's class: FileSource, BigQuerySource, PushSource, RequestSource, … */
  readonly type: string;
  readonly timestampField: string;
  /** path / table / query / database / schema, where the source has them. */
  readonly detail: Readonly<Record<string, string>>;
}

export interface FeastFeatureView extends FeastObjectBase {
  readonly kind: 'featureView';
  /** FeatureView, BatchFeatureView or StreamFeatureView. */
  readonly viewKind: string;
  readonly features: readonly FeastField[];
  readonly entities: readonly string[];
  readonly entityColumns: readonly FeastField[];
  /** undefined when the view has no TTL; 0 means "forever" in Feast. */
  readonly ttlSeconds?: number;
  readonly source?: string;
  readonly streamSource?: string;
  readonly online: boolean;
  readonly offline: boolean;
  readonly updated?: string;
}

export interface FeastOnDemandFeatureView extends FeastObjectBase {
  readonly kind: 'onDemandFeatureView';
  readonly features: readonly FeastField[];
  /** The feature views and request sources it reads. */
  readonly sources: readonly string[];
  readonly mode: string;
  readonly updated?: string;
}

export interface FeastFeatureService extends FeastObjectBase {
  readonly kind: 'featureService';
  readonly features: readonly { readonly featureView: string; readonly features: readonly string[] }[];
  readonly updated?: string;
}

export type FeastObject = FeastEntity | FeastDataSource | FeastFeatureView | FeastOnDemandFeatureView | FeastFeatureService;

export interface FeastProject {
  readonly name: string;
  readonly entities: readonly FeastEntity[];
  readonly dataSources: readonly FeastDataSource[];
  readonly featureViews: readonly FeastFeatureView[];
  readonly onDemandFeatureViews: readonly FeastOnDemandFeatureView[];
  readonly featureServices: readonly FeastFeatureService[];
}

export interface FeastRegistry {
  readonly feastVersion: string;
  /** The project feature_store.yaml names. */
  readonly project: string;
  readonly provider: string;
  /** The registry's backend and, for a file registry, its path as configured. */
  readonly registry: { readonly type: string; readonly path?: string };
  readonly projects: readonly FeastProject[];
}

export class FeastAnswerError extends Error {
  override readonly name = 'FeastAnswerError';
}

type Json = Record<string, unknown>;

function fail(where: string, what: string): never {
  throw new FeastAnswerError(`The Feast driver's answer is not as expected: ${where} ${what}.`);
}

function object(value: unknown, where: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(where, 'is not an object');
  return value as Json;
}

function list(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) fail(where, 'is not a list');
  return value;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string') fail(where, 'is not a string');
  return value;
}

function optionalText(value: unknown, where: string): string | undefined {
  return value === null || value === undefined ? undefined : text(value, where);
}

function optionalNumber(value: unknown, where: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(where, 'is not a number');
  return value;
}

function flag(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') fail(where, 'is not true or false');
  return value;
}

function tags(value: unknown, where: string): Tags {
  const source = object(value ?? {}, where);
  const out: Record<string, string> = {};
  for (const [key, tag] of Object.entries(source)) out[key] = text(tag, `${where}.${key}`);
  return out;
}

function fields(value: unknown, where: string): FeastField[] {
  return list(value, where).map((item, i) => {
    const field = object(item, `${where}[${i}]`);
    return {
      name: text(field.name, `${where}[${i}].name`),
      dtype: text(field.dtype, `${where}[${i}].dtype`),
      description: optionalText(field.description, `${where}[${i}].description`) ?? '',
      tags: tags(field.tags, `${where}[${i}].tags`),
    };
  });
}

function location(value: unknown, where: string): SourceLocation {
  const at = object(value, where);
  const line = optionalNumber(at.line, `${where}.line`);
  const column = optionalNumber(at.column, `${where}.column`);
  if (line === undefined || column === undefined) fail(where, 'has no line or column');
  return { file: text(at.file, `${where}.file`), line, column };
}

function base(item: Json, where: string, kind: FeastObjectKind, locations: ReadonlyMap<string, SourceLocation>) {
  const name = text(item.name, `${where}.name`);
  const at = locations.get(`${kind}:${name}`);
  return {
    name,
    description: optionalText(item.description, `${where}.description`) ?? '',
    tags: tags(item.tags, `${where}.tags`),
    owner: optionalText(item.owner, `${where}.owner`) ?? '',
    ...(at ? { location: at } : {}),
  };
}

function updated(item: Json, where: string): { updated?: string } {
  const stamp = optionalText(item.updated, `${where}.updated`);
  return stamp ? { updated: stamp } : {};
}

function project(value: unknown, where: string, locations: ReadonlyMap<string, SourceLocation>): FeastProject {
  const p = object(value, where);
  const each = <T>(key: string, build: (item: Json, at: string) => T): T[] =>
    list(p[key], `${where}.${key}`).map((item, i) => build(object(item, `${where}.${key}[${i}]`), `${where}.${key}[${i}]`));
  return {
    name: text(p.name, `${where}.name`),
    entities: each('entities', (e, at) => ({
      kind: 'entity',
      ...base(e, at, 'entity', locations),
      joinKeys: list(e.joinKeys, `${at}.joinKeys`).map((k, i) => text(k, `${at}.joinKeys[${i}]`)),
      valueType: text(e.valueType, `${at}.valueType`),
      ...updated(e, at),
    })),
    dataSources: each('dataSources', (s, at) => ({
      kind: 'dataSource',
      ...base(s, at, 'dataSource', locations),
      type: text(s.type, `${at}.type`),
      timestampField: optionalText(s.timestampField, `${at}.timestampField`) ?? '',
      detail: tags(s.detail, `${at}.detail`),
    })),
    featureViews: each('featureViews', (v, at) => {
      const ttlSeconds = optionalNumber(v.ttlSeconds, `${at}.ttlSeconds`);
      const source = optionalText(v.source, `${at}.source`);
      const streamSource = optionalText(v.streamSource, `${at}.streamSource`);
      return {
        kind: 'featureView',
        ...base(v, at, 'featureView', locations),
        viewKind: text(v.kind, `${at}.kind`),
        features: fields(v.features, `${at}.features`),
        entities: list(v.entities, `${at}.entities`).map((e, i) => text(e, `${at}.entities[${i}]`)),
        entityColumns: fields(v.entityColumns ?? [], `${at}.entityColumns`),
        ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
        ...(source ? { source } : {}),
        ...(streamSource ? { streamSource } : {}),
        online: flag(v.online, `${at}.online`),
        offline: flag(v.offline, `${at}.offline`),
        ...updated(v, at),
      };
    }),
    onDemandFeatureViews: each('onDemandFeatureViews', (v, at) => ({
      kind: 'onDemandFeatureView',
      ...base(v, at, 'onDemandFeatureView', locations),
      features: fields(v.features, `${at}.features`),
      sources: list(v.sources, `${at}.sources`).map((s, i) => text(s, `${at}.sources[${i}]`)),
      mode: optionalText(v.mode, `${at}.mode`) ?? '',
      ...updated(v, at),
    })),
    featureServices: each('featureServices', (s, at) => ({
      kind: 'featureService',
      ...base(s, at, 'featureService', locations),
      features: list(s.features, `${at}.features`).map((item, i) => {
        const projection = object(item, `${at}.features[${i}]`);
        return {
          featureView: text(projection.featureView, `${at}.features[${i}].featureView`),
          features: list(projection.features, `${at}.features[${i}].features`).map((f, j) => text(f, `${at}.features[${i}].features[${j}]`)),
        };
      }),
      ...updated(s, at),
    })),
  };
}

/** The registry in a successful driver answer (`ok: true`), checked; FeastAnswerError otherwise. */
export function parseRegistryAnswer(answer: unknown): FeastRegistry {
  const root = object(answer, 'the answer');
  const locations = new Map<string, SourceLocation>();
  for (const [key, at] of Object.entries(object(root.locations ?? {}, 'locations'))) locations.set(key, location(at, `locations.${key}`));
  const registry = object(root.registry, 'registry');
  const registryPath = optionalText(registry.path, 'registry.path');
  return {
    feastVersion: text(root.feastVersion, 'feastVersion'),
    project: text(root.project, 'project'),
    provider: text(root.provider, 'provider'),
    registry: { type: text(registry.type, 'registry.type'), ...(registryPath ? { path: registryPath } : {}) },
    projects: list(root.projects, 'projects').map((p, i) => project(p, `projects[${i}]`, locations)),
  };
}

/** Every object of a project, in the view's order. */
export function projectObjects(p: FeastProject): FeastObject[] {
  return [...p.entities, ...p.dataSources, ...p.featureViews, ...p.onDemandFeatureViews, ...p.featureServices];
}

/** A TTL as people write it: 1d 2h, 30m, 45s; 0 is Feast's "no expiry". */
export function formatTtl(seconds: number | undefined): string {
  if (seconds === undefined) return '—';
  if (seconds === 0) return 'no expiry';
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join(' ');
}
