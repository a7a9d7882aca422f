// The .ipynb paths git has unmerged in a folder's repository (what the palette offers to merge). No vscode import.
import * as path from 'node:path';
import { simpleGit } from 'simple-git';

/** The unmerged .ipynb files (absolute paths) of the repository holding `folder`; none outside git. */
export async function unmergedNotebooks(folder: string): Promise<string[]> {
  try {
    const git = simpleGit({ baseDir: folder, timeout: { block: 30_000 } });
    const root = (await git.revparse(['--show-toplevel'])).trim();
    const out = await git.raw(['diff', '--name-only', '--diff-filter=U', '-z']);
    return [...new Set(out.split('\0').filter((p) => p.endsWith('.ipynb')))].map((p) => path.join(root, p));
  } catch {
    return [];
  }
}
