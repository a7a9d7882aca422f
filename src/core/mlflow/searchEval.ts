/**
 * Evaluates parsed searches (searchFilter.ts) over in-memory runs and experiments with MLflow's
 * semantics (SearchUtils.filter / sort, SearchExperimentsUtils): a clause on a missing metric,
 * param or tag never matches (except IS NULL), missing sort keys go last in either direction.
 */
import { invalidParameter } from '../store/errors.ts';
import type { Experiment, LoggedModel, Metric, Run, RunInfo, Tag } from '../store/types.ts';
import type { Clause, OrderBy, RunFilter } from './searchFilter.ts';
import { likeMatches } from './likeMatch.ts';

type Value = string | number | null | undefined;

const RUN_ATTRIBUTES: Readonly<Record<string, (info: RunInfo) => Value>> = {
  run_id: (info) => info.runId,
  run_name: (info) => info.runName,
  status: (info) => info.status,
  user_id: (info) => info.userId,
  artifact_uri: (info) => info.artifactUri,
  lifecycle_stage: (info) => info.lifecycleStage,
  start_time: (info) => info.startTime,
  end_time: (info) => info.endTime,
};

const EXPERIMENT_ATTRIBUTES: Readonly<Record<string, (exp: Experiment) => Value>> = {
  experiment_id: (exp) => exp.experimentId,
  name: (exp) => exp.name,
  creation_time: (exp) => exp.creationTime,
  last_update_time: (exp) => exp.lastUpdateTime,
};

export function runMatches(run: Run, filter: RunFilter): boolean {
  return filter.every((clause) => (clause.entity === 'dataset' ? datasetMatches(run, clause) : valueMatches(runValue(run, clause), clause)));
}

/** As in MLflow's SQL join: a run matches when one of its dataset inputs does; a run without any never does. */
function datasetMatches(run: Run, clause: Clause): boolean {
  return (run.inputs?.datasetInputs ?? []).some((input) => {
    const actual = clause.key === 'context' ? tagValue(input.tags, 'mlflow.data.context') : clause.key === 'name' ? input.dataset.name : input.dataset.digest;
    return valueMatches(actual, clause);
  });
}

export function experimentMatches(experiment: Experiment, filter: RunFilter): boolean {
  return filter.every((clause) => valueMatches(experimentValue(experiment, clause), clause));
}

/** A logged model's attributes, by the names MLflow's filters and order_by use. */
export const LOGGED_MODEL_ATTRIBUTES: Readonly<Record<string, (model: LoggedModel) => string | number>> = {
  model_id: (m) => m.modelId,
  name: (m) => m.name,
  model_type: (m) => m.modelType,
  status: (m) => m.status,
  source_run_id: (m) => m.sourceRunId,
  creation_timestamp: (m) => m.creationTimestamp,
  last_updated_timestamp: (m) => m.lastUpdatedTimestamp,
};

/**
 * MLflow 3's logged-model filter: a metric clause holds when any of the model's values of that
 * key (among `metrics`, e.g. those of the asked-for datasets) satisfies it.
 */
export function loggedModelMatches(model: LoggedModel, filter: RunFilter, metrics: readonly Metric[] = model.metrics): boolean {
  return filter.every((clause) => {
    switch (clause.entity) {
      case 'metric': {
        const values = metrics.filter((m) => m.key === clause.key);
        return values.length === 0 ? valueMatches(undefined, clause) : values.some((m) => valueMatches(m.value, clause));
      }
      case 'param':
        return valueMatches(model.params.find((p) => p.key === clause.key)?.value, clause);
      case 'tag':
        return valueMatches(tagValue(model.tags, clause.key), clause);
      case 'attribute':
        return valueMatches(attribute(LOGGED_MODEL_ATTRIBUTES, 'logged model', clause.key)(model), clause);
      case 'dataset':
        throw invalidParameter('Logged models cannot be searched by datasets');
    }
  });
}

/**
 * MLflow's run order: each order_by in turn, then start_time DESC, then run_id ASC (which is also
 * the whole order when there is no order_by).
 */
export function compareRuns(orderBy: readonly OrderBy[]): (a: Run, b: Run) => number {
  // Sort keys are read once per run, not once per comparison: metrics are found by scanning.
  const keys = new WeakMap<Run, Value[]>();
  const keysOf = (run: Run): Value[] => {
    let values = keys.get(run);
    if (values === undefined) {
      values = orderBy.map((order) => runValue(run, order));
      keys.set(run, values);
    }
    return values;
  };
  return (a, b) => {
    const aKeys = keysOf(a);
    const bKeys = keysOf(b);
    for (const [i, order] of orderBy.entries()) {
      const result = compareSortValues(aKeys[i], bKeys[i], order.ascending);
      if (result !== 0) return result;
    }
    return compareNumbers(b.info.startTime, a.info.startTime) || compareStrings(a.info.runId, b.info.runId);
  };
}

/**
 * MLflow's experiment order: with no order_by, creation_time DESC then experiment_id ASC; after
 * an order_by that does not name experiment_id, MLflow breaks ties by experiment_id DESC.
 */
export function compareExperiments(orderBy: readonly OrderBy[]): (a: Experiment, b: Experiment) => number {
  const order: OrderBy[] =
    orderBy.length === 0
      ? [
          { entity: 'attribute', key: 'creation_time', ascending: false },
          { entity: 'attribute', key: 'experiment_id', ascending: true },
        ]
      : [...orderBy];
  if (!order.some((o) => o.entity === 'attribute' && o.key === 'experiment_id')) {
    order.push({ entity: 'attribute', key: 'experiment_id', ascending: false });
  }
  return (a, b) => {
    for (const o of order) {
      const result =
        o.key === 'experiment_id'
          ? compareIds(a.experimentId, b.experimentId) * (o.ascending ? 1 : -1)
          : compareSortValues(experimentValue(a, o), experimentValue(b, o), o.ascending);
      if (result !== 0) return result;
    }
    return 0;
  };
}

function runValue(run: Run, target: Pick<Clause, 'entity' | 'key'>): Value {
  switch (target.entity) {
    case 'metric':
      return run.data.metrics.find((m) => m.key === target.key)?.value;
    case 'param':
      return run.data.params.find((p) => p.key === target.key)?.value;
    case 'tag':
      return tagValue(run.data.tags, target.key);
    case 'attribute':
      return attribute(RUN_ATTRIBUTES, 'run', target.key)(run.info);
    case 'dataset':
      throw invalidParameter('Runs cannot be ordered by datasets');
  }
}

function experimentValue(experiment: Experiment, target: Pick<Clause, 'entity' | 'key'>): Value {
  if (target.entity === 'tag') return tagValue(experiment.tags, target.key);
  if (target.entity === 'attribute') return attribute(EXPERIMENT_ATTRIBUTES, 'experiment', target.key)(experiment);
  throw invalidParameter(`Experiments cannot be searched by ${target.entity}s`);
}

function tagValue(tags: readonly Tag[], key: string): string | undefined {
  return tags.find((t) => t.key === key)?.value;
}

function attribute<T>(getters: Readonly<Record<string, (entity: T) => Value>>, noun: string, key: string): (entity: T) => Value {
  const getter = Object.hasOwn(getters, key) ? getters[key] : undefined;
  if (getter === undefined) throw invalidParameter(`Unknown ${noun} attribute "${key}"`);
  return getter;
}

function valueMatches(actual: Value, clause: Clause): boolean {
  const { comparator, value } = clause;
  const missing = actual === undefined || actual === null;
  if (comparator === 'IS NULL') return missing;
  if (comparator === 'IS NOT NULL') return !missing;
  // As in MLflow, a missing value (or a null end_time) matches no comparison, not even !=.
  if (missing) return false;
  if (comparator === 'IN' || comparator === 'NOT IN') {
    const inList = Array.isArray(value) && value.includes(String(actual));
    return comparator === 'IN' ? inList : !inList;
  }
  if (comparator === 'LIKE' || comparator === 'ILIKE') {
    return typeof value === 'string' && likeMatches(String(actual), value, comparator === 'ILIKE');
  }
  if (typeof value === 'number') {
    return typeof actual === 'number' && holds(comparator, compareNumbers(actual, value), actual, value);
  }
  if (typeof value === 'string') return holds(comparator, compareStrings(String(actual), value), actual, value);
  return false;
}

/** Whether `actual <comparator> expected` holds, given their comparison. NaN only ever differs. */
function holds(comparator: Clause['comparator'], order: number, actual: Value, expected: Value): boolean {
  const nan = Number.isNaN(actual) || Number.isNaN(expected);
  switch (comparator) {
    case '=':
      return !nan && order === 0;
    case '!=':
      return nan || order !== 0;
    case '<':
      return !nan && order < 0;
    case '<=':
      return !nan && order <= 0;
    case '>':
      return !nan && order > 0;
    case '>=':
      return !nan && order >= 0;
    default:
      return false;
  }
}

/** Values first, then NaN, then missing values, whatever the direction (MLflow's SearchUtils.sort). */
function compareSortValues(a: Value, b: Value, ascending: boolean): number {
  const rankA = sortRank(a);
  const rankB = sortRank(b);
  if (rankA !== rankB) return rankA - rankB;
  if (rankA !== 0 || a === undefined || a === null || b === undefined || b === null) return 0;
  const result = typeof a === 'number' && typeof b === 'number' ? compareNumbers(a, b) : compareStrings(String(a), String(b));
  return ascending ? result : -result;
}

function sortRank(value: Value): number {
  if (value === undefined || value === null) return 2;
  return Number.isNaN(value) ? 1 : 0;
}

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** By UTF-16 code unit, like Python's str ordering for the text MLflow stores in practice. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** MLflow's experiment ids are integers in its SQL store: compare them as numbers when they are. */
function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = a.replace(/^0+(?=\d)/, '');
    const y = b.replace(/^0+(?=\d)/, '');
    return compareNumbers(x.length, y.length) || compareStrings(x, y);
  }
  return compareStrings(a, b);
}
