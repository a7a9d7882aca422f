// The Feast repositories under a folder, for `labbook run` (the editor finds them with VS Code's
// file search, feastRepoGlob.ts): the folders holding a feature_store.yaml, breadth first and
// bounded, skipping hidden folders and those of installed or generated code, as the editor does.
import { readdir } from 'node:fs/promises';
import path from 'node:path';

const SKIP = new Set(['node_modules', 'venv', 'site-packages', '__pycache__']);

/** Folders under `root` (itself included) with a feature_store.yaml, at most `max`, `depth` levels down. */
export async function findFeastReposUnder(root: string, options: { max?: number; depth?: number; maxFolders?: number } = {}): Promise<string[]> {
  const max = options.max ?? 50;
  const maxFolders = options.maxFolders ?? 5000;
  const found: string[] = [];
  let level = [root];
  let looked = 0;
  for (let depth = 0; depth <= (options.depth ?? 6) && level.length && found.length < max; depth++) {
    const next: string[] = [];
    for (const folder of level) {
      if (looked++ >= maxFolders) return found.sort();
      const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        if (entry.isFile() && entry.name === 'feature_store.yaml' && found.length < max) found.push(folder);
        else if (entry.isDirectory() && !entry.name.startsWith('.') && !SKIP.has(entry.name)) next.push(path.join(folder, entry.name));
      }
    }
    level = next.sort();
  }
  return found.sort();
}
