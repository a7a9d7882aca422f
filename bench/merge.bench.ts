// The three-way notebook merge against nbdime's (`nbdime.merging.merge_notebooks`, the reference
// tool), same files, same machine, same run: synthetic notebooks of code and markdown cells with
// outputs (seeded), local and remote each editing 10% of the cells, some the same cells on
// different lines (clean) or on the same line (conflicts), and each inserting, deleting and moving
// a few (test/support/syntheticMergeTriple.ts). No cell ids (nbformat 4.4), so both tools align
// from content. Timed: the merge call in-process on notebooks already parsed (ours includes
// parsing, nbdime's does not); and, for 800 cells, the whole command (`labbook merge` from
// dist/cli.js, nbdime's `nbmerge`) as a user runs it.
// Needs the Python venv with nbdime (bench/run.mjs sets LABBOOK_TEST_PYTHON).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mergeNotebooks } from '../src/core/merge/mergeNotebooks.ts';
import type { NotebookMerge } from '../src/core/merge/model.ts';
import { parseNotebook } from '../src/core/notebook/readNotebook.ts';
import { runPython, testPython } from '../test/support/python.ts';
import { syntheticTriple, type SyntheticTriple } from '../test/support/syntheticMergeTriple.ts';
import { medianMs, type Benchmark, type BenchResult } from './timing.ts';

const NBDIME = path.join(import.meta.dirname, 'fixtures', 'nbdime_merge_time.py');
const CLI = path.join(import.meta.dirname, '..', 'dist', 'cli.js');
/** nbdime needs about a minute a merge at 800 cells; past this one triple is abandoned, not the run. */
const NBDIME_TIMEOUT_MS = 900_000;

interface NbdimeResult {
  median_ms: number;
  runs: number;
  conflicts: number;
  cells: number;
}

async function timeNbdime(files: string[], repeat: number): Promise<NbdimeResult> {
  // Past half the budget the warm-up run is the measurement (nbdime_merge_time.py).
  const result = await runPython([NBDIME, ...files, '--repeat', String(repeat), '--budget', '120'], {}, NBDIME_TIMEOUT_MS);
  if (result.code !== 0) throw new Error(`nbdime merge timing failed (${result.code ?? 'killed after the timeout'}): ${result.stderr.slice(-2000)}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as NbdimeResult;
}

/** Ours: the three texts parsed and merged with the default options, median of repeats. */
async function timeOurs(triple: SyntheticTriple, repeat: number): Promise<{ ms: number; merge: NotebookMerge }> {
  const run = () => mergeNotebooks({ notebook: parseNotebook(triple.base, 'base'), name: 'base' }, { notebook: parseNotebook(triple.local, 'local'), name: 'local' }, { notebook: parseNotebook(triple.remote, 'remote'), name: 'remote' });
  const ms = await medianMs(run, repeat);
  return { ms, merge: run() };
}

/** Wall time of one process run that writes `out`; exit 0 (clean) and 1 (conflicts written) are both a merge done. */
function processMs(command: string, args: string[], out: string): number | undefined {
  const start = performance.now();
  const result = spawnSync(command, [...args, out], { stdio: 'ignore', timeout: NBDIME_TIMEOUT_MS });
  const ms = performance.now() - start;
  return (result.status === 0 || result.status === 1) && existsSync(out) ? ms : undefined;
}

/** `labbook merge B L R -o OUT` against `nbmerge B L R -o OUT`, one run each (nbmerge takes minutes). */
function timeCommands(dir: string, files: string[]): string {
  if (!existsSync(CLI)) return 'commands not timed (no dist/cli.js: run `node esbuild.mjs`)';
  const ours = processMs(process.execPath, [CLI, 'merge', ...files, '-o'], path.join(dir, 'labbook-out.ipynb'));
  if (ours === undefined) return 'commands not timed (dist/cli.js has no working `merge`)';
  const nbmerge = path.join(path.dirname(testPython()), 'nbmerge');
  const theirs = processMs(nbmerge, [...files, '--out'], path.join(dir, 'nbmerge-out.ipynb'));
  if (theirs === undefined) return `command: labbook merge ${ours.toFixed(0)} ms, nbmerge failed`;
  return `command: labbook merge ${ours.toFixed(0)} ms vs nbmerge ${(theirs / 1000).toFixed(1)} s (${(theirs / ours).toFixed(0)}×)`;
}

function syntheticMerge(cells: number, { commands = false } = {}): Benchmark {
  return {
    name: `notebook merge: synthetic ${cells} cells (10% edited each side, ${Math.round(cells * 0.01)} same-line, ${Math.round(cells * 0.02)} apart, inserts/deletes/moves)`,
    async run(): Promise<BenchResult> {
      const triple = syntheticTriple({ cells, seed: 1800 + cells, edits: 0.1, bothEditedApart: Math.round(cells * 0.02), bothEditedSameLine: Math.round(cells * 0.01), inserts: 0.02, deletes: 0.01, moves: 3 });
      // nbdime reads the very same files.
      const dir = mkdtempSync(path.join(tmpdir(), 'labbook-nbmerge-'));
      try {
        const files = (['base', 'local', 'remote'] as const).map((side) => {
          const file = path.join(dir, `${side}.ipynb`);
          writeFileSync(file, triple[side]);
          return file;
        });
        const ours = await timeOurs(triple, cells >= 800 ? 9 : 15);
        const theirs = await timeNbdime(files, cells <= 100 ? 5 : cells <= 200 ? 3 : 1);
        const ratio = theirs.median_ms / ours.ms;
        // The known answer: every same-line edit is a conflict in ours.
        const conflicted = new Set(ours.merge.cells.filter((c) => c.conflicts.length > 0 && c.base !== null).map((c) => c.base));
        const found = triple.conflicted.filter((i) => conflicted.has(i)).length;
        const quality = `conflicts: ours ${ours.merge.stats.conflicts} (${found}/${triple.conflicted.length} planted), nbdime ${theirs.conflicts} decisions`;
        const speed = cells >= 800 ? `≥50× (got ${ratio.toFixed(0)}×); ` : '';
        const command = commands ? `; ${timeCommands(dir, files)}` : '';
        return {
          oursMs: ours.ms,
          peer: `nbdime 4.0.4${theirs.runs === 1 ? ' (1 run)' : ''}`,
          peerMs: theirs.median_ms,
          target: `${speed}${quality}${command}`,
          met: found === triple.conflicted.length && (cells < 800 || ratio >= 50),
        };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export const benchmarks: Benchmark[] = [syntheticMerge(100), syntheticMerge(400), syntheticMerge(800, { commands: true })];
