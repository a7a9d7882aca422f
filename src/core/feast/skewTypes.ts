// The skew report's shape (feastSkew.ts builds it), apart from the code that builds it: the
// panel's protocol and page read these types without pulling in Node or the drift engine.
import type { ColumnDrift } from '../drift/types.ts';

type Value = number | string | boolean | null;

export interface SkewExample {
  readonly entity: string;
  readonly offline: Value;
  readonly online: Value;
}

export interface SkewFeature {
  readonly name: string;
  readonly view: string;
  readonly feature: string;
  readonly dtype: string;
  /** Rows where either store has a value. */
  readonly compared: number;
  readonly mismatches: number;
  readonly mismatchShare: number;
  /** Offline has a value, online none. */
  readonly missingOnline: number;
  /** Online has a value, offline none. */
  readonly missingOffline: number;
  /** Over the rows where both are numbers. */
  readonly maxAbsDiff?: number;
  readonly meanAbsDiff?: number;
  readonly ttlSeconds?: number;
  /** Online values older than the TTL. */
  readonly stale: number;
  readonly drift?: ColumnDrift;
  /** The first few mismatching rows. */
  readonly examples: readonly SkewExample[];
}

export interface SkewReport {
  readonly project: string;
  readonly service: string;
  readonly feastVersion: string;
  readonly checkedAt: string;
  readonly keys: readonly string[];
  readonly sampled: number;
  readonly total: number;
  readonly features: readonly SkewFeature[];
  /** Entities with no value at all online / offline (every feature null). */
  readonly missingEntities: { readonly online: readonly string[]; readonly offline: readonly string[] };
  /** Mismatches over comparisons, all features. */
  readonly mismatchShare: number;
  readonly threshold: number;
  /** Some feature's mismatch share is over the threshold. */
  readonly skewed: boolean;
}
