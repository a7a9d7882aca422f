// The code two runs were launched with: a unified text diff of their snapshots and of their git
// patches (the `diff` package), or, for notebook snapshots, a button that opens the Notebook Diff.
import { structuredPatch } from 'diff';
import type { CodeComparison, CodeSide, CompareRun } from '../../src/protocol/compare.ts';
import { el } from '../shared/dom.ts';

/** A unified diff of two texts, hunks with their line numbers; every line rendered as text. */
export function textDiff(baseName: string, remoteName: string, base: string, remote: string): HTMLElement {
  if (base === remote) return el('p', { className: 'muted', text: 'No differences.' });
  const patch = structuredPatch(baseName, remoteName, base, remote, '', '', { context: 3 });
  const rows: HTMLElement[] = [];
  for (const hunk of patch.hunks) {
    rows.push(el('div', { className: 'hunk-head', text: `@@ −${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@` }));
    let oldLine = hunk.oldStart;
    let newLine = hunk.newStart;
    for (const line of hunk.lines) {
      const mark = line[0];
      if (mark === '\\') continue; // "\ No newline at end of file"
      const kind = mark === '+' ? 'ins' : mark === '-' ? 'del' : 'ctx';
      const left = kind === 'ins' ? '' : String(oldLine++);
      const right = kind === 'del' ? '' : String(newLine++);
      rows.push(
        el('div', { className: `diff-line ${kind}` }, [
          el('span', { className: 'ln', text: left, attrs: { 'aria-hidden': 'true' } }),
          el('span', { className: 'ln', text: right, attrs: { 'aria-hidden': 'true' } }),
          el('span', { className: 'mark', text: kind === 'ins' ? '+' : kind === 'del' ? '−' : ' ' }),
          el('span', { className: 'text', text: line.slice(1) }),
        ]),
      );
    }
  }
  return el('div', { className: 'unified-diff', attrs: { role: 'region', 'aria-label': `Diff of ${baseName} and ${remoteName}`, tabindex: '0' } }, rows);
}

function notes(side: CodeSide, run: CompareRun | undefined): HTMLElement[] {
  return side.notes.map((n) => el('p', { className: 'muted note', text: `${run?.label ?? side.runId}: ${n}` }));
}

export interface CodeViewCallbacks {
  openNotebookDiff(path: string): void;
}

export function renderCodeComparison(code: CodeComparison, runs: readonly CompareRun[], callbacks: CodeViewCallbacks): HTMLElement[] {
  const baseRun = runs.find((r) => r.runId === code.base.runId);
  const remoteRun = runs.find((r) => r.runId === code.remote.runId);
  const baseLabel = baseRun?.label ?? code.base.runId;
  const remoteLabel = remoteRun?.label ?? code.remote.runId;
  const snapshot = el('section', { className: 'code-section', attrs: { 'data-testid': 'snapshot-diff' } }, [el('h3', { text: 'Launched file' })]);
  const { snapshotPath: basePath, snapshotText: baseText } = code.base;
  const { snapshotPath: remotePath, snapshotText: remoteText } = code.remote;
  if (basePath !== null && remotePath !== null) {
    snapshot.append(el('p', { className: 'paths', text: basePath === remotePath ? basePath : `${basePath} ↔ ${remotePath}` }));
  }
  const notebook = basePath?.endsWith('.ipynb') || remotePath?.endsWith('.ipynb');
  if (notebook) {
    if (basePath === remotePath && basePath !== null) {
      const button = el('button', { text: 'Open Notebook Diff', attrs: { type: 'button', 'data-action': 'notebook-diff' } });
      button.addEventListener('click', () => callbacks.openNotebookDiff(basePath));
      snapshot.append(el('p', { text: 'Both runs were launched from a notebook.' }), button);
    } else {
      snapshot.append(el('p', { className: 'muted', text: 'The runs were launched from different files, so there is no notebook diff to show.' }));
    }
  } else if (baseText !== null && remoteText !== null) {
    snapshot.append(textDiff(`${baseLabel}: ${basePath}`, `${remoteLabel}: ${remotePath}`, baseText, remoteText));
  }
  snapshot.append(...notes({ ...code.base, notes: code.base.notes.filter((n) => !n.includes('git patch')) }, baseRun), ...notes({ ...code.remote, notes: code.remote.notes.filter((n) => !n.includes('git patch')) }, remoteRun));

  const patch = el('section', { className: 'code-section', attrs: { 'data-testid': 'patch-diff' } }, [el('h3', { text: 'Uncommitted changes (git patch)' })]);
  if (code.base.gitPatch !== null || code.remote.gitPatch !== null) {
    patch.append(textDiff(`${baseLabel}: git.patch`, `${remoteLabel}: git.patch`, code.base.gitPatch ?? '', code.remote.gitPatch ?? ''));
  } else {
    patch.append(el('p', { className: 'muted', text: 'Neither run captured a git patch (their working trees were clean, or the launch did not record one).' }));
  }
  return [snapshot, patch];
}
