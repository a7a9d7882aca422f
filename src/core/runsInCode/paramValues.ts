// What a param's hover says: the values this file's runs used, each with the objective metric of
// its best run, best first. The runs come from one tag query on the file (fileRuns.ts) or, for a
// config file, from the launches whose recipe (`labbook/launch.json`) passed it.
import path from 'node:path';
import { guessDirection } from '../compare/comparison.ts';
import type { MetricDirection } from '../compare/types.ts';
import { TAGS } from '../launch/conventions.ts';
import { readRecipe } from '../launch/reproduce.ts';
import type { ReadableStore } from '../store/trackingStore.ts';
import type { Run } from '../store/types.ts';
import { activeExperimentIds } from '../store/activeExperiments.ts';
import { fileRunsFilter, type FileLocation } from './fileRuns.ts';

export interface ParamValueRow {
  readonly value: string;
  /** How many runs used it. */
  readonly runs: number;
  /** The objective metric of the best of those runs; absent when none logged it. */
  readonly metric?: number;
  /** That best run (the newest one when no run logged the metric). */
  readonly runId: string;
}

export interface ParamValues {
  /** The param key the runs logged (the commonest of the site's names). */
  readonly key: string;
  readonly metric?: string;
  readonly direction?: MetricDirection;
  /** Best first; values no run measured last, the commoner first. */
  readonly rows: readonly ParamValueRow[];
}

/**
 * The values `runs` used for the param known by `names` (the first name a run has wins), with the
 * metric per value; undefined when no run has the param.
 */
export function paramValues(runs: readonly Run[], names: readonly string[], metric: string | undefined): ParamValues | undefined {
  const keys = new Map<string, number>();
  const byValue = new Map<string, { runs: number; best?: { value: number; runId: string }; newest: string }>();
  const direction = metric ? guessDirection(metric) : undefined;
  const better = (a: number, b: number) => (direction === 'lower' ? a < b : a > b);
  for (const run of runs) {
    const param = names.map((n) => run.data.params.find((p) => p.key === n)).find((p) => p !== undefined);
    if (!param) continue;
    keys.set(param.key, (keys.get(param.key) ?? 0) + 1);
    const entry = byValue.get(param.value) ?? { runs: 0, newest: run.info.runId };
    entry.runs++;
    const value = metric ? run.data.metrics.find((m) => m.key === metric)?.value : undefined;
    if (value !== undefined && Number.isFinite(value) && (!entry.best || better(value, entry.best.value))) entry.best = { value, runId: run.info.runId };
    byValue.set(param.value, entry);
  }
  if (byValue.size === 0) return undefined;
  const key = [...keys].sort((a, b) => b[1] - a[1])[0]?.[0] ?? names[0] ?? '';
  const rows: ParamValueRow[] = [...byValue].map(([value, e]) => ({ value, runs: e.runs, runId: e.best?.runId ?? e.newest, ...(e.best ? { metric: e.best.value } : {}) }));
  rows.sort((a, b) => {
    if (a.metric !== undefined && b.metric !== undefined) return a.metric === b.metric ? b.runs - a.runs : better(a.metric, b.metric) ? -1 : 1;
    if (a.metric !== undefined) return -1;
    if (b.metric !== undefined) return 1;
    return b.runs - a.runs || a.value.localeCompare(b.value);
  });
  return { key, ...(metric && direction ? { metric, direction } : {}), rows };
}

/**
 * The objective metric, as the runs lens picks it: the `labbook.codeLens.metric` setting when
 * set, else the first of `labbook.explorer.keyMetrics`, else none (values are then listed by how
 * many runs used them).
 */
export function objectiveMetric(setting: string | undefined, keyMetrics: readonly string[]): string | undefined {
  return setting?.trim() || keyMetrics.find((k) => k.trim() !== '')?.trim() || undefined;
}

/** Runs read for one hover at most (newest first): the hover summarises, it does not page. */
export const MAX_HOVER_RUNS = 1000;

async function searchAll(store: ReadableStore, filter: string, limit: number): Promise<Run[]> {
  const ids = await activeExperimentIds(store);
  if (ids.length === 0) return [];
  const runs: Run[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < 20 && runs.length < limit; page++) {
    const result = await store.searchRuns({ experimentIds: ids, filter, maxResults: Math.min(1000, limit - runs.length), ...(pageToken ? { pageToken } : {}) });
    runs.push(...result.items);
    pageToken = result.nextPageToken;
    if (!pageToken) break;
  }
  return runs;
}

/** The runs of a script or notebook, newest first, at most `limit`. */
export function runsOfFile(store: ReadableStore, location: FileLocation, limit = MAX_HOVER_RUNS): Promise<Run[]> {
  return searchAll(store, fileRunsFilter(location), limit);
}

/** The config files each run's launch passed, absolute; recipes never change, so a cache lives as long as its store. */
export type RecipeConfigCache = Map<string, readonly string[]>;

/**
 * The launched script runs whose recipe lists `configFile` (absolute) in `configFiles`, newest
 * first, among the newest `limit` launched scripts. A run without a readable recipe passed none.
 */
export async function runsWithConfigFile(store: ReadableStore, configFile: string, cache: RecipeConfigCache, limit = MAX_HOVER_RUNS): Promise<Run[]> {
  const launched = await searchAll(store, `tags.\`${TAGS.kind}\` = 'script'`, limit);
  const target = path.resolve(configFile);
  const unread = launched.filter((run) => !cache.has(run.info.runId));
  // Eight recipes at a time: each is one small artifact read.
  for (let i = 0; i < unread.length; i += 8) {
    await Promise.all(unread.slice(i, i + 8).map(async (run) => cache.set(run.info.runId, await recipeConfigFiles(store, run.info.runId))));
  }
  return launched.filter((run) => cache.get(run.info.runId)?.includes(target));
}

/** The config files a run's recipe lists, absolute; none when it has no readable recipe. */
async function recipeConfigFiles(store: ReadableStore, runId: string): Promise<readonly string[]> {
  try {
    const recipe = await readRecipe(store, runId);
    const listed = Array.isArray(recipe.configFiles) ? recipe.configFiles.filter((f): f is string => typeof f === 'string') : [];
    return listed.map((f) => path.resolve(recipe.root, recipe.cwd, f));
  } catch {
    return [];
  }
}
