// The Data tab's profiles: a launched run's labbook/data/profile.json (RunProfiles, written by the
// profiler beside the training process). The artifact is read as untrusted JSON: what does not
// read as a profile is dropped with a problem line, so a damaged or newer file never breaks the tab.
import { ARTIFACTS } from '../launch/conventions.ts';
import type { ColumnProfile, DataProfile, Histogram, ProfileFailure, RunProfiles } from '../profile/types.ts';
import { PROFILE_FORMAT, RUN_PROFILES_FORMAT } from '../profile/types.ts';

/** The artifact's path: the launch conventions' own (kept as a name for the Data tab's readers). */
export const RUN_PROFILE_PATH = ARTIFACTS.dataProfile;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const numberList = (v: unknown): v is number[] => Array.isArray(v) && v.every(num);

function histogramOf(v: unknown): Histogram | undefined {
  if (!isObject(v) || !numberList(v.edges) || !numberList(v.counts) || v.edges.length !== v.counts.length + 1) return undefined;
  return { edges: v.edges, counts: v.counts };
}

function columnOf(v: unknown): ColumnProfile | null {
  if (!isObject(v) || typeof v.name !== 'string' || typeof v.type !== 'string' || typeof v.kind !== 'string' || !num(v.count) || !num(v.nulls)) return null;
  const kind = (['numeric', 'categorical', 'boolean', 'datetime', 'text'] as const).find((k) => k === v.kind);
  const role = (['feature', 'id', 'row-number', 'timestamp'] as const).find((r) => r === v.role) ?? 'feature';
  if (!kind) return null;
  const bound = (b: unknown) => (num(b) || typeof b === 'string' ? b : undefined);
  const topValues = Array.isArray(v.topValues) ? v.topValues.filter((t): t is { value: string; count: number } => isObject(t) && typeof t.value === 'string' && num(t.count)) : undefined;
  const histogram = histogramOf(v.histogram);
  const min = bound(v.min);
  const max = bound(v.max);
  return {
    name: v.name,
    type: v.type,
    kind,
    role,
    ...(typeof v.roleReason === 'string' ? { roleReason: v.roleReason } : {}),
    count: v.count,
    nulls: v.nulls,
    nullShare: num(v.nullShare) ? v.nullShare : v.count > 0 ? v.nulls / v.count : 0,
    distinct: num(v.distinct) ? v.distinct : 0,
    distinctApprox: v.distinctApprox === true,
    ...(min !== undefined ? { min } : {}),
    ...(max !== undefined ? { max } : {}),
    ...(num(v.mean) ? { mean: v.mean } : {}),
    ...(num(v.std) ? { std: v.std } : {}),
    // The drift engine rebuilds a gone file's values from these (src/core/drift/fromProfile.ts).
    ...(numberList(v.quantiles) ? { quantiles: v.quantiles } : {}),
    ...(histogram ? { histogram } : {}),
    ...(topValues ? { topValues } : {}),
    ...(num(v.otherCount) ? { otherCount: v.otherCount } : {}),
  };
}

function profileOf(v: unknown): DataProfile | null {
  if (!isObject(v) || v.format !== PROFILE_FORMAT || !isObject(v.source) || typeof v.source.path !== 'string' || !num(v.rows) || !Array.isArray(v.columns)) return null;
  const s = v.source;
  const format = (['csv', 'tsv', 'parquet', 'jsonl'] as const).find((f) => f === s.format) ?? 'csv';
  return {
    format: PROFILE_FORMAT,
    source: { path: s.path as string, format, size: num(s.size) ? s.size : 0, ...(typeof s.mtime === 'string' ? { mtime: s.mtime } : {}), ...(typeof s.sha256 === 'string' ? { sha256: s.sha256 } : {}) },
    rows: v.rows,
    columns: v.columns.map(columnOf).filter((c): c is ColumnProfile => c !== null),
    createdAt: typeof v.createdAt === 'string' ? v.createdAt : '',
    durationMs: num(v.durationMs) ? v.durationMs : 0,
    notes: Array.isArray(v.notes) ? v.notes.filter((n): n is string => typeof n === 'string') : [],
  };
}

/** profile.json's text read as RunProfiles (only what reads as such), with a problem line for the rest. */
export function parseRunProfiles(text: string): { profiles: RunProfiles | null; problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { profiles: null, problems: [`${RUN_PROFILE_PATH} is not valid JSON.`] };
  }
  if (!isObject(raw) || raw.format !== RUN_PROFILES_FORMAT || !Array.isArray(raw.profiles)) {
    return { profiles: null, problems: [`${RUN_PROFILE_PATH} is not a Labbook profile (format ${RUN_PROFILES_FORMAT}).`] };
  }
  const profiles = raw.profiles.map(profileOf);
  const kept = profiles.filter((p): p is DataProfile => p !== null);
  const failures: ProfileFailure[] = Array.isArray(raw.failures) ? raw.failures.filter((f): f is ProfileFailure => isObject(f) && typeof f.path === 'string' && typeof f.error === 'string') : [];
  const problems = kept.length < profiles.length ? [`${profiles.length - kept.length} profile(s) in ${RUN_PROFILE_PATH} could not be read.`] : [];
  return { profiles: { format: RUN_PROFILES_FORMAT, profiles: kept, failures }, problems };
}
