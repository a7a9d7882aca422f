// The one list of what Labbook takes for a tabular data file, and the one way to find those in a
// folder. The profiler, drift, the data checks, the CI workflow's file search, the Explorer menu
// (package.json's `when` clause, kept equal by test/unit/manifest.test.ts) and the open dialogs
// all read from here, so that a file one of them offers is a file the others read.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { TableFormat } from './types.ts';

/** Extension (lower case, with the dot) → the reader for it. */
const FORMATS = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
} as const satisfies Record<string, TableFormat>;

/** The tabular extensions, lower case with the dot. `.json` is not one: most .json files are config. */
export const TABULAR_EXTENSIONS: readonly string[] = Object.keys(FORMATS);
/** Compression suffixes DuckDB reads text formats through (`data.csv.gz`); Parquet compresses inside. */
export const COMPRESSED_SUFFIXES: readonly string[] = ['.gz', '.zst'];
/** The text formats, which may carry a compression suffix. */
const TEXT_EXTENSIONS = TABULAR_EXTENSIONS.filter((e) => (FORMATS as Record<string, TableFormat>)[e] !== 'parquet');
const PARQUET_EXTENSIONS = TABULAR_EXTENSIONS.filter((e) => (FORMATS as Record<string, TableFormat>)[e] === 'parquet');

const bare = (list: readonly string[]) => list.map((e) => e.slice(1)).join('|');
/** A file name (or path) that is tabular, any case; its `source` is what package.json's when clause holds. */
export const TABULAR_FILE_PATTERN = new RegExp(`\\.((${bare(TEXT_EXTENSIONS)})(\\.(${bare(COMPRESSED_SUFFIXES)}))?|${bare(PARQUET_EXTENSIONS)})$`, 'i');

/** A glob (VS Code findFiles, minimatch) for the tabular files of a tree, compressed ones too. */
export const TABULAR_GLOB = `**/*.{${[...TEXT_EXTENSIONS.flatMap((e) => [e.slice(1), ...COMPRESSED_SUFFIXES.map((c) => e.slice(1) + c)]), ...PARQUET_EXTENSIONS.map((e) => e.slice(1))].join(',')}}`;

/** Extensions without the dot, for an open dialog's `filters`. */
export const TABULAR_DIALOG_EXTENSIONS: readonly string[] = TABULAR_EXTENSIONS.map((e) => e.slice(1));

export function isTabularFile(file: string): boolean {
  return TABULAR_FILE_PATTERN.test(file);
}

/** The reader a tabular file name asks for (compression suffix ignored), or undefined. */
export function tabularFormatOf(file: string): TableFormat | undefined {
  const name = file.toLowerCase().replace(/\.(gz|zst)$/, '');
  return (FORMATS as Record<string, TableFormat>)[path.extname(name)];
}

/** Folders no dataset lives in: never walked. */
export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['.git', 'node_modules', '.venv', 'venv', '__pycache__', '.labbook', 'mlruns']);
/** A walk of a huge tree stops after this many entries rather than reading it all. */
export const MAX_WALK_ENTRIES = 50_000;

export interface FolderFiles {
  /** Absolute paths, sorted. */
  readonly files: string[];
  /** The walk stopped early (entry bound or `maxFiles`). */
  readonly truncated: boolean;
}

/**
 * The files under `folder` that `accept` takes (given the absolute path and the file's name), in
 * its sub-folders too (skipping SKIPPED_FOLDERS), sorted, at most `maxFiles`, reading at most
 * MAX_WALK_ENTRIES entries. A missing or unreadable folder gives none.
 */
export async function walkFiles(folder: string, accept: (full: string, name: string) => boolean, options: { readonly maxFiles?: number } = {}): Promise<FolderFiles> {
  const maxFiles = options.maxFiles ?? Number.POSITIVE_INFINITY;
  const files: string[] = [];
  let seen = 0;
  let truncated = false;
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    // Sorted, so that a capped walk keeps the same files every time.
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (truncated) return;
      if (++seen > MAX_WALK_ENTRIES) {
        truncated = true;
        return;
      }
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) await walk(full);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && accept(full, entry.name)) {
        if (files.length >= maxFiles) {
          truncated = true;
          return;
        }
        files.push(full);
      }
    }
  };
  await walk(folder);
  return { files: files.sort(), truncated };
}

/** The tabular files under `folder` (walkFiles). */
export function tabularFilesIn(folder: string, options: { readonly maxFiles?: number } = {}): Promise<FolderFiles> {
  return walkFiles(folder, (_full, name) => isTabularFile(name), options);
}
