/**
 * Finding TensorBoard runs under a log directory, as TensorBoard does: every directory holding
 * `events.out.tfevents.*` files is one run, named by its path relative to the root.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import nodePath from 'node:path';
import type { Metric } from '../store/types.ts';
import { readEventFileInto, ScalarCollector } from './scalarCollector.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

const EVENT_FILE_PREFIX = 'events.out.tfevents.';
/** Folders that never hold a user's logs but can be huge to walk. */
const SKIPPED_DIRS = new Set(['node_modules', '__pycache__', '.git', '.hg', '.svn', '.venv', 'venv']);

export interface TensorBoardRun {
  /** Path relative to the root, '/'-separated; '.' for the root itself. */
  readonly name: string;
  readonly dir: string;
  /** Absolute paths, in the order they were read. */
  readonly files: string[];
  /** Per tag, in file then record order. */
  readonly metrics: Map<string, Metric[]>;
  /** Milliseconds: earliest and latest event wall time (the files' mtimes if there are no events). */
  readonly startTime: number;
  readonly endTime: number;
  /** The last record of some file is incomplete: a writer is likely still writing. */
  readonly truncated: boolean;
  /** Records skipped because they failed a checksum or did not decode. */
  readonly corruptRecords: number;
}

export interface ScanTensorBoardOptions {
  /** How many directory levels below the root to search; default 8. */
  readonly maxDepth?: number;
  /** Stop collecting event files after this many; default 2000. */
  readonly maxFiles?: number;
  /** Told about what was left out (unreadable folders, vanished files, the file cap). */
  readonly onWarning?: (message: string) => void;
}

/**
 * The runs under `root`, sorted by name. Reading is lenient: corrupt records are skipped and
 * counted per run rather than failing the whole scan. A root that cannot be read throws.
 */
export async function scanTensorBoardLogs(root: string, options: ScanTensorBoardOptions = {}): Promise<TensorBoardRun[]> {
  const maxDepth = options.maxDepth ?? 8;
  const maxFiles = options.maxFiles ?? 2000;
  const warn = options.onWarning ?? (() => undefined);
  const absoluteRoot = nodePath.resolve(root);
  const filesByDir = new Map<string, string[]>();
  let fileCount = 0;
  let capped = false;

  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (dir === absoluteRoot) throw error;
      warn(`Skipped ${dir}: ${errorMessage(error)}`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const entry of entries) {
      const full = nodePath.join(dir, entry.name);
      if (entry.name.startsWith(EVENT_FILE_PREFIX) && (await isFile(entry, full))) {
        if (fileCount >= maxFiles) {
          capped = true;
          continue;
        }
        fileCount++;
        const files = filesByDir.get(dir) ?? [];
        files.push(full);
        filesByDir.set(dir, files);
      } else if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) {
        // Symbolic links to folders are not followed, so a link cycle cannot loop the walk.
        subdirs.push(full);
      }
    }
    if (depth < maxDepth) for (const sub of subdirs) await walk(sub, depth + 1);
  };
  await walk(absoluteRoot, 0);
  if (capped) warn(`Read only the first ${maxFiles} event files under ${absoluteRoot}.`);

  const runs: TensorBoardRun[] = [];
  for (const [dir, files] of filesByDir) {
    const run = await readRun(absoluteRoot, dir, files.sort(compareEventFileNames), warn);
    if (run !== undefined) runs.push(run);
  }
  return runs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function isFile(entry: Dirent, full: string): Promise<boolean> {
  if (entry.isFile()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return (await stat(full)).isFile();
  } catch {
    return false; // a dangling link
  }
}

/**
 * TensorBoard reads a run's files in name order, which is creation order because the name
 * carries the writer's start time (`events.out.tfevents.<seconds>.<host>…`). The time is
 * compared as a number so that the order holds even across a change in digit count.
 */
export function compareEventFileNames(a: string, b: string): number {
  const ta = eventFileTime(a);
  const tb = eventFileTime(b);
  if (ta !== tb) return ta - tb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function eventFileTime(file: string): number {
  const match = /^events\.out\.tfevents\.(\d+(?:\.\d+)?)/.exec(nodePath.basename(file));
  return match ? Number(match[1]) : Number.MAX_SAFE_INTEGER;
}

async function readRun(root: string, dir: string, candidates: string[], warn: (message: string) => void): Promise<TensorBoardRun | undefined> {
  const collector = new ScalarCollector({ skipCorrupt: true });
  const files: string[] = [];
  const mtimes: number[] = [];
  let truncated = false;
  let corruptRecords = 0;
  for (const file of candidates) {
    try {
      const summary = await readEventFileInto(file, collector, { skipCorrupt: true });
      mtimes.push((await stat(file)).mtimeMs);
      truncated ||= summary.truncated;
      corruptRecords += summary.corruptRecords;
      files.push(file);
    } catch (error) {
      // Files vanish when a writer's cleanup races the scan; anything else is worth a word too.
      warn(`Skipped ${file}: ${errorMessage(error)}`);
    }
  }
  if (files.length === 0) return undefined;
  const metrics = new Map<string, Metric[]>();
  for (const scalar of collector.scalars) {
    let list = metrics.get(scalar.tag);
    if (list === undefined) {
      list = [];
      metrics.set(scalar.tag, list);
    }
    list.push({ key: scalar.tag, value: scalar.value, timestamp: Math.round(scalar.wallTime * 1000), step: scalar.step });
  }
  const hasEvents = collector.minWallTime <= collector.maxWallTime;
  const relative = nodePath.relative(root, dir);
  return {
    name: relative === '' ? '.' : relative.split(nodePath.sep).join('/'),
    dir,
    files,
    metrics,
    startTime: hasEvents ? Math.round(collector.minWallTime * 1000) : Math.round(Math.min(...mtimes)),
    endTime: hasEvents ? Math.round(collector.maxWallTime * 1000) : Math.round(Math.max(...mtimes)),
    truncated,
    corruptRecords: corruptRecords + collector.corruptRecords,
  };
}
