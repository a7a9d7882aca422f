// The generated package's Metaflow flow (flow.py). Metaflow wants a static graph in which every
// split ends in one join and splits nest properly, but a notebook's DAG need not be series-parallel
// (a step may need two branches of different splits). So the steps are laid out in waves: a step
// goes one wave after the latest step it depends on; a wave of one step is a plain step, a wave of
// several is a split into all of them followed by a join. Every dependency points to an earlier
// wave, so each step sees everything it needs, and the graph is valid for any DAG.
import { FIRST_PARTY, metricOwners, type GenerateContext } from './generateContext.ts';
import { renderImportBlock } from './importBlock.ts';
import { pythonValue } from './literals.ts';
import type { PipelineEdge, PipelineParameter, PipelineStep } from './model.ts';

/** FlowSpec attributes an artifact or parameter must not shadow. */
const FLOWSPEC_RESERVED: ReadonlySet<string> = new Set(['name', 'input', 'index', 'next', 'foreach_stack', 'merge_artifacts', 'script_name', 'cmd', 'run_id', 'step', 'start', 'end']);

/** The flow's own parameter: the folder the steps run in (see `NOTEBOOK_DIR` in pipeline.py). */
const NOTEBOOK_DIR_PARAMETER = 'notebook_dir';

/**
 * The steps in waves (names, in notebook order within a wave): each step one wave after the
 * latest step it depends on, through data or through an ordering-only (`prev:`) edge.
 */
export function stepWaves(steps: readonly PipelineStep[], edges: readonly PipelineEdge[]): string[][] {
  const wave = new Map<string, number>();
  const waves: string[][] = [];
  // Edges point forward in notebook order (dataflow drops the rest), so one pass in order suffices.
  for (const step of steps) {
    let at = 0;
    for (const edge of edges) {
      if (edge.to !== step.name) continue;
      const before = wave.get(edge.from);
      if (before !== undefined) at = Math.max(at, before + 1);
    }
    wave.set(step.name, at);
    (waves[at] ??= []).push(step.name);
  }
  return waves.filter((w) => w.length > 0);
}

/** The flow's parameter for the folder the steps run in (renamed if the notebook has a parameter of that name). */
export function notebookDirParameterName(parameters: readonly PipelineParameter[]): string {
  return parameters.some((p) => p.name === NOTEBOOK_DIR_PARAMETER) ? `labbook_${NOTEBOOK_DIR_PARAMETER}` : NOTEBOOK_DIR_PARAMETER;
}

function className(notebookName: string): string {
  const base = notebookName.replace(/\.ipynb$/i, '').replace(/[^A-Za-z0-9]+/g, ' ').trim();
  const pascal = base
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('');
  const name = /^[A-Za-z]/.test(pascal) ? pascal : `Notebook${pascal}`;
  return name.endsWith('Flow') ? name : `${name}Flow`;
}

interface FlowNames {
  /** The attribute that holds `name` as `step` produced it. */
  artifact(name: string, step: string): string;
  /** The attribute a join sets to the value of the branch latest in the notebook. */
  alias(name: string): string;
  param(name: string): string;
  /** A fresh step name (joins). */
  stepName(base: string): string;
  notebookDirParameter: string;
}

/**
 * Attribute names on the flow. A name one step produces is `self.<name>`; a name several steps
 * assign gets one artifact per step (`self.<name>__<step>`), so that parallel branches never
 * collide in a join and every step reads exactly the value the notebook gave it (the latest cell
 * before it that assigned the name), whatever order the waves run the steps in.
 */
function flowNames(ctx: GenerateContext): FlowNames {
  const { flow } = ctx;
  const taken = new Set<string>([...flow.steps.map((s) => s.name), ...FLOWSPEC_RESERVED]);
  const fresh = (wanted: string): string => {
    let attr = wanted;
    while (taken.has(attr)) attr = `${attr}_`;
    taken.add(attr);
    return attr;
  };
  // Metaflow does not store attributes that start with an underscore.
  const storable = (name: string, prefix: string) => (name.startsWith('_') ? `${prefix}_${name.replace(/^_+/, '')}` : name);
  const notebookDirParameter = notebookDirParameterName(flow.parameters);
  taken.add(notebookDirParameter);
  const params = new Map<string, string>();
  for (const p of flow.parameters) params.set(p.name, fresh(taken.has(p.name) ? `param_${p.name.replace(/^_+/, '')}` : storable(p.name, 'param')));

  const producers = new Map<string, number>();
  for (const s of flow.steps) for (const o of s.outputs) producers.set(o.name, (producers.get(o.name) ?? 0) + 1);
  const artifacts = new Map<string, string>();
  const artifact = (name: string, step: string): string => {
    const key = (producers.get(name) ?? 0) > 1 ? `${name}\0${step}` : name;
    let attr = artifacts.get(key);
    if (attr === undefined) {
      const base = storable(name, 'art');
      attr = fresh(key === name ? (taken.has(base) ? `art_${base}` : base) : `${base}__${step}`);
      artifacts.set(key, attr);
    }
    return attr;
  };
  const aliases = new Map<string, string>();
  const alias = (name: string): string => {
    let attr = aliases.get(name);
    if (attr === undefined) {
      attr = fresh(storable(name, 'art'));
      aliases.set(name, attr);
    }
    return attr;
  };
  const stepName = (base: string) => fresh(base);
  return { artifact, alias, param: (name) => params.get(name) ?? name, stepName, notebookDirParameter };
}

function parameterLine(p: PipelineParameter, attr: string): string {
  const help = `help="from the notebook's parameters cell"`;
  if (Array.isArray(p.value) || (typeof p.value === 'object' && p.value !== null) || p.value === null) {
    return `    ${attr} = Parameter(${JSON.stringify(p.name)}, type=JSONType, default=${JSON.stringify(JSON.stringify(p.value))}, ${help})`;
  }
  const literal = p.literal.includes('\n') ? pythonValue(p.value) : p.literal;
  return `    ${attr} = Parameter(${JSON.stringify(p.name)}, default=${literal}, ${help})`;
}

/**
 * One stage of the flow: a single step, or a split into several steps and the join after them.
 * A join cannot split again in Metaflow, so a split right after a join starts from a small
 * fan-out step of its own.
 */
interface Stage {
  steps: PipelineStep[];
  join?: string;
  fanOut?: string;
}

function stages(ctx: GenerateContext, names: FlowNames): Stage[] {
  const byName = new Map(ctx.flow.steps.map((s) => [s.name, s]));
  const result: Stage[] = [];
  for (const [i, wave] of stepWaves(ctx.flow.steps, ctx.flow.edges).entries()) {
    const steps = wave.map((n) => byName.get(n)).filter((s): s is PipelineStep => s !== undefined);
    if (steps.length < 2) {
      result.push({ steps });
      continue;
    }
    const afterJoin = result[result.length - 1]?.join !== undefined;
    result.push({ steps, ...(afterJoin ? { fanOut: names.stepName(`fan_out_${i + 1}`) } : {}), join: names.stepName(`join_${i + 1}`) });
  }
  return result;
}

function nextCall(targets: string[]): string {
  return `self.next(${targets.map((t) => `self.${t}`).join(', ')})`;
}

function stepBody(ctx: GenerateContext, names: FlowNames, s: PipelineStep, next: string): string[] {
  const own = new Set(s.inputs.map((x) => x.name));
  const args = [...s.inputs.map((input) => `${input.name}=self.${names.artifact(input.name, input.from)}`), ...s.params.filter((p) => !own.has(p)).map((p) => `${p}=self.${names.param(p)}`)];
  const lines = ['    @step', `    def ${s.name}(self):`, `        """Notebook cell${s.cells.length === 1 ? '' : 's'} ${s.cells.map((c) => c + 1).join(', ')}."""`];
  lines.push(`        with in_folder(notebook_folder(self.${names.notebookDirParameter} or None)):`);
  lines.push(`            ${s.outputs.length ? 'outputs = ' : ''}run_${s.name}(${args.join(', ')})`);
  for (const o of s.outputs) lines.push(`        self.${names.artifact(o.name, s.name)} = outputs[${JSON.stringify(o.name)}]`);
  lines.push(`        ${next}`, '');
  return lines;
}

function joinBody(names: FlowNames, stage: Stage & { join: string }, next: string): string[] {
  const lines = ['    @step', `    def ${stage.join}(self, inputs):`, `        """Joins the parallel steps ${stage.steps.map((s) => s.name).join(', ')}."""`, '        self.merge_artifacts(inputs)'];
  // Names two branches assign: each branch's value has its own artifact, so the merge never
  // conflicts; the plain name then gets the value of the branch latest in the notebook, as if the
  // cells had run top to bottom (set after the merge, which would restore an older value).
  const assigned = new Map<string, PipelineStep[]>();
  for (const s of stage.steps) for (const o of s.outputs) assigned.set(o.name, [...(assigned.get(o.name) ?? []), s]);
  for (const [name, by] of assigned) {
    if (by.length < 2) continue;
    const last = by[by.length - 1] as PipelineStep;
    lines.push(`        # ${by.map((s) => s.name).join(', ')} ${by.length === 2 ? 'both' : 'all'} assign ${name}: the later cell wins, as in the notebook`);
    lines.push(`        self.${names.alias(name)} = inputs.${last.name}.${names.artifact(name, last.name)}`);
  }
  lines.push(`        ${next}`, '');
  return lines;
}

export function flowFile(ctx: GenerateContext): string {
  const { flow } = ctx;
  const names = flowNames(ctx);
  const cls = className(ctx.notebookName);
  const plan = stages(ctx, names);
  const shape = plan.map((st) => (st.steps.length > 1 ? `(${st.steps.map((s) => s.name).join(' | ')})` : (st.steps[0]?.name ?? ''))).join(' → ');
  const lines: string[] = [
    `"""Metaflow version of the pipeline exported by Labbook from ${ctx.notebookName}.`,
    '',
    'Runs locally (independent steps in parallel, at most --max-workers at a time):',
    '',
    '    python flow.py run',
    '    python flow.py run --max-workers 4',
    ...(flow.parameters[0] ? [`    python flow.py run --${flow.parameters[0].name} ${flow.parameters[0].literal.includes('\n') ? 'VALUE' : flow.parameters[0].literal}`] : []),
    '',
    'and scales out unchanged, each step in its own container, once Metaflow is configured for the cloud:',
    '',
    '    python flow.py run --with kubernetes',
    '    python flow.py run --with batch',
    '',
    'Steps run in waves: a step runs one wave after the latest step it needs, and the steps of one wave',
    'run as parallel branches that a join step merges. Every step runs in the notebook\'s folder, like',
    'pipeline.py (see NOTEBOOK_DIR there; --notebook_dir overrides it). Step outputs travel as',
    'artifacts (self.<name>); a name several steps assign is kept per step (self.<name>__<step>).',
    'The end step prints the metrics as JSON.',
    '"""',
    '',
    renderImportBlock(
      [
        { module: 'json' },
        { module: 'numbers' },
        ...['FlowSpec', 'Parameter', 'step', ...(flow.parameters.some((p) => typeof p.value === 'object') ? ['JSONType'] : [])].map((name) => ({ module: 'metaflow', name })),
        ...(flow.steps.length ? ['in_folder', 'notebook_folder'].map((name) => ({ module: 'pipeline', name })) : []),
        ...flow.steps.map((s) => ({ module: `steps.${s.name}`, name: s.name, alias: `run_${s.name}` })),
      ],
      FIRST_PARTY,
    ),
    '',
    '',
    `class ${cls}(FlowSpec):`,
    `    """The steps of ${ctx.notebookName}: ${shape || '(none)'}."""`,
    '',
  ];
  for (const p of flow.parameters) lines.push(parameterLine(p, names.param(p.name)));
  lines.push(`    ${names.notebookDirParameter} = Parameter(${JSON.stringify(names.notebookDirParameter)}, default="", help="the folder the steps run in (default: NOTEBOOK_DIR in pipeline.py)")`, '');

  const entry = (i: number): string[] => {
    const stage = plan[i];
    if (!stage) return ['end'];
    return stage.fanOut ? [stage.fanOut] : stage.steps.map((s) => s.name);
  };
  lines.push('    @step', '    def start(self):', `        ${nextCall(entry(0))}`, '');
  plan.forEach((stage, i) => {
    const after = nextCall(entry(i + 1));
    const join = stage.join;
    if (stage.fanOut) {
      lines.push('    @step', `    def ${stage.fanOut}(self):`, `        """Starts the parallel steps ${stage.steps.map((s) => s.name).join(', ')} (a join cannot split again)."""`);
      lines.push(`        ${nextCall(stage.steps.map((s) => s.name))}`, '');
    }
    for (const s of stage.steps) lines.push(...stepBody(ctx, names, s, join ? nextCall([join]) : after));
    if (join) lines.push(...joinBody(names, { ...stage, join }, after));
  });
  const owners = metricOwners(flow);
  lines.push('    @step', '    def end(self):', '        metrics = {}');
  for (const [metric, owner] of owners) {
    lines.push(`        value = getattr(self, ${JSON.stringify(names.artifact(metric, owner))}, None)`);
    lines.push('        if isinstance(value, numbers.Real) and not isinstance(value, bool):');
    lines.push(`            metrics[${JSON.stringify(metric)}] = int(value) if isinstance(value, numbers.Integral) else float(value)`);
  }
  lines.push('        print(json.dumps(metrics, sort_keys=True))', '', '', 'if __name__ == "__main__":', `    ${cls}()`, '');
  return lines.join('\n');
}
