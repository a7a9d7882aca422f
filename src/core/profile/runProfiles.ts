// The profiles of a run's tabular inputs, as stored in the artifact `labbook/data/profile.json`.
// Never throws: a file that cannot be profiled is listed in `failures` with its reason, so a bad
// input never fails the run it belongs to.
import { errorMessage } from '../../shared/errorMessage.ts';
import type { DuckdbOptions } from './duckdb.ts';
import { profileFile } from './profileFile.ts';
import { RUN_PROFILES_FORMAT, type DataProfile, type ProfileFailure, type RunProfiles } from './types.ts';

export interface RunProfileInput {
  /** Where the file is (absolute, or relative to the process's working directory). */
  readonly file: string;
  /** The path to record (relative to the run's working directory); default `file`. */
  readonly displayPath?: string;
}

/** Profiles the files one after the other (so that a training run beside it keeps its CPUs). */
export async function profileRunFiles(files: readonly (string | RunProfileInput)[], options: DuckdbOptions = {}): Promise<RunProfiles> {
  const profiles: DataProfile[] = [];
  const failures: ProfileFailure[] = [];
  const seen = new Set<string>();
  for (const entry of files) {
    const input = typeof entry === 'string' ? { file: entry } : entry;
    const shown = input.displayPath ?? input.file;
    if (seen.has(shown)) continue;
    seen.add(shown);
    try {
      profiles.push(await profileFile(input.file, { ...options, displayPath: shown }));
    } catch (err) {
      failures.push({ path: shown, error: errorMessage(err) });
    }
  }
  return { format: RUN_PROFILES_FORMAT, profiles, failures };
}
