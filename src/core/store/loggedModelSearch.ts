/**
 * MLflow 3's search_logged_models over models in memory: a filter in MLflow's search syntax
 * (`metrics.score > 0.5`), an optional list of datasets that metric clauses and metric ordering
 * are restricted to, structured order_by entries, and offset page tokens.
 */
import { LOGGED_MODEL_ATTRIBUTES, loggedModelMatches } from '../mlflow/searchEval.ts';
import { parseLoggedModelFilter } from '../mlflow/searchFilter.ts';
import { invalidParameter } from './errors.ts';
import { decodePageToken, encodePageToken, pageSize } from './pageToken.ts';
import type { LoggedModel, Metric, Page } from './types.ts';
import { latestPoint } from './latestMetric.ts';

export interface DatasetFilter {
  readonly datasetName: string;
  readonly datasetDigest?: string;
}

export interface LoggedModelOrder {
  /** An attribute (`creation_timestamp`, `name`, …) or `metrics.<key>`. */
  readonly fieldName: string;
  readonly ascending: boolean;
  readonly datasetName?: string;
  readonly datasetDigest?: string;
}

export interface SearchLoggedModelsQuery {
  readonly filter?: string;
  readonly datasets?: readonly DatasetFilter[];
  readonly orderBy?: readonly LoggedModelOrder[];
  readonly maxResults?: number;
  readonly pageToken?: string;
}

/** What `order_by` sorts on: the filter's attributes, plus MLflow's `creation_time` alias. */
const ORDER_ATTRIBUTES: Readonly<Record<string, (m: LoggedModel) => string | number>> = {
  ...LOGGED_MODEL_ATTRIBUTES,
  creation_time: (m) => m.creationTimestamp,
};

function inDatasets(metric: Metric, datasets: readonly DatasetFilter[]): boolean {
  if (datasets.length === 0) return true;
  return datasets.some((d) => metric.datasetName === d.datasetName && (!d.datasetDigest || metric.datasetDigest === d.datasetDigest));
}

/** The latest value (highest step, then timestamp) of `key` among the model's metrics in `datasets`. */
function latestValue(model: LoggedModel, key: string, datasets: readonly DatasetFilter[]): number | undefined {
  return latestPoint(model.metrics.filter((m) => m.key === key && inDatasets(m, datasets)))?.value;
}

function sortValue(model: LoggedModel, order: LoggedModelOrder): string | number | undefined {
  if (order.fieldName.startsWith('metrics.')) {
    const datasets = order.datasetName ? [{ datasetName: order.datasetName, ...(order.datasetDigest ? { datasetDigest: order.datasetDigest } : {}) }] : [];
    return latestValue(model, order.fieldName.slice('metrics.'.length), datasets);
  }
  const getter = Object.hasOwn(ORDER_ATTRIBUTES, order.fieldName) ? ORDER_ATTRIBUTES[order.fieldName] : undefined;
  if (!getter) throw invalidParameter(`Invalid order by field name: ${order.fieldName}. Use an attribute (${Object.keys(ORDER_ATTRIBUTES).join(', ')}) or metrics.<key>.`);
  return getter(model);
}

function compare(a: string | number | undefined, b: string | number | undefined, ascending: boolean): number {
  // Missing and NaN values go last, whatever the direction.
  const rank = (v: string | number | undefined) => (v === undefined ? 2 : typeof v === 'number' && Number.isNaN(v) ? 1 : 0);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (rank(a) !== 0 || a === undefined || b === undefined) return 0;
  const result = a < b ? -1 : a > b ? 1 : 0;
  return ascending ? result : -result;
}

export function searchLoggedModelsInMemory(models: readonly LoggedModel[], query: SearchLoggedModelsQuery): Page<LoggedModel> {
  const size = pageSize(query.maxResults, 100, 1000);
  const offset = decodePageToken(query.pageToken);
  const filter = parseLoggedModelFilter(query.filter);
  const datasets = query.datasets ?? [];
  const orders: LoggedModelOrder[] = [...(query.orderBy ?? []), { fieldName: 'creation_timestamp', ascending: false }, { fieldName: 'model_id', ascending: true }];
  for (const order of orders) sortValue(models[0] ?? EMPTY, order);
  const found = models.filter((m) => loggedModelMatches(m, filter, m.metrics.filter((metric) => inDatasets(metric, datasets))));
  found.sort((a, b) => {
    for (const order of orders) {
      const result = compare(sortValue(a, order), sortValue(b, order), order.ascending);
      if (result !== 0) return result;
    }
    return 0;
  });
  const items = found.slice(offset, offset + size);
  return { items, ...(offset + size < found.length ? { nextPageToken: encodePageToken(offset + size) } : {}) };
}

/** Lets a bad order_by fail even when there is nothing to sort. */
const EMPTY: LoggedModel = {
  modelId: '', experimentId: '', name: '', artifactLocation: '', creationTimestamp: 0, lastUpdatedTimestamp: 0,
  status: 'LOGGED_MODEL_PENDING', statusMessage: '', modelType: '', sourceRunId: '', tags: [], params: [], metrics: [],
};
