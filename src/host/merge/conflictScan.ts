// The cheap checks behind the conflict notice (conflictNotice.ts), with no vscode import so they are
// unit tested and stay in the light activation bundle: a scan of a notebook's text for conflict
// markers, whether a merge is in progress in its repository (a few stats, no git), and, only then,
// one `git ls-files -u` for the file.
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * A conflict's start banner as Labbook's driver writes it (cell id `labbook-merge-<k>-start`, or, in
 * an nbformat < 4.5 file without cell ids, its marker's `"role": "start"`, the last of its sorted keys): what
 * hasConflictMarkers (src/core/merge/conflictNotebook.ts) counts as an open conflict. Version cells
 * whose banners were deleted (a conflict resolved by hand in Jupyter) and the notebook-level record
 * do not match. (Importing that function would pull the merge core into the activation bundle.)
 */
const START_BANNER = /"id"\s*:\s*"labbook-merge-[1-9]\d*-start"|"role"\s*:\s*"start"\s*\}/;
/** Git's raw markers at the start of a line. */
const GIT_MARKER = /^<{7} /m;

/** Whether `text` (a notebook's text, or its two ends) holds git's raw markers or a Labbook conflict's start banner. */
export function textHasConflictMarkers(text: string): boolean {
  return GIT_MARKER.test(text) || START_BANNER.test(text);
}

/** What git leaves in its directory while a merge, rebase, cherry-pick or revert stops on conflicts. */
const IN_PROGRESS = ['MERGE_HEAD', 'CHERRY_PICK_HEAD', 'REVERT_HEAD', 'rebase-merge', 'rebase-apply'];

/** The git directory of the repository holding `file` (a `.git` file's `gitdir:` followed), or undefined outside git. At most 64 levels. */
export async function gitDirOf(file: string): Promise<string | undefined> {
  let dir = path.dirname(path.resolve(file));
  for (let i = 0; i < 64; i++) {
    const dotGit = path.join(dir, '.git');
    const info = await stat(dotGit).catch(() => undefined);
    if (info?.isDirectory()) return dotGit;
    if (info?.isFile()) {
      const target = /^gitdir:\s*(.+?)\s*$/m.exec(await readFile(dotGit, 'utf8').catch(() => ''))?.[1];
      return target === undefined ? undefined : path.resolve(dir, target);
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

/** Whether a merge, rebase, cherry-pick or revert is in progress in the repository holding `file`: stats only, git is not run. */
export async function mergeInProgress(file: string): Promise<boolean> {
  const gitDir = await gitDirOf(file);
  if (!gitDir) return false;
  const found = await Promise.all(IN_PROGRESS.map((name) => stat(path.join(gitDir, name)).then(() => true, () => false)));
  return found.includes(true);
}

/** Whether git has `file` unmerged (its name taken literally, not as a glob); false outside git or when git is missing. */
export function gitHasUnmerged(file: string): Promise<boolean> {
  const name = path.basename(file);
  return new Promise((resolve) => {
    execFile('git', ['--literal-pathspecs', 'ls-files', '-u', '-z', '--', name], { cwd: path.dirname(file), timeout: 10_000, windowsHide: true }, (err, stdout) => {
      // Each entry is `<mode> <blob> <stage>\t<path>\0`: the path must be this very file.
      resolve(!err && stdout.split('\0').some((entry) => entry.slice(entry.indexOf('\t') + 1) === name));
    });
  });
}
