// The code state of a launch: commit, branch, remote and, when the tree is dirty, a patch that
// `git apply --binary` turns the commit back into the launched tree. Never throws: outside a
// repository (or without git) it returns no commit and a note.
import { lstat, open } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from './processes.ts';

export interface GitState {
  /** The repository's top folder. */
  readonly root: string;
  /** null in a repository without commits. */
  readonly commit: string | null;
  /** null when HEAD is detached. */
  readonly branch: string | null;
  /** origin's URL (or the first remote's), without any user:password part. */
  readonly repoUrl: string | null;
  readonly dirty: boolean;
}

export interface GitCapture {
  /** undefined when `cwd` is not in a git repository (or git is missing). */
  readonly state?: GitState;
  /** `git diff HEAD --binary` plus untracked text files as new-file diffs; only when dirty. */
  readonly patch?: Buffer;
  readonly notes: string[];
}

export interface GitCaptureOptions {
  readonly timeoutMs?: number;
  /** Untracked files larger than this are left out of the patch. Default 1 MB. */
  readonly maxUntrackedBytes?: number;
  /** At most this many untracked files go into the patch. Default 200. */
  readonly maxUntrackedFiles?: number;
  /** false: only the state (fast, for the tags set before the process starts). */
  readonly patch?: boolean;
}

// Git must not prompt, page or read the user's per-machine diff settings into the patch.
const GIT_ENV = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' };

async function git(cwd: string, args: readonly string[], timeoutMs: number): Promise<{ ok: boolean; out: Buffer; err: string; code: number | null }> {
  const result = await runCommand('git', ['-c', 'core.quotepath=off', '-c', 'diff.noprefix=false', '-c', 'color.ui=false', ...args], { cwd, env: GIT_ENV, timeoutMs });
  return { ok: result.code === 0, out: result.stdout, err: result.failure ?? result.stderr.toString('utf8').trim(), code: result.code };
}

/** Removes `user:password@` from URLs so no credential reaches a tag. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

export async function captureGit(cwd: string, options: GitCaptureOptions = {}): Promise<GitCapture> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const notes: string[] = [];
  const top = await git(cwd, ['rev-parse', '--show-toplevel'], timeoutMs);
  if (!top.ok) {
    notes.push(`git: ${cwd} is not in a git repository (${top.err.split('\n')[0] ?? ''}); no git tags or patch recorded.`);
    return { notes };
  }
  const root = top.out.toString('utf8').trim();
  const [head, branch, origin, remotes, status] = await Promise.all([
    git(root, ['rev-parse', '--verify', '-q', 'HEAD'], timeoutMs),
    git(root, ['symbolic-ref', '-q', '--short', 'HEAD'], timeoutMs),
    git(root, ['config', '--get', 'remote.origin.url'], timeoutMs),
    git(root, ['remote'], timeoutMs),
    git(root, ['status', '--porcelain', '-z', '--untracked-files=all'], timeoutMs),
  ]);
  const commit = head.ok ? head.out.toString('utf8').trim() : null;
  if (!commit) notes.push('git: the repository has no commits yet; no commit recorded.');
  let repoUrl = origin.ok ? origin.out.toString('utf8').trim() : '';
  if (!repoUrl && remotes.ok) {
    const first = remotes.out.toString('utf8').split('\n')[0]?.trim();
    if (first) {
      const url = await git(root, ['config', '--get', `remote.${first}.url`], timeoutMs);
      if (url.ok) repoUrl = url.out.toString('utf8').trim();
    }
  }
  if (!status.ok) notes.push(`git: status failed (${status.err}); the tree is recorded as dirty.`);
  const dirty = !status.ok || status.out.length > 0;
  const state: GitState = { root, commit, branch: branch.ok ? branch.out.toString('utf8').trim() || null : null, repoUrl: repoUrl ? redactUrl(repoUrl) : null, dirty };
  if (!dirty || options.patch === false) return { state, notes };
  const patch = await gitPatch(state, options);
  return { state, ...(patch.patch ? { patch: patch.patch } : {}), notes: [...notes, ...patch.notes] };
}

/** The patch from `state.commit` to the working tree (tracked changes, then untracked text files). */
export async function gitPatch(state: GitState, options: GitCaptureOptions = {}): Promise<{ patch?: Buffer; notes: string[] }> {
  const notes: string[] = [];
  const patch = await buildPatch(state.root, state.commit, options, options.timeoutMs ?? 30_000, notes);
  return { ...(patch.length ? { patch } : {}), notes };
}

async function buildPatch(root: string, commit: string | null, options: GitCaptureOptions, timeoutMs: number, notes: string[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  if (commit) {
    const diff = await git(root, ['diff', 'HEAD', '--binary', '--no-color', '--no-ext-diff', '--full-index'], timeoutMs);
    if (diff.ok) parts.push(diff.out);
    else notes.push(`git: diff failed (${diff.err}); the patch holds only untracked files.`);
  }
  const untracked = await git(root, ['ls-files', '--others', '--exclude-standard', '-z'], timeoutMs);
  if (!untracked.ok) {
    notes.push(`git: listing untracked files failed (${untracked.err}).`);
    return Buffer.concat(parts);
  }
  const files = untracked.out.toString('utf8').split('\0').filter((f) => f !== '');
  const maxFiles = options.maxUntrackedFiles ?? 200;
  const maxBytes = options.maxUntrackedBytes ?? 1024 * 1024;
  if (files.length > maxFiles) notes.push(`git: ${files.length} untracked files; only the first ${maxFiles} text files are in the patch.`);
  const skipped: string[] = [];
  for (const file of files.slice(0, maxFiles)) {
    const reason = await untrackedSkipReason(path.join(root, file), maxBytes);
    if (reason) {
      skipped.push(`${file} (${reason})`);
      continue;
    }
    // --no-index diffs against /dev/null give a new-file diff that `git apply` takes as is;
    // they exit 1 when the files differ, which they always do here.
    const diff = await git(root, ['diff', '--no-index', '--binary', '--no-color', '--no-ext-diff', '--', '/dev/null', file], timeoutMs);
    if (diff.code === 1 || diff.ok) parts.push(diff.out);
    else skipped.push(`${file} (${diff.err})`);
  }
  if (skipped.length) notes.push(`git: untracked files left out of the patch: ${skipped.slice(0, 20).join(', ')}${skipped.length > 20 ? ` and ${skipped.length - 20} more` : ''}.`);
  return Buffer.concat(parts);
}

async function untrackedSkipReason(file: string, maxBytes: number): Promise<string | undefined> {
  try {
    const info = await lstat(file);
    if (!info.isFile()) return 'not a regular file';
    if (info.size > maxBytes) return `${Math.round(info.size / 1024)} KB, over the ${Math.round(maxBytes / 1024)} KB limit`;
    const handle = await open(file, 'r');
    try {
      const head = Buffer.alloc(Math.min(info.size, 8192));
      await handle.read(head, 0, head.length, 0);
      if (head.includes(0)) return 'binary';
    } finally {
      await handle.close();
    }
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'unreadable';
  }
}
