/**
 * What the run and experiment searches accept: entity prefixes, attributes, and the comparators of
 * each, after MLflow's SearchUtils and SearchExperimentsUtils.
 */

/** `dataset`: a run's MLflow dataset inputs (`datasets.digest = 'abc'`), runs only. */
export type Entity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

export type Comparator =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'LIKE'
  | 'ILIKE'
  | 'IN'
  | 'NOT IN'
  | 'IS NULL'
  | 'IS NOT NULL';

export const NUMERIC: readonly Comparator[] = ['=', '!=', '<', '<=', '>', '>='];
export const STRING: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE'];
export const LIST: readonly Comparator[] = ['IN', 'NOT IN'];
export const NULL_CHECKS: readonly Comparator[] = ['IS NULL', 'IS NOT NULL'];

export interface AttributeSpec {
  readonly type: 'number' | 'string';
  /** Only run_id takes IN lists, as in MLflow. */
  readonly lists?: boolean;
}

/** What one search (runs or experiments) accepts. */
export interface Schema {
  /** What is searched, for messages. */
  readonly noun: string;
  readonly entities: ReadonlyMap<string, Entity>;
  readonly prefixes: string;
  readonly attributes: ReadonlyMap<string, AttributeSpec>;
  readonly aliases: ReadonlyMap<string, string>;
  /** Attribute keys order_by accepts. */
  readonly orderable: ReadonlySet<string>;
  readonly orderEntities: ReadonlySet<Entity>;
  /** Comparators (and how to describe them) of the non-attribute entities. */
  readonly comparators: Partial<Record<Entity, { readonly allowed: readonly Comparator[]; readonly as: string }>>;
}

const ATTRIBUTE_PREFIXES: [string, Entity][] = ['attribute', 'attributes', 'attr', 'run'].map((p) => [p, 'attribute']);
const TAG_PREFIXES: [string, Entity][] = [['tag', 'tag'], ['tags', 'tag']];
const DATASET_PREFIXES: [string, Entity][] = [['dataset', 'dataset'], ['datasets', 'dataset']];
/** The dataset keys a run filter takes, as in MLflow's SearchUtils (`context` is the `mlflow.data.context` tag). */
export const DATASET_KEYS: ReadonlySet<string> = new Set(['name', 'digest', 'context']);

const RUN_ATTRIBUTES = new Map<string, AttributeSpec>([
  ['run_id', { type: 'string', lists: true }],
  ['run_name', { type: 'string' }],
  ['status', { type: 'string' }],
  ['user_id', { type: 'string' }],
  ['artifact_uri', { type: 'string' }],
  ['lifecycle_stage', { type: 'string' }],
  ['start_time', { type: 'number' }],
  ['end_time', { type: 'number' }],
]);

export const RUNS: Schema = {
  noun: 'runs',
  entities: new Map<string, Entity>([
    ['metric', 'metric'],
    ['metrics', 'metric'],
    ...['param', 'params', 'parameter', 'parameters'].map((p): [string, Entity] => [p, 'param']),
    ...TAG_PREFIXES,
    ...ATTRIBUTE_PREFIXES,
    ...DATASET_PREFIXES,
  ]),
  prefixes: 'metrics., params., tags., attributes. or datasets.',
  attributes: RUN_ATTRIBUTES,
  aliases: new Map([
    ['created', 'start_time'],
    ['run name', 'run_name'],
  ]),
  orderable: new Set(RUN_ATTRIBUTES.keys()),
  orderEntities: new Set(['metric', 'param', 'tag', 'attribute']),
  comparators: {
    // IS [NOT] NULL on metrics is a Labbook extension; MLflow has it for params and tags.
    metric: { allowed: [...NUMERIC, ...NULL_CHECKS], as: 'metrics compare as numbers' },
    param: { allowed: [...STRING, ...LIST, ...NULL_CHECKS], as: 'params compare as strings' },
    tag: { allowed: [...STRING, ...LIST, ...NULL_CHECKS], as: 'tags compare as strings' },
    dataset: { allowed: [...STRING, ...LIST], as: 'datasets compare as strings' },
  },
};

export const EXPERIMENTS: Schema = {
  noun: 'experiments',
  entities: new Map([...TAG_PREFIXES, ...ATTRIBUTE_PREFIXES]),
  prefixes: 'tags. or attributes.',
  attributes: new Map<string, AttributeSpec>([
    ['name', { type: 'string' }],
    ['creation_time', { type: 'number' }],
    ['last_update_time', { type: 'number' }],
  ]),
  aliases: new Map(),
  orderable: new Set(['name', 'experiment_id', 'creation_time', 'last_update_time']),
  // MLflow parses `tags.x` in an experiment order_by, then refuses it.
  orderEntities: new Set(['attribute']),
  comparators: { tag: { allowed: [...STRING, ...LIST, ...NULL_CHECKS], as: 'tags compare as strings' } },
};

/** MLflow 3's search_logged_models filter: `metrics.score > 0.5 AND name = 'model'`. */
const LOGGED_MODEL_ATTRIBUTES = new Map<string, AttributeSpec>([
  ['model_id', { type: 'string', lists: true }],
  ['name', { type: 'string' }],
  ['model_type', { type: 'string' }],
  ['status', { type: 'string' }],
  ['source_run_id', { type: 'string' }],
  ['creation_timestamp', { type: 'number' }],
  ['last_updated_timestamp', { type: 'number' }],
]);

export const LOGGED_MODELS: Schema = {
  noun: 'logged models',
  entities: new Map([...RUNS.entities].filter(([, entity]) => entity !== 'dataset')),
  prefixes: 'metrics., params., tags. or attributes.',
  attributes: LOGGED_MODEL_ATTRIBUTES,
  aliases: new Map([
    ['creation_time', 'creation_timestamp'],
    ['last_updated_time', 'last_updated_timestamp'],
  ]),
  orderable: new Set(LOGGED_MODEL_ATTRIBUTES.keys()),
  orderEntities: new Set(['metric', 'attribute']),
  comparators: RUNS.comparators,
};
