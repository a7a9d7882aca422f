// Reading a file as it was at a git revision, and a file's history, through simple-git.
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { errorFirstLine } from '../../shared/errorMessage.ts';

export class GitError extends Error {
  override readonly name = 'GitError';
}

export interface FileCommit {
  readonly hash: string;
  readonly date: string;
  readonly message: string;
  readonly author: string;
}

function gitIn(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir, timeout: { block: 30_000 } });
}

/** The repository root that holds `file`, or a GitError saying it is not in one. */
export async function repositoryRoot(file: string): Promise<string> {
  try {
    return (await gitIn(path.dirname(file)).revparse(['--show-toplevel'])).trim();
  } catch (err) {
    throw new GitError(`${file} is not in a git repository (${errorFirstLine(err)}).`);
  }
}

/** The text of `file` at `revision` (e.g. HEAD, a hash, a branch). */
export async function readFileAtRevision(file: string, revision: string): Promise<string> {
  const root = await repositoryRoot(file);
  const relative = path.relative(root, path.resolve(file)).split(path.sep).join('/');
  try {
    return await gitIn(root).show([`${revision}:${relative}`]);
  } catch (err) {
    throw new GitError(`${relative} does not exist at ${revision} (${errorFirstLine(err)}).`);
  }
}

/** The commits that changed `file`, newest first (following renames), at most `max`. */
export async function fileHistory(file: string, max = 50): Promise<FileCommit[]> {
  const root = await repositoryRoot(file);
  const log = await gitIn(root).log({ file: path.resolve(file), maxCount: max, '--follow': null });
  return log.all.map((c) => ({ hash: c.hash, date: c.date, message: c.message, author: c.author_name }));
}


/**
 * The paths `file` had before, as git's rename detection follows it back (`git log --follow`),
 * absolute, newest first; the current path left out. At most
 * `max` commits are read. Empty outside a repository or for a file git does not track.
 */
export async function formerPaths(file: string, max = 200): Promise<string[]> {
  let root: string;
  try {
    root = await repositoryRoot(file);
  } catch {
    return [];
  }
  const relative = path.relative(root, path.resolve(file)).split(path.sep).join('/');
  let out: string;
  try {
    out = await gitIn(root).raw(['log', '--follow', '--name-only', '--format=', '-n', String(max), '--', relative]);
  } catch {
    return [];
  }
  const seen = new Set<string>([relative]);
  const paths: string[] = [];
  for (const line of out.split('\n')) {
    const p = line.trim();
    if (p && !seen.has(p)) {
      seen.add(p);
      paths.push(path.join(root, ...p.split('/')));
    }
  }
  return paths;
}
