// The environment a launched process gets: the base environment, the variables the user set for
// this launch on top, and last the MLflow variables that point the process at its run, so neither
// the base nor the user can send its logging elsewhere.

export interface ChildEnvironmentInput {
  /** The environment the launch starts from (process.env by default). */
  readonly baseEnv: NodeJS.ProcessEnv;
  /** Variables the user set for this launch. */
  readonly userEnv: Readonly<Record<string, string>>;
  readonly trackingUri: string;
  /** MLFLOW_TRACKING_TOKEN; not set when undefined. */
  readonly trackingToken?: string;
  readonly runId: string;
  readonly experimentName: string;
  readonly experimentId: string;
}

export function childEnvironment(input: ChildEnvironmentInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...input.baseEnv, ...input.userEnv })) if (v !== undefined) env[k] = v;
  Object.assign(env, {
    MLFLOW_TRACKING_URI: input.trackingUri,
    MLFLOW_RUN_ID: input.runId,
    MLFLOW_EXPERIMENT_NAME: input.experimentName,
    MLFLOW_EXPERIMENT_ID: input.experimentId,
    // Printed metric lines reach Labbook as they are printed, not when a buffer fills.
    PYTHONUNBUFFERED: '1',
  });
  if (input.trackingToken !== undefined) env['MLFLOW_TRACKING_TOKEN'] = input.trackingToken;
  return env;
}
