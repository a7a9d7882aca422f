// The generated package's Metaflow flow, smoke tests and README.
import type { GenerateContext } from './generate.ts';
import { FIRST_PARTY, metricOwners, pythonValue } from './generate.ts';
import { renderImportBlock } from './importBlock.ts';
import type { GeneratedFile, PipelineParameter } from './model.ts';

/** FlowSpec attributes an artifact or parameter must not shadow. */
const FLOWSPEC_RESERVED: ReadonlySet<string> = new Set(['name', 'input', 'index', 'next', 'foreach_stack', 'merge_artifacts', 'script_name', 'cmd', 'run_id', 'step', 'start', 'end']);

export const SMALL_DATA_PARAMETERS: readonly string[] = ['n_rows', 'nrows', 'sample_size', 'max_rows', 'n_samples', 'small'];

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

/** Attribute names on the flow: artifacts as `self.<name>` unless that would clash or not be stored. */
function flowNames(ctx: GenerateContext): { artifact: (name: string) => string; param: (name: string) => string } {
  const stepNames = new Set(ctx.flow.steps.map((s) => s.name));
  const taken = new Set<string>([...stepNames, ...FLOWSPEC_RESERVED]);
  const params = new Map<string, string>();
  for (const p of ctx.flow.parameters) {
    let attr = p.name.startsWith('_') || taken.has(p.name) ? `param_${p.name.replace(/^_+/, '')}` : p.name;
    while (taken.has(attr)) attr = `${attr}_`;
    taken.add(attr);
    params.set(p.name, attr);
  }
  const artifacts = new Map<string, string>();
  const artifact = (name: string): string => {
    const known = artifacts.get(name);
    if (known) return known;
    // Metaflow does not store attributes that start with an underscore.
    let attr = name.startsWith('_') || taken.has(name) ? `art_${name.replace(/^_+/, '')}` : name;
    while (taken.has(attr)) attr = `${attr}_`;
    taken.add(attr);
    artifacts.set(name, attr);
    return attr;
  };
  return { artifact, param: (name) => params.get(name) ?? name };
}

function parameterLine(p: PipelineParameter, attr: string): string {
  const help = `help="from the notebook's parameters cell"`;
  if (Array.isArray(p.value) || (typeof p.value === 'object' && p.value !== null) || p.value === null) {
    return `    ${attr} = Parameter(${JSON.stringify(p.name)}, type=JSONType, default=${JSON.stringify(JSON.stringify(p.value))}, ${help})`;
  }
  const literal = p.literal.includes('\n') ? pythonValue(p.value) : p.literal;
  return `    ${attr} = Parameter(${JSON.stringify(p.name)}, default=${literal}, ${help})`;
}

export function flowFile(ctx: GenerateContext): string {
  const { flow } = ctx;
  const names = flowNames(ctx);
  const cls = className(ctx.notebookName);
  const stepNames = flow.steps.map((s) => s.name);
  const lines: string[] = [
    `"""Metaflow version of the pipeline exported by Labbook from ${ctx.notebookName}.`,
    '',
    'Runs locally:',
    '',
    '    python flow.py run',
    ...(flow.parameters[0] ? [`    python flow.py run --${flow.parameters[0].name} ${flow.parameters[0].literal.includes('\n') ? 'VALUE' : flow.parameters[0].literal}`] : []),
    '',
    'and scales out unchanged, each step in its own container, once Metaflow is configured for the cloud:',
    '',
    '    python flow.py run --with kubernetes',
    '    python flow.py run --with batch',
    '',
    'Steps run in an order consistent with the notebook\'s dataflow; step outputs travel as artifacts',
    '(self.<name>). The end step prints the metrics as JSON.',
    '"""',
    '',
    renderImportBlock(
      [
        { module: 'json' },
        { module: 'numbers' },
        ...['FlowSpec', 'Parameter', 'step', ...(flow.parameters.some((p) => typeof p.value === 'object') ? ['JSONType'] : [])].map((name) => ({ module: 'metaflow', name })),
        ...flow.steps.map((s) => ({ module: `steps.${s.name}`, name: s.name, alias: `run_${s.name}` })),
      ],
      FIRST_PARTY,
    ),
    '',
    '',
    `class ${cls}(FlowSpec):`,
    `    """The steps of ${ctx.notebookName}, in order: ${stepNames.join(' → ') || '(none)'}."""`,
    '',
  ];
  for (const p of flow.parameters) lines.push(parameterLine(p, names.param(p.name)));
  if (flow.parameters.length) lines.push('');
  const next = (i: number) => stepNames[i] ?? 'end';
  lines.push('    @step', '    def start(self):', `        self.next(self.${next(0)})`, '');
  flow.steps.forEach((s, i) => {
    const args = [...s.inputs.map((input) => `${input.name}=self.${names.artifact(input.name)}`), ...s.params.filter((p) => !s.inputs.some((x) => x.name === p)).map((p) => `${p}=self.${names.param(p)}`)];
    lines.push('    @step', `    def ${s.name}(self):`, `        """Notebook cell${s.cells.length === 1 ? '' : 's'} ${s.cells.map((c) => c + 1).join(', ')}."""`);
    lines.push(`        ${s.outputs.length ? 'outputs = ' : ''}run_${s.name}(${args.join(', ')})`);
    for (const o of s.outputs) lines.push(`        self.${names.artifact(o.name)} = outputs[${JSON.stringify(o.name)}]`);
    lines.push(`        self.next(self.${next(i + 1)})`, '');
  });
  const owners = metricOwners(flow);
  lines.push('    @step', '    def end(self):', '        metrics = {}');
  for (const [metric] of owners) {
    lines.push(`        value = getattr(self, ${JSON.stringify(names.artifact(metric))}, None)`);
    lines.push('        if isinstance(value, numbers.Real) and not isinstance(value, bool):');
    lines.push(`            metrics[${JSON.stringify(metric)}] = int(value) if isinstance(value, numbers.Integral) else float(value)`);
  }
  lines.push('        print(json.dumps(metrics, sort_keys=True))', '', '', 'if __name__ == "__main__":', `    ${cls}()`, '');
  return lines.join('\n');
}

export function smokeTestFiles(ctx: GenerateContext): GeneratedFile[] {
  const { flow } = ctx;
  const small = flow.parameters.filter((p) => SMALL_DATA_PARAMETERS.includes(p.name));
  const outputs = flow.steps.flatMap((s) => s.outputs.map((o) => `    (${JSON.stringify(s.name)}, ${JSON.stringify(o.name)}, ${JSON.stringify(o.kind)}),`));
  const conftest = `"""Lets the tests import pipeline.py and the steps package from the export folder."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
`;
  const test = `"""Smoke tests generated by Labbook for the pipeline exported from ${ctx.notebookName}.

Every step module imports, the whole pipeline runs on params.yaml${small.length ? ` (with ${small.map((p) => p.name).join(', ')} turned down to keep it quick)` : ''},
and each step's outputs exist and are of the kind the notebook's code suggests.
"""

import importlib
import numbers

import pytest

import pipeline

STEP_NAMES = ${JSON.stringify(flow.steps.map((s) => s.name))}

# (step, output, expected kind); "unknown" means only that it exists.
OUTPUTS = [
${outputs.join('\n')}
]


@pytest.mark.parametrize("name", STEP_NAMES)
def test_step_module_imports(name):
    module = importlib.import_module(f"steps.{name}")
    assert callable(getattr(module, name))


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    params = pipeline.small_params(pipeline.load_params())
    return pipeline.run(params, cache_dir=tmp_path_factory.mktemp("cache"), force=True, log=lambda message: None)


def test_every_step_runs(result):
    assert result.ran == STEP_NAMES


def is_kind(value, kind):
    name = type(value).__name__
    if kind == "dataframe":
        return name == "DataFrame"
    if kind == "series":
        return name == "Series"
    if kind == "ndarray":
        return name == "ndarray"
    if kind == "model":
        return hasattr(value, "fit") and hasattr(value, "predict")
    if kind == "estimator":
        return hasattr(value, "fit")
    if kind == "number":
        return isinstance(value, numbers.Real) and not isinstance(value, bool)
    return True


@pytest.mark.parametrize(("step", "output", "kind"), OUTPUTS)
def test_step_output(result, step, output, kind):
    assert (step, output) in result.values, f"step {step} did not produce {output}"
    value = result.values[(step, output)]
    assert is_kind(value, kind), f"{step}.{output} should be a {kind}, got {type(value).__name__}"


def test_metrics_are_numbers(result):
    for name, value in result.metrics.items():
        assert isinstance(value, (int, float)), f"metric {name} is {type(value).__name__}"
`;
  return [
    { path: 'tests/conftest.py', content: conftest },
    { path: 'tests/test_smoke.py', content: test },
  ];
}

export function readmeFile(ctx: GenerateContext): string {
  const { flow } = ctx;
  const stepRows = flow.steps.map(
    (s) => `| \`${s.name}\` | ${s.cells.map((c) => c + 1).join(', ')} | ${s.inputs.map((i) => `\`${i.name}\` (${i.from})`).join(', ') || '—'} | ${s.outputs.map((o) => `\`${o.name}\``).join(', ') || '—'} |`,
  );
  const warnings = flow.warnings.map((w) => `- ${w.cell !== undefined ? `cell ${w.cell + 1}${w.line !== undefined ? `, line ${w.line}` : ''}: ` : ''}${w.message}`);
  return `# Pipeline from ${ctx.notebookName}

Generated by Labbook. Each notebook step is a plain Python function in \`steps/\`; \`pipeline.py\` runs
them in order and caches their outputs; \`flow.py\` runs the same steps with Metaflow.

## Run it

\`\`\`sh
pip install -r requirements.txt
python pipeline.py                 # run; steps whose code, inputs and parameters are unchanged are skipped
python pipeline.py --force         # rerun everything
python pipeline.py --only STEP     # run one step
python pipeline.py --set name=value --params params.yaml
python -m pytest -q tests          # smoke tests
python flow.py run                 # with Metaflow (add --with kubernetes or --with batch to scale out)
\`\`\`

The last line \`pipeline.py\` prints is the metrics as JSON${flow.metricsFromLastStep ? ' (the numbers among the last step\'s results)' : ` (${flow.metrics.map((m) => `\`${m}\``).join(', ')})`}.

## Layout

- \`steps/<name>.py\`: one function per step, \`<name>(<inputs>, *, <parameters>) -> dict\`; it returns its
  outputs as a dict by name. Imports the step needs are at the top of its module.
- \`steps/_shared.py\`: functions and constants several steps use (when the notebook has any).
- \`params.yaml\`: the parameters from the notebook's parameters cell.
- \`.pipeline_cache/\`: step outputs (DataFrames as Parquet, arrays and estimators with joblib, the rest pickled).
- \`.labbook-export.json\`: what Labbook wrote, so that exporting again leaves files you edited alone.

## Steps

| step | notebook cells | inputs (from) | outputs |
| --- | --- | --- | --- |
${stepRows.join('\n')}
${warnings.length ? `\n## Warnings from the export\n\n${warnings.join('\n')}\n` : ''}`;
}
