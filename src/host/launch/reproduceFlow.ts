import { existsSync, mkdirSync } from 'node:fs';
import * as vscode from 'vscode';
import { disposeWorktree, prepareReproduction, type ReproductionPlan } from '../../core/launch/index.ts';
import type { ReadableStore } from '../../core/store/trackingStore.ts';

export interface PreparedReproduction {
  readonly plan: ReproductionPlan;
  /** Current values of the variable names the original launch set (their values were never recorded). */
  readonly env: Record<string, string>;
  /** The recorded interpreter when it still exists; else undefined (the current one is used). */
  readonly python?: string;
}

export interface ReproduceFlowOptions {
  readonly worktreeRoot: string;
  /** false: the current code instead of a worktree at the recorded commit. */
  readonly atCommit?: boolean;
  /** false: go ahead without asking when the data differs (tests). */
  readonly confirm?: boolean;
  /** The verb on the buttons and the progress ('Reproduce', 'Debug'). */
  readonly verb: string;
  readonly log: vscode.LogOutputChannel;
}

/**
 * The part Reproduce Run and Debug Run share: the worktree at the recorded commit plus patch (or
 * the current code), the data check the user confirms, the environment variables' current
 * values and the recorded interpreter. undefined when the user declined (the worktree is gone).
 */
export async function prepareReproduceLaunch(store: ReadableStore, runId: string, options: ReproduceFlowOptions): Promise<PreparedReproduction | undefined> {
  mkdirSync(options.worktreeRoot, { recursive: true });
  const title = options.atCommit === false ? `Labbook: preparing to ${options.verb.toLowerCase()} the run on the current code…` : `Labbook: preparing to ${options.verb.toLowerCase()} the run (git worktree at the recorded commit)…`;
  const plan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, () =>
    prepareReproduction(store, runId, { worktreeRoot: options.worktreeRoot, ...(options.atCommit === false ? { atCommit: false } : {}) }),
  );
  for (const note of plan.notes) options.log.info(`${options.verb} ${runId}: ${note}`);
  if (plan.differences.length > 0 && options.confirm !== false) {
    const anyway = `${options.verb} Anyway`;
    const go = await vscode.window.showWarningMessage(
      `The data differs from what run ${plan.recipe.runName} used, so results may differ.`,
      { modal: true, detail: plan.differences.map((d) => d.message).join('\n') },
      anyway,
    );
    if (go !== anyway) {
      if (plan.worktree) await disposeWorktree(plan.worktree);
      return undefined;
    }
  }
  const env: Record<string, string> = {};
  for (const name of plan.launch.envNames) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  const python = existsSync(plan.launch.python) ? plan.launch.python : undefined;
  return { plan, env, ...(python ? { python } : {}) };
}
