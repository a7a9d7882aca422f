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
import { compareFingerprints, fingerprintData, readDvc, type DataDifference, type DataFingerprint } from '../launch/fingerprintData.ts';
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
  const inPart = entries.filter((e) => e.partial && e.kind === 'file');
  const whole = entries.filter((e) => !inPart.includes(e));
  const current = await fingerprintData(whole.map((e) => e.path), cwd, { timeoutMs });
  const now = new Map(current.entries.map((e) => [e.path, e]));
  const out: DataDifference[] = [];
  const recorded: DataFingerprint[] = [];
  for (const e of whole) {
    const cur = now.get(e.path);
    // A folder's hash covers the files the run read of it: comparable with the folder as it is now
    // only when that was all of it (same count); else only its presence is compared.
    const comparable = !(e.kind === 'dir' && cur?.kind === 'dir' && cur.fileCount !== e.fileCount);
    recorded.push({ path: e.path, kind: e.kind, ...(comparable && e.sha256 ? { sha256: e.sha256 } : {}), ...(e.dvc ? { dvc: e.dvc } : {}) });
  }
  for (const e of inPart) out.push(...(await partlyHashedDifferences(e, cwd)));
  return [...out, ...compareFingerprints(recorded, current.entries).filter((d) => d.change !== 'new')];
}

/** An input above the hashing cap, checked as it was recorded: size, modification time, its first and last 4 MB, its DVC md5s. */
async function partlyHashedDifferences(e: DataEntry, cwd: string): Promise<DataDifference[]> {
  const full = path.resolve(cwd, e.path);
  const out: DataDifference[] = [];
  const dvc = await readDvc(full.endsWith('.dvc') ? full : `${full}.dvc`);
  const oldDvc = (e.dvc?.outs ?? []).map((o) => o.md5).join(',');
  const curDvc = (dvc.outs ?? []).map((o) => o.md5).join(',');
  if (oldDvc !== curDvc) out.push({ path: e.path, change: 'dvc', message: `${e.path}: the DVC md5 changed (${oldDvc || 'none'} → ${curDvc || 'none'}).` });
  let info;
  try {
    info = await stat(full);
  } catch {
    return [...out, { path: e.path, change: 'missing', message: `${e.path} no longer exists.` }];
  }
  if (!info.isFile()) return [...out, { path: e.path, change: 'missing', message: `${e.path} is no longer a file.` }];
  let why: string | undefined;
  if (info.size !== e.size) why = 'its size differs';
  else if (e.sha256 !== undefined) {
    try {
      if ((await hashFileBounded(full, info.size, HASH_CAP_BYTES)).sha256 !== e.sha256) why = 'its first or last 4 MB differ';
    } catch (err) {
      why = `it could not be read (${errorFirstLine(err)})`;
    }
  }
  // The recorded time is rounded to the millisecond (from Python's float seconds): a millisecond apart is the same time.
  if (why === undefined && e.mtime !== undefined && Math.abs(Date.parse(e.mtime) - info.mtimeMs) > 1) why = 'its modification time differs; the parts hashed are the same';
  if (why !== undefined) out.push({ path: e.path, change: 'content', message: `${e.path} changed since the run (${why}; it was hashed only in part).` });
  return out;
}
