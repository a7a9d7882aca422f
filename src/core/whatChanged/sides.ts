// A side of the comparison resolved through the store: a model version to its source run and the
// logged model it was registered from (MLflow 3 `models:/m-…`), or a run id to its run. A side that
// cannot be read resolves with a note and no run, so the other sections still say what they can.
import { errorFirstLine } from '../../shared/errorMessage.ts';
import { loggedModelIdOf } from '../lineage/nodes.ts';
import { isNotFound } from '../store/errors.ts';
import { readsLoggedModels, type ReadableStore } from '../store/trackingStore.ts';
import type { LoggedModel, ModelVersion, Run } from '../store/types.ts';
import type { SideInfo, SideRef } from './types.ts';

export interface ResolvedSide {
  readonly info: SideInfo;
  readonly run: Run | null;
  readonly loggedModel: LoggedModel | null;
}

function describe(ref: SideRef): string {
  return ref.kind === 'version' ? `${ref.name} v${ref.version}` : `run ${ref.runId.slice(0, 8)}`;
}

async function readRun(store: ReadableStore, runId: string, label: string, notes: string[]): Promise<Run | null> {
  try {
    return await store.getRun(runId);
  } catch (err) {
    notes.push(isNotFound(err) ? `${label}: its run ${runId} no longer exists in this store.` : `${label}: its run ${runId} could not be read (${errorFirstLine(err)}).`);
    return null;
  }
}

async function readLoggedModel(store: ReadableStore, modelId: string, label: string, notes: string[]): Promise<LoggedModel | null> {
  if (!readsLoggedModels(store)) return null;
  try {
    return await store.getLoggedModel(modelId);
  } catch (err) {
    notes.push(`${label}: its logged model ${modelId} could not be read (${errorFirstLine(err)}).`);
    return null;
  }
}

export async function resolveSide(store: ReadableStore, ref: SideRef, notes: string[]): Promise<ResolvedSide> {
  const fallback = describe(ref);
  if (ref.kind === 'run') {
    const run = await readRun(store, ref.runId, fallback, notes);
    // A run's model: the last logged model it produced, if any (its MLmodel holds the signature).
    const outputs = run?.outputs?.modelOutputs ?? [];
    const modelId = outputs.length > 0 ? (outputs[outputs.length - 1] as { modelId: string }).modelId : null;
    const label = run ? run.info.runName || run.info.runId.slice(0, 8) : fallback;
    return { info: { ref, label, runId: run?.info.runId ?? ref.runId, runName: run?.info.runName ?? null, modelId, version: null }, run, loggedModel: null };
  }
  let version: ModelVersion;
  try {
    version = await store.getModelVersion(ref.name, ref.version);
  } catch (err) {
    notes.push(`${fallback}: the version could not be read (${errorFirstLine(err)}).`);
    return { info: { ref, label: fallback, runId: null, runName: null, modelId: null, version: null }, run: null, loggedModel: null };
  }
  const modelId = loggedModelIdOf(version) ?? null;
  const aliases = version.aliases.map((a) => `@${a}`).join(' ');
  const label = aliases ? `${fallback} (${aliases})` : fallback;
  const loggedModel = modelId ? await readLoggedModel(store, modelId, label, notes) : null;
  const runId = version.runId || loggedModel?.sourceRunId || null;
  const run = runId ? await readRun(store, runId, label, notes) : null;
  if (!runId) notes.push(`${label}: the version names no source run.`);
  return {
    info: { ref, label, runId, runName: run?.info.runName ?? null, modelId, version: { name: version.name, version: version.version, source: version.source, aliases: [...version.aliases] } },
    run,
    loggedModel,
  };
}
