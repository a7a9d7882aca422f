// The branch whose pushes run a generated workflow, when none is given: the repository's default
// branch as the clone knows it (origin/HEAD), else the branch checked out, else `main`. A
// repository on `master` then gets a push trigger that fires.
// Read from the files under .git, not by running git: the editor command must not block the
// extension host on a process, and it runs nothing so that it works in Restricted Mode.
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** How many folders up from `root` a .git is looked for (git -C works from a subfolder too). */
const MAX_PARENTS = 64;

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The branch a symbolic ref file names under `prefix` (`ref: refs/heads/main` → `main`). */
function symbolicBranch(content: string | undefined, prefix: string): string | undefined {
  const ref = /^ref:\s*(\S+)\s*$/m.exec(content ?? '')?.[1];
  return ref?.startsWith(prefix) && ref.length > prefix.length ? ref.slice(prefix.length) : undefined;
}

/** The git folder and the common folder (the main repository's, for a linked worktree) of the repository holding `root`. */
function gitDirs(root: string): { gitDir: string; commonDir: string } | undefined {
  let dir = path.resolve(root);
  for (let i = 0; i < MAX_PARENTS; i++) {
    const dotGit = path.join(dir, '.git');
    let isDir: boolean | undefined;
    try {
      isDir = statSync(dotGit).isDirectory();
    } catch {
      isDir = undefined;
    }
    if (isDir === true) return { gitDir: dotGit, commonDir: dotGit };
    if (isDir === false) {
      // A worktree or submodule: `.git` is a file `gitdir: <path>`, the path maybe relative.
      const target = /^gitdir:\s*(.+?)\s*$/m.exec(readText(dotGit) ?? '')?.[1];
      if (!target) return undefined;
      const gitDir = path.resolve(dir, target);
      const common = readText(path.join(gitDir, 'commondir'))?.trim();
      return { gitDir, commonDir: common ? path.resolve(gitDir, common) : gitDir };
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

/** The default branch of the repository at `root`; `main` when the files do not tell. */
export function defaultBranch(root: string): string {
  const dirs = gitDirs(root);
  if (!dirs) return 'main';
  // origin/HEAD is a symbolic ref: always a loose file (packed-refs holds no symbolic refs).
  return (
    symbolicBranch(readText(path.join(dirs.commonDir, 'refs', 'remotes', 'origin', 'HEAD')), 'refs/remotes/origin/') ??
    symbolicBranch(readText(path.join(dirs.gitDir, 'HEAD')), 'refs/heads/') ??
    'main'
  );
}
