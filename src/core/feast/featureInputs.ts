// The Feast features a run retrieved, as MLflow dataset inputs of the run: one per feature view
// (or on-demand view) it read, named after the view, with source type `feast`. The digest is the
// view's version in the registry: a hash of its definition as Feast gives it (features and types,
// entities, TTL, source, online/offline, tags, last update), so a run is tied to the definition it
// trained on and a changed view gets a new digest. The source is JSON naming the project, the
// view, the features the run took from it and the service they came through; the schema is the
// features as MLflow's column spec. An on-demand view also brings the feature views it reads.
// Pure: registry and names in, inputs out.
import { createHash } from 'node:crypto';
import type { DatasetInput } from '../store/types.ts';
import type { FeastFeatureView, FeastField, FeastOnDemandFeatureView, FeastProject } from './feastRegistry.ts';

/** The dataset source type of a Feast feature view. */
export const FEAST_SOURCE_TYPE = 'feast';

/** What a run said it used: feature service names and `view:feature` references. */
export interface FeaturesUsed {
  readonly services: readonly string[];
  readonly references: readonly string[];
}

export interface FeatureInputs {
  readonly inputs: readonly DatasetInput[];
  /** The views the inputs are for, sorted. */
  readonly views: readonly string[];
  /** Names the registry does not know: `service churn_v2`, `view orders`, `feature orders:amount`. */
  readonly unknown: readonly string[];
}

type View = FeastFeatureView | FeastOnDemandFeatureView;

/** Feast's value types as MLflow's column spec names them; others keep Feast's name. */
const MLFLOW_TYPES: Record<string, string> = {
  Int64: 'long', Int32: 'integer', Float64: 'double', Float32: 'float', String: 'string', Bool: 'boolean', Bytes: 'binary', UnixTimestamp: 'datetime',
};

/** JSON with keys sorted at every level: the same definition always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A view's version: 16 hex digits of the sha256 of its definition (where it is declared left out). */
export function viewDigest(view: View): string {
  const { location: _location, ...definition } = view;
  return createHash('sha256').update(canonical(definition)).digest('hex').slice(0, 16);
}

function schemaOf(fields: readonly FeastField[]): string {
  return JSON.stringify({ mlflow_colspec: fields.map((f) => ({ type: MLFLOW_TYPES[f.dtype] ?? f.dtype, name: f.name })) });
}

/** The dataset inputs for what a run used, resolved against one project of the registry. */
export function featureInputs(project: FeastProject, used: FeaturesUsed, registryPath?: string): FeatureInputs {
  const views = new Map<string, View>([...project.featureViews, ...project.onDemandFeatureViews].map((v) => [v.name, v]));
  const unknown: string[] = [];
  // view → the features taken from it, and the services and on-demand views they came through.
  const taken = new Map<string, { features: Set<string>; via: Set<string> }>();
  const take = (view: string, features: readonly string[], via?: string) => {
    const entry = taken.get(view) ?? { features: new Set<string>(), via: new Set<string>() };
    for (const f of features) entry.features.add(f);
    if (via) entry.via.add(via);
    taken.set(view, entry);
  };
  for (const name of used.services) {
    const service = project.featureServices.find((s) => s.name === name);
    if (!service) {
      unknown.push(`service ${name}`);
      continue;
    }
    for (const projection of service.features) take(projection.featureView, projection.features, `service ${name}`);
  }
  for (const reference of used.references) {
    const [view = '', feature = ''] = reference.split(':');
    const known = views.get(view);
    if (!known) unknown.push(`view ${view}`);
    else if (!known.features.some((f) => f.name === feature)) unknown.push(`feature ${reference}`);
    else take(view, [feature]);
  }
  // An on-demand view reads feature views of its own: they are inputs too.
  for (const [name] of [...taken]) {
    const view = views.get(name);
    if (view?.kind !== 'onDemandFeatureView') continue;
    for (const source of view.sources) if (views.get(source)?.kind === 'featureView') take(source, [], `on-demand view ${name}`);
  }
  const inputs: DatasetInput[] = [];
  for (const [name, entry] of [...taken].sort(([a], [b]) => a.localeCompare(b))) {
    const view = views.get(name);
    if (!view) {
      if (!unknown.includes(`view ${name}`)) unknown.push(`view ${name}`);
      continue;
    }
    const features = view.features.filter((f) => entry.features.has(f.name));
    const source = {
      project: project.name,
      feature_view: name,
      ...(view.kind === 'onDemandFeatureView' ? { on_demand: true } : {}),
      features: features.map((f) => f.name),
      ...(entry.via.size ? { via: [...entry.via].sort() } : {}),
      ...(registryPath ? { registry: registryPath } : {}),
    };
    inputs.push({
      tags: [{ key: 'mlflow.data.context', value: 'training' }],
      dataset: { name, digest: viewDigest(view), sourceType: FEAST_SOURCE_TYPE, source: JSON.stringify(source), schema: schemaOf(features.length ? features : view.features) },
    });
  }
  return { inputs, views: inputs.map((i) => i.dataset.name), unknown };
}

/** The names in a tag value: comma- or whitespace-separated, blanks dropped. */
export function namesOf(tagValue: string | undefined): string[] {
  return (tagValue ?? '').split(/[,\s]+/).map((s) => s.trim()).filter(Boolean);
}
