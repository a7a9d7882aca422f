// "Mark as Resolved" without the panel: load the merge again, check it is still the one the
// resolutions were made against, write the resolved notebook atomically, and `git add` it when git
// has it unmerged. No vscode import, so it is tested in plain Node over a real git repository.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { writeAtomically } from '../../core/fs/writeAtomically.ts';
import { isUnmerged, markResolved } from '../../core/git/conflictStages.ts';
import type { MergeOptions, MergeResolutions } from '../../core/merge/model.ts';
import { serializeNotebook } from '../../core/notebook/writeNotebook.ts';
import type { MergeSource } from '../../protocol/notebookMerge.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { resolvedNotebook } from './mergeResult.ts';
import { loadMerge, type GitAccess, type LoadedMerge } from './mergeSource.ts';

/** The merge the resolutions were made for is gone or changed: nothing was written. */
export class StaleMergeError extends Error {
  override readonly name = 'StaleMergeError';
}

/** The working file was resolved by hand (git has it unmerged, it holds no markers and is not "ours"): it is not overwritten. */
export class HandResolvedError extends Error {
  override readonly name = 'HandResolvedError';
}

export interface MarkedResolved {
  readonly file: string;
  readonly staged: boolean;
  /** Why the written file was not staged although git had it unmerged (git add failed), or Restricted Mode. */
  readonly notStaged?: string;
  /** The merge as loaded again just before writing. */
  readonly loaded: LoadedMerge;
}

/**
 * Writes `resolutions` applied to `source`'s merge, provided loading it again gives `fingerprint`
 * (the inputs the resolutions were made against). Refuses with StaleMergeError when the merge cannot
 * be loaded any more (aborted, resolved elsewhere, deleted, unreadable), when its inputs changed, or
 * when git no longer has a merge-in-progress file unmerged; with MergeUnresolvedError while
 * conflicts are left. `beforeWrite` runs just before the file is written (the panel mutes its watcher).
 */
export async function markMergeResolved(
  source: MergeSource,
  options: Partial<MergeOptions>,
  fingerprint: string,
  resolutions: MergeResolutions,
  beforeWrite: () => void = () => undefined,
  access: GitAccess = { git: true },
): Promise<MarkedResolved> {
  let loaded: LoadedMerge;
  try {
    loaded = await loadMerge(source, options, access);
  } catch (err) {
    throw new StaleMergeError(`the merge cannot be loaded again (${errorMessage(err)}). Nothing was written.`, { cause: err });
  }
  const name = path.basename(loaded.output);
  if (loaded.fingerprint !== fingerprint) {
    throw new StaleMergeError(`${name} (or what it is merged from) changed since these resolutions were made. Nothing was written: check the merge as it is now, then mark it resolved again.`);
  }
  if (loaded.handResolved) {
    throw new HandResolvedError(
      `${name} looks resolved by hand: it holds no conflict markers and differs from your side, while git still has it unmerged. Nothing was written. Compare it with your side (git diff --ours), then stage it as it is (git add), or recreate the conflict (git checkout -m -- ${name}) to merge it here.`,
    );
  }
  // Throws MergeUnresolvedError, naming what is left, while a conflict has no resolution.
  const text = serializeNotebook(resolvedNotebook(loaded.merge, resolutions), { indent: loaded.indent });
  // A merge that git had in progress is staged: only while git still has it unmerged (not after `git merge --abort`).
  if (loaded.unmerged && !(await isUnmerged(loaded.output))) {
    throw new StaleMergeError(`git no longer has ${name} unmerged (was the merge aborted or the file resolved?). Nothing was written.`);
  }
  // An editor's autosave (or any write) since loading, e.g. while git ran: not overwritten.
  const now = await readFile(loaded.output, 'utf8').catch(() => undefined);
  if (now !== loaded.text) throw new StaleMergeError(`${name} changed while it was being resolved. Nothing was written: check the merge as it is now, then mark it resolved again.`);
  beforeWrite();
  await writeAtomically(loaded.output, text);
  if (loaded.withoutGit) return { file: loaded.output, staged: false, notStaged: 'Restricted Mode: Labbook does not run git in an untrusted workspace', loaded };
  if (!loaded.unmerged) return { file: loaded.output, staged: false, loaded };
  try {
    await markResolved(loaded.output);
  } catch (err) {
    // The file holds the resolution now: say so, rather than "not resolved".
    return { file: loaded.output, staged: false, notStaged: `git add failed: ${errorMessage(err)}. Run git add ${name}`, loaded };
  }
  return { file: loaded.output, staged: true, loaded };
}
