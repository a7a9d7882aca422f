// Retraining triggers (continuous training in the editor): a recipe's (later a sweep's)
// `retrain: { when, paths?, schedule? }` read and checked, and the decision whether a data change
// calls for a retraining run, from the fingerprints the last run recorded and the current ones.
// Pure: the host watches the files, hashes them (fingerprintData) and measures drift.
import path from 'node:path';
import { isCron } from '../ci/ciModel.ts';
import type { DataFingerprint } from '../launch/fingerprintData.ts';
import { isRecord } from '../../shared/isRecord.ts';

export type RetrainWhen =
  | { readonly kind: 'data-changed' }
  /** Retrain when the dataset drift share (drifted columns / compared columns) exceeds `threshold`. */
  | { readonly kind: 'drift'; readonly threshold: number }
  | { readonly kind: 'schedule' };

export interface RetrainSpec {
  readonly when: RetrainWhen;
  /** What the `when` was written as, for messages. */
  readonly text: string;
  /** Paths to watch (relative to the recipe's working directory); default: the recipe's dataPaths. */
  readonly paths?: readonly string[];
  /** `schedule`: a five-field cron, for the CI workflow. */
  readonly schedule?: string;
}

export const RETRAIN_TAGS = {
  trigger: 'labbook.retrain.trigger',
  previousRun: 'labbook.retrain.previousRun',
  changedPaths: 'labbook.retrain.changedPaths',
  driftShare: 'labbook.retrain.driftShare',
  /** On every run a recipe launched: which recipe, so its next change finds the last run. */
  recipe: 'labbook.recipe',
} as const;

/** `data-changed`, `drift > 0.3` (a share in (0, 1), or a percentage `drift > 30%`), `schedule`. */
export function parseWhen(text: string): RetrainWhen | string {
  const t = text.trim().toLowerCase();
  if (t === 'data-changed') return { kind: 'data-changed' };
  if (t === 'schedule') return { kind: 'schedule' };
  const drift = /^drift\s*>\s*(\d+(?:\.\d+)?)\s*(%?)$/.exec(t);
  if (drift) {
    const threshold = Number(drift[1]) / (drift[2] ? 100 : 1);
    if (threshold > 0 && threshold < 1) return { kind: 'drift', threshold };
    return `"drift > X" needs a share of drifted columns between 0 and 1 (or a percentage), got ${drift[1]}${drift[2] ?? ''}.`;
  }
  return `"when" must be "data-changed", "drift > 0.3" or "schedule", got "${text}".`;
}

/** A recipe's `retrain` field; a string naming the problem when it is wrong, undefined when absent. */
export function parseRetrain(raw: unknown): RetrainSpec | string | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) return '"retrain" must be an object like { "when": "data-changed" }.';
  if (typeof raw.when !== 'string') return '"retrain" needs "when": "data-changed", "drift > 0.3" or "schedule".';
  const when = parseWhen(raw.when);
  if (typeof when === 'string') return `"retrain": ${when}`;
  let paths: string[] | undefined;
  if (raw.paths !== undefined) {
    if (!Array.isArray(raw.paths) || !raw.paths.every((p) => typeof p === 'string' && p.trim() !== '')) return '"retrain.paths" must be a list of paths.';
    paths = raw.paths.map((p: string) => p.trim());
  }
  let schedule: string | undefined;
  if (raw.schedule !== undefined) {
    if (typeof raw.schedule !== 'string' || !isCron(raw.schedule)) return `"retrain.schedule" must be a five-field cron such as "0 6 * * *", got ${JSON.stringify(raw.schedule)}.`;
    schedule = raw.schedule.trim();
  }
  return { when, text: raw.when.trim(), ...(paths ? { paths } : {}), ...(schedule ? { schedule } : {}) };
}

const key = (p: string) => path.normalize(p).split(path.sep).join('/');

export interface DataChange {
  /** Watched paths whose content differs from what the last run recorded. */
  readonly changed: readonly string[];
  /** Watched paths the last run has no hash for (not recorded, or not hashed): nothing to compare. */
  readonly unknown: readonly string[];
  /** Watched paths that are gone now (a file being replaced, or removed): never a trigger by themselves. */
  readonly missing: readonly string[];
}

/** The watched paths' current fingerprints against the hashes the last run recorded (path → sha256 or DVC md5). */
export function dataChange(recorded: ReadonlyMap<string, string | null>, current: readonly DataFingerprint[]): DataChange {
  const byKey = new Map([...recorded].map(([p, h]) => [key(p), h]));
  const changed: string[] = [];
  const unknown: string[] = [];
  const missing: string[] = [];
  for (const entry of current) {
    if (entry.kind === 'missing') {
      missing.push(entry.path);
      continue;
    }
    const before = byKey.get(key(entry.path));
    const now = entry.sha256 ?? entry.dvc?.outs[0]?.md5;
    if (before === undefined || before === null || now === undefined) unknown.push(entry.path);
    else if (before !== now) changed.push(entry.path);
  }
  return { changed, unknown, missing };
}

export type RetrainDecision =
  | { readonly retrain: false; readonly reason: string }
  | { readonly retrain: true; readonly reason: string; readonly tags: Readonly<Record<string, string>> };

/** MLflow caps tag values at 5000 characters (8000 on newer servers): keep well under. */
const MAX_TAG = 4000;

export interface RetrainFacts {
  readonly recipe: string;
  readonly previousRunId: string;
  readonly change: DataChange;
  /** For `drift > X`: the dataset drift share of the most drifted changed path, when measured. */
  readonly driftShare?: number;
}

/** Whether to retrain, why (one sentence for the notification) and the tags linking the new run to the change. */
export function decideRetrain(spec: RetrainSpec, facts: RetrainFacts): RetrainDecision {
  const { change } = facts;
  if (spec.when.kind === 'schedule') return { retrain: false, reason: `"${facts.recipe}" retrains on a schedule: schedules run in CI (Add CI Workflow…).` };
  if (change.changed.length === 0) return { retrain: false, reason: `The data of "${facts.recipe}" is as its last run recorded it.` };
  const paths = change.changed.join(', ');
  const base = { [RETRAIN_TAGS.previousRun]: facts.previousRunId, [RETRAIN_TAGS.changedPaths]: paths.length > MAX_TAG ? `${paths.slice(0, MAX_TAG - 1)}…` : paths, [RETRAIN_TAGS.recipe]: facts.recipe };
  if (spec.when.kind === 'data-changed') {
    return { retrain: true, reason: `${paths} changed since the last run of "${facts.recipe}".`, tags: { ...base, [RETRAIN_TAGS.trigger]: 'data-changed' } };
  }
  if (facts.driftShare === undefined) return { retrain: false, reason: `${paths} changed, but its drift could not be measured.` };
  const share = Math.round(facts.driftShare * 1000) / 1000;
  if (facts.driftShare <= spec.when.threshold) return { retrain: false, reason: `${paths} changed; ${formatShare(share)} of its columns drifted, not above ${formatShare(spec.when.threshold)}.` };
  return {
    retrain: true,
    reason: `${paths} drifted: ${formatShare(share)} of its columns, above ${formatShare(spec.when.threshold)}, since the last run of "${facts.recipe}".`,
    tags: { ...base, [RETRAIN_TAGS.trigger]: 'drift', [RETRAIN_TAGS.driftShare]: String(share) },
  };
}

export function formatShare(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}
