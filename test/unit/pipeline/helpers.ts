import { analyzeCell } from '../../../src/core/pipeline/cellAnalysis.ts';
import type { CellAnalysis } from '../../../src/core/pipeline/cellAnalysisModel.ts';
import { analyzeDataflow, type Dataflow } from '../../../src/core/pipeline/dataflow.ts';
import { commentOutMagics } from '../../../src/core/pipeline/magics.ts';
import { initPythonParser, type PythonParser } from '../../../src/core/pipeline/pythonParser.ts';
import { detectSteps } from '../../../src/core/pipeline/steps.ts';
import { emptyKindContext } from '../../../src/core/pipeline/valueKind.ts';
import type { Notebook, NotebookCell } from '../../../src/core/notebook/notebookModel.ts';

export function parser(): Promise<PythonParser> {
  return initPythonParser();
}

/** A code cell; `tags` go to metadata.tags. */
export function code(source: string, tags?: string[]): NotebookCell {
  return { cellType: 'code', source, metadata: tags ? { tags } : {}, outputs: [], executionCount: null };
}

export function markdown(source: string): NotebookCell {
  return { cellType: 'markdown', source, metadata: {}, outputs: [], executionCount: null };
}

export function notebook(...cells: NotebookCell[]): Notebook {
  return { nbformat: 4, nbformatMinor: 5, metadata: {}, cells };
}

/** One cell's analysis (magics commented out first, as the export does). */
export async function cell(source: string): Promise<CellAnalysis> {
  const p = await parser();
  const tree = p.parse(commentOutMagics(source).code);
  try {
    return analyzeCell(tree, emptyKindContext());
  } finally {
    tree.delete();
  }
}

/** The events of one cell, as `kind name@line` strings (deferred uses marked `use*`). */
export async function events(source: string): Promise<string[]> {
  return (await cell(source)).events.map((e) => `${e.kind === 'use' && e.deferred ? 'use*' : e.kind} ${e.name}@${e.line}`);
}

export async function dataflow(nb: Notebook): Promise<Dataflow> {
  return analyzeDataflow(nb, detectSteps(nb), await parser());
}

/** Steps as `name(inputs) -> outputs`, with each input's source step. */
export function shape(flow: Dataflow): string[] {
  return flow.steps.map((s) => `${s.name}(${s.inputs.map((i) => `${i.name}<-${i.from}`).join(', ')}) -> ${s.outputs.map((o) => o.name).join(', ')}`);
}

/** Warnings as `kind cell:line`. */
export function warningsAt(flow: Dataflow): string[] {
  return flow.warnings.map((w) => `${w.kind} ${w.cell ?? '-'}:${w.line ?? '-'}`);
}
