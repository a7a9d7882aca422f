// The files a Labbook launch records under the run's artifacts (see docs on tracked launches):
// the output log, the code snapshot and git patch, the environment and the data fingerprints.
// Runs not launched by Labbook lack them; each reader then answers null, never throws for that.
import { ARTIFACTS } from '../launch/conventions.ts';
import { isNotFound } from '../store/errors.ts';
import type { JsonValue } from '../notebook/notebookModel.ts';
import type { ReadableStore } from '../store/trackingStore.ts';
import { decodeHead, decodeTail, looksBinary } from './boundedText.ts';
import type { BoundedText, DataFingerprint, RunCode, RunEnvironment, RunFingerprints, RunLog } from './model.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { runDataFiles } from './runDataFiles.ts';
import { parseRunProfiles, RUN_PROFILE_PATH } from './runProfile.ts';

export const LAUNCH_PATHS = {
  log: 'labbook/logs/output.log',
  codeFolder: 'labbook/code',
  patch: 'labbook/code/git.patch',
  requirements: 'labbook/environment/requirements.txt',
  environment: 'labbook/environment/environment.json',
  fingerprints: 'labbook/data/fingerprints.json',
  recipe: 'labbook/launch.json',
} as const;

export const LOG_LIMITS = { tailBytes: 256 * 1024, allBytes: 16 * 1024 * 1024 } as const;
export const CODE_LIMIT_BYTES = 1024 * 1024;

/** The artifact's bytes, or null when the run has no such artifact. */
export async function readOptionalArtifact(store: ReadableStore, runId: string, path: string): Promise<Uint8Array | null> {
  try {
    return await store.readArtifact(runId, path);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

async function readBounded(store: ReadableStore, runId: string, path: string, limit: number, from: 'head' | 'tail'): Promise<BoundedText | null> {
  const bytes = await readOptionalArtifact(store, runId, path);
  if (bytes === null) return null;
  const { text, truncated } = from === 'head' ? decodeHead(bytes, limit) : decodeTail(bytes, limit);
  return { path, text, size: bytes.length, truncated };
}

/** The output log: its tail by default, or all of it up to a larger bound. */
export async function readRunLog(store: ReadableStore, runId: string, options: { all?: boolean } = {}): Promise<RunLog> {
  const run = await store.getRun(runId);
  const all = options.all === true;
  const log = await readBounded(store, runId, LAUNCH_PATHS.log, all ? LOG_LIMITS.allBytes : LOG_LIMITS.tailBytes, 'tail');
  return { log, tail: !all, running: run.info.status === 'RUNNING' };
}

/** The snapshot named by labbook.source.snapshot (else the one file beside git.patch) and the patch. */
export async function readRunCode(store: ReadableStore, runId: string): Promise<RunCode> {
  const run = await store.getRun(runId);
  const tag = (key: string) => run.data.tags.find((t) => t.key === key)?.value || null;
  let snapshotPath = tag('labbook.source.snapshot');
  if (snapshotPath === null) {
    const files = (await store.listArtifacts(runId, LAUNCH_PATHS.codeFolder)).filter((f) => !f.isDir && f.path !== LAUNCH_PATHS.patch);
    if (files.length === 1) snapshotPath = (files[0] as { path: string }).path;
  }
  const snapshot = snapshotPath === null ? null : await readBounded(store, runId, snapshotPath, CODE_LIMIT_BYTES, 'head');
  const patch = await readBounded(store, runId, LAUNCH_PATHS.patch, CODE_LIMIT_BYTES, 'head');
  return { source: tag('mlflow.source.name'), snapshot, patch };
}

/** Nested JSON as dotted keys: { gpu: { name: "A100" } } → gpu.name = A100. Arrays of scalars join. */
export function flattenFacts(value: JsonValue, prefix = ''): { key: string; value: string }[] {
  if (value === null || typeof value !== 'object') return [{ key: prefix || '(value)', value: value === null ? 'null' : String(value) }];
  if (Array.isArray(value)) {
    if (value.length === 0) return [{ key: prefix || '(value)', value: '(none)' }];
    if (value.every((v) => v === null || typeof v !== 'object')) return [{ key: prefix || '(value)', value: value.map(String).join(', ') }];
    return value.flatMap((v, i) => flattenFacts(v, `${prefix}[${i}]`));
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return [{ key: prefix || '(value)', value: '{}' }];
  return entries.flatMap(([k, v]) => flattenFacts(v, prefix ? `${prefix}.${k}` : k));
}

/** requirements.txt as its requirement lines (comments and blank lines left out). */
export function requirementLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

export async function readRunEnvironment(store: ReadableStore, runId: string): Promise<RunEnvironment> {
  const problems: string[] = [];
  const [envBytes, reqBytes] = await Promise.all([
    readOptionalArtifact(store, runId, LAUNCH_PATHS.environment),
    readOptionalArtifact(store, runId, LAUNCH_PATHS.requirements),
  ]);
  let facts: RunEnvironment['facts'] = null;
  if (envBytes !== null) {
    try {
      facts = flattenFacts(JSON.parse(new TextDecoder().decode(envBytes)) as JsonValue);
    } catch (err) {
      problems.push(`${LAUNCH_PATHS.environment} is not valid JSON: ${errorMessage(err)}`);
    }
  }
  let requirements: string[] | null = null;
  if (reqBytes !== null) {
    if (looksBinary(reqBytes)) problems.push(`${LAUNCH_PATHS.requirements} is not a text file.`);
    else requirements = requirementLines(decodeHead(reqBytes, CODE_LIMIT_BYTES).text);
  }
  return { facts, requirements, problems };
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The md5s a fingerprint entry records: `dvcMd5`, or the outs of its `dvc` file. */
function dvcMd5Of(e: Record<string, unknown>): string | null {
  const direct = str(e.dvcMd5);
  if (direct !== null) return direct;
  const outs = (e.dvc as { outs?: unknown } | null | undefined)?.outs;
  if (!Array.isArray(outs)) return null;
  const md5s = outs.map((o: unknown) => str((o as { md5?: unknown } | null)?.md5)).filter((m): m is string => m !== null);
  return md5s.length ? md5s.join(', ') : null;
}

/**
 * fingerprints.json: `{ combined, entries }` as the launcher writes it, or a bare array of
 * entries `{path, kind, size, mtime, sha256, dvcMd5?}`; odd entries are reported, not fatal.
 */
export function parseFingerprints(text: string): Omit<RunFingerprints, 'fingerprints'> & { fingerprints: DataFingerprint[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { fingerprints: [], combined: null, problems: [`${LAUNCH_PATHS.fingerprints} is not valid JSON: ${errorMessage(err)}`] };
  }
  const wrapped = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as { entries?: unknown; combined?: unknown }) : undefined;
  const entries = wrapped ? wrapped.entries : raw;
  const combined = str(wrapped?.combined);
  if (!Array.isArray(entries)) return { fingerprints: [], combined, problems: [`${LAUNCH_PATHS.fingerprints} is not a list of files.`] };
  const fingerprints: DataFingerprint[] = [];
  const problems: string[] = [];
  entries.forEach((entry: unknown, i) => {
    const e = entry as Record<string, unknown> | null;
    if (e === null || typeof e !== 'object' || typeof e.path !== 'string') {
      problems.push(`Entry ${i + 1} of ${LAUNCH_PATHS.fingerprints} has no path.`);
      return;
    }
    // Seconds (Python's os.stat) or milliseconds (JavaScript), or an ISO string.
    const mtime = typeof e.mtime === 'number' ? isoTime(e.mtime > 1e11 ? e.mtime : e.mtime * 1000) : str(e.mtime);
    fingerprints.push({
      path: e.path,
      kind: str(e.kind) ?? 'file',
      size: typeof e.size === 'number' && Number.isFinite(e.size) ? e.size : null,
      mtime,
      sha256: str(e.sha256),
      dvcMd5: dvcMd5Of(e),
      note: str(e.note),
    });
  });
  return { fingerprints, combined, problems };
}

/** Milliseconds as an ISO date; null beyond the dates JavaScript has (toISOString would throw). */
function isoTime(ms: number): string | null {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export async function readRunFingerprints(store: ReadableStore, runId: string): Promise<RunFingerprints> {
  const [bytes, record, run, profileBytes] = await Promise.all([
    readOptionalArtifact(store, runId, LAUNCH_PATHS.fingerprints),
    readOptionalArtifact(store, runId, ARTIFACTS.dataRecord),
    store.getRun(runId),
    readOptionalArtifact(store, runId, RUN_PROFILE_PATH),
  ]);
  const data = runDataFiles(record, run);
  const declared = bytes === null ? { fingerprints: null, combined: null, problems: [] } : parseFingerprints(new TextDecoder().decode(bytes));
  const profile = profileBytes === null ? { profiles: null, problems: [] } : parseRunProfiles(new TextDecoder().decode(profileBytes));
  const problems = [...declared.problems, ...data.problems, ...profile.problems];
  return { ...declared, ...(data.files ? { files: data.files } : {}), ...(profile.profiles ? { profiles: profile.profiles } : {}), problems };
}
