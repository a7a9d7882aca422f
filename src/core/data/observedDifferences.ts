// Reproduce's check of the observed inputs: every input the run read (labbook/data.json) is
// fingerprinted now and compared with what the run read. Declared paths are compared by the
// existing fingerprints.json check, so they are skipped here. An input hashed only in part (above
// the size cap) is hashed now the same way (its first and last 4 MB, never read in full) and
// compared by that, its size and its modification time; a folder the run read only some files of,
// by its presence.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { errorFirstLine } from '../../shared/errorMessage.ts';
import { isNotFound } from '../store/errors.ts';
import type { ReadableStore } from '../store/trackingStore.ts';
import { ARTIFACTS } from '../launch/conventions.ts';
import { compareFingerprints, dvcOf, fingerprintData, type DataDifference, type DataFingerprint } from '../launch/fingerprintData.ts';
import { parseDataRecord, type DataRecord } from './dataRecord.ts';
import type { DataEntry } from './observedRecord.ts';
import { HASH_CAP_BYTES, hashFileBounded } from './hashReads.ts';

/**
 * The run's data record; undefined when it has none (launched before observation, or with it off),
 * or, with a note, when it could not be read or is not a record.
 */
export async function readDataRecord(store: Pick<ReadableStore, 'readArtifact'>, runId: string, notes: string[]): Promise<DataRecord | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await store.readArtifact(runId, ARTIFACTS.dataRecord);
  } catch (err) {
    if (!isNotFound(err)) notes.push(`data: the run's ${ARTIFACTS.dataRecord} could not be read (${errorFirstLine(err)}); observed inputs are not checked.`);
    return undefined;
  }
  const record = parseDataRecord(new TextDecoder().decode(bytes));
  if (!record) notes.push(`data: the run's ${ARTIFACTS.dataRecord} is not a Labbook data record; observed inputs are not checked.`);
  return record;
}

/** Observed inputs (relative to `cwd` where inside it) that are not among `declared`. */
export function observedInputPaths(record: DataRecord, declared: readonly string[], cwd: string): string[] {
  const skip = new Set(declared.map((p) => path.resolve(cwd, p)));
  return record.inputs.filter((e) => e.found.includes('observed') && !skip.has(path.resolve(cwd, e.path))).map((e) => e.path);
}

export async function observedDifferences(record: DataRecord, declared: readonly string[], cwd: string, timeoutMs: number): Promise<DataDifference[]> {
  const paths = new Set(observedInputPaths(record, declared, cwd));
  const entries = record.inputs.filter((e) => paths.has(e.path));
  if (entries.length === 0) return [];
  const deadline = Date.now() + timeoutMs;
  const inPart = entries.filter((e) => e.partial && e.kind === 'file');
  const whole = entries.filter((e) => !inPart.includes(e));
  const current = [...(await fingerprintData(whole.map((e) => e.path), cwd, { timeoutMs })).entries];
  const now = new Map(current.map((e) => [e.path, e]));
  const out: DataDifference[] = [];
  const recorded: DataFingerprint[] = [];
  for (const e of whole) {
    const cur = now.get(e.path);
    // A folder's hash covers the files the run read of it: comparable with the folder as it is now
    // only when that was all of it (same count); else only its presence is compared.
    const comparable = !(e.kind === 'dir' && cur?.kind === 'dir' && cur.fileCount !== e.fileCount);
    recorded.push({ path: e.path, kind: e.kind, ...(comparable && e.sha256 ? { sha256: e.sha256 } : {}), ...(e.dvc ? { dvc: e.dvc } : {}) });
  }
  // Hashed in part: presence and DVC md5s compared as for the others, the content here.
  for (const e of inPart) {
    const { fingerprint, changed } = await partlyHashedNow(e, cwd, deadline);
    current.push(fingerprint);
    recorded.push({ path: e.path, kind: 'file', ...(e.dvc ? { dvc: e.dvc } : {}) });
    if (changed) out.push({ path: e.path, change: 'content', message: `${e.path} changed since the run (${changed}; it was hashed only in part).` });
  }
  return [...out, ...compareFingerprints(recorded, current).filter((d) => d.change !== 'new')];
}

/**
 * An input above the hashing cap as it is now (present or not, its DVC md5s) and, when present,
 * why its content differs from the record: its size, its first and last 4 MB (hashed while time
 * is left), its modification time.
 */
async function partlyHashedNow(e: DataEntry, cwd: string, deadline: number): Promise<{ fingerprint: DataFingerprint; changed?: string }> {
  const full = path.resolve(cwd, e.path);
  const dvcPart = (await dvcOf(full)).part;
  let info;
  try {
    info = await stat(full);
  } catch {
    return { fingerprint: { path: e.path, kind: 'missing', ...dvcPart } };
  }
  if (!info.isFile()) return { fingerprint: { path: e.path, kind: 'missing', ...dvcPart } };
  const fingerprint: DataFingerprint = { path: e.path, kind: 'file', size: info.size, ...dvcPart };
  if (info.size !== e.size) return { fingerprint, changed: 'its size differs' };
  if (e.sha256 !== undefined && Date.now() <= deadline) {
    try {
      if ((await hashFileBounded(full, info.size, HASH_CAP_BYTES)).sha256 !== e.sha256) return { fingerprint, changed: 'its first or last 4 MB differ' };
    } catch (err) {
      return { fingerprint, changed: `it could not be read (${errorFirstLine(err)})` };
    }
  }
  // The recorded time is rounded to the millisecond (from Python's float seconds): a millisecond apart is the same time.
  if (e.mtime !== undefined && Math.abs(Date.parse(e.mtime) - info.mtimeMs) > 1) return { fingerprint, changed: 'its modification time differs; the parts hashed are the same' };
  return { fingerprint };
}
