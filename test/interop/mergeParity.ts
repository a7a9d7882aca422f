// The comparison behind test/interop/mergeNbdime.test.ts: nbdime's own merge and Labbook's on the
// same triple, reduced to what both can be asked: where the conflicts are (in base terms), and what
// the cleanly merged cells' sources are. Plus Labbook's own invariants, and the parity table.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { NotebookMerge } from '../../src/core/merge/model.ts';
import type { Notebook, NotebookCell } from '../../src/core/notebook/notebookModel.ts';
import { runPython } from '../support/python.ts';

const SCRIPT = path.resolve(import.meta.dirname, '..', 'fixtures', 'python', 'nbdime_merge.py');

export interface TripleFiles {
  name: string;
  base: string;
  local: string;
  remote: string;
}

/** What nbdime_merge.py reports for one triple. */
export interface NbdimeMerge {
  conflicts: Array<{ path: Array<string | number>; sites: string[]; parts: string[] }>;
  cells: Array<{ cell_type: string; source: string; marker: boolean; conflicted: boolean }>;
}

/** nbdime's merge of every triple, in one Python run (nbdime's import is most of the time). */
export async function nbdimeMerges(triples: readonly TripleFiles[]): Promise<NbdimeMerge[]> {
  const args = triples.flatMap((t) => [t.base, t.local, t.remote]);
  const result = await runPython([SCRIPT, ...args], {}, 300_000);
  if (result.code !== 0) throw new Error(`nbdime merge failed (${result.code ?? 'killed after the timeout'}): ${result.stderr.slice(-3000)}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as NbdimeMerge[];
}

/** One triple compared: conflict sites in base terms ("cell 3", "insert@3", "metadata"). */
export interface Comparison {
  nbdimeSites: string[];
  labbookSites: string[];
  /** nbdime's conflicted decisions, Labbook's `stats.conflicts`: each tool's own count. */
  nbdimeDecisions: number;
  labbookConflicts: number;
  /** Sources of the cells whose source merged cleanly in one tool's result and not in the other's (first lines). */
  cleanOnlyNbdime: string[];
  cleanOnlyLabbook: string[];
  /** The clean sources are the same, in the same order. */
  cleanSame: boolean;
}

const sortSites = (sites: Iterable<string>) => [...new Set(sites)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

/**
 * Labbook's conflicts in base terms: a conflicted cell's base index, or for a cell both sides
 * added, where it goes: after the base cell before it (nbdime's `addrange` key: the insertion
 * point, which for a replaced cell is the replaced cell's index).
 */
export function labbookSites(merge: NotebookMerge): string[] {
  const sites: string[] = [];
  let previousBase = -1;
  for (const cell of merge.cells) {
    if (cell.conflicts.length > 0) sites.push(cell.base !== null ? `cell ${cell.base}` : `insert@${previousBase + 1}`);
    if (cell.base !== null) previousBase = cell.base;
  }
  if (merge.metadata.conflicts.length) sites.push('metadata');
  return sortSites(sites);
}

/** A cell whose source is settled: no source, deletion or double-insertion conflict. */
function labbookSourceClean(cell: NotebookMerge['cells'][number]): boolean {
  return !cell.conflicts.some((c) => c.kind === 'source' || c.kind === 'deleted' || c.kind === 'added' || c.kind === 'cellType');
}

const firstLine = (source: string) => source.split('\n')[0]?.slice(0, 60) ?? '';

/** What is in `a` and not in `b`, as multisets. */
function minus(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const s of b) left.set(s, (left.get(s) ?? 0) + 1);
  return a.filter((s) => {
    const n = left.get(s) ?? 0;
    if (n > 0) left.set(s, n - 1);
    return n === 0;
  });
}

/**
 * nbdime's sites of one conflicted decision. A decision on the cells list that removes base cell k
 * and inserts at k replaced cell k: that is one site, `cell k`, as Labbook reports a cell both
 * sides rewrote (the insertion is the same conflict, not another).
 */
function cellSites(conflict: NbdimeMerge['conflicts'][number]): string[] {
  if (conflict.path.length !== 1 || conflict.path[0] !== 'cells') return conflict.sites;
  return conflict.sites.filter((s) => !(s.startsWith('insert@') && conflict.sites.includes(`cell ${s.slice('insert@'.length)}`)));
}

export function compare(nbdime: NbdimeMerge, merge: NotebookMerge): Comparison {
  const nbdimeClean = nbdime.cells.filter((c) => !c.marker && !c.conflicted).map((c) => c.source);
  const labbookClean = merge.cells.filter(labbookSourceClean).map((c) => c.cell.source);
  return {
    nbdimeSites: sortSites(nbdime.conflicts.flatMap(cellSites)),
    labbookSites: labbookSites(merge),
    nbdimeDecisions: nbdime.conflicts.length,
    labbookConflicts: merge.stats.conflicts,
    cleanOnlyNbdime: minus(nbdimeClean, labbookClean).map(firstLine),
    cleanOnlyLabbook: minus(labbookClean, nbdimeClean).map(firstLine),
    cleanSame: JSON.stringify(nbdimeClean) === JSON.stringify(labbookClean),
  };
}

export const agrees = (c: Comparison) => c.cleanSame && JSON.stringify(c.nbdimeSites) === JSON.stringify(c.labbookSites);

/** What a documented difference pins down, so a changed difference fails like a new one. */
export interface ExpectedDifference {
  nbdimeSites: string[];
  labbookSites: string[];
  cleanOnlyNbdime: string[];
  cleanOnlyLabbook: string[];
  /** One line: why the tools differ here. */
  reason: string;
}

export function differenceOf(c: Comparison): Omit<ExpectedDifference, 'reason'> {
  return { nbdimeSites: c.nbdimeSites, labbookSites: c.labbookSites, cleanOnlyNbdime: c.cleanOnlyNbdime, cleanOnlyLabbook: c.cleanOnlyLabbook };
}

const lines = (source: string) => source.split('\n');

/**
 * The no-lost-content rule of issue 18: every line of every side is in the result (a merged cell,
 * or a version a conflict keeps) or is recorded as a decided deletion (`deletedCell`,
 * `deletedLines`). A base line that neither local nor remote has any more is an agreed deletion,
 * which the merge does not record. Returns what is missing.
 */
export function lostLines(merge: NotebookMerge, sides: { base: Notebook; local: Notebook; remote: Notebook }): string[] {
  const kept = new Set<string>();
  for (const m of merge.cells) {
    for (const cell of [m.cell, m.versions?.base, m.versions?.local, m.versions?.remote]) if (cell) for (const l of lines(cell.source)) kept.add(l);
  }
  for (const d of merge.decisions) if (d.kind === 'deletedCell' || d.kind === 'deletedLines') for (const l of d.lines) kept.add(l);
  const inSide = (nb: Notebook) => new Set(nb.cells.flatMap((c) => lines(c.source)));
  const [local, remote] = [inSide(sides.local), inSide(sides.remote)];
  const agreed = (side: string, l: string) => side === 'base' && !local.has(l) && !remote.has(l);
  const lost: string[] = [];
  for (const [side, nb] of Object.entries(sides)) {
    nb.cells.forEach((cell, i) => {
      for (const l of lines(cell.source)) if (!kept.has(l) && !agreed(side, l)) lost.push(`${side} cell ${i}: ${JSON.stringify(l)}`);
    });
  }
  return lost;
}

/** The parts of a cell a merge compares (outputs and counts are the policy's, not a side's content). */
const content = (c: NotebookCell) => JSON.stringify([c.cellType, c.source, c.metadata, c.attachments ?? null]);

/**
 * Conflicts only where both sides changed: each conflicted merged cell is one both sides added, or a
 * base cell that local and remote both changed (or deleted), or, as the core's property has it, a
 * cell one side deleted and the other kept across deletions of its own (crossing deletions,
 * nbdime#597: each side deleted a cell the other kept). Returns the merged cells that break it.
 */
export function conflictsWithoutBothChanged(merge: NotebookMerge, sides: { base: Notebook; local: Notebook; remote: Notebook }): number[] {
  const changed = (base: NotebookCell, side: NotebookCell | undefined) => side === undefined || content(side) !== content(base) || JSON.stringify(side.outputs) !== JSON.stringify(base.outputs) || side.executionCount !== base.executionCount;
  const deletedBy = new Set(merge.cells.flatMap((m) => m.conflicts.flatMap((c) => (c.kind === 'deleted' ? [c.deletedBy] : []))));
  const crossing = deletedBy.has('local') && deletedBy.has('remote');
  const bad: number[] = [];
  merge.cells.forEach((m, k) => {
    if (m.conflicts.length === 0) return;
    if (crossing && m.conflicts.every((c) => c.kind === 'deleted')) return;
    if (m.base === null) {
      if (m.local === null || m.remote === null) bad.push(k);
      return;
    }
    const base = sides.base.cells[m.base] as NotebookCell;
    const local = m.local === null ? undefined : sides.local.cells[m.local];
    const remote = m.remote === null ? undefined : sides.remote.cells[m.remote];
    if (!changed(base, local) || !changed(base, remote)) bad.push(k);
  });
  return bad;
}

export interface ParityRow {
  triple: string;
  comparison: Comparison;
  explanation: string;
}

const sitesText = (n: number, sites: string[]) => (sites.length ? `${n} (${sites.join(', ')})` : '0');

/** test-output/merge-parity.md: one row a triple. */
export function writeParityTable(file: string, rows: readonly ParityRow[]): void {
  const out = [
    '# Three-way merge parity: Labbook against nbdime 4.0.4',
    '',
    "Written by test/interop/mergeNbdime.test.ts. Each triple is merged by nbdime's `merge_notebooks` (nbmerge's default arguments)",
    "and by Labbook's `mergeNotebooks` (default options). Conflicts are given in base terms: `cell k` is base cell k, `insert@k`",
    'cells inserted before base cell k, `metadata` the notebook metadata. nbdime counts conflicted decisions (one cell may have',
    "several: source, outputs, metadata); Labbook counts conflicted cells and metadata keys. 'Agree' means the same conflict",
    'sites and the same sources, in the same order, for every cell whose source merged cleanly in both.',
    '',
    '| triple | nbdime conflicts | Labbook conflicts | agree? | explanation |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => {
      const c = r.comparison;
      return `| ${r.triple} | ${sitesText(c.nbdimeDecisions, c.nbdimeSites)} | ${sitesText(c.labbookConflicts, c.labbookSites)} | ${agrees(c) ? 'yes' : 'no'} | ${r.explanation.replaceAll('|', '\\|')} |`;
    }),
    '',
  ];
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, out.join('\n'));
}
