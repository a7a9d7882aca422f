// A side's model signature and input example, from its `MLmodel` (YAML; the signature's fields are
// JSON text inside it). Where the MLmodel is: a logged model's own files (MLflow 3, `models:/m-…`),
// else a run artifact folder (`runs:/<run>/<path>`, the run's `mlflow.log-model.history` tag, or a
// top-level folder holding one). Every read is bounded; a missing model is a note.
import { parse as parseYaml } from 'yaml';
import { errorFirstLine } from '../../shared/errorMessage.ts';
import { isRecord } from '../../shared/isRecord.ts';
import { decodeHead } from '../runDetails/boundedText.ts';
import { readOptionalArtifact } from '../runDetails/launchFiles.ts';
import { isNotFound } from '../store/errors.ts';
import { readsLoggedModelArtifacts, type ReadableStore } from '../store/trackingStore.ts';
import type { FileInfo, Run } from '../store/types.ts';
import { readSchema } from './schemaDiff.ts';
import type { SideInfo, SignatureFacts } from './types.ts';

export const MLMODEL = 'MLmodel';
/** MLmodel files above this are not read (they are a few KB). */
const MAX_MLMODEL_BYTES = 1024 * 1024;
/** The input example shown side by side is cut here. */
const MAX_EXAMPLE_BYTES = 16 * 1024;
/** Top-level run artifact folders tried for an MLmodel when nothing names the model's folder. */
const MAX_FOLDERS_TRIED = 10;

/** Reads one file of the model's folder; null when absent. */
type ModelReader = (relPath: string) => Promise<Uint8Array | null>;

interface ModelFolder {
  readonly from: string;
  readonly read: ModelReader;
}

function loggedModelFolder(store: ReadableStore, modelId: string): ModelFolder | null {
  if (!readsLoggedModelArtifacts(store)) return null;
  return {
    from: `logged model ${modelId}`,
    read: async (rel) => {
      try {
        return await store.readLoggedModelArtifact(modelId, rel);
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },
  };
}

function runFolder(store: ReadableStore, runId: string, folder: string): ModelFolder {
  const clean = folder.replace(/^\/+|\/+$/g, '');
  return { from: `run artifact ${clean || '.'}`, read: (rel) => readOptionalArtifact(store, runId, clean ? `${clean}/${rel}` : rel) };
}

/** The run artifact folder a version's source names: `runs:/<run>/<path>`, or `…/<run>/artifacts/<path>`. */
export function runFolderOfSource(source: string, runId: string): string | null {
  const runs = /^runs:\/([^/]+)\/?(.*)$/.exec(source);
  if (runs) return runs[1] === runId ? (runs[2] ?? '') : null;
  const marker = `/${runId}/artifacts/`;
  const at = source.indexOf(marker);
  return at >= 0 ? source.slice(at + marker.length) : null;
}

/** The artifact path of the last model in the run's `mlflow.log-model.history` tag (MLflow 2). */
function historyFolder(run: Run): string | null {
  const raw = run.data.tags.find((t) => t.key === 'mlflow.log-model.history')?.value;
  if (!raw) return null;
  try {
    const list = JSON.parse(raw) as unknown;
    const last = Array.isArray(list) ? (list[list.length - 1] as { artifact_path?: unknown } | undefined) : undefined;
    return typeof last?.artifact_path === 'string' ? last.artifact_path : null;
  } catch {
    return null;
  }
}

/** The folders worth trying, most specific first. */
async function candidateFolders(store: ReadableStore, side: SideInfo, run: Run | null): Promise<ModelFolder[]> {
  const out: ModelFolder[] = [];
  if (side.modelId) {
    const logged = loggedModelFolder(store, side.modelId);
    if (logged) out.push(logged);
  }
  if (!run) return out;
  const runId = run.info.runId;
  const fromSource = side.version ? runFolderOfSource(side.version.source, runId) : null;
  if (fromSource !== null) out.push(runFolder(store, runId, fromSource));
  const fromHistory = historyFolder(run);
  if (fromHistory !== null && fromHistory !== fromSource) out.push(runFolder(store, runId, fromHistory));
  if (out.length === 0) {
    let top: readonly FileInfo[];
    try {
      top = await store.listArtifacts(runId);
    } catch {
      top = [];
    }
    for (const f of top.filter((e) => e.isDir && !e.path.startsWith('labbook')).slice(0, MAX_FOLDERS_TRIED)) out.push(runFolder(store, runId, f.path));
  }
  return out;
}

/** An MLmodel that does not read as one: not YAML, or not a mapping. The message names the file. */
export class MlmodelError extends Error {
  override readonly name = 'MlmodelError';
}

/** The signature and input example an MLmodel's text describes; the example read through `read`. */
export async function signatureOf(text: string, from: string, read: ModelReader): Promise<SignatureFacts> {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 10 }) as unknown;
  } catch (err) {
    throw new MlmodelError(`${from}/${MLMODEL} is not valid YAML (${errorFirstLine(err)}).`);
  }
  if (!isRecord(doc)) throw new MlmodelError(`${from}/${MLMODEL} is not a YAML mapping.`);
  const signature = isRecord(doc.signature) ? doc.signature : {};
  const info = isRecord(doc.saved_input_example_info) ? doc.saved_input_example_info : null;
  let example: SignatureFacts['example'] = null;
  const examplePath = typeof info?.artifact_path === 'string' ? info.artifact_path : null;
  if (examplePath !== null && !examplePath.split('/').includes('..')) {
    const bytes = await read(examplePath);
    if (bytes !== null) example = { path: examplePath, ...decodeHead(bytes, MAX_EXAMPLE_BYTES) };
  }
  return {
    from: `${from}/${MLMODEL}`,
    inputs: signature.inputs === undefined ? null : readSchema(signature.inputs),
    outputs: signature.outputs === undefined ? null : readSchema(signature.outputs),
    params: signature.params === undefined ? null : readSchema(signature.params),
    example,
  };
}

/** The side's signature facts, or null with a note saying why. */
export async function readSignature(store: ReadableStore, side: SideInfo, run: Run | null, notes: string[]): Promise<SignatureFacts | null> {
  for (const folder of await candidateFolders(store, side, run)) {
    let bytes: Uint8Array | null;
    try {
      bytes = await folder.read(MLMODEL);
    } catch (err) {
      notes.push(`${side.label}: ${folder.from}/${MLMODEL} could not be read (${errorFirstLine(err)}).`);
      continue;
    }
    if (bytes === null) continue;
    if (bytes.length > MAX_MLMODEL_BYTES) {
      notes.push(`${side.label}: ${folder.from}/${MLMODEL} is too large to read (${bytes.length} bytes).`);
      return null;
    }
    try {
      return await signatureOf(new TextDecoder().decode(bytes), folder.from, folder.read);
    } catch (err) {
      notes.push(`${side.label}: ${err instanceof MlmodelError ? err.message : `${folder.from}/${MLMODEL} could not be read (${errorFirstLine(err)})`}`);
      return null;
    }
  }
  notes.push(`${side.label}: no MLmodel was found${side.modelId && !readsLoggedModelArtifacts(store) ? ' (this store does not serve logged models\u2019 files)' : ''}.`);
  return null;
}

