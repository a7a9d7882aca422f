// driftBetween: the drift between two data sources, each a file, a run's tabular input, or the
// training data behind a model alias. A run's input is read from disk when the file still has
// the sha256 the run recorded; otherwise (changed or gone) it is rebuilt from the run's stored
// profile (labbook/data/profile.json), and the report says the scores are approximate.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseDataRecord } from '../data/dataRecord.ts';
import { hashFileBounded } from '../data/hashReads.ts';
import { ARTIFACTS, TAGS } from '../launch/conventions.ts';
import type { TableData } from '../profile/tableData.ts';
import { localDatasetPath } from '../profile/datasetSource.ts';
import { isTabularFile } from '../profile/tabularFiles.ts';
import type { DataProfile } from '../profile/types.ts';
import { parseRunProfiles } from '../runDetails/runProfile.ts';
import type { ReadableStore } from '../store/trackingStore.ts';
import { errorFirstLine } from '../../shared/errorMessage.ts';
import { computeDrift } from './computeDrift.ts';
import { lumpLikeProfile, tableFromProfile } from './fromProfile.ts';
import { presortTables } from './presort.ts';
import type { DriftOptions, DriftReport, DriftSide } from './types.ts';

export type DriftSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'run'; readonly runId: string; readonly file?: string }
  | { readonly kind: 'alias'; readonly model: string; readonly alias: string; readonly file?: string };

export interface DriftDeps {
  /** Needed for run and alias sources. */
  readonly store?: ReadableStore;
  /** Relative file paths are resolved here. */
  readonly cwd: string;
  /** Reads a tabular file (src/core/profile/readTable.ts). */
  readonly readTable: (file: string, options?: { readonly identifierValues?: boolean }) => Promise<TableData>;
}

export type DriftSourceProblem = 'no-store' | 'run-unknown' | 'alias-unknown' | 'no-tabular-input' | 'ambiguous-file' | 'file-not-found' | 'data-gone' | 'unreadable';

/** A source that cannot give a table, with a message for a person (and the candidates, when any). */
export class DriftSourceError extends Error {
  override readonly name = 'DriftSourceError';
  readonly problem: DriftSourceProblem;
  readonly candidates: readonly string[];
  constructor(problem: DriftSourceProblem, message: string, candidates: readonly string[] = []) {
    super(message);
    this.problem = problem;
    this.candidates = candidates;
  }
}

/** One side resolved: the table, what to show for it, and notes (which file was picked, why a profile). */
export interface ResolvedSide {
  readonly table: TableData;
  readonly side: Partial<DriftSide> & { label: string };
  readonly notes: readonly string[];
  /** Set when the table was rebuilt from this profile. */
  readonly profile?: DataProfile;
}

interface Candidate {
  /** As recorded (relative to the run's cwd, or absolute). */
  readonly shown: string;
  readonly file: string;
  readonly sha256?: string;
  readonly partial?: boolean;
  readonly size?: number;
  profile?: DataProfile;
}

const shortId = (id: string) => id.slice(0, 8);

async function readArtifactText(store: ReadableStore, runId: string, artifact: string): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await store.readArtifact(runId, artifact));
  } catch {
    return undefined;
  }
}

/** The run's tabular inputs: data.json's, MLflow local dataset inputs', and stored profiles', merged by file. */
async function runCandidates(store: ReadableStore, runId: string, cwd: string): Promise<{ candidates: Candidate[]; runCwd: string }> {
  let run;
  try {
    run = await store.getRun(runId);
  } catch (err) {
    throw new DriftSourceError('run-unknown', `no run ${runId} in ${store.description}: ${errorFirstLine(err)}`);
  }
  const byFile = new Map<string, Candidate>();
  const record = parseDataRecord((await readArtifactText(store, runId, ARTIFACTS.dataRecord)) ?? '');
  const runCwd = record?.cwd || cwd;
  for (const e of record?.inputs ?? []) {
    if (e.kind !== 'file' || !isTabularFile(e.path)) continue;
    const file = path.resolve(runCwd, e.path);
    byFile.set(file, { shown: e.path, file, ...(e.sha256 ? { sha256: e.sha256 } : {}), ...(e.partial ? { partial: true } : {}), ...(e.size !== undefined ? { size: e.size } : {}) });
  }
  for (const input of run.inputs?.datasetInputs ?? []) {
    if (input.dataset.sourceType !== 'local') continue;
    const p = localDatasetPath(input.dataset.source);
    if (!p || !isTabularFile(p)) continue;
    const file = path.resolve(runCwd, p);
    // Only Labbook's own inputs carry a sha256 prefix as digest; mlflow's digests hash something else.
    const ours = input.tags.some((t) => t.key === TAGS.dataFound);
    if (!byFile.has(file)) byFile.set(file, { shown: input.dataset.name || p, file, ...(ours && input.dataset.digest ? { sha256: input.dataset.digest } : {}) });
  }
  const profiles = parseRunProfiles((await readArtifactText(store, runId, ARTIFACTS.dataProfile)) ?? 'null').profiles;
  for (const profile of profiles?.profiles ?? []) {
    const file = path.resolve(runCwd, profile.source.path);
    const known = byFile.get(file);
    if (known) known.profile = profile;
    else byFile.set(file, { shown: profile.source.path, file, ...(profile.source.sha256 ? { sha256: profile.source.sha256 } : {}), size: profile.source.size, profile });
  }
  return { candidates: [...byFile.values()].sort((a, b) => (a.shown < b.shown ? -1 : 1)), runCwd };
}

function pick(candidates: readonly Candidate[], wanted: string | undefined, what: string, cwd: string): { chosen: Candidate; note?: string } {
  const names = candidates.map((c) => c.shown);
  if (candidates.length === 0) throw new DriftSourceError('no-tabular-input', `${what} has no tabular data input (CSV, TSV, Parquet or JSON lines) recorded in ${ARTIFACTS.dataRecord}, its MLflow dataset inputs or ${ARTIFACTS.dataProfile}`);
  if (wanted !== undefined) {
    const abs = path.resolve(cwd, wanted);
    const exact = candidates.filter((c) => c.shown === wanted || c.file === abs);
    const matches = exact.length > 0 ? exact : candidates.filter((c) => path.basename(c.shown) === wanted || c.shown.endsWith(`/${wanted}`));
    if (matches.length === 1 && matches[0]) return { chosen: matches[0] };
    if (matches.length === 0) throw new DriftSourceError('file-not-found', `${what} has no tabular input named ${wanted}; its inputs: ${names.join(', ')}`, names);
    throw new DriftSourceError('ambiguous-file', `${wanted} names ${matches.length} inputs of ${what}: ${matches.map((m) => m.shown).join(', ')}; give the relative path`, matches.map((m) => m.shown));
  }
  if (candidates.length === 1 && candidates[0]) return { chosen: candidates[0] };
  const sized = candidates.filter((c) => c.size !== undefined);
  if (sized.length === 0) throw new DriftSourceError('ambiguous-file', `${what} has ${candidates.length} tabular inputs (${names.join(', ')}): pick one with --file`, names);
  const chosen = [...sized].sort((a, b) => (b.size ?? 0) - (a.size ?? 0) || (a.shown < b.shown ? -1 : 1))[0] as Candidate;
  return { chosen, note: `${what}: compared ${chosen.shown}, the largest of its ${candidates.length} tabular inputs (${names.join(', ')}); pick another with --file.` };
}

/** Whether the file on disk is still the one the run read (same sha256, or same recorded prefix). */
async function unchanged(c: Candidate): Promise<'same' | 'changed' | 'gone' | 'unknown'> {
  let info;
  try {
    info = await stat(c.file);
  } catch {
    return 'gone';
  }
  if (!c.sha256) return 'unknown';
  const { sha256 } = await hashFileBounded(c.file, info.size, c.partial ? 0 : Number.POSITIVE_INFINITY);
  return sha256.startsWith(c.sha256) ? 'same' : 'changed';
}

async function runSide(runId: string, file: string | undefined, deps: DriftDeps, label: string): Promise<ResolvedSide> {
  if (!deps.store) throw new DriftSourceError('no-store', `${label}: a run needs a tracking store`);
  const { candidates } = await runCandidates(deps.store, runId, deps.cwd);
  const { chosen, note } = pick(candidates, file, label, deps.cwd);
  const notes = note ? [note] : [];
  const state = await unchanged(chosen);
  const side = { label: `${label} · ${chosen.shown}`, path: chosen.shown, runId };
  if (state === 'same' || (state === 'unknown' && !chosen.profile)) {
    if (state === 'unknown') notes.push(`${label}: no fingerprint of ${chosen.shown} was recorded; read as it is now.`);
    return { table: await readFile(chosen.file, deps), side: { ...side, fromProfile: false }, notes };
  }
  if (!chosen.profile) {
    throw new DriftSourceError('data-gone', `${label}: ${chosen.shown} ${state === 'gone' ? 'is gone' : 'changed since the run read it'}, and the run stored no profile of it (${ARTIFACTS.dataProfile})`);
  }
  notes.push(`${label}: ${chosen.shown} ${state === 'gone' ? 'is gone' : state === 'changed' ? 'changed since the run read it' : 'cannot be checked'}; compared with the profile the run stored (approximate).`);
  const table = tableFromProfile(chosen.profile);
  return { table, side: { ...side, rows: chosen.profile.rows, fromProfile: true }, notes, profile: chosen.profile };
}

async function readFile(file: string, deps: DriftDeps): Promise<TableData> {
  try {
    return await deps.readTable(file);
  } catch (err) {
    throw new DriftSourceError('unreadable', `cannot read ${file}: ${errorFirstLine(err)}`);
  }
}

/** A source as a table and the side's description. */
export async function resolveDriftSource(source: DriftSource, deps: DriftDeps): Promise<ResolvedSide> {
  switch (source.kind) {
    case 'file': {
      const file = path.resolve(deps.cwd, source.path);
      return { table: await readFile(file, deps), side: { label: source.path, path: source.path, fromProfile: false }, notes: [] };
    }
    case 'run':
      return runSide(source.runId, source.file, deps, `run ${shortId(source.runId)}`);
    case 'alias': {
      if (!deps.store) throw new DriftSourceError('no-store', `models:/${source.model}@${source.alias} needs a tracking store`);
      let version;
      try {
        version = await deps.store.getModelVersionByAlias(source.model, source.alias);
      } catch (err) {
        throw new DriftSourceError('alias-unknown', `no model version holds models:/${source.model}@${source.alias}: ${errorFirstLine(err)}`);
      }
      if (!version.runId) throw new DriftSourceError('run-unknown', `models:/${source.model}@${source.alias} (v${version.version}) has no source run`);
      return runSide(version.runId, source.file, deps, `models:/${source.model}@${source.alias} (v${version.version}, run ${shortId(version.runId)})`);
    }
  }
  // A caller outside the type system (a command argument, a saved state) can hand anything.
  throw new Error(`a drift side must be a file, a run or a model alias, not ${JSON.stringify((source as { kind?: unknown } | null)?.kind ?? source)}`);
}

/** The drift of `current` against `reference`, from any two sources. */
export async function driftBetween(reference: DriftSource, current: DriftSource, deps: DriftDeps, options?: Partial<DriftOptions>, now?: Date): Promise<DriftReport> {
  // Both sides at once: DuckDB reads one file while JavaScript takes in the other's chunks.
  // Row identifiers are left out unless asked for: their values need not be read at all.
  const identifierValues = options?.includeIdentifiers ?? false;
  const sideDeps: DriftDeps = { ...deps, readTable: (file) => deps.readTable(file, { identifierValues }) };
  const [ref, cur] = await Promise.all([resolveDriftSource(reference, sideDeps), resolveDriftSource(current, sideDeps)]);
  // A side rebuilt from a profile has an "(other)" bucket: lump the other side's rare values alike.
  const refTable = cur.profile ? lumpLikeProfile(ref.table, cur.table) : ref.table;
  const curTable = ref.profile ? lumpLikeProfile(cur.table, ref.table) : cur.table;
  await presortTables([refTable, curTable]);
  const report = computeDrift(refTable, curTable, options, { reference: ref.side, current: cur.side }, now);
  return { ...report, notes: [...ref.notes, ...cur.notes, ...report.notes] };
}

/**
 * A source as written on a command line or in a checks file: `runs:/<id>`, `models:/<name>@<alias>`,
 * a path (when `isFile` says it exists), or a bare run id (hex, 8 to 64 characters). `file`
 * picks a run's input. Undefined when the text is none of these.
 */
export function parseDriftSource(text: string, isFile: (p: string) => boolean, file?: string): DriftSource | undefined {
  const t = text.trim();
  const withFile = file !== undefined ? { file } : {};
  const run = /^runs:\/([^/\s]+)\/?$/.exec(t);
  if (run?.[1]) return { kind: 'run', runId: run[1], ...withFile };
  const alias = /^models:\/(.+)@([^@/\s]+)$/.exec(t);
  if (alias?.[1] && alias[2]) return { kind: 'alias', model: alias[1], alias: alias[2], ...withFile };
  if (t && isFile(t)) return { kind: 'file', path: t };
  if (/^[0-9a-f]{8,64}$/i.test(t)) return { kind: 'run', runId: t, ...withFile };
  return undefined;
}
