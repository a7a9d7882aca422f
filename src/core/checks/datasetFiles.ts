// Which files a dataset's `path` names: one file, or a glob (`*`, `?`, `**`, `{a,b}`) expanded
// under the workspace folder by a bounded walk that skips the folders no dataset lives in.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { globSource } from '../data/pathGlobs.ts';
import { isTabularFile, tabularFilesIn, walkFiles } from '../profile/tabularFiles.ts';

export function hasGlob(pattern: string): boolean {
  return /[*?{[]/.test(pattern);
}

/** An anchored matcher for '/'-separated paths relative to the workspace folder. */
export function datasetGlob(pattern: string): RegExp {
  return new RegExp(`^${globSource(pattern.trim().replace(/\\/g, '/').replace(/^\.\//, ''))}$`);
}

/** The folder a glob's walk starts from: its segments before the first wildcard. */
function globBase(pattern: string): string {
  const segments = pattern.replace(/\\/g, '/').replace(/^\.\//, '').split('/');
  const fixed: string[] = [];
  for (const seg of segments.slice(0, -1)) {
    if (hasGlob(seg)) break;
    fixed.push(seg);
  }
  return fixed.join('/');
}

const toPosix = (p: string) => p.split(path.sep).join('/');

/**
 * The files `pattern` names under `root`, sorted; absolute patterns are kept as they are. A plain
 * path is returned whether or not it exists (the evaluator reports a missing file).
 */
export async function resolveDatasetFiles(root: string, pattern: string): Promise<{ files: string[]; truncated: boolean }> {
  if (!hasGlob(pattern)) return { files: [path.resolve(root, pattern)], truncated: false };
  // An absolute glob walks from its own root (`/`, or `C:\\` on Windows).
  const absolute = path.isAbsolute(pattern);
  const base = absolute ? path.parse(pattern).root : root;
  const rel = absolute ? pattern.slice(base.length) : pattern;
  const re = datasetGlob(rel);
  const start = path.join(base, globBase(rel));
  if (!(await stat(start).then((st) => st.isDirectory(), () => false))) return { files: [], truncated: false };
  return walkFiles(start, (full) => re.test(toPosix(path.relative(base, full))));
}

/** Whether a data path (file or folder, absolute) covers `file`: the same file, or a folder holding it. */
export function coversFile(dataPath: string, file: string): boolean {
  const rel = path.relative(path.resolve(dataPath), path.resolve(file));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The tabular files of the run's data paths: files as they are, folders' tabular files (as launch profiling finds them). */
export async function inputFiles(dataPaths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of dataPaths) {
    const isDir = await stat(p).then((s) => s.isDirectory(), () => false);
    if (!isDir) {
      if (isTabularFile(p)) out.push(p);
      continue;
    }
    out.push(...(await tabularFilesIn(p)).files);
  }
  return [...new Set(out)];
}
