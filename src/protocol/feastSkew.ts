/** Contract between the host and the Feast skew panel (webview/feastSkew). */
import { arrayOf, boolean, type Check, defineRequest, finiteNumber, integer, NO_PARAMS, nonEmptyString, nullable, number, object, oneOf, string, conforms, type RequestTable } from './requests.ts';
import type { SkewFeature, SkewReport } from '../core/feast/skewTypes.ts';
import { isRecord } from './rpc.ts';

export const FEAST_SKEW_VIEW_TYPE = 'labbook.feastSkew';

/** What a panel checks: a service of a repository over the entity keys of a file. */
export interface SkewSource {
  readonly repo: string;
  readonly service: string;
  readonly entities: string;
  readonly sample: number;
}

/**
 * One feature's comparison, as the page draws it: the core's counts as they are; what may be
 * absent as null (the state is JSON); the drift test flattened; values already written as JSON text.
 */
export interface SkewFeatureRow extends Omit<SkewFeature, 'maxAbsDiff' | 'meanAbsDiff' | 'ttlSeconds' | 'drift' | 'examples'> {
  readonly maxAbsDiff: number | null;
  readonly meanAbsDiff: number | null;
  readonly ttlSeconds: number | null;
  readonly drift: { readonly test: string; readonly score: number; readonly threshold: number; readonly drifted: boolean } | null;
  readonly examples: readonly { readonly entity: string; readonly offline: string; readonly online: string }[];
}

export interface SkewPage {
  readonly project: string;
  readonly service: string;
  readonly feastVersion: string;
  readonly checkedAt: string;
  readonly keys: readonly string[];
  readonly sampled: number;
  readonly total: number;
  readonly mismatchShare: number;
  readonly features: readonly SkewFeatureRow[];
  readonly missingOnline: readonly string[];
  readonly missingOffline: readonly string[];
}

/** A check's outcome: the report, or why there is none (Feast missing, a bad entities file…). */
export type SkewResult = { readonly kind: 'report'; readonly report: SkewPage } | { readonly kind: 'failed'; readonly message: string };

export const feastSkewRequests = {
  /** Runs the check again (seconds: Feast answers both ways). */
  check: defineRequest<null, SkewResult>(NO_PARAMS),
  /** Opens the entities file in an editor. */
  openEntities: defineRequest<null, null>(NO_PARAMS),
} satisfies RequestTable;
export type FeastSkewRequests = typeof feastSkewRequests;

/** `source`: after each ready, so the page keeps it for the restore. */
export type FeastSkewEvent = { readonly type: 'source'; readonly source: SkewSource };

/** Kept with getState/setState: the source revives the panel; the last result is drawn at once; the threshold is the user's. */
export interface FeastSkewState {
  readonly source: SkewSource;
  readonly result: SkewResult | null;
  readonly threshold: number;
}

export const skewSource: Check<SkewSource> = object<SkewSource>({ repo: nonEmptyString, service: nonEmptyString, entities: nonEmptyString, sample: integer });

const count = integer;
const featureRow = object<SkewFeatureRow>({
  name: string, view: string, feature: string, dtype: string, compared: count, mismatches: count, mismatchShare: finiteNumber,
  missingOnline: count, missingOffline: count, maxAbsDiff: nullable(number), meanAbsDiff: nullable(number), ttlSeconds: nullable(number), stale: count,
  drift: nullable(object<NonNullable<SkewFeatureRow['drift']>>({ test: string, score: number, threshold: number, drifted: boolean })),
  examples: arrayOf(object<SkewFeatureRow['examples'][number]>({ entity: string, offline: string, online: string })),
});
const skewPageCheck = object<SkewPage>({
  project: string, service: string, feastVersion: string, checkedAt: string, keys: arrayOf(string), sampled: count, total: count,
  mismatchShare: finiteNumber, features: arrayOf(featureRow), missingOnline: arrayOf(string), missingOffline: arrayOf(string),
});
export const skewResult: Check<SkewResult> = (value, field) => {
  const { kind } = object<{ kind: SkewResult['kind'] }>({ kind: oneOf(['report', 'failed'] as const) })(value, field);
  return kind === 'report' ? { kind, ...object<{ report: SkewPage }>({ report: skewPageCheck })(value, field) } : { kind, ...object<{ message: string }>({ message: string })(value, field) };
};

/** What a saved page state gives back: each part only when it reads as one (else null, or the default threshold 0). */
export function readFeastSkewState(value: unknown): { readonly source: SkewSource | null; readonly result: SkewResult | null; readonly threshold: number } {
  if (!isRecord(value)) return { source: null, result: null, threshold: 0 };
  const threshold = typeof value.threshold === 'number' && value.threshold >= 0 && value.threshold <= 1 ? value.threshold : 0;
  return { source: conforms(skewSource, value.source) ? value.source : null, result: conforms(skewResult, value.result) ? value.result : null, threshold };
}

/** The report as the page draws it: plain numbers and text, each value as JSON text. */
export function skewPage(report: SkewReport): SkewPage {
  return {
    project: report.project, service: report.service, feastVersion: report.feastVersion, checkedAt: report.checkedAt,
    keys: report.keys, sampled: report.sampled, total: report.total, mismatchShare: report.mismatchShare,
    features: report.features.map((f) => ({
      name: f.name, view: f.view, feature: f.feature, dtype: f.dtype, compared: f.compared, mismatches: f.mismatches, mismatchShare: f.mismatchShare,
      missingOnline: f.missingOnline, missingOffline: f.missingOffline, maxAbsDiff: f.maxAbsDiff ?? null, meanAbsDiff: f.meanAbsDiff ?? null,
      ttlSeconds: f.ttlSeconds ?? null, stale: f.stale,
      drift: f.drift?.test !== undefined && f.drift.score !== undefined ? { test: f.drift.test, score: f.drift.score, threshold: f.drift.threshold ?? 0, drifted: f.drift.drifted } : null,
      examples: f.examples.map((e) => ({ entity: e.entity, offline: JSON.stringify(e.offline), online: JSON.stringify(e.online) })),
    })),
    missingOnline: report.missingEntities.online,
    missingOffline: report.missingEntities.offline,
  };
}
