// A Python script Labbook ships as a string (a driver run in the user's interpreter), written to a
// private cache folder under a name made of its content, whole (a temp file renamed), and written
// again only when the content differs: concurrent windows and versions never see half a script.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensurePrivateFolder } from './privateFolder.ts';

const written = new Map<string, string>();

/** The path of `source` as `<stem>_<hash>.py` in the private folder `labbook-<folder>-<uid>` of the temp dir. */
export function pythonScript(source: string, folder: string, stem: string): string {
  const key = `${folder}/${stem}/${source}`;
  const known = written.get(key);
  if (known) return known;
  const uid = process.getuid?.();
  const dir = ensurePrivateFolder(path.join(os.tmpdir(), uid === undefined ? `labbook-${folder}` : `labbook-${folder}-${uid}`), `labbook-${folder}-`);
  const file = path.join(dir, `${stem}_${createHash('sha256').update(source).digest('hex').slice(0, 16)}.py`);
  writeWhenDifferent(file, source);
  written.set(key, file);
  return file;
}

/** Writes `text` to `file` unless it already holds exactly that; whole (a temp file renamed), so a reader never sees half of it. */
export function writeWhenDifferent(file: string, text: string): void {
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) return;
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temp, text, 'utf8');
  renameSync(temp, file);
}
