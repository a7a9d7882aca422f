// Profiling a launched run's tabular inputs beside the process (launchArtifacts.ts starts it after
// the spawn): the declared `labbook.dataPaths` right away, the inputs only known at the end (files
// the run was seen reading, local MLflow dataset inputs it logged) once it has ended. One thread
// per file at a time, so the training keeps its CPUs; files past a size cap are listed as failures
// with the reason. Resolves (never rejects) with the RunProfiles, or undefined when the run had no
// tabular input at all (then no artifact is written).
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { profileRunFiles, type RunProfileInput } from './runProfiles.ts';
import { isTabularFile, tabularFilesIn } from './tabularFiles.ts';
import { RUN_PROFILES_FORMAT, type ProfileFailure, type RunProfiles } from './types.ts';

/** Files above this size are not profiled at launch by default (`labbook.data.profileMaxMB`). */
export const DEFAULT_PROFILE_MAX_BYTES = 2 * 1024 ** 3;
/** A declared folder contributes at most this many tabular files (tabularFilesIn: sub-folders too). */
const FOLDER_FILES = 50;

export interface LaunchProfileInput {
  /** The run's absolute working directory; paths are relative to it (or absolute). */
  readonly cwd: string;
  /** The declared data paths (files or folders). */
  readonly declared: readonly string[];
  /** Input files known once the run has ended (observed reads, local dataset inputs). */
  readonly later?: Promise<readonly string[]>;
  readonly maxBytes?: number;
  /** DuckDB threads; default 1. */
  readonly threads?: number;
}

export async function profileLaunchData(input: LaunchProfileInput): Promise<RunProfiles | undefined> {
  const seen = new Set<string>();
  const failures: ProfileFailure[] = [];
  const maxBytes = input.maxBytes ?? DEFAULT_PROFILE_MAX_BYTES;
  const threads = input.threads ?? 1;
  const early = await tabularFiles(input.cwd, input.declared, seen, failures, maxBytes, true);
  const first = await profileRunFiles(early, { threads });
  const laterPaths = await (input.later ?? Promise.resolve([])).catch(() => []);
  const late = await tabularFiles(input.cwd, laterPaths, seen, failures, maxBytes, false);
  const second = late.length > 0 ? await profileRunFiles(late, { threads }) : undefined;
  const profiles = [...first.profiles, ...(second?.profiles ?? [])];
  const all = [...failures, ...first.failures, ...(second?.failures ?? [])];
  if (profiles.length === 0 && all.length === 0) return undefined;
  return { format: RUN_PROFILES_FORMAT, profiles, failures: all };
}

/** The tabular files among `paths` (a declared folder's too, as the checks find them), each once. */
async function tabularFiles(cwd: string, paths: readonly string[], seen: Set<string>, failures: ProfileFailure[], maxBytes: number, openFolders: boolean): Promise<RunProfileInput[]> {
  const out: RunProfileInput[] = [];
  const add = (file: string, size: number) => {
    const displayPath = shownPath(cwd, file);
    if (seen.has(displayPath)) return;
    seen.add(displayPath);
    if (size > maxBytes) failures.push({ path: displayPath, error: `larger than the profiling cap (${Math.round(maxBytes / 1024 ** 2)} MB, setting labbook.data.profileMaxMB): not profiled` });
    else out.push({ file, displayPath });
  };
  for (const given of paths) {
    const file = path.resolve(cwd, given);
    const info = await stat(file).catch(() => undefined);
    if (!info) {
      if (isTabularFile(file)) failures.push({ path: shownPath(cwd, file), error: `${given} is not there` });
      continue;
    }
    if (info.isFile() && isTabularFile(file)) add(file, info.size);
    else if (info.isDirectory() && openFolders) {
      for (const child of (await tabularFilesIn(file, { maxFiles: FOLDER_FILES })).files) {
        const childInfo = await stat(child).catch(() => undefined);
        if (childInfo?.isFile()) add(child, childInfo.size);
      }
    }
  }
  return out;
}

/** Relative to the working directory, '/'-separated, as data.json records paths; absolute outside it. */
function shownPath(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative.split(path.sep).join('/');
}
