// Shared by the diff tests: the notebook fixtures (written by test/fixtures/notebooks/make_fixtures.py).
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { diffNotebooks } from '../../../src/core/diff/diffNotebooks.ts';
import type { CellDiff, NotebookDiff } from '../../../src/core/diff/model.ts';
import type { DiffOptions } from '../../../src/core/diff/options.ts';
import type { Notebook } from '../../../src/core/notebook/notebookModel.ts';
import { parseNotebook } from '../../../src/core/notebook/readNotebook.ts';

export const NOTEBOOKS = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'notebooks');

export function fixturePath(name: string): string {
  return path.join(NOTEBOOKS, name);
}

export function loadFixture(name: string): Notebook {
  return parseNotebook(readFileSync(fixturePath(name), 'utf8'), name);
}

export function diffFixtures(base: string, remote: string, options: Partial<DiffOptions> = {}): NotebookDiff {
  return diffNotebooks({ notebook: loadFixture(base), name: base }, { notebook: loadFixture(remote), name: remote }, options);
}

/** The changed cells as `kind base→remote`, the shape the tests assert on. */
export function changedCells(diff: NotebookDiff): string[] {
  return diff.cells.filter((c) => c.kind !== 'unchanged').map(describeCell);
}

export function describeCell(c: CellDiff): string {
  return `${c.kind} ${c.baseIndex ?? '-'}→${c.remoteIndex ?? '-'}`;
}

export function cellAt(diff: NotebookDiff, baseIndex: number | null, remoteIndex: number | null): CellDiff {
  const cell = diff.cells.find((c) => c.baseIndex === baseIndex && c.remoteIndex === remoteIndex);
  if (!cell) throw new Error(`no cell ${baseIndex}→${remoteIndex} in ${changedCells(diff).join(', ')}`);
  return cell;
}
