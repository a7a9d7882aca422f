// How `labbook sweep run` launches a queue item: launchTrackedRun into the local store (whose
// MLflow-compatible endpoint the trial's mlflow client logs to), with the item's own variables
// and the runner's (CUDA_VISIBLE_DEVICES) on top. The same shape as the editor's launchQueued,
// without its settings. It logs to the local store only: an item for another target is refused
// (its worker claims only its own sweep's items, so this is a guard, not a path).
import type { NotebookExecutor } from '../core/launch/programProcess.ts';
import { launchTrackedRun } from '../core/launch/launchTrackedRun.ts';
import type { LaunchedItem, QueueItem } from '../core/queue/types.ts';
import type { TrackingStore } from '../core/store/trackingStore.ts';

export interface QueueLaunchTarget {
  readonly store: TrackingStore;
  readonly trackingUri: string;
  readonly trackingToken?: string;
  /**
   * The interpreter for every item: the CLI's `--python`, else its sweep's program.python, else
   * python3 (resolved by the caller), so `--python` wins over the item's own.
   */
  readonly python: string;
  /** Run owner (launch tag), e.g. `cli-<pid>`. */
  readonly owner: string;
  readonly baseEnv?: NodeJS.ProcessEnv;
  readonly spoolDir?: string;
  readonly cacheDir?: string;
  readonly notebookExecutor?: NotebookExecutor;
  /** Observe the files trials read and write (default true). */
  readonly observeData?: boolean;
  readonly profileData?: boolean;
  readonly stopGraceMs?: number;
}

/** A QueueRunner `launch` callback over `target`. */
export function queueItemLauncher(target: QueueLaunchTarget): (item: QueueItem, extraEnv: Readonly<Record<string, string>>) => Promise<LaunchedItem> {
  return async (item, extraEnv) => {
    const request = item.launch;
    if (request.target) {
      throw new Error(`queue item ${item.itemId} (${item.label}) logs to ${request.target}; labbook sweep run runs items of the local store only`);
    }
    const tracked = await launchTrackedRun({
      store: target.store,
      trackingUri: target.trackingUri,
      ...(target.trackingToken !== undefined ? { trackingToken: target.trackingToken } : {}),
      experimentName: request.experimentName,
      ...(request.runName ? { runName: request.runName } : {}),
      program: request.kind === 'notebook' ? { kind: 'notebook', file: request.file, parameters: request.parameters ?? {} } : { kind: 'script', file: request.file, args: [...(request.args ?? [])] },
      python: target.python,
      cwd: request.cwd,
      env: { ...(request.env ?? {}), ...extraEnv },
      ...(target.baseEnv ? { baseEnv: target.baseEnv } : {}),
      dataPaths: request.dataPaths ?? [],
      owner: target.owner,
      ...(request.tags ? { extraTags: request.tags } : {}),
      ...(target.notebookExecutor ? { notebookExecutor: target.notebookExecutor } : {}),
      ...(target.spoolDir ? { spoolDir: target.spoolDir } : {}),
      ...(target.cacheDir ? { cacheDir: target.cacheDir } : {}),
      ...(target.observeData !== undefined ? { observeData: target.observeData } : {}),
      ...(target.profileData !== undefined ? { profileData: target.profileData } : {}),
      ...(target.stopGraceMs !== undefined ? { stopGraceMs: target.stopGraceMs } : {}),
    });
    const done = tracked.done.then(
      (outcome) => ({
        status: outcome.status,
        ...(outcome.error ? { error: outcome.error } : outcome.status === 'FAILED' && outcome.exitCode !== null ? { error: `exit code ${outcome.exitCode}` } : {}),
      }),
      (err: unknown) => ({ status: 'FAILED' as const, error: String(err) }),
    );
    return { runId: tracked.runId, pid: tracked.pid, done, stop: () => tracked.stop() };
  };
}
