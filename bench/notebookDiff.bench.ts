// The notebook diff against nbdime (`nbdime.diff_notebooks`, the reference tool), same files, same
// machine, same run: real notebook pairs from test/fixtures/notebooks (56 and 100 cells, the 100-cell
// one also stripped of cell ids), and synthetic notebooks of 100–800 code cells with 10% edited, 5%
// inserted and 5% deleted cells (seeded, no cell ids, so both tools must align from content), and on
// to 3,200 cells for the scaling curve (issue 13), without nbdime past NBDIME_MAX_CELLS. Besides
// speed, alignment quality: how many of the edited cells each tool shows as one modified cell
// (nbdime: a 'patch' on that cell) rather than removed + added.
// Needs the Python venv with nbdime (bench/run.mjs sets LABBOOK_TEST_PYTHON).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { diffNotebooks } from '../src/core/diff/diffNotebooks.ts';
import type { NotebookDiff } from '../src/core/diff/model.ts';
import { SHOW_EVERYTHING } from '../src/core/diff/options.ts';
import { parseNotebook } from '../src/core/notebook/readNotebook.ts';
import { runPython } from '../test/support/python.ts';
import { syntheticPair } from '../test/support/syntheticNotebook.ts';
import { medianMs, type Benchmark, type BenchResult } from './timing.ts';
import { STUDY_EDITS } from '../test/fixtures/notebooks/studyEdits.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'test', 'fixtures', 'notebooks');
const NBDIME = path.join(import.meta.dirname, 'fixtures', 'nbdime_time.py');
/** nbdime needs minutes at 800 cells; past this one pair is abandoned, not the whole run. */
const NBDIME_TIMEOUT_MS = 600_000;
/** Past this size nbdime is not run (minutes per pair at 800 cells); the curve goes on with ours alone. */
const NBDIME_MAX_CELLS = 800;

interface NbdimeResult {
  median_ms: number;
  runs: number;
  patched: Array<[number, number]>;
  added: number;
  removed: number;
}

async function timeNbdime(base: string, remote: string, repeat: number): Promise<NbdimeResult> {
  const result = await runPython([NBDIME, base, remote, '--repeat', String(repeat), '--budget', '120'], {}, NBDIME_TIMEOUT_MS);
  if (result.code !== 0) throw new Error(`nbdime timing failed (${result.code ?? 'killed after the timeout'}): ${result.stderr.slice(-2000)}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as NbdimeResult;
}

/**
 * Ours, measured like nbdime's: both notebooks already in memory as text; the time includes
 * parsing them (nbdime's excludes reading) and the diff with every filter off (nbdime filters
 * nothing), so the comparison does not flatter us.
 */
async function timeOurs(baseText: string, remoteText: string): Promise<{ ms: number; diff: NotebookDiff }> {
  const run = () => diffNotebooks({ notebook: parseNotebook(baseText, 'base'), name: 'base' }, { notebook: parseNotebook(remoteText, 'remote'), name: 'remote' }, SHOW_EVERYTHING);
  const ms = await medianMs(run, 9);
  return { ms, diff: run() };
}

/** How many of the known edited pairs a tool shows as one modified cell. */
function editsFound(edited: ReadonlyArray<readonly [number, number]>, shownModified: ReadonlyArray<readonly [number, number]>): number {
  const shown = new Set(shownModified.map(([i, j]) => `${i},${j}`));
  return edited.filter(([i, j]) => shown.has(`${i},${j}`)).length;
}

function oursModified(diff: NotebookDiff): Array<[number, number]> {
  return diff.cells.filter((c) => c.kind === 'modified' && c.baseIndex !== null && c.remoteIndex !== null).map((c) => [c.baseIndex as number, c.remoteIndex as number]);
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0));

/** The notebook as nbformat 4.4 saved it: no cell ids, so both tools must align from content. */
function withoutIds(text: string): string {
  const notebook = JSON.parse(text) as { nbformat_minor: number; cells: Array<{ id?: string }> };
  notebook.nbformat_minor = 4;
  for (const cell of notebook.cells) delete cell.id;
  return JSON.stringify(notebook, null, 1);
}

/**
 * A real pair from test/fixtures/notebooks, `cells` long (base side); `edited` are the known edits
 * (base → remote index) for the quality comparison. With `ids: false` both files lose their cell ids.
 */
function realPair(base: string, remote: string, cells: number, edited?: ReadonlyArray<readonly [number, number]>, { ids = true } = {}): Benchmark {
  return {
    name: `notebook diff: real pair ${base.replace(/\.ipynb$/, '')} → ${remote} (${cells} cells${ids ? '' : ', no cell ids'})`,
    async run(): Promise<BenchResult> {
      const dir = ids ? undefined : mkdtempSync(path.join(tmpdir(), 'labbook-nbdiff-'));
      try {
        let [basePath, remotePath] = [path.join(FIXTURES, base), path.join(FIXTURES, remote)];
        if (dir) {
          // nbdime reads the very same id-less files.
          const copy = (from: string, name: string) => {
            const to = path.join(dir, name);
            writeFileSync(to, withoutIds(readFileSync(from, 'utf8')));
            return to;
          };
          [basePath, remotePath] = [copy(basePath, 'base.ipynb'), copy(remotePath, 'remote.ipynb')];
        }
        const ours = await timeOurs(readFileSync(basePath, 'utf8'), readFileSync(remotePath, 'utf8'));
        const theirs = await timeNbdime(basePath, remotePath, 7);
        let quality = '';
        let qualityMet = true;
        if (edited) {
          const mine = editsFound(edited, oursModified(ours.diff));
          const nbdime = editsFound(edited, theirs.patched);
          quality = `; edits as modified: ours ${mine}/${edited.length}, nbdime ${nbdime}/${edited.length}`;
          qualityMet = mine >= nbdime;
        }
        return {
          oursMs: ours.ms,
          peer: 'nbdime 4.0.4',
          peerMs: theirs.median_ms,
          target: `<50 ms (got ${fmt(ours.ms)} ms)${quality}`,
          met: ours.ms < 50 && qualityMet,
        };
      } finally {
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function syntheticSize(cells: number): Benchmark {
  return {
    name: `notebook diff: synthetic ${cells} code cells (10% edited, 5% inserted, 5% deleted)`,
    async run(): Promise<BenchResult> {
      const pair = syntheticPair({ cells, seed: cells, edits: 0.1, inserts: 0.05, deletes: 0.05 });
      // nbdime reads the very same files.
      const dir = mkdtempSync(path.join(tmpdir(), 'labbook-nbdiff-'));
      try {
        const basePath = path.join(dir, 'base.ipynb');
        const remotePath = path.join(dir, 'remote.ipynb');
        writeFileSync(basePath, pair.base);
        writeFileSync(remotePath, pair.remote);
        const ours = await timeOurs(pair.base, pair.remote);
        const mine = editsFound(pair.edited, oursModified(ours.diff));
        if (cells > NBDIME_MAX_CELLS) {
          return {
            oursMs: ours.ms,
            peer: `nbdime not run (> ${NBDIME_MAX_CELLS} cells)`,
            target: `reported (${((ours.ms / cells) * 1000).toFixed(0)} µs/cell); edits as modified: ours ${mine}/${pair.edited.length}`,
          };
        }
        const theirs = await timeNbdime(basePath, remotePath, cells <= 100 ? 5 : cells <= 200 ? 3 : 1);
        const nbdime = editsFound(pair.edited, theirs.patched);
        const ratio = theirs.median_ms / ours.ms;
        const quality = `edits as modified: ours ${mine}/${pair.edited.length}, nbdime ${nbdime}/${pair.edited.length}`;
        const speed = cells >= 800 ? `≥50× and <1 s (got ${ratio.toFixed(0)}×); ` : '';
        return {
          oursMs: ours.ms,
          peer: `nbdime 4.0.4${theirs.runs === 1 ? ' (1 run)' : ''}`,
          peerMs: theirs.median_ms,
          target: `${speed}${quality}`,
          met: mine >= nbdime && (cells < 800 || (ratio >= 50 && ours.ms < 1000)),
        };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export const benchmarks: Benchmark[] = [
  // The edited pair's known edits (base → remote index), from make_fixtures.py.
  realPair('workflow.ipynb', 'workflow-edited.ipynb', 56, [
    [0, 0],
    [23, 23],
    [34, 34],
    [54, 54],
  ]),
  realPair('workflow.ipynb', 'workflow-moved.ipynb', 56),
  realPair('workflow.ipynb', 'workflow-plot.ipynb', 56, [[13, 13]]),
  realPair('workflow.ipynb', 'workflow-noise.ipynb', 56),
  realPair('study.ipynb', 'study-edited.ipynb', 100, STUDY_EDITS),
  realPair('study.ipynb', 'study-edited.ipynb', 100, STUDY_EDITS, { ids: false }),
  ...[100, 200, 400, 800, 1600, 3200].map(syntheticSize),
];
