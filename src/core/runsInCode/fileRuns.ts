// Which runs ran a file, and what the CodeLens says about them: how many, the best by the
// objective metric, the last one. A run names its file in `mlflow.source.name`: Labbook's launches
// record the absolute path, MLflow's own client the path the script was started with (often
// relative to the folder it was started in, taken here as the workspace). The file's candidate
// names (current and former paths, relative and absolute, both separator styles) go into one
// `tags.mlflow.source.name IN (…)` filter, which the local store answers from its tag index.
import { guessDirection } from '../compare/comparison.ts';
import type { MetricDirection } from '../compare/types.ts';
import { TAGS } from '../launch/conventions.ts';
import { answersRunTableQueries, type ReadableStore } from '../store/trackingStore.ts';
import type { Run } from '../store/types.ts';
import { activeExperimentIds } from '../store/activeExperiments.ts';

/** A file in a workspace folder. Paths may be POSIX or Windows style; the folder's style wins. */
export interface FileLocation {
  /** The workspace folder, absolute. */
  readonly root: string;
  /** The file, absolute. */
  readonly file: string;
  /** Where the file was before, relative to `root`, '/'-separated (git renames), newest first. */
  readonly formerPaths?: readonly string[];
}

/** One run, as the lens names it. */
export interface FileRun {
  readonly runId: string;
  readonly runName: string;
  readonly status: string;
  readonly startTime: number;
  readonly endTime?: number;
  /** Launched by Labbook (so it has `labbook/logs/output.log`). */
  readonly launched: boolean;
  /** The file as the run recorded it (`mlflow.source.name`). */
  readonly sourceName?: string;
}

export interface FileRunsSummary {
  /** How many runs ran the file (active runs of every active experiment). */
  readonly count: number;
  /** Newest first, at most `recent` of them; the first is the last run. */
  readonly recent: readonly FileRun[];
  /** The best run by `metric`, when one was asked for and a run logged it. */
  readonly best?: { readonly run: FileRun; readonly metric: string; readonly value: number; readonly direction: MetricDirection };
}

export interface FileRunsOptions {
  /** The objective metric; no `best` without one. */
  readonly metric?: string;
  /** How many of the newest runs to return (for Compare); 5 by default. */
  readonly recent?: number;
  /** Its direction; guessed from the name when absent. */
  readonly direction?: MetricDirection;
}

const WINDOWS_ROOT = /^(?:[A-Za-z]:[\\/]|\\\\)/;

function isWindowsPath(p: string): boolean {
  return WINDOWS_ROOT.test(p) || (p.includes('\\') && !p.includes('/'));
}

/** `p` with '/' separators (a backslash is one only in a Windows path), and no `.` segments. */
function slashed(p: string, windows: boolean): string {
  const parts = (windows ? p.replace(/\\/g, '/') : p).split('/').filter((s, i) => s !== '.' && (s !== '' || i === 0));
  return parts.join('/');
}

/** The file relative to the root, '/'-separated; undefined when it is not under the root. */
export function relativeToRoot(root: string, file: string): string | undefined {
  const windows = isWindowsPath(root) || isWindowsPath(file);
  const fold = (p: string) => (windows ? p.toLowerCase() : p);
  const base = slashed(root, windows).replace(/\/$/, '');
  const target = slashed(file, windows);
  if (!fold(target).startsWith(`${fold(base)}/`)) return undefined;
  const rest = target.slice(base.length + 1);
  return rest === '' || rest.split('/').includes('..') ? undefined : rest;
}

/** A drive letter in both cases: VS Code says `c:\…`, Python and the shell `C:\…`. */
function driveCases(p: string): string[] {
  const drive = /^([A-Za-z]):/.exec(p);
  if (!drive) return [p];
  const rest = p.slice(1);
  return [...new Set([`${(drive[1] as string).toUpperCase()}${rest}`, `${(drive[1] as string).toLowerCase()}${rest}`])];
}

/**
 * Every `mlflow.source.name` that names this file: for its current and former paths, the path
 * relative to the root (plain and with `./`), and absolute; in the root's separator style, and
 * for a Windows root also with '/' and both drive-letter cases.
 */
export function sourceNamesOf(location: FileLocation): string[] {
  const windows = isWindowsPath(location.root);
  const current = relativeToRoot(location.root, location.file);
  const relatives = [...(current === undefined ? [] : [current]), ...(location.formerPaths ?? []).map((p) => slashed(p, windows)).filter((p) => p !== '' && !p.startsWith('../'))];
  const names = new Set<string>();
  const add = (p: string) => {
    for (const v of windows ? driveCases(p) : [p]) names.add(v);
    if (windows) for (const v of driveCases(p.replace(/\//g, '\\'))) names.add(v);
  };
  const root = slashed(location.root, windows).replace(/\/$/, '');
  if (current === undefined) add(slashed(location.file, windows));
  for (const rel of relatives) {
    add(rel);
    add(`./${rel}`);
    add(`${root}/${rel}`);
  }
  return [...names];
}

/** A string as a quoted literal of MLflow's search syntax. */
function quoted(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The Experiments view's filter for a file's runs: `=` on the name the newest run recorded. The
 * view's filter goes to every root, and an MLflow server takes no `IN` on tags (only `=`, `!=`,
 * `LIKE`, `ILIKE`); runs recorded under another name of the file (before a rename) are not in it.
 */
export function fileRunsViewFilter(summary: FileRunsSummary): string | undefined {
  const name = summary.recent[0]?.sourceName;
  return name === undefined ? undefined : `tags.\`${TAGS.sourceName}\` = ${quoted(name)}`;
}

/** The search filter for the runs of a file. */
export function fileRunsFilter(location: FileLocation): string {
  return `tags.\`${TAGS.sourceName}\` IN (${sourceNamesOf(location).map(quoted).join(', ')})`;
}

function briefOf(run: Run): FileRun {
  const { info, data } = run;
  return {
    runId: info.runId,
    runName: info.runName,
    status: info.status,
    startTime: info.startTime,
    ...(info.endTime !== undefined && info.endTime !== null ? { endTime: info.endTime } : {}),
    launched: data.tags.some((t) => t.key === TAGS.kind),
    ...sourceNameOf(data.tags),
  };
}


/** Counted by paging for stores that cannot count (MLflow servers, read-only folders); bounded. */
const COUNT_PAGES = 20;

async function countByPaging(store: ReadableStore, ids: readonly string[], filter: string): Promise<number> {
  let count = 0;
  let pageToken: string | undefined;
  for (let page = 0; page < COUNT_PAGES; page++) {
    const result = await store.searchRuns({ experimentIds: ids, filter, maxResults: 1000, ...(pageToken ? { pageToken } : {}) });
    count += result.items.length;
    pageToken = result.nextPageToken;
    if (!pageToken) break;
  }
  return count;
}

/**
 * How many runs ran the file, the newest ones and the best by `options.metric`. Each query is the
 * one tag filter (the local store serves it from its `tags (key, value)` index): a count, the
 * newest runs, and the best one by its metric.
 */
export async function fileRunsSummary(store: ReadableStore, location: FileLocation, options: FileRunsOptions = {}): Promise<FileRunsSummary> {
  const ids = await activeExperimentIds(store);
  if (ids.length === 0) return { count: 0, recent: [] };
  const filter = fileRunsFilter(location);
  const recentCount = Math.max(1, Math.min(options.recent ?? 5, 100));
  const recentPage = await store.searchRuns({ experimentIds: ids, filter, maxResults: recentCount });
  const recent = recentPage.items.map(briefOf);
  if (recent.length === 0) return { count: 0, recent };
  const count = !recentPage.nextPageToken ? recent.length : answersRunTableQueries(store) ? await store.countRuns({ experimentIds: ids, filter }) : await countByPaging(store, ids, filter);
  const metric = options.metric?.trim();
  if (!metric) return { count, recent };
  const direction = options.direction ?? guessDirection(metric);
  const key = `metrics.\`${metric.replace(/`/g, '')}\``;
  const bestPage = await store.searchRuns({ experimentIds: ids, filter, orderBy: [`${key} ${direction === 'lower' ? 'ASC' : 'DESC'}`], maxResults: 1 });
  const top = bestPage.items[0];
  const value = top?.data.metrics.find((m) => m.key === metric)?.value;
  if (!top || value === undefined || !Number.isFinite(value)) return { count, recent };
  return { count, recent, best: { run: briefOf(top), metric, value, direction } };
}

function sourceNameOf(tags: readonly { key: string; value: string }[]): { sourceName?: string } {
  const value = tags.find((t) => t.key === TAGS.sourceName)?.value;
  return value === undefined ? {} : { sourceName: value };
}
