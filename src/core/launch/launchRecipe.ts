// Where a launch is recorded relative to (the git root, or the working directory outside git) and
// the recipe in `labbook/launch.json` that Reproduce reads back. Pure: paths are computed, never
// read, so Node tests check every field.
import path from 'node:path';
import type { GitState } from './captureGit.ts';
import type { LaunchRecipe, ProgramKind } from './conventions.ts';

/** `target` relative to `root`, '/'-separated; undefined when it is not inside `root`. */
export function relativeInside(root: string, target: string): string | undefined {
  const rel = path.relative(root, target);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

export interface LaunchLocation {
  /** The git root, or the working directory outside a repository. */
  readonly root: string;
  /** The launched file relative to `root`; its base name when it lies outside. */
  readonly relativeFile: string;
  /** Said when the file lies outside the root. */
  readonly note?: string;
}

/** Where a launched file (absolute) is recorded, for its snapshot and the recipe. */
export function launchLocation(cwd: string, file: string, git: GitState | undefined): LaunchLocation {
  const root = git?.root ?? cwd;
  const inside = relativeInside(root, file);
  if (inside !== undefined) return { root, relativeFile: inside };
  const relativeFile = path.basename(file);
  return { root, relativeFile, note: `code snapshot: ${file} is outside ${root}; recorded as ${relativeFile}.` };
}

export interface LaunchRecipeInput {
  readonly kind: ProgramKind;
  readonly location: LaunchLocation;
  /** Absolute working directory. */
  readonly cwd: string;
  readonly git: GitState | undefined;
  /** Script arguments (none for notebooks). */
  readonly args: readonly string[];
  /** Notebook parameters (none for scripts). */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** The variables the user set: only their names are recorded. */
  readonly userEnv: Readonly<Record<string, string>>;
  readonly dataPaths: readonly string[];
  readonly configFiles: readonly string[];
  readonly python: string;
  readonly experimentName: string;
  readonly runName: string;
  readonly reproduces: string | undefined;
}

/** The recipe of a launch, with `git.patch` null: the patch path is filled in once the patch is written. */
export function launchRecipe(input: LaunchRecipeInput): LaunchRecipe {
  const { git, location } = input;
  return {
    version: 1,
    kind: input.kind,
    file: location.relativeFile,
    cwd: relativeInside(location.root, input.cwd) ?? '',
    root: location.root,
    rootKind: git ? 'git' : 'cwd',
    args: [...input.args],
    parameters: input.kind === 'notebook' ? input.parameters : {},
    envNames: Object.keys(input.userEnv).sort(),
    dataPaths: [...input.dataPaths],
    configFiles: input.configFiles,
    python: input.python,
    experimentName: input.experimentName,
    runName: input.runName,
    git: { commit: git?.commit ?? null, branch: git?.branch ?? null, repoUrl: git?.repoUrl ?? null, dirty: git?.dirty ?? false, patch: null },
    reproduces: input.reproduces ?? null,
  };
}
