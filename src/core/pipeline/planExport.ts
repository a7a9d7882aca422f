// Export a notebook as a pipeline package: `planExport` works out steps, dataflow, warnings and
// files (and, given the output folder, which files the user edited since the last export) without
// writing anything; `writeExport` writes the plan. A manifest with a hash per generated file is
// how re-export tells an untouched file (overwritten) from an edited one (kept, reported).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Notebook } from '../notebook/notebookModel.ts';
import { analyzeDataflow } from './dataflow.ts';
import { generatePackage } from './generate.ts';
import type { ExportConflict, PipelineEdge, PipelineParameter, PipelineStep, PipelineWarning, PlannedFile } from './model.ts';
import { initPythonParser, type PythonParser, type PythonWasmPaths } from './pythonParser.ts';
import { detectSteps, type StepMode } from './steps.ts';

export const MANIFEST_FILE = '.labbook-export.json';

export interface ExportManifest {
  generator: 'labbook';
  version: 1;
  notebook: string;
  /** Generated file (relative path) → sha256 of the content Labbook wrote. */
  files: Record<string, string>;
}

export interface ExportOptions {
  /** The notebook's file name, e.g. `churn.ipynb` (titles, the flow's class name). */
  notebookName: string;
  /** The folder the package goes to; when given, files already there are compared with the manifest. */
  outDir?: string;
  /**
   * Where the notebook is (absolute, or relative to the current directory). With `outDir` it gives
   * the notebook's folder relative to the package, where the generated code runs the steps;
   * without either, the steps run in the package folder.
   */
  notebookPath?: string;
  parser?: PythonParser;
  wasmPaths?: PythonWasmPaths;
}

export interface ExportPlan {
  notebookName: string;
  mode: StepMode;
  steps: PipelineStep[];
  edges: PipelineEdge[];
  warnings: PipelineWarning[];
  hints: string[];
  parameters: PipelineParameter[];
  metrics: string[];
  files: PlannedFile[];
  conflicts: ExportConflict[];
  /** Files the last export wrote that this one does not (a step renamed or gone), untouched since: removed on write. */
  removals: string[];
  /** The folder the file actions were worked out against (absolute), if any. */
  comparedWith?: string;
  /** The notebook's folder relative to the package folder (forward slashes): the steps run there. */
  notebookDir: string;
  /** The notebook's folder (absolute), when known: a plan for one package folder cannot be written to another. */
  notebookFolder?: string;
}

export interface WriteResult {
  written: string[];
  unchanged: string[];
  /** Conflicting files left as they were (pass `force` to overwrite them). */
  kept: string[];
  removed: string[];
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `notebookFolder` relative to `packageDir`, with forward slashes, `.` when they are the same. */
export function relativeNotebookDir(packageDir: string, notebookFolder: string): string {
  const relative = path.relative(path.resolve(packageDir), path.resolve(notebookFolder));
  return relative === '' ? '.' : relative.split(path.sep).join('/');
}

export async function planExport(notebook: Notebook, options: ExportOptions): Promise<ExportPlan> {
  const parser = options.parser ?? (await initPythonParser(options.wasmPaths));
  const base = path.basename(options.notebookName).replace(/\.ipynb$/i, '');
  const detection = detectSteps(notebook, base || 'notebook');
  const flow = analyzeDataflow(notebook, detection, parser);
  const notebookFolder = options.notebookPath !== undefined ? path.dirname(path.resolve(options.notebookPath)) : undefined;
  const notebookDir = notebookFolder !== undefined && options.outDir !== undefined ? relativeNotebookDir(options.outDir, notebookFolder) : '.';
  const generated = generatePackage({ notebookName: path.basename(options.notebookName), notebookDir, flow, parser });
  const plan: ExportPlan = {
    notebookName: options.notebookName,
    mode: detection.mode,
    steps: flow.steps,
    edges: flow.edges,
    warnings: flow.warnings,
    hints: detection.hints,
    parameters: flow.parameters,
    metrics: flow.metrics,
    files: generated.map((f) => ({ ...f, action: 'create' })),
    conflicts: [],
    removals: [],
    notebookDir,
    ...(notebookFolder !== undefined ? { notebookFolder } : {}),
  };
  if (options.outDir) await compareWithDisk(plan, options.outDir);
  return plan;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function readManifest(dir: string): Promise<ExportManifest | undefined> {
  const text = await readText(path.join(dir, MANIFEST_FILE));
  if (text === undefined) return undefined;
  try {
    const json = JSON.parse(text) as Partial<ExportManifest>;
    if (json.generator !== 'labbook' || typeof json.files !== 'object' || json.files === null) return undefined;
    return { generator: 'labbook', version: 1, notebook: String(json.notebook ?? ''), files: json.files };
  } catch {
    return undefined;
  }
}

async function compareWithDisk(plan: ExportPlan, dir: string): Promise<void> {
  plan.comparedWith = path.resolve(dir);
  plan.conflicts = [];
  plan.removals = [];
  for (const file of plan.files) file.action = 'create';
  const manifest = await readManifest(dir);
  const recorded = manifest?.files ?? {};
  for (const file of plan.files) {
    const current = await readText(path.join(dir, file.path));
    if (current === undefined) continue;
    if (current === file.content) file.action = 'unchanged';
    else if (recorded[file.path] === sha256(current)) file.action = 'update';
    else {
      file.action = 'conflict';
      const edited = recorded[file.path] !== undefined;
      plan.conflicts.push({
        path: file.path,
        reason: edited ? 'edited' : 'notOurs',
        message: edited ? `${file.path} was edited since the last export; it is kept (use --force to overwrite it).` : `${file.path} exists and was not written by a Labbook export; it is kept (use --force to overwrite it).`,
      });
    }
  }
  const planned = new Set(plan.files.map((f) => f.path));
  for (const [stale, hash] of Object.entries(recorded)) {
    if (planned.has(stale)) continue;
    const current = await readText(path.join(dir, stale));
    if (current === undefined) continue;
    if (sha256(current) === hash) plan.removals.push(stale);
    else plan.conflicts.push({ path: stale, reason: 'editedStale', message: `${stale} is no longer generated but was edited since the last export; it is left in place.` });
  }
}

/** Writes the plan into `dir` (the folder it was planned against, or a new one). */
export async function writeExport(plan: ExportPlan, dir: string, options: { force?: boolean } = {}): Promise<WriteResult> {
  const result: WriteResult = { written: [], unchanged: [], kept: [], removed: [] };
  // The generated code records the notebook's folder relative to the package: elsewhere it would be wrong.
  if (plan.notebookFolder !== undefined && relativeNotebookDir(dir, plan.notebookFolder) !== plan.notebookDir) {
    throw new Error(`This export plan was made for another folder than ${dir}; plan the export again for ${dir}.`);
  }
  // A plan made for another folder (or none) says nothing about the files here: compare first.
  if (plan.comparedWith !== path.resolve(dir)) {
    plan = { ...plan, files: plan.files.map((f) => ({ ...f })) };
    await compareWithDisk(plan, dir);
  }
  const previous = (await readManifest(dir))?.files ?? {};
  const manifest: ExportManifest = { generator: 'labbook', version: 1, notebook: path.basename(plan.notebookName), files: {} };
  const root = path.resolve(dir);
  for (const file of plan.files) {
    const target = path.resolve(root, file.path);
    if (!target.startsWith(root + path.sep)) throw new Error(`Refusing to write ${file.path} outside ${dir}`);
    if (file.action === 'conflict' && !options.force) {
      result.kept.push(file.path);
      // Still ours to track: keep the old hash so the next export still sees the edit.
      const old = previous[file.path];
      if (old !== undefined) manifest.files[file.path] = old;
      continue;
    }
    manifest.files[file.path] = sha256(file.content);
    if (file.action === 'unchanged') {
      result.unchanged.push(file.path);
      continue;
    }
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.content, 'utf8');
    result.written.push(file.path);
  }
  for (const stale of plan.removals) {
    await rm(path.resolve(root, stale), { force: true });
    result.removed.push(stale);
  }
  for (const conflict of plan.conflicts) {
    if (conflict.reason === 'editedStale') {
      const old = previous[conflict.path];
      if (old !== undefined) manifest.files[conflict.path] = old;
    }
  }
  await mkdir(root, { recursive: true });
  await writeFile(path.join(root, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  return result;
}
