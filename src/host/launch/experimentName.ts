// Which experiment a tracked run logs into. Plain function (no `vscode`), unit-tested in Node.

/** Where an experiment name can come from, most specific first. */
export interface ExperimentNameSources {
  /** Named by the launch itself: a run recipe's `experiment`, or the run being reproduced. */
  readonly requested?: string;
  /** The `labbook.launch.experiment` setting ('' when not set). */
  readonly setting?: string;
  /** `MLFLOW_EXPERIMENT_NAME` in VS Code's own environment. */
  readonly environment?: string;
}

/** The launch's own name, else the setting, else the environment, else `Default`. */
export function resolveExperimentName(sources: ExperimentNameSources): string {
  const pick = (value: string | undefined) => value?.trim() || undefined;
  return pick(sources.requested) ?? pick(sources.setting) ?? pick(sources.environment) ?? 'Default';
}
