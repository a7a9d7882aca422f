// Each cell the export needs, parsed and analysed once: magics commented out, names and imports
// found (cellAnalysis.ts), with warnings for the magics and for syntax errors.
import { analyzeCell } from './cellAnalysis.ts';
import type { CellAnalysis } from './cellAnalysisModel.ts';
import { commentOutMagics } from './magics.ts';
import type { PipelineWarning } from './model.ts';
import type { PythonParser } from './pythonParser.ts';
import type { StepDetection } from './steps.ts';
import { emptyKindContext } from './valueKind.ts';

export interface AnalyzedCell {
  index: number;
  /** The source with magics commented out (what was parsed). */
  code: string;
  analysis: CellAnalysis;
}

export function analyzeCells(detection: StepDetection, parser: PythonParser, warnings: PipelineWarning[]): Map<number, AnalyzedCell> {
  const wanted = new Set([
    ...detection.steps.flatMap((s) => s.cells),
    ...detection.importsCells,
    ...detection.functionsCells,
    ...detection.parametersCells,
    ...detection.metricsCells,
  ]);
  const kinds = emptyKindContext();
  const cells = new Map<number, AnalyzedCell>();
  for (const index of [...wanted].sort((a, b) => a - b)) {
    const source = detection.sources.get(index);
    if (source === undefined) continue;
    const cleaned = commentOutMagics(source);
    for (const magic of cleaned.magics) {
      warnings.push({ kind: 'magic', cell: index, line: magic.line, message: `IPython syntax \`${magic.text}\` is not Python; it is commented out in the generated code.` });
    }
    const tree = parser.parse(cleaned.code);
    try {
      const analysis = analyzeCell(tree, kinds);
      for (const line of analysis.syntaxErrors) warnings.push({ kind: 'syntaxError', cell: index, line, message: `Cell ${index + 1} has a Python syntax error at line ${line}; names there may be missed.` });
      cells.set(index, { index, code: cleaned.code, analysis });
    } finally {
      tree.delete();
    }
  }
  return cells;
}
