// The package list of an interpreter (`pip freeze`, or `conda list --export`), kept on disk between
// launches: freezing takes about half a second of CPU, while what it lists only changes when
// something is installed, upgraded or removed, which rewrites a folder on the interpreter's
// sys.path (site-packages gains or loses a `*.dist-info` folder) or conda-meta. So an entry is
// keyed by the interpreter and the modification time of each such folder, and one that differs in
// any of them is a miss. One file per interpreter and tool, overwritten on change: the cache
// stays as small as the set of interpreters used. The folder is the caller's (the extension's
// global storage); every failure here is a miss or a note, never a failed capture.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errorFirstLine } from '../../shared/errorMessage.ts';

export type FreezeTool = 'pip freeze' | 'conda list --export';

/** What a frozen package list depends on. */
export interface FreezeKey {
  /** The interpreter as the launch names it (a path, or a command found on PATH). */
  readonly python: string;
  /** What it runs as (sys.executable). */
  readonly executable: string;
  readonly tool: FreezeTool;
  /** The folders (and zip files) its packages are found in, with their modification times; null when missing. */
  readonly paths: readonly { readonly path: string; readonly mtimeMs: number | null }[];
}

interface CacheFile {
  readonly version: 1;
  readonly key: FreezeKey;
  readonly requirements: string;
}

/** The key for these sys.path entries (and conda-meta), read now: call it before freezing, so a change during the freeze is a miss next time. */
export async function freezeKey(python: string, executable: string, tool: FreezeTool, paths: readonly string[]): Promise<FreezeKey> {
  const unique = [...new Set(paths.filter((p) => p !== ''))];
  const stamped = await Promise.all(
    unique.map(async (p) => ({ path: p, mtimeMs: await stat(p).then((s) => s.mtimeMs, () => null) })),
  );
  return { python, executable, tool, paths: stamped };
}

function cacheFile(dir: string, key: Pick<FreezeKey, 'python' | 'tool'>): string {
  const id = createHash('sha256').update(`${key.tool}\0${key.python}`).digest('hex').slice(0, 32);
  return path.join(dir, `freeze-${id}.json`);
}

function sameKey(a: FreezeKey, b: FreezeKey): boolean {
  return (
    a.python === b.python &&
    a.executable === b.executable &&
    a.tool === b.tool &&
    a.paths.length === b.paths.length &&
    a.paths.every((p, i) => p.path === b.paths[i]?.path && p.mtimeMs === b.paths[i]?.mtimeMs)
  );
}

/** The cached package list for exactly this key; undefined on a miss (or an unreadable, foreign or damaged file). */
export async function readCachedFreeze(dir: string, key: FreezeKey): Promise<string | undefined> {
  try {
    const stored = JSON.parse(await readFile(cacheFile(dir, key), 'utf8')) as Partial<CacheFile>;
    if (stored.version !== 1 || typeof stored.requirements !== 'string' || !isKey(stored.key)) return undefined;
    return sameKey(stored.key, key) ? stored.requirements : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps a package list for this key (replacing the interpreter's previous one); a note when it could not. */
export async function writeCachedFreeze(dir: string, key: FreezeKey, requirements: string): Promise<string | undefined> {
  const file = cacheFile(dir, key);
  // Written aside and renamed: two windows freezing at once never leave half a file.
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
    const content: CacheFile = { version: 1, key, requirements };
    await writeFile(temp, JSON.stringify(content));
    await rename(temp, file);
    return undefined;
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    return `environment: the package list was not cached in ${dir} (${errorFirstLine(err)}); the next launch freezes again.`;
  }
}

function isKey(value: unknown): value is FreezeKey {
  if (typeof value !== 'object' || value === null) return false;
  const k = value as Record<string, unknown>;
  return (
    typeof k['python'] === 'string' &&
    typeof k['executable'] === 'string' &&
    typeof k['tool'] === 'string' &&
    Array.isArray(k['paths']) &&
    k['paths'].every((p: unknown) => typeof p === 'object' && p !== null && typeof (p as { path?: unknown }).path === 'string')
  );
}
