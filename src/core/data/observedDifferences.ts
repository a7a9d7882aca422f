// Reproduce's check of the observed inputs: every input the run read (labbook/data.json) is
// fingerprinted now and compared with what the run read. Declared paths are compared by the
// existing fingerprints.json check, so they are skipped here. An input hashed only in part (above
// the size cap) is compared by size and modification time.
import path from 'node:path';
import type { ReadableStore } from '../store/trackingStore.ts';
import { ARTIFACTS } from '../launch/conventions.ts';
import { compareFingerprints, fingerprintData, type DataDifference, type DataFingerprint } from '../launch/fingerprintData.ts';
import { parseDataRecord, type DataRecord } from './dataRecord.ts';

/** The run's data record; undefined when it has none (launched before observation, or with it off). */
export async function readDataRecord(store: Pick<ReadableStore, 'readArtifact'>, runId: string): Promise<DataRecord | undefined> {
  const bytes = await store.readArtifact(runId, ARTIFACTS.dataRecord).catch(() => undefined);
  return bytes ? parseDataRecord(new TextDecoder().decode(bytes)) : undefined;
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
    recorded.push({ path: e.path, kind: e.kind, ...(e.partial ? {} : e.sha256 ? { sha256: e.sha256 } : {}), ...(e.dvc ? { dvc: e.dvc } : {}) });
  }
  return [...out, ...compareFingerprints(recorded, current.entries).filter((d) => d.change !== 'new')];
}
