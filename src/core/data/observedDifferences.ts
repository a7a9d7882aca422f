// Reproduce's check of the observed inputs: every input the run read (labbook/data.json) is
// fingerprinted now and compared with what the run read. Declared paths are compared by the
// existing fingerprints.json check, so they are skipped here. An input hashed only in part (above
// the size cap) is compared by size and modification time; a folder the run read only some files
// of, by its presence.
import path from 'node:path';
import { errorFirstLine } from '../../shared/errorMessage.ts';
import { isNotFound } from '../store/errors.ts';
import type { ReadableStore } from '../store/trackingStore.ts';
import { ARTIFACTS } from '../launch/conventions.ts';
import { compareFingerprints, fingerprintData, type DataDifference, type DataFingerprint } from '../launch/fingerprintData.ts';
import { parseDataRecord, type DataRecord } from './dataRecord.ts';

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
  const current = await fingerprintData([...paths], cwd, { timeoutMs });
  const now = new Map(current.entries.map((e) => [e.path, e]));
  const out: DataDifference[] = [];
  const recorded: DataFingerprint[] = [];
  for (const e of entries) {
    const cur = now.get(e.path);
    if (e.partial && e.kind === 'file' && cur && cur.kind === 'file' && (cur.size !== e.size || cur.mtime !== e.mtime)) {
      out.push({ path: e.path, change: 'content', message: `${e.path} changed since the run (size or modification time differ; it was hashed only in part).` });
    }
    // A folder's hash covers the files the run read of it: comparable with the folder as it is now
    // only when that was all of it (same count); else only its presence is compared.
    const comparable = !e.partial && !(e.kind === 'dir' && cur?.kind === 'dir' && cur.fileCount !== e.fileCount);
    recorded.push({ path: e.path, kind: e.kind, ...(comparable && e.sha256 ? { sha256: e.sha256 } : {}), ...(e.dvc ? { dvc: e.dvc } : {}) });
  }
  return [...out, ...compareFingerprints(recorded, current.entries).filter((d) => d.change !== 'new')];
}
