// Folders Labbook runs code from or writes a child's bootstrap into, when they may sit in a shared
// temp folder: another local user could have made the folder first and planted (or later swapped)
// a file in it. Such a folder is never used; the caller gets a fresh private one instead.
import { lstatSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Whether `dir` is a folder (not a link) owned by this user that nobody else can write to. */
export function isPrivateFolder(dir: string): boolean {
  try {
    const stat = lstatSync(dir);
    const uid = process.getuid?.();
    // Windows has no uids, and Node reports every folder there as writable by all: the folder
    // kind is all that can be checked (its ACLs are the user profile's).
    if (uid === undefined) return stat.isDirectory();
    return stat.isDirectory() && stat.uid === uid && (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** `dir`, made when missing (mode 700), if it is private; otherwise a fresh private folder in the temp folder, named from `fallbackPrefix`. */
export function ensurePrivateFolder(dir: string, fallbackPrefix: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return isPrivateFolder(dir) ? dir : mkdtempSync(path.join(os.tmpdir(), fallbackPrefix));
}
