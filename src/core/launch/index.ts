// Tracked runs launched from the editor: the public surface of src/core/launch.
export { ARTIFACTS, TAGS, snapshotPath, type LaunchRecipe, type ProgramKind } from './conventions.ts';
export { LaunchError, type LaunchErrorCode } from './errors.ts';
export { parseArgs, splitCommandLine, type ParsedArgs } from './commandLine.ts';
export { fitParams, flattenConfig, readConfigParams } from './configParams.ts';
export { MetricLineParser, parseMetricLine, type LineRecord } from './metricLines.ts';
export { captureGit, gitPatch, redactUrl, type GitCapture, type GitCaptureOptions, type GitState } from './captureGit.ts';
export { captureEnvironment, type EnvironmentCapture, type EnvironmentInfo } from './captureEnvironment.ts';
export { compareFingerprints, combinedHash, fingerprintData, type DataDifference, type DataFingerprint, type DataFingerprints } from './fingerprintData.ts';
export {
  ensureExperiment, launchTrackedRun, type LaunchOptions, type Program, type RunOutcome, type TrackedRun,
} from './launchTrackedRun.ts';
export { finalStatus } from './runEnd.ts';
export type { NotebookExecution, NotebookExecutionRequest, NotebookExecutor } from './programProcess.ts';
export type { OutputChunk, OutputListener, OutputStream } from './runOutput.ts';
export { recoverInterruptedRuns, type RecoveredRun, type RecoveryOptions, type RecoveryResult } from './recoverRuns.ts';
export { disposeWorktree, prepareReproduction, readRecipe, type ReproductionOptions, type ReproductionPlan } from './reproduce.ts';
export {
  assertDebuggable, createDebugRun, debugConfiguration, endDebugRun, mapBreakpoints, mapPath, type DebugCode, type DebugpyConfiguration,
} from './debugLaunch.ts';
export { defaultSpoolDir } from './spool.ts';
export { isProcessAlive } from './processes.ts';
export { nbclientExecutor, type NbclientExecutorOptions } from './notebookExecutor.ts';
