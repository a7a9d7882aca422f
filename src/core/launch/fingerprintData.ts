// Fingerprints of a run's data: enough to tell later whether the data changed, cheap enough to
// take at every launch. Files: size, mtime, sha256. Folders: sha256 over the sorted relative
// paths and file hashes, up to `maxFiles` files (past that the hash covers only the first ones,
// in path order, and says so). DVC: the md5s recorded in `<path>.dvc` (or in a `.dvc` file given
// directly), which name the data version even when the data itself is not on disk.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { errorFirstLine } from '../../shared/errorMessage.ts';

export interface DvcOut {
  readonly path: string;
  readonly md5: string;
}

export interface DataFingerprint {
  /** As given (relative to the working directory, or absolute). */
  readonly path: string;
  readonly kind: 'file' | 'dir' | 'missing';
  readonly size?: number;
  /** ISO time of the last modification (the newest file's, for folders). */
  readonly mtime?: string;
  readonly sha256?: string;
  /** Folders: files hashed, and whether the max file count cut the hash short. */
  readonly fileCount?: number;
  readonly truncated?: boolean;
  /** The .dvc file that describes this path, and the md5s it records. */
  readonly dvc?: { readonly file: string; readonly outs: readonly DvcOut[] };
  readonly note?: string;
}

export interface DataFingerprints {
  readonly entries: readonly DataFingerprint[];
  /** sha256 over every entry's path, kind, hash and DVC md5s: one value to compare runs by. */
  readonly combined: string;
  readonly notes: string[];
}

export interface FingerprintOptions {
  readonly maxFiles?: number;
  /** Hashing stops (the entry says so) past this time. Default 120 s. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export const DEFAULT_MAX_FILES = 10_000;

export async function fingerprintData(paths: readonly string[], cwd: string, options: FingerprintOptions = {}): Promise<DataFingerprints> {
  const now = options.now ?? Date.now;
  const deadline = now() + (options.timeoutMs ?? 120_000);
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  const entries: DataFingerprint[] = [];
  const notes: string[] = [];
  for (const given of paths) {
    const entry = await fingerprintOne(given, path.resolve(cwd, given), { maxFiles, deadline, now });
    if (entry.note) notes.push(`data ${given}: ${entry.note}`);
    entries.push(entry);
  }
  return { entries, combined: combinedHash(entries), notes };
}

export function combinedHash(entries: readonly DataFingerprint[]): string {
  const hash = createHash('sha256');
  for (const e of [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    hash.update(`${e.path}\0${e.kind}\0${e.sha256 ?? ''}\0${(e.dvc?.outs ?? []).map((o) => `${o.path}=${o.md5}`).join(',')}\n`);
  }
  return hash.digest('hex');
}

interface Budget {
  readonly maxFiles: number;
  readonly deadline: number;
  readonly now: () => number;
}

class OutOfTime extends Error {}

/** The `.dvc` file that describes `full` (itself, or `full.dvc`), as a fingerprint's `dvc` part when it records md5s. */
export async function dvcOf(full: string): Promise<{ readonly part: Pick<DataFingerprint, 'dvc'>; readonly note?: string }> {
  const dvcFile = full.endsWith('.dvc') ? full : `${full}.dvc`;
  const dvc = await readDvc(dvcFile);
  return { part: dvc.outs ? { dvc: { file: path.basename(dvcFile), outs: dvc.outs } } : {}, ...(dvc.note ? { note: dvc.note } : {}) };
}

async function fingerprintOne(given: string, full: string, budget: Budget): Promise<DataFingerprint> {
  const dvc = await dvcOf(full);
  const dvcPart = dvc.part;
  let info;
  try {
    info = await stat(full);
  } catch {
    return { path: given, kind: 'missing', ...dvcPart, ...(dvcPart.dvc ? {} : { note: 'does not exist' }) };
  }
  try {
    if (info.isFile()) {
      return { path: given, kind: 'file', size: info.size, mtime: info.mtime.toISOString(), sha256: await hashFile(full, budget), ...dvcPart, ...(dvc.note ? { note: dvc.note } : {}) };
    }
    if (info.isDirectory()) return { ...(await hashFolder(given, full, budget)), ...dvcPart };
    return { path: given, kind: 'missing', note: 'not a file or folder' };
  } catch (err) {
    const note = err instanceof OutOfTime ? 'hashing ran out of time; no hash recorded' : `not hashed (${errorFirstLine(err)})`;
    return { path: given, kind: info.isDirectory() ? 'dir' : 'file', mtime: info.mtime.toISOString(), ...dvcPart, note };
  }
}

/** The md5s a `.dvc` file records; nothing when it does not exist. */
export async function readDvc(file: string): Promise<{ outs?: DvcOut[]; note?: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return {};
  }
  try {
    const doc = parseYaml(text, { maxAliasCount: 10 }) as { outs?: { path?: unknown; md5?: unknown }[] } | null;
    const outs = (Array.isArray(doc?.outs) ? doc.outs : [])
      .filter((o) => typeof o?.md5 === 'string')
      .map((o) => ({ path: typeof o.path === 'string' ? o.path : '', md5: String(o.md5) }));
    return { outs };
  } catch (err) {
    return { note: `${path.basename(file)} is not valid YAML (${errorFirstLine(err)})` };
  }
}

async function hashFile(file: string, budget: Budget): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    if (budget.now() > budget.deadline) throw new OutOfTime();
  }
  return hash.digest('hex');
}

async function hashFolder(given: string, root: string, budget: Budget): Promise<DataFingerprint> {
  // Sorted walk without following symlinked folders (no cycles); symlinked files are hashed.
  const files: string[] = [];
  let truncated = false;
  const walk = async (rel: string): Promise<void> => {
    const entries = (await readdir(path.join(root, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (files.length >= budget.maxFiles) {
        truncated = true;
        return;
      }
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(child);
      else if (e.isFile()) files.push(child);
      else if (e.isSymbolicLink()) {
        const target = await stat(path.join(root, child)).catch(() => undefined);
        if (target?.isFile()) files.push(child);
      }
    }
  };
  await walk('');
  files.sort();
  const hash = createHash('sha256');
  let size = 0;
  let newest = (await lstat(root)).mtimeMs;
  for (const rel of files) {
    const full = path.join(root, rel);
    const info = await stat(full);
    size += info.size;
    newest = Math.max(newest, info.mtimeMs);
    hash.update(`${rel}\0${await hashFile(full, budget)}\n`);
  }
  return {
    path: given,
    kind: 'dir',
    size,
    mtime: new Date(newest).toISOString(),
    sha256: hash.digest('hex'),
    fileCount: files.length,
    truncated,
    ...(truncated ? { note: `more than ${budget.maxFiles} files: the hash covers only the first ${budget.maxFiles} in path order` } : {}),
  };
}

export interface DataDifference {
  readonly path: string;
  readonly change: 'missing' | 'content' | 'dvc' | 'new';
  readonly message: string;
}

/** What differs between recorded and current fingerprints, for the UI to warn about. */
export function compareFingerprints(recorded: readonly DataFingerprint[], current: readonly DataFingerprint[]): DataDifference[] {
  const now = new Map(current.map((e) => [e.path, e]));
  const out: DataDifference[] = [];
  for (const old of recorded) {
    const cur = now.get(old.path);
    now.delete(old.path);
    const oldDvc = (old.dvc?.outs ?? []).map((o) => o.md5).join(',');
    const curDvc = (cur?.dvc?.outs ?? []).map((o) => o.md5).join(',');
    if (oldDvc !== curDvc) out.push({ path: old.path, change: 'dvc', message: `${old.path}: the DVC md5 changed (${oldDvc || 'none'} → ${curDvc || 'none'}).` });
    if (!cur || (cur.kind === 'missing' && old.kind !== 'missing')) {
      out.push({ path: old.path, change: 'missing', message: `${old.path} no longer exists.` });
    } else if (old.sha256 !== undefined && cur.sha256 !== old.sha256) {
      out.push({ path: old.path, change: 'content', message: `${old.path} changed since the run (${old.kind === 'dir' ? 'folder contents' : 'file contents'} differ).` });
    }
  }
  for (const added of now.values()) out.push({ path: added.path, change: 'new', message: `${added.path} was not fingerprinted by the original run.` });
  return out;
}
