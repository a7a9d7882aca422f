/**
 * Search and paging over entities already in memory, for every store that reads runs from
 * somewhere and cannot push the search down (files, imports, caches). Follows MLflow's
 * FileStore: filter, sort, then slice by an offset carried in an opaque page token.
 */
import { compareExperiments, compareRuns, experimentMatches, runMatches } from '../mlflow/searchEval.ts';
import { parseExperimentFilter, parseExperimentOrderBy, parseOrderBy, parseRunFilter } from '../mlflow/searchFilter.ts';
import { decodePageToken, encodePageToken, pageSize } from './pageToken.ts';
import type { Experiment, LifecycleStage, Page, Run, SearchExperimentsQuery, SearchRunsQuery, ViewType } from './types.ts';

export const DEFAULT_MAX_RESULTS = 1000;
/** MLflow's SEARCH_MAX_RESULTS_THRESHOLD. */
export const MAX_RESULTS_LIMIT = 50_000;

export function searchRunsInMemory(runs: readonly Run[], query: SearchRunsQuery): Page<Run> {
  // Everything the caller sent is checked before any work, so a bad query fails even on no runs.
  const maxResults = pageSize(query.maxResults, DEFAULT_MAX_RESULTS, MAX_RESULTS_LIMIT);
  const offset = decodePageToken(query.pageToken);
  const filter = parseRunFilter(query.filter);
  const compare = compareRuns((query.orderBy ?? []).map(parseOrderBy));
  const experimentIds = new Set(query.experimentIds);
  const viewType = query.viewType ?? 'ACTIVE_ONLY';
  const found = runs.filter(
    (run) =>
      experimentIds.has(run.info.experimentId) && inView(run.info.lifecycleStage, viewType) && runMatches(run, filter),
  );
  return paginate(found.sort(compare), offset, maxResults);
}

export function searchExperimentsInMemory(
  experiments: readonly Experiment[],
  query: SearchExperimentsQuery,
): Page<Experiment> {
  const maxResults = pageSize(query.maxResults, DEFAULT_MAX_RESULTS, MAX_RESULTS_LIMIT);
  const offset = decodePageToken(query.pageToken);
  const filter = parseExperimentFilter(query.filter);
  const compare = compareExperiments((query.orderBy ?? []).map(parseExperimentOrderBy));
  const viewType = query.viewType ?? 'ACTIVE_ONLY';
  const found = experiments.filter(
    (experiment) => inView(experiment.lifecycleStage, viewType) && experimentMatches(experiment, filter),
  );
  return paginate(found.sort(compare), offset, maxResults);
}

function inView(stage: LifecycleStage, viewType: ViewType): boolean {
  switch (viewType) {
    case 'ACTIVE_ONLY':
      return stage === 'active';
    case 'DELETED_ONLY':
      return stage === 'deleted';
    case 'ALL':
      return true;
  }
}

function paginate<T>(items: readonly T[], offset: number, maxResults: number): Page<T> {
  const end = offset + maxResults;
  const page = items.slice(offset, end);
  return end < items.length ? { items: page, nextPageToken: encodePageToken(end) } : { items: page };
}
