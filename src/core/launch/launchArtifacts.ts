// What a launch records next to the running process (git state and patch, code snapshot,
// environment, data, recipe): started right after the spawn so the process does not wait, each
// step independent, each failure a note. Nothing here decides the run's status, and the final
// status does not wait for it: what finishes after the process is attached to the ended run. The
// file snapshot is read before the spawn, so it is the code that ran.
import type { TrackingStore } from '../store/trackingStore.ts';
import { captureEnvironment } from './captureEnvironment.ts';
import { captureGit, gitPatch } from './captureGit.ts';
import { ARTIFACTS, snapshotPath, TAGS } from './conventions.ts';
import { errorFirstLine } from '../../shared/errorMessage.ts';
import { fingerprintData, type DataFingerprint } from './fingerprintData.ts';
import { buildDataRecord, writeDataRecord, type ObservedDataInput } from '../data/dataRecord.ts';
import { launchLocation, launchRecipe, type LaunchRecipeInput } from './launchRecipe.ts';
import { codeTags } from './runTags.ts';
import { localDatasetPath } from '../profile/datasetSource.ts';
import { profileLaunchData } from '../profile/launchProfiles.ts';

export interface LaunchArtifactsInput {
  readonly store: Pick<TrackingStore, 'writeArtifact' | 'setTag' | 'logBatch'>;
  readonly runId: string;
  /** Absolute working directory and launched file. */
  readonly cwd: string;
  readonly file: string;
  /** The launched file as read before the spawn; undefined when it could not be read. */
  readonly snapshot?: Uint8Array;
  readonly python: string;
  readonly env: NodeJS.ProcessEnv;
  readonly dataPaths: readonly string[];
  /** The recipe's facts known at launch; where it is recorded and the git state come from here. */
  readonly recipe: Omit<LaunchRecipeInput, 'location' | 'git'>;
  readonly timeoutMs: number;
  readonly now: () => number;
  /** Where the environment capture caches package lists (freezeCache.ts); none: not cached. */
  readonly cacheDir?: string;
  /** The data-observing bootstrap's record, read once the process has exited (src/core/data). */
  readonly observation?: Omit<ObservedDataInput, 'declared' | 'timeoutMs' | 'now' | 'cwd'> & { readonly exited: Promise<unknown> };
  /** Profile the tabular inputs into labbook/data/profile.json (src/core/profile); absent: not profiled. */
  readonly profile?: { readonly maxBytes?: number; readonly threads?: number; readonly exited: Promise<unknown> };
}

const json = (value: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

/** Records everything; resolves (never rejects) with the notes, once every step has ended. */
export async function writeLaunchArtifacts(input: LaunchArtifactsInput): Promise<string[]> {
  const { store, runId } = input;
  const notes: string[] = [];
  const step = async (what: string, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      notes.push(`${what}: not recorded (${errorFirstLine(err)}).`);
    }
  };
  const code = step('git state', async () => {
    const captured = await captureGit(input.cwd, { patch: false, timeoutMs: input.timeoutMs });
    notes.push(...captured.notes);
    const git = captured.state;
    const location = launchLocation(input.cwd, input.file, git);
    if (location.note) notes.push(location.note);
    const snapshot = input.snapshot;
    await Promise.all([
      step('code tags', async () => {
        const tags = codeTags({ ...(snapshot ? { snapshotFile: location.relativeFile } : {}), ...(git ? { git } : {}) });
        if (tags.length > 0) await store.logBatch(runId, { tags });
      }),
      step('code snapshot', async () => {
        if (snapshot) await store.writeArtifact(runId, snapshotPath(location.relativeFile), snapshot);
      }),
      step('git patch', async () => {
        let patchPath: string | null = null;
        if (git?.dirty) {
          const patch = await gitPatch(git, { timeoutMs: input.timeoutMs });
          notes.push(...patch.notes);
          if (patch.patch && patch.patch.length > 0) {
            await store.writeArtifact(runId, ARTIFACTS.gitPatch, patch.patch);
            patchPath = ARTIFACTS.gitPatch;
          }
        }
        const recipe = launchRecipe({ ...input.recipe, location, git });
        await store.writeArtifact(runId, ARTIFACTS.recipe, json({ ...recipe, git: { ...recipe.git, patch: patchPath } }));
      }),
    ]);
  });
  const environment = step('environment', async () => {
    const env = await captureEnvironment(input.python, { env: input.env, timeoutMs: input.timeoutMs, ...(input.cacheDir ? { cacheDir: input.cacheDir } : {}) });
    notes.push(...env.notes);
    if (env.requirements !== undefined) await store.writeArtifact(runId, ARTIFACTS.requirements, new TextEncoder().encode(env.requirements));
    await store.writeArtifact(runId, ARTIFACTS.environment, json(env.info));
    if (env.info.python.version) await store.setTag(runId, { key: TAGS.pythonVersion, value: env.info.python.version });
  });
  // The inputs known once the run has ended (observed reads), for the profiler; [] when there are none.
  let observedInputs: (paths: readonly string[]) => void = () => undefined;
  const laterInputs = new Promise<readonly string[]>((resolve) => (observedInputs = resolve));
  const data = step('data fingerprints', async () => {
    let declared: readonly DataFingerprint[] = [];
    if (input.dataPaths.length > 0) {
      const prints = await fingerprintData(input.dataPaths, input.cwd, { timeoutMs: input.timeoutMs, now: input.now });
      notes.push(...prints.notes);
      declared = prints.entries;
      await store.writeArtifact(runId, ARTIFACTS.fingerprints, json({ combined: prints.combined, entries: prints.entries }));
      await store.setTag(runId, { key: TAGS.dataFingerprint, value: prints.combined });
    }
    const observation = input.observation;
    if (!observation) return;
    await step('observed data', async () => {
      await observation.exited;
      const record = await buildDataRecord({ ...observation, cwd: input.cwd, declared, timeoutMs: input.timeoutMs, now: input.now });
      observedInputs(record.inputs.filter((e) => e.kind === 'file').map((e) => e.path));
      notes.push(...record.notes, ...(await writeDataRecord(store, runId, record)));
    });
  }).finally(() => observedInputs([]));
  const profiles = step('data profiles', async () => {
    const profile = input.profile;
    if (!profile) return;
    // Declared files now; the ones seen read, and the dataset inputs the run logged, at its end.
    const later = profile.exited.then(async () => [...(await laterInputs), ...(await localDatasetInputs(store, runId))]);
    const result = await profileLaunchData({ cwd: input.cwd, declared: input.dataPaths, later, ...(profile.maxBytes !== undefined ? { maxBytes: profile.maxBytes } : {}), ...(profile.threads !== undefined ? { threads: profile.threads } : {}) });
    if (result) await store.writeArtifact(runId, ARTIFACTS.dataProfile, json(result));
  });
  await Promise.all([code, environment, data, profiles]);
  return notes;
}

/** Local files the run logged as MLflow dataset inputs (`mlflow.log_input` of a local source). */
async function localDatasetInputs(store: object, runId: string): Promise<string[]> {
  const reader = store as Partial<Pick<TrackingStore, 'getRun'>>;
  if (typeof reader.getRun !== 'function') return [];
  try {
    const run = await reader.getRun(runId);
    return (run.inputs?.datasetInputs ?? []).flatMap(({ dataset }) => {
      if (dataset.sourceType !== 'local') return [];
      const file = localDatasetPath(dataset.source);
      return file ? [file] : [];
    });
  } catch {
    return [];
  }
}
