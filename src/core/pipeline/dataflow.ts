// The dataflow between steps: every step's inputs are the names it reads that an earlier step
// defines (the latest definer wins, as when the notebook runs top to bottom); its outputs are the
// names it defines that a later step (or the metrics) reads. Imports and pure top-level functions
// are shared code, not data. Problems come back as warnings with the cell and line.
import type { Notebook } from '../notebook/notebookModel.ts';
import { analyzeCells, type AnalyzedCell } from './analyzedCells.ts';
import type { ImportBinding, NameEvent } from './cellAnalysisModel.ts';
import { collectParameters, collectSharedConstants, type SharedConstant } from './literalCells.ts';
import type { PipelineEdge, PipelineParameter, PipelineStep, PipelineWarning, ValueKind } from './model.ts';
import type { PythonParser } from './pythonParser.ts';
import { PYTHON_BUILTINS } from './pythonNames.ts';
import { selectShared, stripHoisted, type SharedDefinition } from './sharedCode.ts';
import { buildEdges } from './stepEdges.ts';
import type { StepDetection } from './steps.ts';

/** What code generation needs beyond the public step model. */
export interface StepCode {
  /** Each cell's code without its hoisted imports and shared definitions. */
  cells: Array<{ index: number; code: string }>;
  /** Imported names the step's own code reads. */
  imports: string[];
  /** Shared functions, classes and constants it reads. */
  shared: string[];
  /** Names it assigns at top level and never reads, nor passes on: `del`-ed so linters see them used. */
  unused: string[];
}

export interface Dataflow {
  steps: PipelineStep[];
  edges: PipelineEdge[];
  warnings: PipelineWarning[];
  parameters: PipelineParameter[];
  /** Metric names (from the pipeline-metrics cell, or every output of the last step, filtered to numbers at run time). */
  metrics: string[];
  metricsFromLastStep: boolean;
  /** First import binding of each imported name. */
  imports: Map<string, ImportBinding>;
  starImports: Array<{ module: string; cell: number; line: number }>;
  sharedDefinitions: SharedDefinition[];
  sharedConstants: SharedConstant[];
  code: Map<string, StepCode>;
}

interface Definition {
  line: number;
  cell: number;
  kind: ValueKind;
  unserializable?: string;
}

export function analyzeDataflow(notebook: Notebook, detection: StepDetection, parser: PythonParser): Dataflow {
  const warnings: PipelineWarning[] = [...detection.warnings];
  const cells = analyzeCells(detection, parser, warnings);
  const get = (index: number) => cells.get(index);

  const imports = new Map<string, ImportBinding>();
  const starImports: Dataflow['starImports'] = [];
  for (const cell of cells.values()) {
    for (const binding of cell.analysis.imports) if (!imports.has(binding.name)) imports.set(binding.name, binding);
    for (const star of cell.analysis.starImports) {
      starImports.push({ ...star, cell: cell.index });
      warnings.push({ kind: 'starImport', cell: cell.index, line: star.line, message: `\`from ${star.module} import *\` hides which names it brings in; the export cannot tell what each step needs. Import the names explicitly.` });
    }
  }

  const parameters = collectParameters(detection.parametersCells, get, warnings);
  const paramNames = new Set(parameters.map((p) => p.name));
  const sharedConstants = collectSharedConstants(detection.functionsCells, get, warnings);

  // Every name a step assigns at top level (not counting definitions), to tell shareable functions apart.
  const stepAssigned = new Set<string>();
  for (const step of detection.steps) {
    for (const index of step.cells) for (const e of get(index)?.analysis.events ?? []) if (e.kind === 'def' && e.owner === undefined) stepAssigned.add(e.name);
  }
  const { shared, kept } = selectShared(detection, get, imports, sharedConstants, stepAssigned, paramNames);
  const sharedNames = new Set([...shared.map((d) => d.name), ...sharedConstants.map((c) => c.name)]);
  for (const def of kept) {
    for (const free of def.free) {
      if (!stepAssigned.has(free.name)) continue;
      warnings.push({ kind: 'functionReadsGlobal', cell: def.cell, line: free.line, message: `${def.kind === 'class' ? 'Class' : 'Function'} \`${def.name}\` reads the global \`${free.name}\`, which a notebook step defines: it stays inside its step instead of the shared module. Pass \`${free.name}\` as an argument to make it reusable.` });
    }
  }
  const hoisted = new Set(shared.map((d) => `${d.cell}:${d.start}`));

  const provided = (name: string) => imports.has(name) || sharedNames.has(name) || PYTHON_BUILTINS.has(name) || starImports.length > 0;
  const definers = new Map<string, { step: string; def: Definition }>();
  const steps: PipelineStep[] = [];
  const code = new Map<string, StepCode>();
  const reported = new Set<string>();

  for (const detected of detection.steps) {
    const step: PipelineStep = { name: detected.name, title: detected.title, cells: detected.cells, inputs: [], params: [], outputs: [], prev: detected.prev };
    const local = new Map<string, Definition>();
    const deleted = new Set<string>();
    const used = new Set<string>();
    const plainDefs = new Set<string>();
    const otherDefs = new Set<string>();
    const deferred: Array<{ name: string; cell: number; line: number }> = [];
    const inputNames = new Set<string>();
    const params = new Set<string>();

    const resolve = (name: string, cell: number, line: number, definedLater: boolean) => {
      used.add(name);
      if (local.has(name)) return;
      const upstream = definers.get(name);
      if (upstream) {
        if (!inputNames.has(name)) {
          inputNames.add(name);
          step.inputs.push({ name, from: upstream.step });
        }
        return;
      }
      if (paramNames.has(name)) {
        params.add(name);
        return;
      }
      if (provided(name)) return;
      const key = `${cell}:${line}:${name}`;
      if (reported.has(key)) return;
      reported.add(key);
      warnings.push({
        kind: 'undefinedName',
        cell,
        line,
        step: step.name,
        message: definedLater
          ? `\`${name}\` is used before step '${step.name}' defines it.`
          : `\`${name}\` is used but no earlier step, import or parameter defines it.`,
      });
    };

    for (const index of detected.cells) {
      const cell = get(index);
      if (!cell) continue;
      const laterDefs = new Set(cell.analysis.events.filter((e) => e.kind === 'def').map((e) => e.name));
      for (const e of cell.analysis.events) {
        if (e.owner !== undefined && hoisted.has(`${index}:${ownerStart(cell, e.owner)}`)) continue;
        switch (e.kind) {
          case 'use':
            if (e.deferred) deferred.push({ name: e.name, cell: index, line: e.line });
            else resolve(e.name, index, e.line, laterDefs.has(e.name) && !local.has(e.name));
            break;
          case 'mutate': {
            resolve(e.name, index, e.line, false);
            const previous = local.get(e.name) ?? definers.get(e.name)?.def;
            if (!imports.has(e.name) || local.has(e.name) || definers.has(e.name)) {
              local.set(e.name, previous ? { ...previous } : { line: e.line, cell: index, kind: 'unknown' });
              otherDefs.add(e.name);
            }
            break;
          }
          case 'def':
            define(local, e, index);
            deleted.delete(e.name);
            (e.plain ? plainDefs : otherDefs).add(e.name);
            break;
          case 'del':
            // `del x` needs x: from this step, or as an input.
            resolve(e.name, index, e.line, false);
            local.delete(e.name);
            deleted.add(e.name);
            otherDefs.add(e.name);
            break;
        }
      }
    }
    for (const use of deferred) {
      used.add(use.name);
      if (!local.has(use.name)) resolve(use.name, use.cell, use.line, false);
    }
    step.params = [...params].sort();
    for (const name of deleted) definers.delete(name);
    for (const [name, def] of local) definers.set(name, { step: step.name, def });
    steps.push(step);

    const stepCode: StepCode = {
      cells: detected.cells.map((index) => ({ index, code: stripHoisted(get(index), hoisted) })),
      imports: [...used].filter((n) => imports.has(n) && !local.has(n) && !inputNames.has(n)).sort(),
      shared: [...used].filter((n) => sharedNames.has(n) && !inputNames.has(n)).sort(),
      unused: [...plainDefs].filter((n) => !used.has(n) && !otherDefs.has(n) && local.has(n)),
    };
    code.set(step.name, stepCode);
  }

  // Outputs: what later steps read, plus the metrics.
  const byName = new Map(steps.map((s) => [s.name, s]));
  const finalDefs = new Map<string, Map<string, Definition>>();
  const addOutput = (stepName: string, name: string) => {
    const step = byName.get(stepName);
    if (!step || step.outputs.some((o) => o.name === name)) return;
    const def = definitionOf(stepName, name, steps, get, hoisted, finalDefs);
    step.outputs.push({ name, kind: def?.kind ?? 'unknown' });
    if (def?.unserializable) {
      warnings.push({ kind: 'unserializable', cell: def.cell, line: def.line, step: stepName, message: `\`${name}\` looks like ${def.unserializable}, which is unlikely to survive being saved and passed to the next step. Recreate it in the step that uses it.` });
    }
  };
  for (const step of steps) for (const input of step.inputs) addOutput(input.from, input.name);

  let metrics: string[] = [];
  const metricsFromLastStep = detection.metricsCells.length === 0;
  if (!metricsFromLastStep) {
    for (const index of detection.metricsCells) {
      for (const e of get(index)?.analysis.events ?? []) {
        if (e.kind !== 'use' || e.deferred || metrics.includes(e.name) || provided(e.name)) continue;
        const definer = definers.get(e.name);
        if (!definer) {
          warnings.push({ kind: 'undefinedName', cell: index, line: e.line, message: `The metrics cell reports \`${e.name}\`, which no step defines.` });
          continue;
        }
        metrics.push(e.name);
        addOutput(definer.step, e.name);
      }
    }
  } else {
    const last = steps[steps.length - 1];
    if (last) {
      const lastDefs = [...definers].filter(([, d]) => d.step === last.name).map(([name]) => name);
      for (const name of lastDefs) {
        const def = definitionOf(last.name, name, steps, get, hoisted, finalDefs);
        if (def?.unserializable) continue;
        addOutput(last.name, name);
      }
      metrics = last.outputs.map((o) => o.name);
    }
  }
  for (const step of steps) {
    const stepCode = code.get(step.name);
    if (stepCode) stepCode.unused = stepCode.unused.filter((n) => !step.outputs.some((o) => o.name === n));
  }

  const edges = buildEdges(steps, warnings);
  return { steps, edges, warnings, parameters, metrics, metricsFromLastStep, imports, starImports, sharedDefinitions: shared, sharedConstants, code };

  function define(local: Map<string, Definition>, e: NameEvent, cell: number): void {
    local.set(e.name, { line: e.line, cell, kind: e.kindHint ?? 'unknown', ...(e.unserializable ? { unserializable: e.unserializable } : {}) });
  }
}

function ownerStart(cell: AnalyzedCell, owner: string): number {
  return cell.analysis.topDefinitions.find((d) => d.name === owner)?.start ?? -1;
}

/** The last top-level definition of `name` in a step (for its kind and serializability). */
function definitionOf(
  stepName: string,
  name: string,
  steps: PipelineStep[],
  get: (index: number) => AnalyzedCell | undefined,
  hoisted: Set<string>,
  cache: Map<string, Map<string, Definition>>,
): Definition | undefined {
  let defs = cache.get(stepName);
  if (!defs) {
    defs = new Map();
    const step = steps.find((s) => s.name === stepName);
    for (const index of step?.cells ?? []) {
      const cell = get(index);
      for (const e of cell?.analysis.events ?? []) {
        if (e.owner !== undefined && cell && hoisted.has(`${index}:${ownerStart(cell, e.owner)}`)) continue;
        if (e.kind === 'def') defs.set(e.name, { line: e.line, cell: index, kind: e.kindHint ?? 'unknown', ...(e.unserializable ? { unserializable: e.unserializable } : {}) });
        else if (e.kind === 'mutate' && !defs.has(e.name)) defs.set(e.name, { line: e.line, cell: index, kind: 'unknown' });
      }
    }
    cache.set(stepName, defs);
  }
  return defs.get(name);
}
