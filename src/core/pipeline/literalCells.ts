// The cells that hold plain values: the parameters cell (`name = literal` lines become pipeline
// parameters) and the functions cells (their literals become constants in steps/_shared.py).
// Other statements there are left out, with a warning.
import type { AnalyzedCell } from './analyzedCells.ts';
import type { LiteralAssignment } from './cellAnalysisModel.ts';
import type { PipelineParameter, PipelineWarning } from './model.ts';

export type SharedConstant = LiteralAssignment & { cell: number };

export function collectParameters(cellIndices: number[], get: (i: number) => AnalyzedCell | undefined, warnings: PipelineWarning[]): PipelineParameter[] {
  const parameters = new Map<string, PipelineParameter>();
  for (const index of cellIndices) {
    const cell = get(index);
    if (!cell) continue;
    for (const literal of cell.analysis.literals) parameters.set(literal.name, { name: literal.name, value: literal.value, literal: literal.literal, cell: index, line: literal.line });
    const importLines = new Set(cell.analysis.importRanges.map((r) => r.start));
    for (const other of cell.analysis.otherStatements) {
      if (importLines.has(other.start)) continue;
      warnings.push({ kind: 'parameters', cell: index, line: other.line, message: `Line ${other.line} of the parameters cell is not a \`name = literal\` assignment; pipeline parameters must be plain values, so it is left out.` });
    }
  }
  return [...parameters.values()];
}

export function collectSharedConstants(cellIndices: number[], get: (i: number) => AnalyzedCell | undefined, warnings: PipelineWarning[]): SharedConstant[] {
  const constants: SharedConstant[] = [];
  for (const index of cellIndices) {
    const cell = get(index);
    if (!cell) continue;
    constants.push(...cell.analysis.literals.map((l) => ({ ...l, cell: index })));
    const skip = new Set([...cell.analysis.importRanges.map((r) => r.start)]);
    for (const other of cell.analysis.otherStatements) {
      if (skip.has(other.start)) continue;
      warnings.push({ kind: 'parameters', cell: index, line: other.line, message: `Line ${other.line} of the functions cell is neither a definition nor a \`name = literal\` constant; it is left out of the shared module.` });
    }
  }
  return constants;
}
