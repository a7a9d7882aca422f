// The tags a launched run carries: those it is created with (source, user, name, who launched it
// where), those of its code set right after the process started (git state, snapshot: reading
// them takes git processes, which must not delay the start) and those set when it ends (exit
// code, duration). Pure: the caller gathers the facts (git capture, host name, clock), so Node
// tests check every tag.
import path from 'node:path';
import type { Tag } from '../store/types.ts';
import type { GitState } from './captureGit.ts';
import { snapshotPath, TAGS, type ProgramKind } from './conventions.ts';
import type { ProgramExit } from './programProcess.ts';

export interface LaunchTagsInput {
  /** Absolute path of the launched file (mlflow.source.name, as MLflow records it). */
  readonly file: string;
  readonly kind: ProgramKind;
  readonly user: string;
  readonly runName: string;
  /** The machine's host name. */
  readonly host: string;
  /** Id of the launching session (window). */
  readonly owner: string;
  /** The run this one reproduces. */
  readonly reproduces?: string;
}

/** The tags a launched run is created with; optional ones only when known. */
export function launchTags(input: LaunchTagsInput): Tag[] {
  return [
    { key: TAGS.sourceName, value: input.file },
    { key: TAGS.sourceType, value: 'LOCAL' },
    { key: TAGS.user, value: input.user },
    { key: TAGS.runName, value: input.runName },
    { key: TAGS.kind, value: input.kind },
    { key: TAGS.host, value: input.host },
    { key: TAGS.owner, value: input.owner },
    ...(input.reproduces ? [{ key: TAGS.reproduces, value: input.reproduces }] : []),
  ];
}

export interface CodeTagsInput {
  /** The file relative to its root, when its snapshot could be read (then it is recorded). */
  readonly snapshotFile?: string;
  /** undefined outside a git repository. */
  readonly git?: GitState;
}

/** The tags of the launched code (snapshot path, git state), set once git has answered; only those known. */
export function codeTags(input: CodeTagsInput): Tag[] {
  const { git } = input;
  return [
    ...(input.snapshotFile !== undefined ? [{ key: TAGS.snapshot, value: snapshotPath(input.snapshotFile) }] : []),
    ...(git ? [{ key: TAGS.gitDirty, value: String(git.dirty) }] : []),
    ...(git?.commit ? [{ key: TAGS.gitCommit, value: git.commit }] : []),
    ...(git?.branch ? [{ key: TAGS.gitBranch, value: git.branch }] : []),
    ...(git?.repoUrl ? [{ key: TAGS.gitRepoUrl, value: git.repoUrl }] : []),
  ];
}

/** The name of a run the user did not name: the file's name without extension, then MMDDHHMMSS (UTC). */
export function defaultRunName(file: string, startedAt: number): string {
  return `${path.basename(file).replace(/\.[^.]+$/, '')}-${new Date(startedAt).toISOString().slice(5, 19).replace(/[-:T]/g, '')}`;
}

/** The tags set when the process has ended: its exit code (or the signal, or 'none') and how long it ran. */
export function endTags(exit: Pick<ProgramExit, 'exitCode' | 'signal'>, durationMs: number): Tag[] {
  return [
    { key: TAGS.exitCode, value: exit.exitCode === null ? (exit.signal ?? 'none') : String(exit.exitCode) },
    { key: TAGS.durationMs, value: String(durationMs) },
  ];
}
