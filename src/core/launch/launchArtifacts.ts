// What a launch records next to the running process (code patch, environment, data, recipe):
// started right after the spawn so the process does not wait, each step independent, each
// failure a note. The file snapshot is read before the spawn, so it is the code that ran.
import type { TrackingStore } from '../store/trackingStore.ts';
import { captureEnvironment } from './captureEnvironment.ts';
import { gitPatch, type GitState } from './captureGit.ts';
import { ARTIFACTS, snapshotPath, TAGS, type LaunchRecipe } from './conventions.ts';
import { errorFirstLine } from '../../shared/errorMessage.ts';
import { fingerprintData } from './fingerprintData.ts';

export interface LaunchArtifactsInput {
  readonly store: Pick<TrackingStore, 'writeArtifact' | 'setTag'>;
  readonly runId: string;
  readonly git?: GitState;
  readonly snapshot?: { readonly relativeFile: string; readonly content: Uint8Array };
  readonly python: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly dataPaths: readonly string[];
  /** The recipe without `git.patch`, which is filled in once the patch is known. */
  readonly recipe: LaunchRecipe;
  readonly timeoutMs: number;
  readonly now: () => number;
}

const json = (value: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

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
  const code = step('code snapshot', async () => {
    if (input.snapshot) await store.writeArtifact(runId, snapshotPath(input.snapshot.relativeFile), input.snapshot.content);
  });
  const codeState = step('git patch', async () => {
    let patchPath: string | null = null;
    if (input.git?.dirty) {
      const patch = await gitPatch(input.git, { timeoutMs: input.timeoutMs });
      notes.push(...patch.notes);
      if (patch.patch && patch.patch.length > 0) {
        await store.writeArtifact(runId, ARTIFACTS.gitPatch, patch.patch);
        patchPath = ARTIFACTS.gitPatch;
      }
    }
    await store.writeArtifact(runId, ARTIFACTS.recipe, json({ ...input.recipe, git: { ...input.recipe.git, patch: patchPath } }));
  });
  const environment = step('environment', async () => {
    const env = await captureEnvironment(input.python, { env: input.env, timeoutMs: input.timeoutMs });
    notes.push(...env.notes);
    if (env.requirements !== undefined) await store.writeArtifact(runId, ARTIFACTS.requirements, new TextEncoder().encode(env.requirements));
    await store.writeArtifact(runId, ARTIFACTS.environment, json(env.info));
    if (env.info.python.version) await store.setTag(runId, { key: TAGS.pythonVersion, value: env.info.python.version });
  });
  const data = step('data fingerprints', async () => {
    if (input.dataPaths.length === 0) return;
    const prints = await fingerprintData(input.dataPaths, input.cwd, { timeoutMs: input.timeoutMs, now: input.now });
    notes.push(...prints.notes);
    await store.writeArtifact(runId, ARTIFACTS.fingerprints, json({ combined: prints.combined, entries: prints.entries }));
    await store.setTag(runId, { key: TAGS.dataFingerprint, value: prints.combined });
  });
  await Promise.all([code, codeState, environment, data]);
  return notes;
}
