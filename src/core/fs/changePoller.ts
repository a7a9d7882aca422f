// A light, bounded look at whether files changed, for what a file watcher may miss: VS Code's
// watcher is best-effort outside the workspace (a folder made just after the watch started, a
// system out of inotify watches), and a store opened read-only usually lives outside it. A
// signature is the names, sizes and modification times of the files under a folder (at most
// `maxEntries`, breadth first, sorted, so the same tree gives the same text) or of a few named
// files; a poller compares it every `intervalMs` and calls back when it differs.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface SignatureOptions {
  /** Files and folders looked at, at most (the rest is not seen). */
  readonly maxEntries?: number;
  /** Folder levels below the root, at most. */
  readonly maxDepth?: number;
}

const line = (name: string, size: number, mtimeMs: number) => `${name}\u0000${size}\u0000${mtimeMs}\n`;

/** The sizes and times of the files under `root` (and the folders' names), bounded; '' when it cannot be read. */
export async function folderSignature(root: string, options: SignatureOptions = {}): Promise<string> {
  const maxEntries = options.maxEntries ?? 2000;
  const maxDepth = options.maxDepth ?? 4;
  const parts: string[] = [];
  let queue: { dir: string; depth: number }[] = [{ dir: root, depth: 0 }];
  let seen = 0;
  while (queue.length && seen < maxEntries) {
    const next: { dir: string; depth: number }[] = [];
    for (const { dir, depth } of queue) {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        if (seen++ >= maxEntries) break;
        const full = path.join(dir, entry.name);
        const rel = path.relative(root, full);
        if (entry.isDirectory()) {
          parts.push(`${rel}${path.sep}\n`);
          if (depth < maxDepth) next.push({ dir: full, depth: depth + 1 });
        } else {
          const info = await stat(full).catch(() => undefined);
          if (info) parts.push(line(rel, info.size, info.mtimeMs));
        }
      }
      if (seen >= maxEntries) break;
    }
    queue = next;
  }
  return parts.join('');
}

/** The sizes and times of `files` (a missing one is named as missing). */
export async function filesSignature(files: readonly string[]): Promise<string> {
  const parts = await Promise.all(files.map(async (file) => {
    const info = await stat(file).catch(() => undefined);
    return info ? line(file, info.size, info.mtimeMs) : `${file}\u0000missing\n`;
  }));
  return parts.join('');
}

/**
 * Calls `onChange` when `signature()` gives another text than the last time, looking every
 * `intervalMs` (never two looks at once). `rebase()` takes the next look as the new starting point
 * without calling back: for a change the watcher already reported.
 */
export class ChangePoller {
  private last: string | undefined;
  private rebasing = true;
  private looking = false;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly signature: () => Promise<string>;
  private readonly onChange: () => void;

  constructor(signature: () => Promise<string>, onChange: () => void, intervalMs: number) {
    this.signature = signature;
    this.onChange = onChange;
    void this.look();
    this.timer = setInterval(() => void this.look(), intervalMs);
    // A look pending never keeps a process (the CLI, a test) alive.
    this.timer.unref?.();
  }

  rebase(): void {
    this.rebasing = true;
  }

  /** One look now; resolves when it is done (for tests). */
  async look(): Promise<void> {
    if (this.looking) return;
    this.looking = true;
    try {
      const rebasing = this.rebasing;
      this.rebasing = false;
      const now = await this.signature();
      const changed = !rebasing && this.last !== undefined && now !== this.last;
      this.last = now;
      if (changed) this.onChange();
    } catch {
      // A look that failed is a look that saw nothing; the next one tries again.
    } finally {
      this.looking = false;
    }
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}
