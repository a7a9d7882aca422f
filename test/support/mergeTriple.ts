// A small base/local/remote notebook triple whose merge has conflicts of each common kind: the
// same lines edited differently, a cell deleted on one side and edited on the other, outputs
// changed on both sides, and a notebook metadata key changed differently. Shared by the merge
// panel's webview, integration and e2e tests, with the git repository whose merge stops on it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CellOutput, Notebook, NotebookCell } from '../../src/core/notebook/notebookModel.ts';
import { serializeNotebook } from '../../src/core/notebook/writeNotebook.ts';

export const HOSTILE = '<img src=x onerror=window.__xss=1>';

function code(id: string, source: string, outputs: CellOutput[] = [], executionCount: number | null = null): NotebookCell {
  return { id, cellType: 'code', source, metadata: {}, outputs, executionCount };
}

function markdown(id: string, source: string): NotebookCell {
  return { id, cellType: 'markdown', source, metadata: {}, outputs: [], executionCount: null };
}

function stream(text: string): CellOutput {
  return { outputType: 'stream', name: 'stdout', text };
}

function notebook(cells: NotebookCell[], title: string): Notebook {
  return { nbformat: 4, nbformatMinor: 5, metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }, title }, cells };
}

export interface Triple {
  readonly base: Notebook;
  readonly local: Notebook;
  readonly remote: Notebook;
}

/** `metadataConflict: false` leaves the notebook title alone on remote: two cell conflicts only. */
export function mergeTriple(options: { metadataConflict?: boolean } = {}): Triple {
  const intro = markdown('intro', '# Training\nThe model and its data.');
  const load = code('load', 'import pandas as pd\ndf = pd.read_csv("data.csv")');
  const params = code('params', 'lr = 0.01\nepochs = 10\nbatch = 32');
  const clean = code('clean', 'df = df.dropna()\ndf = df[df.age > 0]');
  const train = code('train', 'model.fit(df)', [stream('loss 0.5\n')], 3);
  const report = markdown('report', '## Results');
  const base = notebook([intro, load, params, clean, train, report], 'Training');
  const local = notebook(
    [
      intro,
      { ...load, source: 'import pandas as pd\nimport numpy as np\ndf = pd.read_csv("data.csv")' },
      { ...params, source: 'lr = 0.001\nepochs = 10\nbatch = 32' },
      { ...clean, source: `df = df.dropna()\ndf = df[df.age > 18]  # ${HOSTILE}` },
      { ...train, outputs: [stream('loss 0.4\n')], executionCount: 5 },
      report,
    ],
    'Training (ours)',
  );
  const remote = notebook(
    [
      intro,
      load,
      { ...params, source: 'lr = 0.05\nepochs = 10\nbatch = 64' },
      { ...train, outputs: [stream('loss 0.3\n')], executionCount: 7 },
      { ...report, source: '## Results\nAccuracy went up.' },
    ],
    options.metadataConflict === false ? 'Training' : 'Training (theirs)',
  );
  return { base, local, remote };
}

/**
 * Makes `dir` a git repository in which `file` (a path inside it) is `t.base`, then `t.remote` on
 * a branch and `t.local` on main, and runs a plain `git merge` of that branch, which stops with
 * the file unmerged (git's markers in it, its three stages in the index). Returns a git runner.
 */
export function conflictedGitMerge(dir: string, file: string, t: Triple, branch = 'theirs'): (...args: string[]) => string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
  const rel = path.relative(dir, file);
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'ada@example.com');
  git('config', 'user.name', 'Ada');
  writeFileSync(file, serializeNotebook(t.base));
  git('add', '.');
  git('commit', '-qm', 'base');
  git('checkout', '-qb', branch);
  writeFileSync(file, serializeNotebook(t.remote));
  git('commit', '-qm', 'theirs', '--', rel);
  git('checkout', '-q', 'main');
  writeFileSync(file, serializeNotebook(t.local));
  git('commit', '-qm', 'ours', '--', rel);
  assert.throws(() => git('merge', '-q', branch), `the merge of ${branch} conflicts`);
  return git;
}
