// What the observing bootstrap (observeBootstrap.ts) wrote, turned into a run's data record: the
// JSON lines parsed (a bad line is counted, never fatal), paths filtered (exclusion globs, the
// launcher's own folders) and made relative to the working directory, and the files of a folder a
// loader read as a whole (a Parquet dataset given to pyarrow, or a folder listed and then read
// file by file, as `os.walk` or `glob` loaders do) grouped into one folder entry.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathExcluder } from './pathGlobs.ts';
import { isRecord } from '../../shared/isRecord.ts';

export type DataFound = 'observed' | 'declared';

/** One input or output of a run, as stored in `labbook/data.json`. */
export interface DataEntry {
  /** Relative to the working directory ('/'-separated); absolute when outside it. */
  readonly path: string;
  readonly kind: 'file' | 'dir';
  /** How Labbook knows of it: the run opened it, and/or `labbook.dataPaths` (or the recipe) named it. */
  readonly found: readonly DataFound[];
  readonly size?: number;
  /** ISO time of the last modification when it was read (the newest file's, for folders). */
  readonly mtime?: string;
  /** Inputs: of the content as the run first read it. Folders: over the sorted relative paths and file hashes. */
  readonly sha256?: string;
  /** The hash covers only the first and last 4 MB (the file was above the size cap). */
  readonly partial?: boolean;
  readonly fileCount?: number;
  readonly dvc?: { readonly file: string; readonly outs: readonly { readonly path: string; readonly md5: string }[] };
  readonly note?: string;
}

export interface ObservedRead {
  readonly path: string;
  /** From a stat: the bootstrap's (taken when it hashed a file before the program changed it) or the host's after the run; absent until then. */
  readonly size?: number;
  /** Seconds since the epoch, as Python's os.stat gives it. */
  readonly mtime?: number;
  /** Exact modification time and inode as strings (past 2^53), to tell whether the file is still as read. */
  readonly mtimeNs?: string;
  readonly ino?: string;
  /** Hashed by the bootstrap (the program was about to change it) or by the host after the run (hashReads.ts). */
  readonly sha256?: string;
  readonly partial?: boolean;
  readonly error?: string;
}

/** The bootstrap's record, parsed. Paths are absolute. */
export interface ObservationLog {
  readonly reads: readonly ObservedRead[];
  readonly writes: readonly string[];
  /** Folders the program listed (os.scandir, os.listdir, glob). */
  readonly listed: readonly string[];
  /** Folders handed whole to a reader (pyarrow datasets). */
  readonly folders: readonly string[];
  /** When the program started (ns since the epoch, as a string): a read file modified after it was changed during the run. */
  readonly startedNs?: string;
  /** The bootstrap's path cap, when it was reached. */
  readonly capped?: number;
  /** The bootstrap wrote its end line (false: the process died before its exit handlers ran). */
  readonly ended: boolean;
  readonly malformedLines: number;
  /** What the bootstrap could not do at exit (its error lines), as it said it. */
  readonly errors?: readonly string[];
}


const digits = (v: unknown): v is string => typeof v === 'string' && /^\d+$/.test(v);

/** The stat and hash fields of a `read` or `hash` line. */
function hashOf(value: Record<string, unknown>): Omit<ObservedRead, 'path'> {
  const sha = value['sha256'];
  const error = value['error'];
  const { size, mtime, mtimeNs, ino } = value;
  return {
    ...(typeof size === 'number' && size >= 0 && typeof mtime === 'number' ? { size, mtime } : {}),
    ...(digits(mtimeNs) ? { mtimeNs } : {}),
    ...(digits(ino) ? { ino } : {}),
    ...(typeof sha === 'string' && /^[0-9a-f]{64}$/.test(sha) ? { sha256: sha } : {}),
    ...(value['partial'] === true ? { partial: true } : {}),
    ...(typeof error === 'string' ? { error } : {}),
  };
}

/** What the bootstrap says to leave out of the paths it opened (its `filter` line). */
interface OpenedFilter {
  readonly interpreter: readonly string[];
  readonly system: readonly string[];
  readonly project: string;
  readonly skipParts: readonly string[];
  readonly code: ReadonlySet<string>;
  /** The most files to record (LABBOOK_OBSERVE_MAX_PATHS); the bootstrap leaves applying it to the reader. */
  readonly maxPaths?: number;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function filterOf(value: Record<string, unknown>): OpenedFilter {
  return {
    interpreter: strings(value['interpreter']), system: strings(value['system']), project: typeof value['project'] === 'string' ? value['project'] : '',
    skipParts: strings(value['skipParts']), code: new Set(strings(value['code'])),
    ...(Number.isSafeInteger(value['maxPaths']) && (value['maxPaths'] as number) > 0 ? { maxPaths: value['maxPaths'] as number } : {}),
  };
}

/** The bootstrap's own rule for a path it opened: the interpreter's files, system and temp folders (unless the project is there), caches and `.git`, imported modules. */
function leftOut(file: string, filter: OpenedFilter): boolean {
  const probe = file + path.sep;
  if (filter.interpreter.some((p) => probe.startsWith(p))) return true;
  if (filter.system.some((p) => probe.startsWith(p)) && !(filter.project && probe.startsWith(filter.project))) return true;
  return filter.skipParts.some((part) => probe.includes(part)) || filter.code.has(file);
}

/** A file of opened paths beside the record, as its `opened` line names it: a bare name, nothing that leaves the folder. */
export const OPENED_FILE_NAME = /^[\w.-]+\.opened-\d+$/;

/** The names of the path files the record's `opened` lines refer to (to read before parsing). */
export function openedFileNames(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('"opened"')) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isRecord(value) && value['t'] === 'opened' && typeof value['file'] === 'string' && OPENED_FILE_NAME.test(value['file'])) names.push(value['file']);
    } catch {
      // Counted as malformed by the parser.
    }
  }
  return names;
}

/** Reads the bootstrap's record and the path files beside it; a missing path file leaves its paths out, noted as an error. */
export async function readObservationLog(recordFile: string): Promise<{ text: string; log: ObservationLog }> {
  const text = await readFile(recordFile, 'utf8');
  const files = new Map<string, string>();
  for (const name of openedFileNames(text)) {
    try {
      files.set(name, await readFile(path.join(path.dirname(recordFile), name), 'utf8'));
    } catch {
      // Reported by the parser: its paths are not there.
    }
  }
  return { text, log: parseObservationLog(text, files) };
}

/**
 * Parses the record; `openedFiles` holds the contents of the path files its `opened` lines name
 * (NUL-separated paths, by file name). Older records held the paths in the line (`joined`).
 */
export function parseObservationLog(text: string, openedFiles: ReadonlyMap<string, string> = new Map()): ObservationLog {
  const reads = new Map<string, ObservedRead>();
  const hashes = new Map<string, Omit<ObservedRead, 'path'>>();
  const opened: { cwd: string; paths: string[] }[] = [];
  let filter: OpenedFilter | undefined;
  let startedNs: string | undefined;
  const writes = new Set<string>();
  const listed = new Set<string>();
  const folders = new Set<string>();
  let capped: number | undefined;
  let ended = false;
  let malformedLines = 0;
  const errors: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      malformedLines++;
      continue;
    }
    if (!isRecord(value) || typeof value['t'] !== 'string') {
      malformedLines++;
      continue;
    }
    const p = value['path'];
    const t = value['t'];
    if (t === 'end') ended = true;
    else if (t === 'start' && digits(value['timeNs'])) startedNs = value['timeNs'];
    else if (t === 'filter') filter = filterOf(value);
    else if (t === 'opened' && typeof value['cwd'] === 'string' && path.isAbsolute(value['cwd']) && typeof value['joined'] === 'string') opened.push({ cwd: value['cwd'], paths: value['joined'].split('\0').filter((given) => given !== '') });
    else if (t === 'opened' && typeof value['cwd'] === 'string' && path.isAbsolute(value['cwd']) && typeof value['file'] === 'string' && OPENED_FILE_NAME.test(value['file'])) {
      const joined = openedFiles.get(value['file']);
      if (joined === undefined) errors.push(`the file of paths ${value['file']} is missing: the reads it held are not recorded`);
      else opened.push({ cwd: value['cwd'], paths: joined.split('\0').filter((given) => given !== '') });
    }
    else if (t === 'error' && typeof value['message'] === 'string') errors.push(value['message'].slice(0, 500));
    else if (t === 'capped') capped = typeof value['max'] === 'number' ? value['max'] : 0;
    else if (typeof p !== 'string' || !path.isAbsolute(p)) malformedLines++;
    else if (t === 'write') writes.add(p);
    else if (t === 'list') listed.add(p);
    else if (t === 'dir') folders.add(p);
    else if (t === 'read') {
      // The first line for a path wins: it is the read-time fingerprint.
      if (!reads.has(p)) reads.set(p, { path: p, ...hashOf(value) });
    } else if (t === 'hash') {
      // Taken before the program changed the file: the content as read (the first one wins).
      if (!hashes.has(p)) hashes.set(p, hashOf(value));
    } else malformedLines++;
  }
  // The paths the program opened for reading, as it gave them: resolved against their working
  // directory and filtered by the bootstrap's rule (without its filter line, by none: it comes first),
  // once each, up to the bootstrap's cap.
  const cap = filter?.maxPaths;
  opening: for (const { cwd, paths } of opened) {
    for (const given of paths) {
      const file = path.resolve(cwd, given);
      if (reads.has(file) || (filter && leftOut(file, filter))) continue;
      if (cap !== undefined && reads.size >= cap) {
        capped ??= cap;
        break opening;
      }
      reads.set(file, { path: file });
    }
  }
  for (const [p, hash] of hashes) {
    const read = reads.get(p);
    if (read && !read.sha256 && !read.error) reads.set(p, { ...read, ...hash });
  }
  return {
    reads: [...reads.values()], writes: [...writes], listed: [...listed], folders: [...folders],
    ...(startedNs !== undefined ? { startedNs } : {}), ...(capped !== undefined ? { capped } : {}), ended, malformedLines, ...(errors.length ? { errors } : {}),
  };
}

export interface SummaryOptions {
  /** Absolute working directory: paths are recorded relative to it. */
  readonly cwd: string;
  /** Globs of paths never recorded (labbook.launch.observeExclude). */
  readonly exclude?: readonly string[];
  /** Absolute folders never recorded (the launcher's spool, the store). */
  readonly skip?: readonly string[];
  /** Entries recorded at most (inputs and outputs together). Default 1000. */
  readonly maxEntries?: number;
}

export interface ObservationSummary {
  readonly inputs: readonly DataEntry[];
  /** Written files, relative like `DataEntry.path`: fingerprinted after the run. */
  readonly outputs: readonly string[];
  readonly notes: readonly string[];
}

export const DEFAULT_MAX_ENTRIES = 1000;

/** '/'-separated path relative to `cwd`, or the absolute path when outside it. */
export function relativeDataPath(cwd: string, absolute: string): string {
  const rel = path.relative(cwd, absolute);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return absolute;
  return rel.split(path.sep).join('/');
}

const within = (dir: string, p: string): boolean => p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);

/**
 * The folder entry a read file belongs to, if any: the top-most folder handed whole to a reader
 * above it, else the top of the chain of listed folders from its parent up. The working directory
 * and its ancestors are never a data folder (listing the project is not reading it all).
 */
export function folderOf(file: string, cwd: string, listed: ReadonlySet<string>, folders: ReadonlySet<string>): string | undefined {
  const container = (d: string) => within(d, cwd);
  let best: string | undefined;
  for (let d = path.dirname(file), i = 0; i < 256 && !container(d); d = path.dirname(d), i++) {
    if (folders.has(d)) best = d;
    if (path.dirname(d) === d) break;
  }
  if (best) return best;
  for (let d = path.dirname(file), i = 0; i < 256 && !container(d) && listed.has(d); d = path.dirname(d), i++) {
    best = d;
    if (path.dirname(d) === d) break;
  }
  return best;
}

/** Seconds as an ISO date; undefined beyond the dates JavaScript has (toISOString would throw). */
const iso = (seconds: number): string | undefined => {
  const date = new Date(Math.round(seconds * 1000));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
};

function fileEntry(read: ObservedRead, cwd: string): DataEntry {
  return {
    path: relativeDataPath(cwd, read.path), kind: 'file', found: ['observed'],
    ...(read.size !== undefined ? { size: read.size } : {}),
    ...(read.mtime !== undefined && iso(read.mtime) ? { mtime: iso(read.mtime) } : {}),
    ...(read.sha256 ? { sha256: read.sha256 } : {}),
    ...(read.partial ? { partial: true, note: 'above the hashing size cap: the hash covers the first and last 4 MB' } : {}),
    ...(read.error ? { note: `not hashed (${read.error})` } : {}),
  };
}

/** Folder hash over its read files, the same formula as fingerprintData's folder hash. */
function folderEntry(dir: string, members: readonly ObservedRead[], cwd: string): DataEntry {
  const sorted = members.map((m) => ({ rel: path.relative(dir, m.path).split(path.sep).join('/'), m })).sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  const hash = createHash('sha256');
  let size = 0;
  let newest = 0;
  const unhashed = sorted.filter(({ m }) => !m.sha256).length;
  for (const { rel, m } of sorted) {
    hash.update(`${rel}\0${m.sha256 ?? ''}\n`);
    size += m.size ?? 0;
    newest = Math.max(newest, m.mtime ?? 0);
  }
  const partial = sorted.some(({ m }) => m.partial);
  const note = [unhashed > 0 ? `${unhashed} file(s) not hashed` : '', partial ? 'some files above the hashing size cap are hashed in part' : ''].filter(Boolean).join('; ');
  return {
    path: relativeDataPath(cwd, dir), kind: 'dir', found: ['observed'], size, ...(iso(newest) ? { mtime: iso(newest) } : {}), sha256: hash.digest('hex'), fileCount: sorted.length,
    ...(partial ? { partial: true } : {}),
    ...(note ? { note } : {}),
  };
}

export function summarizeObservation(log: ObservationLog, options: SummaryOptions): ObservationSummary {
  const cwd = path.resolve(options.cwd);
  const excluded = pathExcluder(options.exclude ?? []);
  const skip = (options.skip ?? []).map((s) => path.resolve(s));
  const keep = (p: string): boolean => !skip.some((s) => within(s, p)) && !excluded(relativeDataPath(cwd, p), p);
  const notes: string[] = [];
  const listed = new Set(log.listed);
  const folders = new Set(log.folders);

  const groups = new Map<string, ObservedRead[]>();
  const inputs: DataEntry[] = [];
  for (const read of log.reads) {
    if (!keep(read.path)) continue;
    const folder = folderOf(read.path, cwd, listed, folders);
    if (folder && keep(folder)) {
      const members = groups.get(folder) ?? [];
      members.push(read);
      groups.set(folder, members);
    } else inputs.push(fileEntry(read, cwd));
  }
  for (const [dir, members] of groups) inputs.push(folderEntry(dir, members, cwd));
  inputs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const outputs = log.writes.filter(keep).map((p) => relativeDataPath(cwd, p)).sort();

  const max = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const keptInputs = inputs.slice(0, max);
  const keptOutputs = outputs.slice(0, Math.max(0, max - keptInputs.length));
  if (keptInputs.length + keptOutputs.length < inputs.length + outputs.length) {
    notes.push(`observed data: ${inputs.length} inputs and ${outputs.length} outputs; only the first ${max} are recorded (the cap on recorded files).`);
  }
  if (log.capped !== undefined) notes.push(`observed data: the program opened more than ${log.capped} files; files opened after that were not observed.`);
  if (!log.ended) notes.push('observed data: the record ended early (the process was killed before its exit handlers ran); the files it read are written at exit, so they are missing.');
  for (const error of log.errors ?? []) notes.push(`observed data: the bootstrap could not write all it saw (${error}).`);
  if (log.malformedLines > 0) notes.push(`observed data: ${log.malformedLines} unreadable line(s) in the record were skipped.`);
  return { inputs: keptInputs, outputs: keptOutputs, notes };
}
