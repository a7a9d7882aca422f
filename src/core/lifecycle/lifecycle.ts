// A model's lifecycle with MLflow's own means, so a team's MLflow UI and `mlflow` client see the
// same thing: promotion moves an alias (@champion, @staging) to a version, optionally through a
// gate; archiving removes a version's aliases and tags it retired; and every promotion, override,
// demotion, archive and restore is an audit entry, kept as a tag on the registered model and on the
// version(s) concerned (one tag per entry, `labbook.audit.<time>.<random>` = compact JSON).
import { randomBytes } from 'node:crypto';
import { errorFirstLine } from '../../shared/errorMessage.ts';
import type { ReadableStore, TrackingStore } from '../store/trackingStore.ts';
import type { ModelVersion, Tag } from '../store/types.ts';
import { evaluateGate, resolveVersion, unlessNotFound, type GateAgainst, type GateCheck, type GateResult } from './gate.ts';

/** The lifecycle's own mistakes (an override with no reason, a retired version promoted, no holder to demote). */
export class LifecycleError extends Error {
  override readonly name = 'LifecycleError';
}

export type AuditAction = 'promote' | 'override' | 'demote' | 'archive' | 'restore';

export interface AuditEntry {
  readonly action: AuditAction;
  readonly name: string;
  readonly alias?: string;
  /** Promote: the alias's previous holder (null: none). Demote and archive: the version concerned. */
  readonly fromVersion?: string | null;
  /** Promote: the version promoted. Demote and archive: null. */
  readonly toVersion?: string | null;
  readonly actor: string;
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly gate?: { readonly passed: boolean; readonly checks: readonly GateCheck[] };
  readonly reason?: string;
  /** Archive: the aliases it removed. */
  readonly removedAliases?: readonly string[];
  /** The tag key the entry is stored under. */
  readonly key: string;
}

export interface PromoteRequest {
  readonly name: string;
  /** A version number, or `@alias` for the version another alias holds. */
  readonly version: string;
  readonly alias: string;
  readonly rules?: readonly string[];
  /** What champion-relative rules compare with. Default: the holder of `alias`. */
  readonly against?: GateAgainst;
  /** Promote even if the gate fails; the reason is recorded with the failed gate. */
  readonly override?: { readonly reason: string };
  readonly actor: string;
  readonly timeoutMs?: number;
}

export interface PromoteResult {
  readonly promoted: boolean;
  readonly gate?: GateResult;
  readonly entry?: AuditEntry;
}

/** A model-version tag MLflow's UI shows; `retired` marks an archived version, `active` a restored one. */
export const RETIRED_TAG = 'labbook.lifecycle.stage';
export const RETIRED_VALUE = 'retired';
const ACTIVE_VALUE = 'active';
export const AUDIT_TAG_PREFIX = 'labbook.audit.';
/** Registered-model tag values are VARCHAR(5000) in MLflow's SQL schema: an entry stays below. */
export const AUDIT_VALUE_MAX = 4000;
const REASON_MAX = 1000;

export function isRetired(version: Pick<ModelVersion, 'tags'>): boolean {
  return version.tags.some((t) => t.key === RETIRED_TAG && t.value === RETIRED_VALUE);
}

export async function promote(store: TrackingStore, request: PromoteRequest): Promise<PromoteResult> {
  const { name, alias } = request;
  if (!alias.trim()) throw new LifecycleError('Give the alias to promote to, e.g. champion.');
  const reason = request.override?.reason.trim();
  if (request.override && !reason) throw new LifecycleError('An override needs a reason, which is recorded in the audit trail.');
  const candidate = await resolveVersion(store, name, request.version);
  if (isRetired(candidate)) throw new LifecycleError(`Version ${candidate.version} of ${name} is retired (archived); a retired version cannot be promoted.`);
  const rules = request.rules ?? [];
  const gate = rules.length > 0 ? await evaluateGate(store, name, candidate.version, request.against ?? { alias }, rules, request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}) : undefined;
  if (gate && !gate.passed && !request.override) return { promoted: false, gate };
  const from = await holderOf(store, name, alias);
  // The gate compared with the holder it read; if the alias moved since, that verdict is stale.
  const comparedWithHolder = request.against === undefined || ('alias' in request.against && request.against.alias === alias);
  if (gate && comparedWithHolder && (gate.against?.version ?? null) !== (from?.version ?? null)) {
    throw new LifecycleError(`@${alias} moved to ${from ? `v${from.version}` : 'no version'} while the gate was checked against ${gate.against ? `v${gate.against.version}` : 'no holder'}; run the promotion again.`);
  }
  await store.setRegisteredModelAlias(name, alias, candidate.version);
  const entry = await record(store, `@${alias} now points to v${candidate.version}`, {
    action: gate && !gate.passed ? 'override' : 'promote', name, alias, fromVersion: from?.version ?? null, toVersion: candidate.version, actor: request.actor,
    ...(gate ? { gate: { passed: gate.passed, checks: gate.checks } } : {}),
    ...(reason ? { reason } : {}),
  }, [candidate.version, ...(from && from.version !== candidate.version ? [from.version] : [])]);
  return { promoted: true, ...(gate ? { gate } : {}), entry };
}

/** Takes the alias off the version holding it. */
export async function demote(store: TrackingStore, request: { name: string; alias: string; actor: string; reason?: string }): Promise<AuditEntry> {
  const holder = await holderOf(store, request.name, request.alias);
  if (!holder) throw new LifecycleError(`No version of ${request.name} holds @${request.alias}: nothing to demote.`);
  await store.deleteRegisteredModelAlias(request.name, request.alias);
  const reason = request.reason?.trim();
  return record(store, `@${request.alias} was removed from v${holder.version}`, { action: 'demote', name: request.name, alias: request.alias, fromVersion: holder.version, toVersion: null, actor: request.actor, ...(reason ? { reason } : {}) }, [holder.version]);
}

/** Removes all the version's aliases and tags it retired. */
export async function archiveVersion(store: TrackingStore, request: { name: string; version: string; actor: string; reason?: string }): Promise<AuditEntry> {
  const version = await resolveVersion(store, request.name, request.version);
  if (isRetired(version)) throw new LifecycleError(`Version ${version.version} of ${request.name} is already archived.`);
  for (const alias of version.aliases) await store.deleteRegisteredModelAlias(request.name, alias);
  await store.setModelVersionTag(request.name, version.version, { key: RETIRED_TAG, value: RETIRED_VALUE });
  const reason = request.reason?.trim();
  return record(store, `v${version.version} is archived`, {
    action: 'archive', name: request.name, fromVersion: version.version, toVersion: null, actor: request.actor,
    ...(version.aliases.length > 0 ? { removedAliases: [...version.aliases] } : {}),
    ...(reason ? { reason } : {}),
  }, [version.version]);
}

/**
 * Brings an archived version back: its stage tag becomes `active` (MLflow's registry has no way to
 * delete a version tag through every store kind; the value is what counts). Its aliases stay gone:
 * promote it again to give it one.
 */
export async function restoreVersion(store: TrackingStore, request: { name: string; version: string; actor: string; reason?: string }): Promise<AuditEntry> {
  const version = await resolveVersion(store, request.name, request.version);
  if (!isRetired(version)) throw new LifecycleError(`Version ${version.version} of ${request.name} is not archived: nothing to restore.`);
  await store.setModelVersionTag(request.name, version.version, { key: RETIRED_TAG, value: ACTIVE_VALUE });
  const reason = request.reason?.trim();
  return record(store, `v${version.version} is active again`, { action: 'restore', name: request.name, fromVersion: version.version, toVersion: null, actor: request.actor, ...(reason ? { reason } : {}) }, [version.version]);
}

/** The model's audit entries, newest first; a tag that is not an entry is skipped. */
export async function readAuditTrail(store: ReadableStore, name: string): Promise<AuditEntry[]> {
  const model = await store.getRegisteredModel(name);
  return auditEntriesOf(name, model.tags);
}

/** The audit entries among some tags (a registered model's, or a version's), newest first. */
export function auditEntriesOf(name: string, tags: readonly Tag[]): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (const tag of tags) {
    if (!tag.key.startsWith(AUDIT_TAG_PREFIX)) continue;
    const entry = parseAuditValue(name, tag);
    if (entry) entries.push(entry);
  }
  return entries.sort((a, b) => b.time - a.time || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
}

async function holderOf(store: ReadableStore, name: string, alias: string): Promise<ModelVersion | null> {
  return unlessNotFound(store.getModelVersionByAlias(name, alias));
}

type NewEntry = Omit<AuditEntry, 'key' | 'time'>;

/**
 * Writes the entry for a change already made (`done` says what it was) on the registered model and
 * on each version concerned. A failed write must not read as "nothing happened" — the caller would
 * retry a move that is done — so its error says what was done and what is missing.
 */
async function record(store: TrackingStore, done: string, fields: NewEntry, versions: readonly string[]): Promise<AuditEntry> {
  try {
    return await writeEntry(store, fields, versions);
  } catch (err) {
    throw new LifecycleError(`${done}, but its audit entry could not be written: ${errorFirstLine(err)}`, { cause: err });
  }
}

async function writeEntry(store: TrackingStore, fields: NewEntry, versions: readonly string[]): Promise<AuditEntry> {
  // Strictly after the newest entry, so two actions in one millisecond keep their order in the trail.
  const newest = (await readAuditTrail(store, fields.name))[0]?.time ?? 0;
  const time = Math.max(Date.now(), newest + 1);
  const key = `${AUDIT_TAG_PREFIX}${time}.${randomBytes(4).toString('hex')}`;
  const entry: AuditEntry = { ...fields, time, key };
  const tag = { key, value: auditValue(entry) };
  await store.setRegisteredModelTag(entry.name, tag);
  for (const version of new Set(versions)) await store.setModelVersionTag(entry.name, version, tag);
  return entry;
}

/** Compact JSON under AUDIT_VALUE_MAX: check details, then the reason, are shortened when needed. */
export function auditValue(entry: AuditEntry): string {
  const wire = (detailMax: number, reasonMax: number) =>
    JSON.stringify({
      action: entry.action, alias: entry.alias, from: entry.fromVersion, to: entry.toVersion, actor: entry.actor, time: entry.time,
      gate: entry.gate ? { passed: entry.gate.passed, checks: entry.gate.checks.map((c) => ({ rule: clip(c.rule, detailMax), passed: c.passed, detail: clip(c.detail, detailMax) })) } : undefined,
      reason: entry.reason === undefined ? undefined : clip(entry.reason, reasonMax),
      removed: entry.removedAliases,
    });
  for (const [detailMax, reasonMax] of [[Infinity, REASON_MAX], [300, REASON_MAX], [80, 500], [20, 200], [0, 100]] as const) {
    const value = wire(detailMax, reasonMax);
    if (value.length <= AUDIT_VALUE_MAX) return value;
  }
  // Hundreds of rules: the verdict and the failed rules' count are what is left to keep.
  const checks = entry.gate?.checks ?? [];
  return JSON.stringify({ action: entry.action, alias: entry.alias, from: entry.fromVersion, to: entry.toVersion, actor: clip(entry.actor, 200), time: entry.time, gate: entry.gate ? { passed: entry.gate.passed, checks: [], failed: checks.filter((c) => !c.passed).length } : undefined, reason: clip(entry.reason ?? '', 100) || undefined });
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

const ACTIONS: readonly AuditAction[] = ['promote', 'override', 'demote', 'archive', 'restore'];

function parseAuditValue(name: string, tag: Tag): AuditEntry | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(tag.value);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  if (!ACTIONS.includes(o.action as AuditAction) || typeof o.actor !== 'string' || typeof o.time !== 'number' || !Number.isFinite(o.time)) return undefined;
  const version = (v: unknown): string | null | undefined => (typeof v === 'string' || v === null ? v : undefined);
  const gate = o.gate as { passed?: unknown; checks?: unknown } | undefined;
  const checks = Array.isArray(gate?.checks)
    ? gate.checks.filter((c: unknown): c is GateCheck => typeof c === 'object' && c !== null && typeof (c as GateCheck).rule === 'string' && typeof (c as GateCheck).passed === 'boolean' && typeof (c as GateCheck).detail === 'string')
    : [];
  const from = version(o.from);
  const to = version(o.to);
  return {
    action: o.action as AuditAction, name, actor: o.actor, time: o.time, key: tag.key,
    ...(typeof o.alias === 'string' ? { alias: o.alias } : {}),
    ...(from !== undefined ? { fromVersion: from } : {}),
    ...(to !== undefined ? { toVersion: to } : {}),
    ...(gate && typeof gate.passed === 'boolean' ? { gate: { passed: gate.passed, checks } } : {}),
    ...(typeof o.reason === 'string' ? { reason: o.reason } : {}),
    ...(Array.isArray(o.removed) && o.removed.every((a) => typeof a === 'string') ? { removedAliases: o.removed } : {}),
  };
}
