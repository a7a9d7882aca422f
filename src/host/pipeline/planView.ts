// The ExportPlan as the preview panel receives it: plain JSON, file contents left out, each step's
// cells with a short preview of their source. No `vscode` import, so webview tests build the same
// payload from fixture notebooks.
import path from 'node:path';
import type { Notebook } from '../../core/notebook/notebookModel.ts';
import type { ExportPlan } from '../../core/pipeline/planExport.ts';
import type { PipelineFileView, PipelinePlanView } from '../../protocol/pipeline.ts';

const PREVIEW_LINES = 3;
const PREVIEW_CHARS = 240;

/** The first few non-empty lines of a cell, shortened. */
export function cellPreview(source: string): string {
  const lines = source.split('\n').filter((l) => l.trim() !== '');
  let text = lines.slice(0, PREVIEW_LINES).join('\n');
  if (text.length > PREVIEW_CHARS) text = `${text.slice(0, PREVIEW_CHARS - 1)}…`;
  else if (lines.length > PREVIEW_LINES) text += '\n…';
  return text;
}

export interface PlanLocation {
  notebookPath: string;
  /** The output folder as the user gave it. */
  outDir: string;
  outDirAbsolute: string;
}

export function toPlanView(plan: ExportPlan, notebook: Notebook, where: PlanLocation): PipelinePlanView {
  const conflictOf = new Map(plan.conflicts.map((c) => [c.path, c.message]));
  const files: PipelineFileView[] = [
    ...plan.files.map((f) => {
      const message = f.action === 'conflict' ? conflictOf.get(f.path) : undefined;
      return message === undefined ? { path: f.path, action: f.action } : { path: f.path, action: f.action, conflict: message };
    }),
    ...plan.removals.map((p) => ({ path: p, action: 'remove' as const })),
  ];
  return {
    notebookPath: where.notebookPath,
    notebookName: path.basename(plan.notebookName),
    outDir: where.outDir,
    outDirAbsolute: where.outDirAbsolute,
    mode: plan.mode,
    steps: plan.steps.map((s) => ({
      name: s.name,
      title: s.title,
      cells: s.cells.map((index) => {
        const cell = notebook.cells[index];
        const preview = cellPreview(cell?.source ?? '');
        return cell?.id ? { index, id: cell.id, preview } : { index, preview };
      }),
      inputs: s.inputs.map((i) => ({ name: i.name, from: i.from })),
      outputs: s.outputs.map((o) => ({ name: o.name, kind: o.kind })),
      params: [...s.params],
      prev: [...s.prev],
    })),
    edges: plan.edges.map((e) => ({ from: e.from, to: e.to, names: [...e.names] })),
    warnings: plan.warnings.map((w) => ({
      kind: w.kind,
      message: w.message,
      ...(w.cell === undefined ? {} : { cellIndex: w.cell }),
      ...(w.line === undefined ? {} : { line: w.line }),
      ...(w.step === undefined ? {} : { step: w.step }),
    })),
    hints: [...plan.hints],
    parameters: plan.parameters.map((p) => ({ name: p.name, literal: p.literal })),
    metrics: [...plan.metrics],
    files,
    conflicts: plan.conflicts.map((c) => ({ path: c.path, reason: c.reason, message: c.message })),
  };
}
