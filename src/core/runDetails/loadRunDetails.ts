// The Run Details model of one run, read from a TrackingStore: overview facts from the run and its
// tags (Labbook's and MLflow's conventions, all optional), params, metrics with sparklines, tags.
import { TrackingError } from '../store/errors.ts';
import type { ReadableStore } from '../store/trackingStore.ts';
import type { Run, Tag } from '../store/types.ts';
import type { GitInfo, MetricSummary, RunDetails, RunDetailsResult, RunOverview, RunRef, TagRow } from './model.ts';
import { lineageOf } from './runLineage.ts';
import { sourceAtCommit } from './sourceAtCommit.ts';
import { jsonNumber, SPARKLINE_BUCKETS, sparklineOf } from './sparkline.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

export const NOTE_TAG = 'mlflow.note.content';
/** Above this many metrics, the rest are listed without a sparkline (one store query each). */
export const MAX_SPARKLINES = 200;

export interface DetailsOptions {
  readonly now?: () => number;
  readonly maxSparklines?: number;
}

/** Tags written by MLflow and Labbook themselves, kept apart from the user's own. */
export function isSystemTag(key: string): boolean {
  return key.startsWith('mlflow.') || key.startsWith('labbook.');
}

function iso(ms: number | null | undefined): string | null {
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null;
}

function tagValue(tags: readonly Tag[], key: string): string | null {
  const value = tags.find((t) => t.key === key)?.value;
  return value === undefined || value === '' ? null : value;
}

function integerTag(tags: readonly Tag[], key: string): number | null {
  const value = tagValue(tags, key);
  if (value === null || !/^-?\d+$/.test(value.trim())) return null;
  return Number(value.trim());
}

function gitOf(tags: readonly Tag[]): GitInfo | null {
  const commit = tagValue(tags, 'mlflow.source.git.commit');
  if (commit === null) return null;
  const dirty = tagValue(tags, 'labbook.git.dirty');
  return {
    commit,
    branch: tagValue(tags, 'mlflow.source.git.branch'),
    repoUrl: tagValue(tags, 'mlflow.source.git.repoURL'),
    dirty: dirty === null ? null : dirty === 'true' || dirty === '1',
    repoPath: sourceAtCommit(tags)?.path ?? null,
  };
}

export function overviewOf(run: Run, experimentName: string | null, now: number): RunOverview {
  const { info } = run;
  const tags = run.data.tags;
  const recorded = integerTag(tags, 'labbook.durationMs');
  const start = info.startTime > 0 ? info.startTime : null;
  let durationMs: number | null = recorded !== null && recorded >= 0 ? recorded : null;
  if (durationMs === null && start !== null) {
    if (info.endTime !== null && info.endTime >= start) durationMs = info.endTime - start;
    else if (info.status === 'RUNNING') durationMs = Math.max(0, now - start);
  }
  return {
    runId: info.runId,
    runName: info.runName || tagValue(tags, 'mlflow.runName') || info.runId,
    status: info.status,
    lifecycleStage: info.lifecycleStage,
    experimentId: info.experimentId,
    experimentName,
    startTime: iso(start),
    endTime: iso(info.endTime),
    durationMs,
    user: tagValue(tags, 'mlflow.user') ?? (info.userId || null),
    source: tagValue(tags, 'mlflow.source.name'),
    sourceSnapshot: tagValue(tags, 'labbook.source.snapshot'),
    git: gitOf(tags),
    exitCode: integerTag(tags, 'labbook.exitCode'),
    parentRunId: tagValue(tags, 'mlflow.parentRunId'),
    reproduces: tagValue(tags, 'labbook.reproduces'),
    artifactUri: info.artifactUri,
  };
}

export function tagRowsOf(tags: readonly Tag[]): TagRow[] {
  return tags
    .filter((t) => t.key !== NOTE_TAG)
    .map((t) => ({ key: t.key, value: t.value, system: isSystemTag(t.key) }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

async function metricsOf(store: ReadableStore, run: Run, budget: number): Promise<MetricSummary[]> {
  const latest = [...run.data.metrics].sort((a, b) => a.key.localeCompare(b.key));
  return Promise.all(
    latest.map(async (m, i): Promise<MetricSummary> => ({
      key: m.key,
      latest: jsonNumber(m.value),
      step: m.step,
      timestamp: new Date(m.timestamp).toISOString(),
      sparkline: i < budget ? sparklineOf(await store.getMetricHistoryDownsampled(run.info.runId, m.key, SPARKLINE_BUCKETS)) : null,
    })),
  );
}

/** Everything the panel shows of a run, but its artifacts (those are read lazily, per folder). */
export async function loadRunDetails(store: ReadableStore, ref: RunRef, options: DetailsOptions = {}): Promise<RunDetails> {
  return (await loadWithRun(store, ref, options)).details;
}

async function loadWithRun(store: ReadableStore, ref: RunRef, options: DetailsOptions): Promise<{ details: RunDetails; run: Run }> {
  const run = await store.getRun(ref.runId);
  let experimentName: string | null = null;
  try {
    experimentName = (await store.getExperiment(run.info.experimentId)).name;
  } catch {
    // The run is still worth showing without its experiment's name.
  }
  const budget = options.maxSparklines ?? MAX_SPARKLINES;
  const metrics = await metricsOf(store, run, budget);
  const now = (options.now ?? Date.now)();
  const details: RunDetails = {
    ref,
    storeDescription: store.description,
    readOnly: store.readOnly || run.info.lifecycleStage === 'deleted',
    overview: overviewOf(run, experimentName, now),
    params: [...run.data.params].sort((a, b) => a.key.localeCompare(b.key)),
    metrics,
    sparklinesOmitted: Math.max(0, metrics.length - budget),
    tags: tagRowsOf(run.data.tags),
    note: tagValue(run.data.tags, NOTE_TAG) ?? '',
    lineage: await lineageOf(store, run),
    loadedAt: new Date(now).toISOString(),
  };
  return { details, run };
}

/**
 * The details, or a user-facing reason there are none: the run does not exist (any more), or the
 * store cannot be reached. `store` is undefined when the store is not open in this window.
 * `digest` names what was read (see runDigest), to tell later whether the run changed.
 */
export async function readRunDetails(store: ReadableStore | undefined, ref: RunRef, options: DetailsOptions = {}): Promise<{ result: RunDetailsResult; digest: string }> {
  if (!store) return { result: { kind: 'unavailable', ref, message: `The tracking store '${ref.store}' is not available in this window.` }, digest: 'unavailable' };
  try {
    const { details, run } = await loadWithRun(store, ref, options);
    return { result: { kind: 'details', ref, details }, digest: runDigest(run) };
  } catch (err) {
    if (err instanceof TrackingError && err.code === 'RESOURCE_DOES_NOT_EXIST') {
      return { result: { kind: 'missing', ref, message: `Run ${ref.runId} does not exist in ${store.description}: it may have been deleted permanently.` }, digest: 'missing' };
    }
    const why = errorMessage(err);
    return { result: { kind: 'unavailable', ref, message: `Could not read run ${ref.runId} from ${store.description}: ${why}` }, digest: `unavailable:${why}` };
  }
}

/** The digest readRunDetails would give now, for the price of one getRun. */
export async function currentDigest(store: ReadableStore | undefined, runId: string): Promise<string> {
  if (!store) return 'unavailable';
  try {
    return runDigest(await store.getRun(runId));
  } catch (err) {
    if (err instanceof TrackingError && err.code === 'RESOURCE_DOES_NOT_EXIST') return 'missing';
    return `unavailable:${errorMessage(err)}`;
  }
}

/**
 * A cheap digest of what the details show from the run itself, so a store change that did not
 * touch this run (another run logging) does not recompute sparklines and re-render the panel.
 */
export function runDigest(run: Run): string {
  return JSON.stringify([run.info, run.data.tags, run.data.params, run.data.metrics.map((m) => [m.key, m.step, m.timestamp, String(m.value)]), run.inputs ?? null, run.outputs ?? null]);
}
