// Pipeline export speed: planExport (step detection, dataflow analysis with tree-sitter, code
// generation) of a synthetic 200-cell notebook, with the one-time parser initialisation measured
// separately. No peer tool does the same job, so there is no ratio.
import { planExport } from '../src/core/pipeline/planExport.ts';
import { initPythonParser } from '../src/core/pipeline/pythonParser.ts';
import type { Notebook, NotebookCell } from '../src/core/notebook/notebookModel.ts';
import { medianMs, type Benchmark, type BenchResult } from './timing.ts';

const TARGET_MS = 500;

/** A notebook that looks like real work: imports, a parameters cell, H2 steps of 5 code cells each. */
export function syntheticPipelineNotebook(codeCells: number): Notebook {
  const cell = (cellType: 'code' | 'markdown', source: string, tags?: string[]): NotebookCell => ({ cellType, source, metadata: tags ? { tags } : {}, outputs: [], executionCount: null });
  const cells: NotebookCell[] = [
    cell('code', 'n_rows = 1000\nseed = 0\nalpha = 0.5', ['parameters']),
    cell('code', 'import numpy as np\nimport pandas as pd\nfrom sklearn.linear_model import Ridge\nfrom sklearn.metrics import r2_score'),
  ];
  for (let i = 0; i < codeCells - 2; i++) {
    if (i % 5 === 0) cells.push(cell('markdown', `## Stage ${i / 5}\n\nWhat this stage does.`));
    const prev = i === 0 ? 'pd.DataFrame({"a": np.arange(n_rows)})' : `frame_${i - 1}`;
    cells.push(
      cell(
        'code',
        [
          `%time`,
          `frame_${i} = ${prev}.copy()`,
          `frame_${i}["c${i}"] = [v * ${i} for v in frame_${i}["a"]]`,
          `def helper_${i}(x, k=${i}):\n    return x + k`,
          `stats_${i} = {"mean": float(frame_${i}["a"].mean()), "n": len(frame_${i})}`,
          `if stats_${i}["n"] > 10:\n    frame_${i}.drop(columns=["c${i}"], inplace=True)`,
          `frame_${i}["a"] = helper_${i}(frame_${i}["a"])`,
        ].join('\n'),
      ),
    );
  }
  return { nbformat: 4, nbformatMinor: 5, metadata: {}, cells };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'pipeline export: planExport of a 200-cell notebook (parser init separate)',
    async run(): Promise<BenchResult> {
      const initStart = performance.now();
      const parser = await initPythonParser();
      const initMs = performance.now() - initStart;
      const notebook = syntheticPipelineNotebook(200);
      let steps = 0;
      const ms = await medianMs(async () => {
        const plan = await planExport(notebook, { notebookName: 'synthetic.ipynb', parser });
        steps = plan.steps.length;
      }, 7);
      return {
        oursMs: ms,
        target: `<${TARGET_MS} ms (got ${ms.toFixed(0)} ms, ${steps} steps; parser init ${initMs.toFixed(0)} ms once)`,
        met: ms < TARGET_MS,
      };
    },
  },
];
