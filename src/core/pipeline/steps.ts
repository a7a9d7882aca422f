// Where a notebook's steps begin, by precedence: Kale cell tags (`step:`/`block:`, `prev:`, …),
// then `# %% [step] name` markers on a code cell's first line, then `## ` markdown headings; a
// notebook with none of these is one step. Role tags (imports, functions, parameters, metrics,
// skip) apply whichever way steps are found. Untagged cells join the step above.
import type { Notebook, NotebookCell } from '../notebook/notebookModel.ts';
import type { PipelineWarning } from './model.ts';

export type StepMode = 'tags' | 'markers' | 'headings' | 'single';

export interface DetectedStep {
  name: string;
  title: string;
  cells: number[];
  /** Sanitised names of the steps its `prev:` tags name. */
  prev: string[];
}

export interface StepDetection {
  mode: StepMode;
  steps: DetectedStep[];
  importsCells: number[];
  functionsCells: number[];
  parametersCells: number[];
  metricsCells: number[];
  skippedCells: number[];
  /** Each code cell's source with its `# %% [step]` marker line blanked (other cells absent). */
  sources: Map<number, string>;
  hints: string[];
  warnings: PipelineWarning[];
}

const STEP_TAG = /^(?:step|block):(.+)$/;
const PREV_TAG = /^prev:(.+)$/;
const MARKER = /^\s*#\s*%%\s*\[step\]\s*(.*?)\s*$/;
const HEADING = /^##[ \t]+(.+?)[ \t]*#*[ \t]*$/gm;

const PYTHON_KEYWORDS: ReadonlySet<string> = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case type'.split(' '),
);
/** Names a step cannot take: Python keywords, Metaflow's own steps and FlowSpec attributes, our modules. */
const RESERVED: ReadonlySet<string> = new Set(['start', 'end', 'next', 'input', 'index', 'name', 'run', 'cmd', 'script_name', 'merge_artifacts', 'foreach_stack', 'steps', 'pipeline', 'params', 'flow', 'tests', 'main']);

export const SINGLE_STEP_HINT =
  'This notebook has no step tags, `# %% [step] name` markers or `## ` headings, so it exports as a single step. ' +
  'To split it, start code cells with `# %% [step] load_data` lines, add `## Load data` markdown headings, ' +
  'or tag cells the Kale way (`step:load_data`, `prev:load_data`, `imports`, `functions`, `parameters`, `pipeline-metrics`, `skip`).';

/** A Python identifier for a step title, unique among `taken` (which it joins). */
export function sanitizeStepName(raw: string, taken: Set<string>): string {
  let name = raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (name === '') name = 'step';
  if (/^\d/.test(name)) name = `step_${name}`;
  if (PYTHON_KEYWORDS.has(name) || RESERVED.has(name)) name = `${name}_step`;
  let unique = name;
  for (let n = 2; taken.has(unique); n++) unique = `${name}_${n}`;
  taken.add(unique);
  return unique;
}

export function cellTags(cell: NotebookCell): string[] {
  const tags = cell.metadata.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string').map((t) => t.trim()) : [];
}

type Role = 'code' | 'imports' | 'functions' | 'parameters' | 'metrics' | 'skip';

function roleOf(tags: string[]): Role {
  if (tags.includes('skip')) return 'skip';
  if (tags.includes('imports')) return 'imports';
  if (tags.includes('functions')) return 'functions';
  if (tags.includes('parameters') || tags.includes('pipeline-parameters')) return 'parameters';
  if (tags.includes('pipeline-metrics')) return 'metrics';
  return 'code';
}

export function detectSteps(notebook: Notebook, singleStepName = 'notebook'): StepDetection {
  const cells = notebook.cells;
  const hasStepTags = cells.some((c) => c.cellType === 'code' && cellTags(c).some((t) => STEP_TAG.test(t)));
  const hasMarkers = !hasStepTags && cells.some((c) => c.cellType === 'code' && MARKER.test(firstLine(c.source)));
  const hasHeadings = !hasStepTags && !hasMarkers && cells.some((c) => c.cellType === 'markdown' && new RegExp(HEADING.source, 'm').test(c.source));
  const mode: StepMode = hasStepTags ? 'tags' : hasMarkers ? 'markers' : hasHeadings ? 'headings' : 'single';

  const detection: StepDetection = { mode, steps: [], importsCells: [], functionsCells: [], parametersCells: [], metricsCells: [], skippedCells: [], sources: new Map(), hints: [], warnings: [] };
  const taken = new Set<string>();
  const byTag = new Map<string, DetectedStep>();
  const rawPrev = new Map<DetectedStep, string[]>();
  let current: DetectedStep | undefined;
  let pending: number[] = [];
  let heading: string | undefined;

  const start = (title: string): DetectedStep => {
    const step: DetectedStep = { name: sanitizeStepName(title, taken), title, cells: [...pending], prev: [] };
    pending = [];
    detection.steps.push(step);
    return step;
  };

  cells.forEach((cell, index) => {
    if (cell.cellType === 'markdown' && mode === 'headings') {
      const titles = [...cell.source.matchAll(HEADING)].map((m) => m[1] ?? '');
      if (titles.length > 0) heading = titles[titles.length - 1];
      return;
    }
    if (cell.cellType !== 'code') return;
    const tags = cellTags(cell);
    const role = roleOf(tags);
    let source = cell.source;
    const marker = MARKER.exec(firstLine(source));
    // The marker line is blanked, not removed, so line numbers in warnings stay the cell's own.
    if (marker) source = source.replace(/^[^\n]*/, '');
    detection.sources.set(index, source);
    if (role === 'skip') return void detection.skippedCells.push(index);
    if (role === 'imports') return void detection.importsCells.push(index);
    if (role === 'functions') return void detection.functionsCells.push(index);
    if (role === 'parameters') return void detection.parametersCells.push(index);
    if (role === 'metrics') return void detection.metricsCells.push(index);
    if (source.trim() === '') return;

    if (mode === 'tags') {
      const tag = tags.map((t) => STEP_TAG.exec(t)?.[1]?.trim()).find((t) => t);
      if (tag) {
        // Kale: cells tagged with the same step name are one step, wherever they are.
        current = byTag.get(tag) ?? start(tag);
        byTag.set(tag, current);
        if (!current.cells.includes(index)) current.cells.push(index);
        const prevs = tags.map((t) => PREV_TAG.exec(t)?.[1]?.trim()).filter((t): t is string => !!t);
        rawPrev.set(current, [...(rawPrev.get(current) ?? []), ...prevs]);
        return;
      }
    } else if (mode === 'markers' && marker) {
      current = start(marker[1] || `step_${detection.steps.length + 1}`);
      current.cells.push(index);
      return;
    } else if (mode === 'headings' && heading !== undefined) {
      current = start(heading);
      heading = undefined;
      current.cells.push(index);
      return;
    } else if (mode === 'single' && !current) {
      current = start(singleStepName);
      current.cells.push(index);
      return;
    }
    if (current) current.cells.push(index);
    else pending.push(index);
  });
  // Code before the first step runs as part of it.
  if (pending.length > 0) {
    const first = detection.steps[0] ?? start(singleStepName);
    if (first.cells !== pending) first.cells.unshift(...pending.filter((c) => !first.cells.includes(c)));
    first.cells.sort((a, b) => a - b);
    pending = [];
  }
  for (const step of detection.steps) {
    for (const raw of rawPrev.get(step) ?? []) {
      const target = byTag.get(raw);
      if (target) {
        if (target !== step && !step.prev.includes(target.name)) step.prev.push(target.name);
      } else {
        detection.warnings.push({ kind: 'unknownPrev', step: step.name, cell: step.cells[0], message: `Step '${step.name}' has the tag prev:${raw}, but no cell is tagged step:${raw}; the tag is ignored.` });
      }
    }
  }
  if (mode === 'single') detection.hints.push(SINGLE_STEP_HINT);
  return detection;
}

function firstLine(source: string): string {
  const end = source.indexOf('\n');
  return end < 0 ? source : source.slice(0, end);
}
