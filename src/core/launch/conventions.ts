// The names Labbook's launched runs share with the UI and the compare panel: artifact paths, tag
// keys and the recipe kept in `labbook/launch.json`. Changing one is a data-format change.

export const ARTIFACTS = {
  codeDir: 'labbook/code',
  gitPatch: 'labbook/code/git.patch',
  outputLog: 'labbook/logs/output.log',
  requirements: 'labbook/environment/requirements.txt',
  environment: 'labbook/environment/environment.json',
  fingerprints: 'labbook/data/fingerprints.json',
  /** Data profiles of the tabular inputs (src/core/profile, RunProfiles). */
  dataProfile: 'labbook/data/profile.json',
  /** Inputs and outputs, observed and declared (src/core/data/dataRecord.ts). */
  dataRecord: 'labbook/data.json',
  recipe: 'labbook/launch.json',
  notebookDir: 'labbook/notebook',
} as const;

export const TAGS = {
  sourceName: 'mlflow.source.name',
  sourceType: 'mlflow.source.type',
  user: 'mlflow.user',
  runName: 'mlflow.runName',
  gitCommit: 'mlflow.source.git.commit',
  gitBranch: 'mlflow.source.git.branch',
  gitRepoUrl: 'mlflow.source.git.repoURL',
  gitDirty: 'labbook.git.dirty',
  snapshot: 'labbook.source.snapshot',
  kind: 'labbook.launch.kind',
  pid: 'labbook.launch.pid',
  host: 'labbook.launch.host',
  owner: 'labbook.launch.owner',
  exitCode: 'labbook.exitCode',
  durationMs: 'labbook.durationMs',
  dataFingerprint: 'labbook.data.fingerprint',
  /** On a dataset input: how Labbook found it (observed, declared, or both joined by ','). */
  dataFound: 'labbook.data.found',
  pythonVersion: 'labbook.python.version',
  reproduces: 'labbook.reproduces',
  /** 'true' on a run launched under the debugger (Debug Run). */
  debug: 'labbook.debug',
} as const;

export type ProgramKind = 'script' | 'notebook';

/** `labbook/launch.json`: everything Reproduce needs, and nothing secret (env var names only). */
export interface LaunchRecipe {
  readonly version: 1;
  readonly kind: ProgramKind;
  /** The launched file, '/'-separated, relative to `root`. */
  readonly file: string;
  /** The working directory relative to `root` ('' when it is the root). */
  readonly cwd: string;
  /** Absolute path of the git root (rootKind 'git') or of the working directory (rootKind 'cwd'). */
  readonly root: string;
  readonly rootKind: 'git' | 'cwd';
  readonly args: readonly string[];
  /** Notebook parameters injected into the run (empty for scripts). */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** Names of the environment variables the user set; their values are never recorded. */
  readonly envNames: readonly string[];
  /** As given, relative to the working directory (or absolute). */
  readonly dataPaths: readonly string[];
  readonly configFiles: readonly string[];
  readonly python: string;
  readonly experimentName: string;
  readonly runName: string;
  readonly git: {
    readonly commit: string | null;
    readonly branch: string | null;
    readonly repoUrl: string | null;
    readonly dirty: boolean;
    /** The artifact path of the patch when the tree was dirty. */
    readonly patch: string | null;
  };
  readonly reproduces: string | null;
}

/** The artifact path of the snapshot of a launched file given relative to its root. */
export function snapshotPath(relativeFile: string): string {
  return `${ARTIFACTS.codeDir}/${relativeFile}`;
}
