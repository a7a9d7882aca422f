// A file git left unmerged: its three index stages (:1: base, :2: ours, :3: theirs), so the merge
// editor works after a plain `git merge` that ran without Labbook's driver, and `git add` once the
// person has resolved it.
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { GitError, repositoryRoot } from './gitFiles.ts';
import { errorFirstLine } from '../../shared/errorMessage.ts';

export interface ConflictStages {
  /** Stage 1, the common ancestor: absent when both sides added the file. */
  base?: string;
  /** Stage 2, ours (%A): absent when our side deleted it. */
  local?: string;
  /** Stage 3, theirs (%B): absent when their side deleted it. */
  remote?: string;
}

function gitIn(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir, timeout: { block: 30_000 } });
}

/**
 * Pathspecs taken as plain paths: without this `nb[1].ipynb` is a glob that also matches
 * `nb1.ipynb`, and `git add` would stage that file too (maybe with its raw conflict markers).
 */
const LITERAL = '--literal-pathspecs';

/** The repository root and `file`'s path in it, or undefined when it is not in a repository. */
async function locate(file: string): Promise<{ root: string; relative: string } | undefined> {
  let root: string;
  try {
    root = await repositoryRoot(file);
  } catch {
    return undefined;
  }
  return { root, relative: path.relative(root, path.resolve(file)).split(path.sep).join('/') };
}

/** `git ls-files -u`: stage number → blob id, for the path. */
async function unmergedEntries(root: string, relative: string): Promise<Map<number, string>> {
  const out = await gitIn(root).raw([LITERAL, 'ls-files', '-u', '-z', '--', relative]);
  const entries = new Map<number, string>();
  for (const record of out.split('\0')) {
    // "<mode> <object> <stage>\t<path>"
    const match = /^\d+ ([0-9a-f]+) ([123])\t(.*)$/s.exec(record);
    if (match && match[3] === relative) entries.set(Number(match[2]), match[1] as string);
  }
  return entries;
}

/** The stages of a path git has unmerged; undefined when it is not unmerged or not in a repository. */
export async function readConflictStages(file: string): Promise<ConflictStages | undefined> {
  const where = await locate(file);
  if (!where) return undefined;
  const entries = await unmergedEntries(where.root, where.relative);
  if (entries.size === 0) return undefined;
  const git = gitIn(where.root);
  const stages: ConflictStages = {};
  const names = { 1: 'base', 2: 'local', 3: 'remote' } as const;
  for (const [stage, blob] of entries) {
    try {
      stages[names[stage as 1 | 2 | 3]] = await git.raw(['cat-file', 'blob', blob]);
    } catch (err) {
      throw new GitError(`cannot read stage ${stage} of ${where.relative} (${errorFirstLine(err)}).`);
    }
  }
  return stages;
}

/** Whether git has `file` unmerged (`git ls-files -u`); false outside a repository. */
export async function isUnmerged(file: string): Promise<boolean> {
  const where = await locate(file);
  return where !== undefined && (await unmergedEntries(where.root, where.relative)).size > 0;
}

/** `git add` the resolved file, which ends its unmerged state. */
export async function markResolved(file: string): Promise<void> {
  const where = await locate(file);
  if (!where) throw new GitError(`${file} is not in a git repository.`);
  try {
    await gitIn(where.root).raw([LITERAL, 'add', '--', where.relative]);
  } catch (err) {
    throw new GitError(`git add ${where.relative} failed (${errorFirstLine(err)}).`);
  }
}
