// A promotion gate: a candidate model version checked against rules (gateRules.ts), most of them
// comparing it with the version it would replace (the holder of an alias such as @champion). A
// version's metrics are its logged model's (MLflow 3, when the version was registered from a
// `models:/m-…` logged model and the store keeps them), else its source run's latest values.
import { formatNumber } from '../../shared/format.ts';
import { errorFirstLine } from '../../shared/errorMessage.ts';
import { isNotFound } from '../store/errors.ts';
import { readsLoggedModels, type ReadableStore } from '../store/trackingStore.ts';
import type { Metric, ModelVersion, Run, Tag } from '../store/types.ts';
import { latestPoint } from '../store/latestMetric.ts';
import { LineageReader } from '../lineage/lineageReader.ts';
import { loggedModelIdOf } from '../lineage/nodes.ts';
import { staleMarks } from '../lineage/staleness.ts';
import { compare, opSymbol, parseGateRule, type GateRule } from './gateRules.ts';

/**
 * Where "smoke passed" looks: this tag on the model version, else on its source run, with the
 * value `passed` (`labbook smoke --model NAME/VERSION` sets it on a version; CI can set it with the
 * mlflow client: `MlflowClient().set_model_version_tag(name, version, "labbook.smoke.status", "passed")`).
 */
export const SMOKE_STATUS_TAG = 'labbook.smoke.status';

export interface GateCheck {
  readonly rule: string;
  readonly passed: boolean;
  /** What was compared, as a person reads it, e.g. "rmse 0.412 ≤ 0.45 (champion v3 0.45 × 1)". */
  readonly detail: string;
}

export interface GateResult {
  readonly passed: boolean;
  readonly checks: readonly GateCheck[];
  readonly candidate: { readonly name: string; readonly version: string };
  /** The version compared against; absent when no version holds the alias (yet) or none was given. */
  readonly against?: { readonly alias?: string; readonly version: string };
}

export type GateAgainst = { alias: string } | { version: string };

export interface GateOptions {
  /** For "data not stale": the time allowed to hash the data. Default 60 s. */
  readonly timeoutMs?: number;
}

/** A version and what the gate reads of it, read once. */
interface Subject {
  readonly version: ModelVersion;
  run?: Run | null;
  loggedMetrics?: readonly Metric[] | null;
}

/** `@alias` or a version number: the version it names (a TrackingError when there is none). */
export async function resolveVersion(store: ReadableStore, name: string, ref: string): Promise<ModelVersion> {
  return ref.startsWith('@') ? store.getModelVersionByAlias(name, ref.slice(1)) : store.getModelVersion(name, ref);
}

export async function evaluateGate(
  store: ReadableStore,
  name: string,
  candidate: string,
  against: GateAgainst | undefined,
  rules: readonly string[],
  options: GateOptions = {},
): Promise<GateResult> {
  // Every rule is read before anything is fetched: a typo fails the whole gate at once.
  const parsed = rules.map(parseGateRule);
  const subject: Subject = { version: await resolveVersion(store, name, candidate) };
  let champion: Subject | undefined;
  let noChampion: string;
  if (against === undefined) noChampion = 'no version to compare against was given';
  else if ('alias' in against) {
    const holder = await unlessNotFound(store.getModelVersionByAlias(name, against.alias));
    if (holder) champion = { version: holder };
    noChampion = `no version holds @${against.alias} yet: nothing to compare with`;
  } else {
    champion = { version: await store.getModelVersion(name, against.version) };
    noChampion = '';
  }
  const checks: GateCheck[] = [];
  for (const rule of parsed) checks.push(await check(store, rule, subject, champion, noChampion, options));
  return {
    passed: checks.every((c) => c.passed),
    checks,
    candidate: { name, version: subject.version.version },
    ...(champion ? { against: { ...(against && 'alias' in against ? { alias: against.alias } : {}), version: champion.version.version } } : {}),
  };
}

async function check(store: ReadableStore, rule: GateRule, subject: Subject, champion: Subject | undefined, noChampion: string, options: GateOptions): Promise<GateCheck> {
  const done = (passed: boolean, detail: string): GateCheck => ({ rule: rule.text, passed, detail });
  try {
    switch (rule.kind) {
      case 'metric': {
        const value = await metricOf(store, subject, rule.key);
        if (value === undefined) return done(false, `v${subject.version.version} has no metric ${rule.key}`);
        let right: number;
        let basis = '';
        if (rule.target.kind === 'number') right = rule.target.value;
        else {
          if (!champion) return done(true, noChampion);
          const theirs = await metricOf(store, champion, rule.key);
          const who = `champion v${champion.version.version}`;
          // A holder the rule cannot be measured against is not a pass: the gate would wave through
          // any candidate. No holder at all is (the first promotion).
          if (theirs === undefined) return done(false, `${who} has no metric ${rule.key}: cannot compare (override with a reason if intended)`);
          right = theirs * rule.target.scale + rule.target.offset;
          const { scale, offset } = rule.target;
          basis = ` (${who} ${formatNumber(theirs)}${scale !== 1 ? ` × ${formatNumber(scale)}` : ''}${offset !== 0 ? ` ${offset < 0 ? '−' : '+'} ${formatNumber(Math.abs(offset))}` : ''})`;
        }
        const passed = compare(value, rule.op, right);
        const sym = opSymbol(rule.op);
        return done(passed, `${rule.key} ${formatNumber(value)} ${passed ? sym : `is not ${sym}`} ${formatNumber(right)}${basis}`);
      }
      case 'field': {
        const found = await fieldOf(store, subject, rule.field, rule.key);
        const passed = rule.op === '=' ? found === rule.value : found !== rule.value;
        const shown = found === undefined ? `${rule.field}.${rule.key} is not set` : `${rule.field}.${rule.key} is '${found}'`;
        return done(passed, `${shown}${passed ? '' : `, expected ${rule.op === '=' ? '' : 'anything but '}'${rule.value}'`}`);
      }
      case 'smokePassed': {
        const fromVersion = tagValue(subject.version.tags, SMOKE_STATUS_TAG);
        const status = fromVersion ?? tagValue((await runOf(store, subject))?.data.tags ?? [], SMOKE_STATUS_TAG);
        const where = fromVersion !== undefined ? 'the version' : 'its source run';
        if (status === undefined) return done(false, `no smoke test result is recorded (tag ${SMOKE_STATUS_TAG} on the version or its source run)`);
        return done(status === 'passed', `${where} records ${SMOKE_STATUS_TAG}=${status}`);
      }
      case 'dataNotStale':
        return await dataCheck(store, subject, options, done);
    }
  } catch (err) {
    // A rule's own reads treat "not found" as an answer (unlessNotFound); anything else is the
    // store failing (unreachable, 5xx), which is an error of the gate (exit 2), never "worse".
    throw new Error(`The gate could not check '${rule.text}': ${errorFirstLine(err)}`, { cause: err });
  }
}

async function dataCheck(store: ReadableStore, subject: Subject, options: GateOptions, done: (passed: boolean, detail: string) => GateCheck): Promise<GateCheck> {
  const { name, version } = subject.version;
  const graph = await new LineageReader(store).upstream({ kind: 'modelVersion', name, version });
  const marks = await staleMarks(graph, options);
  // Like a champion without the metric, data that cannot be checked is not a pass: only inputs
  // Labbook fingerprinted can be (an MLflow dataset's digest is the logging library's own).
  if (marks.data.size === 0) return done(false, 'no Labbook data fingerprints are recorded upstream of it: nothing to check (override with a reason if intended)');
  const states = [...marks.data.values()];
  const bad = states.filter((s) => s === 'stale' || s === 'missing').length;
  const unknown = states.filter((s) => s === 'unknown').length;
  if (bad > 0) return done(false, `${bad} data input(s) changed since training: ${marks.notes.join(' ')}`);
  if (unknown > 0) return done(false, `${unknown} of ${states.length} data input(s) could not be checked: ${marks.notes.join(' ')}`);
  return done(true, `${states.length} data input(s) unchanged since training`);
}

async function runOf(store: ReadableStore, subject: Subject): Promise<Run | null> {
  if (subject.run !== undefined) return subject.run;
  const runId = subject.version.runId;
  const run = runId ? await unlessNotFound(store.getRun(runId)) : null;
  subject.run = run;
  return run;
}

/** The logged model's own latest value of `key` (MLflow 3), else the source run's. */
async function metricOf(store: ReadableStore, subject: Subject, key: string): Promise<number | undefined> {
  if (subject.loggedMetrics === undefined) {
    const modelId = loggedModelIdOf(subject.version);
    subject.loggedMetrics = modelId && readsLoggedModels(store) ? ((await unlessNotFound(store.getLoggedModel(modelId)))?.metrics ?? null) : null;
  }
  const latest = latestOf(subject.loggedMetrics ?? [], key) ?? latestOf((await runOf(store, subject))?.data.metrics ?? [], key);
  return latest?.value;
}

/** What `read` gives, or null when the thing read does not exist. */
export async function unlessNotFound<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

function latestOf(metrics: readonly Metric[], key: string): Metric | undefined {
  return latestPoint(metrics.filter((m) => m.key === key));
}

/** `params.x` from the source run; `tags.x` from the version, else its source run. */
async function fieldOf(store: ReadableStore, subject: Subject, field: 'params' | 'tags', key: string): Promise<string | undefined> {
  if (field === 'tags') {
    const own = tagValue(subject.version.tags, key);
    if (own !== undefined) return own;
  }
  const run = await runOf(store, subject);
  return tagValue((field === 'params' ? run?.data.params : run?.data.tags) ?? [], key);
}

function tagValue(tags: readonly Tag[], key: string): string | undefined {
  return tags.find((t) => t.key === key)?.value;
}
