// Finding exported pipelines: the repository root above a folder, the pipeline folders under it
// (a manifest beside pipeline.py), and the ones exported from a given notebook. Shared by
// `labbook ci init` and Add CI Workflow….
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { MANIFEST_FILE } from '../pipeline/planExport.ts';
import { isRecord } from '../../shared/isRecord.ts';

/** The repository root: the nearest folder up from `start` with a .git, else `start`. */
export function repositoryRoot(start: string): string {
  for (let dir = path.resolve(start), i = 0; i < 100; i++) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return path.resolve(start);
}

const SKIPPED = new Set(['node_modules', '__pycache__', 'venv', 'site-packages']);

/** Exported pipelines (absolute folders) in `root`, `depth` folder levels down at most, in path order. */
export function findPipelines(root: string, depth = 3): string[] {
  const found: string[] = [];
  const visit = (dir: string, left: number) => {
    if (existsSync(path.join(dir, MANIFEST_FILE)) && existsSync(path.join(dir, 'pipeline.py'))) found.push(dir);
    if (left === 0) return;
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith('.') || SKIPPED.has(name)) continue;
      const full = path.join(dir, name);
      if (statSync(full, { throwIfNoEntry: false })?.isDirectory()) visit(full, left - 1);
    }
  };
  visit(root, depth);
  return found;
}

/** The notebook (absolute) a pipeline folder was exported from, as its manifest says. */
export function notebookOfPipeline(dir: string): string | undefined {
  try {
    const manifest: unknown = JSON.parse(readFileSync(path.join(dir, MANIFEST_FILE), 'utf8'));
    return isRecord(manifest) && typeof manifest.notebook === 'string' ? path.resolve(dir, manifest.notebook) : undefined;
  } catch {
    return undefined;
  }
}

/** The pipelines under `root` exported from `notebook` (absolute). */
export function pipelinesOfNotebook(root: string, notebook: string): string[] {
  const wanted = path.resolve(notebook);
  return findPipelines(root).filter((dir) => notebookOfPipeline(dir) === wanted);
}
