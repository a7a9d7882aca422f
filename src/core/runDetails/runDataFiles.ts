// The Data tab's rows: a launched run's labbook/data.json (observed and declared inputs, outputs)
// and the MLflow dataset inputs other clients logged (those Labbook logged from data.json carry
// `labbook.data.found` and are not listed twice).
import { parseDataRecord } from '../data/dataRecord.ts';
import type { DataEntry } from '../data/observedRecord.ts';
import { ARTIFACTS, TAGS } from '../launch/conventions.ts';
import type { DatasetInput, Run } from '../store/types.ts';
import type { DataFileRow } from './model.ts';

const rowOf = (e: DataEntry): DataFileRow => ({
  path: e.path, kind: e.kind, size: e.size ?? null, mtime: e.mtime ?? null, hash: e.sha256 ?? null, found: e.found.join(', '),
  note: [e.dvc ? `DVC md5 ${e.dvc.outs.map((o) => o.md5).join(', ')}` : '', e.fileCount !== undefined ? `${e.fileCount} file(s)` : '', e.note ?? ''].filter(Boolean).join('; ') || null,
});

const datasetRowOf = (d: DatasetInput): DataFileRow => ({
  path: d.dataset.name, kind: 'dataset', size: null, mtime: null, hash: d.dataset.digest || null, found: 'MLflow dataset',
  note: d.dataset.sourceType ? `source: ${d.dataset.sourceType}` : null,
});

/** From data.json's bytes (null: the run has none) and the run: no `files` when it has neither a record nor MLflow datasets. */
export function runDataFiles(bytes: Uint8Array | null, run: Run): { files?: { inputs: DataFileRow[]; outputs: DataFileRow[] }; problems: string[] } {
  const problems: string[] = [];
  const record = bytes === null ? undefined : parseDataRecord(new TextDecoder().decode(bytes));
  if (bytes !== null && !record) problems.push(`${ARTIFACTS.dataRecord} is not a Labbook data record.`);
  const foreign = (run.inputs?.datasetInputs ?? []).filter((d) => !d.tags.some((t) => t.key === TAGS.dataFound));
  if (!record && foreign.length === 0) return { problems };
  return {
    files: { inputs: [...(record?.inputs ?? []).map(rowOf), ...foreign.map(datasetRowOf)], outputs: (record?.outputs ?? []).map(rowOf) },
    problems: [...problems, ...(record?.notes ?? [])],
  };
}
