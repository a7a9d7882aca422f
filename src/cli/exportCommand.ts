// `labbook export NOTEBOOK --out DIR`: the notebook as a pipeline package (steps, runner, Metaflow
// flow, smoke tests). Prints the plan; exit 0 written (or a clean dry run), 1 conflicts left
// unresolved (edited files, without --force), 2 usage or read errors.
import path from 'node:path';
import { NotebookFormatError } from '../core/notebook/notebookErrors.ts';
import { readNotebookFile } from '../core/notebook/readNotebook.ts';
import { planExport, writeExport, type ExportPlan } from '../core/pipeline/planExport.ts';
import type { PythonWasmPaths } from '../core/pipeline/pythonParser.ts';
import { parseCommandArgs, UsageError } from './usage.ts';
import { errorMessage } from '../shared/errorMessage.ts';

export const EXPORT_USAGE = `  export  Turn a notebook into a pipeline package: one function per step, a cached runner
          (pipeline.py), a Metaflow flow, params.yaml, requirements.txt and smoke tests.
          labbook export NOTEBOOK.ipynb --out DIR [--force] [--dry-run] [--json]
          --out DIR       the package folder (default: pipelines/<notebook name>)
          --force         overwrite files edited since the last export
          --dry-run       show the plan, write nothing
          --json          print the plan as JSON
`;

export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}


export async function exportCommand(args: string[], io: CommandIo, wasmPaths?: PythonWasmPaths): Promise<number> {
  try {
    return await runExport(args, io, wasmPaths);
  } catch (err) {
    io.stderr.write(`labbook export: ${errorMessage(err)}\n`);
    if (err instanceof UsageError) io.stderr.write(`\n${EXPORT_USAGE}`);
    return err instanceof UsageError || err instanceof NotebookFormatError ? 2 : 1;
  }
}

async function runExport(args: string[], io: CommandIo, wasmPaths?: PythonWasmPaths): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    out: { type: 'string', short: 'o' },
    force: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(`Usage: labbook export NOTEBOOK.ipynb --out DIR [options]\n\n${EXPORT_USAGE}`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one notebook, got ${positionals.length} arguments`);
  const notebookPath = positionals[0] ?? '';
  const out = path.resolve(values.out ?? path.join('pipelines', path.basename(notebookPath).replace(/\.ipynb$/i, '')));
  const notebook = await readNotebookFile(notebookPath);
  const plan = await planExport(notebook, { notebookName: path.basename(notebookPath), notebookPath, outDir: out, ...(wasmPaths ? { wasmPaths } : {}) });
  if (values.json) io.stdout.write(`${JSON.stringify({ ...plan, files: plan.files.map(({ content: _content, ...f }) => f) }, null, 2)}\n`);
  else io.stdout.write(renderPlan(plan, out));
  const blocked = plan.conflicts.length > 0 && !values.force;
  if (values['dry-run']) return blocked ? 1 : 0;
  const result = await writeExport(plan, out, { force: values.force === true });
  if (!values.json) {
    io.stdout.write(`\nWrote ${result.written.length} file(s) to ${out}; ${result.unchanged.length} unchanged${result.removed.length ? `, ${result.removed.length} removed` : ''}.\n`);
    if (result.kept.length) io.stdout.write(`Kept ${result.kept.length} edited file(s): ${result.kept.join(', ')} (use --force to overwrite).\n`);
  }
  return blocked ? 1 : 0;
}

function location(w: { cell?: number; line?: number }): string {
  if (w.cell === undefined) return '';
  return `cell ${w.cell + 1}${w.line !== undefined ? `, line ${w.line}` : ''}: `;
}

export function renderPlan(plan: ExportPlan, out: string): string {
  const lines: string[] = [`Pipeline from ${plan.notebookName} → ${out} (steps found by ${plan.mode})`, '', 'Steps:'];
  for (const step of plan.steps) {
    lines.push(`  ${step.name}  (cells ${step.cells.map((c) => c + 1).join(', ')})`);
    if (step.inputs.length) lines.push(`      in:  ${step.inputs.map((i) => `${i.name} ← ${i.from}`).join(', ')}`);
    if (step.params.length) lines.push(`      params: ${step.params.join(', ')}`);
    if (step.outputs.length) lines.push(`      out: ${step.outputs.map((o) => (o.kind === 'unknown' ? o.name : `${o.name} (${o.kind})`)).join(', ')}`);
  }
  lines.push('', 'Edges:');
  for (const edge of plan.edges) lines.push(`  ${edge.from} → ${edge.to}${edge.names.length ? `: ${edge.names.join(', ')}` : ' (order only)'}`);
  if (plan.edges.length === 0) lines.push('  (none)');
  if (plan.metrics.length) lines.push('', `Metrics: ${plan.metrics.join(', ')}`);
  if (plan.warnings.length) {
    lines.push('', 'Warnings:');
    for (const w of plan.warnings) lines.push(`  ${location(w)}${w.message}`);
  }
  for (const hint of plan.hints) lines.push('', `Hint: ${hint}`);
  lines.push('', 'Files:');
  for (const file of plan.files) lines.push(`  ${file.action.padEnd(9)} ${file.path}`);
  for (const removal of plan.removals) lines.push(`  ${'remove'.padEnd(9)} ${removal}`);
  if (plan.conflicts.length) {
    lines.push('', 'Conflicts:');
    for (const c of plan.conflicts) lines.push(`  ${c.message}`);
  }
  return `${lines.join('\n')}\n`;
}
