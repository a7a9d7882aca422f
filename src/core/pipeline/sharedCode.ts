// What moves to steps/_shared.py (top-level functions and classes that need nothing from the steps),
// and each cell's code without what was hoisted out of it (its imports and those definitions).
import type { AnalyzedCell } from './analyzedCells.ts';
import type { ImportBinding, TopDefinition } from './cellAnalysisModel.ts';
import type { SharedConstant } from './literalCells.ts';
import { PYTHON_BUILTINS } from './pythonNames.ts';
import type { StepDetection } from './steps.ts';

export interface SharedDefinition extends TopDefinition {
  cell: number;
}

/**
 * Top-level functions and classes that need nothing from the notebook's steps (only imports,
 * builtins, shared constants and each other) move to steps/_shared.py. Definitions in a
 * `functions` cell go there regardless: the author said they are shared.
 */
export function selectShared(
  detection: StepDetection,
  get: (i: number) => AnalyzedCell | undefined,
  imports: Map<string, ImportBinding>,
  constants: SharedConstant[],
  stepAssigned: Set<string>,
  params: Set<string>,
): { shared: SharedDefinition[]; kept: SharedDefinition[] } {
  const all: SharedDefinition[] = [];
  const cellsInOrder = [...new Set([...detection.functionsCells, ...detection.importsCells, ...detection.steps.flatMap((s) => s.cells)])].sort((a, b) => a - b);
  for (const index of cellsInOrder) for (const def of get(index)?.analysis.topDefinitions ?? []) all.push({ ...def, cell: index });
  const constantNames = new Set(constants.map((c) => c.name));
  const functionsCells = new Set(detection.functionsCells);
  let candidates = all.filter((d) => functionsCells.has(d.cell) || (d.writesGlobals.length === 0 && !stepAssigned.has(d.name)));
  for (let round = 0; round < all.length + 1; round++) {
    const names = new Set(candidates.map((d) => d.name));
    const next = candidates.filter(
      (d) => functionsCells.has(d.cell) || d.free.every((f) => names.has(f.name) || imports.has(f.name) || constantNames.has(f.name) || (PYTHON_BUILTINS.has(f.name) && !params.has(f.name))),
    );
    if (next.length === candidates.length) break;
    candidates = next;
  }
  const sharedSet = new Set(candidates);
  // One definition per name: a later redefinition that is not shared keeps the name out of _shared.
  const shared = candidates.filter((d) => all.filter((o) => o.name === d.name).every((o) => sharedSet.has(o)));
  const keptSet = new Set(shared);
  return { shared, kept: all.filter((d) => !keptSet.has(d)) };
}

/** A cell's code without its top-level imports and the definitions moved to _shared.py. */
export function stripHoisted(cell: AnalyzedCell | undefined, hoisted: Set<string>): string {
  if (!cell) return '';
  const ranges = [
    ...cell.analysis.importRanges,
    ...cell.analysis.topDefinitions.filter((d) => hoisted.has(`${cell.index}:${d.start}`)).map((d) => ({ start: d.start, end: d.end })),
  ].sort((a, b) => a.start - b.start);
  return removeRanges(cell.code, ranges);
}

/** Removes whole-statement ranges; a line left empty (or with only a comment) goes too. */
export function removeRanges(code: string, ranges: Array<{ start: number; end: number }>): string {
  let out = '';
  let at = 0;
  for (const range of ranges) {
    if (range.start < at) continue;
    let start = range.start;
    const lineStart = code.lastIndexOf('\n', start - 1) + 1;
    if (code.slice(lineStart, start).trim() === '') start = lineStart;
    let end = range.end;
    const lineEnd = code.indexOf('\n', end);
    const rest = code.slice(end, lineEnd < 0 ? code.length : lineEnd);
    if (/^\s*(#.*)?$/.test(rest)) end = lineEnd < 0 ? code.length : lineEnd + 1;
    else {
      const semicolon = /^\s*;\s*/.exec(rest);
      if (semicolon) end += semicolon[0].length;
    }
    out += code.slice(at, start);
    at = end;
  }
  return out + code.slice(at);
}
