// What a retraining trigger compares today's data with, and which files a `drift > X` trigger
// measures. The hashes taken now come from fingerprintData (whole files; folders over every file),
// so the recorded side prefers the run's fingerprints.json, taken the same way at launch. The
// run's data.json hashes content as it was read: a file above the hashing cap is hashed in part,
// and a folder's hash covers only the files the run opened, so neither can equal a hash taken now
// and both are left out (such a path is "unknown", not "changed"). A run that read a folder (listed
// it, or handed it to a reader) has one `dir` entry for it, not one per file: its files count as
// read with a hash that cannot tell, so their drift is measured.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { DataRecord } from '../data/dataRecord.ts';
import { tabularFilesIn } from '../profile/tabularFiles.ts';
import type { DataFingerprint } from '../runDetails/model.ts';

/** Files of a changed folder whose drift is measured at most (each one reads the file). */
export const MAX_DRIFT_FILES = 20;

/** Path (as the run recorded it) → hash: fingerprints.json first, then data.json's whole-file hashes. */
export function recordedHashes(fingerprints: readonly DataFingerprint[] | null, record: DataRecord | undefined): Map<string, string | null> {
  const recorded = new Map<string, string | null>();
  for (const fp of fingerprints ?? []) recorded.set(fp.path, fp.sha256 ?? fp.dvcMd5);
  for (const entry of record?.inputs ?? []) {
    if (entry.kind !== 'file' || entry.partial || !entry.sha256 || recorded.has(entry.path)) continue;
    recorded.set(entry.path, entry.sha256);
  }
  return recorded;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** As data.json records a path: relative to `cwd` and '/'-separated, or absolute outside it. */
const recordedPath = (cwd: string, file: string): string => {
  const relative = path.relative(cwd, file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative.split(path.sep).join('/');
};

const within = (dir: string, file: string): boolean => file.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);

/**
 * What a file watcher watches for a data path (relative to `cwd`, or absolute, or above it with
 * '../'): the path itself in its parent folder (a file) and everything under it (a folder). The base
 * is the resolved absolute folder, since a pattern relative to `cwd` never matches outside it.
 */
export function watchTargets(cwd: string, dataPath: string): { base: string; pattern: string }[] {
  const absolute = path.resolve(cwd, dataPath);
  const parent = path.dirname(absolute);
  return [...(parent !== absolute ? [{ base: parent, pattern: path.basename(absolute) }] : []), { base: absolute, pattern: '**' }];
}

/**
 * The tabular files whose drift a changed path stands for, as paths relative to `cwd` ('/'-separated,
 * as data.json records them): the file itself, or a folder's tabular files that differ from the
 * whole-file hash the run recorded for them (or were hashed in part, or were read as part of a
 * recorded folder). Files the run never read are left out: the run has nothing to compare them
 * with. At most MAX_DRIFT_FILES.
 */
export async function driftFilesOf(changed: string, cwd: string, record: DataRecord | undefined): Promise<{ files: string[]; truncated: boolean }> {
  const full = path.resolve(cwd, changed);
  const info = await stat(full).catch(() => undefined);
  if (!info?.isDirectory()) return { files: [changed], truncated: false };
  // The files the run read: a whole-file hash tells an unchanged one; a partial one cannot tell.
  const read = new Map<string, string | null>();
  const readFolders: string[] = [];
  for (const entry of record?.inputs ?? []) {
    if (entry.kind === 'file') read.set(entry.path, entry.sha256 && !entry.partial ? entry.sha256 : null);
    else if (entry.kind === 'dir') readFolders.push(path.resolve(cwd, entry.path));
  }
  const listed = await tabularFilesIn(full);
  const files: string[] = [];
  let truncated = listed.truncated;
  for (const file of listed.files) {
    const relative = recordedPath(cwd, file);
    // A file under a folder the run read has no hash of its own in data.json: measure it.
    const before = read.has(relative) ? read.get(relative) : readFolders.some((d) => within(d, file)) ? null : undefined;
    if (before === undefined || (before !== null && before === (await sha256Of(file)))) continue;
    if (files.length >= MAX_DRIFT_FILES) {
      truncated = true;
      break;
    }
    files.push(relative);
  }
  return { files, truncated };
}
