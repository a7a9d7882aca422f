// A run's data record: the observed inputs (fingerprinted as read), the outputs (fingerprinted
// after the run), and the `labbook.dataPaths` the user declared, merged by path. Stored twice, for
// two kinds of reader: `labbook/data.json` with inputs and outputs (what Run Details, Reproduce,
// lineage and drift read), and the inputs as MLflow dataset inputs (name = path, digest, source
// type `local`, source `{"uri": …}` as mlflow's LocalArtifactDatasetSource writes it, context
// `input`), so the mlflow client and MLflow's UI see them. MLflow has no dataset outputs (a run's
// outputs are logged models only), so outputs live in data.json alone.
import path from 'node:path';
import type { DatasetInput } from '../store/types.ts';
import { writesRunInputs } from '../store/trackingStore.ts';
import { ARTIFACTS, TAGS } from '../launch/conventions.ts';
import { fingerprintData, readDvc, type DataFingerprint } from '../launch/fingerprintData.ts';
import { errorFirstLine } from '../../shared/errorMessage.ts';
import { hashObservedReads } from './hashReads.ts';
import { readObservationLog, relativeDataPath, summarizeObservation, type DataEntry, type DataFound, type SummaryOptions } from './observedRecord.ts';

export interface DataRecord {
  readonly version: 1;
  /** The absolute working directory the paths are relative to. */
  readonly cwd: string;
  readonly inputs: readonly DataEntry[];
  readonly outputs: readonly DataEntry[];
  readonly notes: readonly string[];
}

/** MLflow caps dataset digests at 36 characters; a 32-hex prefix of the sha256 fits. */
export const DIGEST_LENGTH = 32;

function declaredEntry(fp: DataFingerprint, cwd: string): DataEntry | undefined {
  if (fp.kind === 'missing' && !fp.dvc) return undefined;
  return {
    path: relativeDataPath(cwd, path.resolve(cwd, fp.path)), kind: fp.kind === 'dir' ? 'dir' : 'file', found: ['declared'],
    ...(fp.size !== undefined ? { size: fp.size } : {}),
    ...(fp.mtime ? { mtime: fp.mtime } : {}),
    ...(fp.sha256 ? { sha256: fp.sha256 } : {}),
    ...(fp.fileCount !== undefined ? { fileCount: fp.fileCount } : {}),
    ...(fp.dvc ? { dvc: fp.dvc } : {}),
    ...(fp.note ? { note: fp.note } : fp.kind === 'missing' ? { note: 'not on disk (known from its .dvc file)' } : {}),
  };
}

/** Observed inputs with the declared paths: the same path becomes one entry found both ways (its read-time hash kept). */
export function mergeDeclared(observed: readonly DataEntry[], declared: readonly DataFingerprint[], cwd: string): DataEntry[] {
  const byPath = new Map(observed.map((e) => [e.path, e]));
  for (const fp of declared) {
    const entry = declaredEntry(fp, cwd);
    if (!entry) continue;
    const seen = byPath.get(entry.path);
    if (!seen) byPath.set(entry.path, entry);
    else {
      const found: DataFound[] = [...new Set<DataFound>([...seen.found, 'declared'])];
      byPath.set(entry.path, { ...seen, found, ...(!seen.dvc && entry.dvc ? { dvc: entry.dvc } : {}) });
    }
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The inputs as MLflow dataset inputs (entries with no hash have no digest to give, and are left out). */
export function datasetInputsOf(record: DataRecord): DatasetInput[] {
  return record.inputs
    .filter((e) => e.sha256 !== undefined)
    .map((e) => ({
      tags: [
        { key: 'mlflow.data.context', value: 'input' },
        { key: TAGS.dataFound, value: e.found.join(',') },
      ],
      dataset: {
        name: e.path,
        digest: (e.sha256 ?? '').slice(0, DIGEST_LENGTH),
        sourceType: 'local',
        source: JSON.stringify({ uri: path.resolve(record.cwd, e.path) }),
      },
    }));
}

async function withDvc(entry: DataEntry, cwd: string): Promise<DataEntry> {
  if (entry.dvc) return entry;
  const file = `${path.resolve(cwd, entry.path)}.dvc`;
  const dvc = await readDvc(file);
  return dvc.outs && dvc.outs.length > 0 ? { ...entry, dvc: { file: path.basename(file), outs: dvc.outs } } : entry;
}

export interface ObservedDataInput extends SummaryOptions {
  /** The bootstrap's JSON-lines record. */
  readonly recordFile: string;
  /** Fingerprints of the declared paths, when there are any. */
  readonly declared?: readonly DataFingerprint[];
  readonly timeoutMs: number;
  readonly now?: () => number;
}

/** Builds the record after the process ended: observed inputs (with DVC md5s), declared paths, outputs fingerprinted now. */
export async function buildDataRecord(input: ObservedDataInput): Promise<DataRecord> {
  const cwd = path.resolve(input.cwd);
  const notes: string[] = [];
  let read: Awaited<ReturnType<typeof readObservationLog>> | undefined;
  try {
    read = await readObservationLog(input.recordFile);
  } catch (err) {
    notes.push(`observed data: no record from the program (${errorFirstLine(err)}).`);
  }
  const now = input.now ?? Date.now;
  const parsed = !read || read.text === '' ? { reads: [], writes: [], listed: [], folders: [], ended: true, malformedLines: 0 } : read.log;
  // One budget for the whole record: the outputs get what the reads' hashing left.
  const deadline = now() + input.timeoutMs;
  const hashed = await hashObservedReads(parsed, { deadline, now });
  const summary = summarizeObservation(hashed, input);
  notes.push(...summary.notes);
  const observed = await Promise.all(summary.inputs.map((e) => withDvc(e, cwd)));
  const prints = await fingerprintData(summary.outputs, cwd, { timeoutMs: Math.max(0, deadline - now()), now });
  // A file the run wrote and then deleted was scratch, not an output.
  const outputs = prints.entries
    .filter((fp) => fp.kind !== 'missing')
    .map((fp): DataEntry => ({
      path: fp.path, kind: fp.kind === 'dir' ? 'dir' : 'file', found: ['observed'],
      ...(fp.size !== undefined ? { size: fp.size } : {}),
      ...(fp.mtime ? { mtime: fp.mtime } : {}),
      ...(fp.sha256 ? { sha256: fp.sha256 } : {}),
      ...(fp.note ? { note: fp.note } : {}),
    }));
  return { version: 1, cwd, inputs: mergeDeclared(observed, input.declared ?? [], cwd), outputs, notes };
}

/** Writes data.json and the dataset inputs; resolves with notes (what could not be stored). */
export async function writeDataRecord(store: { writeArtifact(runId: string, path: string, content: Uint8Array): Promise<void> }, runId: string, record: DataRecord): Promise<string[]> {
  const notes: string[] = [];
  await store.writeArtifact(runId, ARTIFACTS.dataRecord, new TextEncoder().encode(`${JSON.stringify(record, null, 2)}\n`));
  const datasets = datasetInputsOf(record);
  if (datasets.length === 0) return notes;
  // The local SQLite store and an MLflow server (via its outbox) log them; read-only stores keep data.json only.
  if (!writesRunInputs(store)) notes.push(`dataset inputs: this store cannot log them; the ${datasets.length} input(s) are in ${ARTIFACTS.dataRecord}.`);
  else await store.logInputs(runId, datasets);
  return notes;
}

const isEntry = (e: unknown): e is DataEntry => {
  const v = e as Partial<Record<keyof DataEntry, unknown>> | null;
  return typeof v === 'object' && v !== null && typeof v.path === 'string' && (v.kind === 'file' || v.kind === 'dir') && Array.isArray(v.found) && v.found.every((f) => f === 'observed' || f === 'declared')
    && (v.size === undefined || typeof v.size === 'number') && (v.sha256 === undefined || typeof v.sha256 === 'string') && (v.mtime === undefined || typeof v.mtime === 'string')
    && (v.note === undefined || typeof v.note === 'string') && (v.fileCount === undefined || typeof v.fileCount === 'number')
    && (v.dvc === undefined || (typeof v.dvc === 'object' && v.dvc !== null && Array.isArray((v.dvc as { outs?: unknown }).outs)));
};

/** Reads a run's data.json; undefined when it is not a data record. Entries of the wrong shape are left out. */
export function parseDataRecord(text: string): DataRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<Record<keyof DataRecord, unknown>> | null;
    if (!value || value.version !== 1 || !Array.isArray(value.inputs) || !Array.isArray(value.outputs)) return undefined;
    return {
      version: 1, cwd: typeof value.cwd === 'string' ? value.cwd : '',
      inputs: value.inputs.filter(isEntry), outputs: value.outputs.filter(isEntry),
      notes: Array.isArray(value.notes) ? value.notes.filter((n): n is string => typeof n === 'string') : [],
    };
  } catch {
    return undefined;
  }
}
