// The generated package, as an in-memory list of files. Convention for every step module
// steps/<name>.py: one function `<name>(<inputs>, *, <params>) -> dict` that takes its inputs and
// parameters as keyword arguments and returns a dict of its outputs by name ({} when it has none).
import type { JsonValue } from '../notebook/notebookModel.ts';
import type { ImportBinding } from './cellAnalysisModel.ts';
import type { Dataflow } from './dataflow.ts';
import { FIRST_PARTY, metricOwners, type GenerateContext } from './generateContext.ts';
import { renderImportBlock, type ImportEntry } from './importBlock.ts';
import { isFloatLiteral, pythonValue, yamlFloat } from './literals.ts';
import { flowFile } from './metaflowFlow.ts';
import type { GeneratedFile, PipelineParameter, PipelineStep } from './model.ts';
import { readmeFile } from './packageReadme.ts';
import type { PythonParser } from './pythonParser.ts';
import { PYPI_NAMES, STDLIB_MODULES } from './pythonNames.ts';
import { RUNNER_BODY, RUNNER_IMPORTS } from './runnerTemplate.ts';
import { smokeTestFiles } from './smokeTests.ts';

/** Packages the generated code itself needs: the runner, the Metaflow flow and the smoke tests. */
const RUNNER_REQUIREMENTS = ['PyYAML', 'joblib', 'metaflow', 'pandas', 'pyarrow', 'pytest'];

export function generatePackage(ctx: GenerateContext): GeneratedFile[] {
  const { flow } = ctx;
  const files: GeneratedFile[] = [];
  files.push({ path: 'steps/__init__.py', content: `"""The steps of the pipeline exported from ${ctx.notebookName}: one module and one function per step."""\n` });
  if (flow.sharedDefinitions.length > 0 || flow.sharedConstants.length > 0) files.push({ path: 'steps/_shared.py', content: sharedModule(ctx) });
  for (const step of flow.steps) files.push({ path: `steps/${step.name}.py`, content: stepModule(ctx, step) });
  files.push({ path: 'pipeline.py', content: pipelineFile(ctx) });
  files.push({ path: 'params.yaml', content: paramsYaml(flow.parameters) });
  files.push({ path: 'requirements.txt', content: requirementsTxt(usedImports(flow)) });
  files.push({ path: 'flow.py', content: flowFile(ctx) });
  files.push(...smokeTestFiles(ctx));
  files.push({ path: 'README.md', content: readmeFile(ctx) });
  return files;
}

/** Import entries that bind these names, as the notebook wrote them. */
export function importEntries(names: Iterable<string>, imports: Map<string, ImportBinding>): ImportEntry[] {
  const entries: ImportEntry[] = [];
  for (const name of names) {
    const spec = imports.get(name)?.spec;
    if (!spec) continue;
    if (spec.kind === 'import') entries.push({ module: spec.module, ...(spec.alias ? { alias: spec.alias } : {}) });
    else entries.push({ module: spec.module, name: spec.name, ...(spec.alias ? { alias: spec.alias } : {}) });
  }
  return entries;
}

function starEntries(flow: Dataflow): ImportEntry[] {
  return flow.starImports.map((s) => ({ module: s.module, name: '*' }));
}

function sharedModule(ctx: GenerateContext): string {
  const { flow } = ctx;
  const free = new Set(flow.sharedDefinitions.flatMap((d) => d.free.map((f) => f.name)));
  const cells = [...new Set([...flow.sharedDefinitions.map((d) => d.cell), ...flow.sharedConstants.map((c) => c.cell)])].sort((a, b) => a - b);
  const parts = [`"""Functions, classes and constants the steps share (notebook cell${cells.length === 1 ? '' : 's'} ${cells.map((c) => c + 1).join(', ')})."""`];
  const imports = renderImportBlock([...starEntries(flow), ...importEntries(free, flow.imports)], FIRST_PARTY);
  if (imports) parts.push(imports);
  if (flow.sharedConstants.length) parts.push(flow.sharedConstants.map((c) => `${c.name} = ${c.literal}`).join('\n'));
  for (const def of flow.sharedDefinitions) parts.push(`\n${dedentTopLevel(def.text)}`);
  return `${parts.join('\n\n')}\n`;
}

function dedentTopLevel(text: string): string {
  return text.replace(/\s+$/, '');
}

function stepModule(ctx: GenerateContext, step: PipelineStep): string {
  const { flow } = ctx;
  const code = flow.code.get(step.name);
  const inputs = step.inputs.map((i) => i.name);
  const params = step.params.filter((p) => !inputs.includes(p));
  const byName = new Map(flow.parameters.map((p) => [p.name, p]));
  const signature = [...inputs, ...(params.length ? ['*', ...params.map((p) => `${p}=${defaultLiteral(byName.get(p))}`)] : [])].join(', ');

  const cellList = step.cells.map((c) => c + 1).join(', ');
  const doc = [`"""Step \`${step.name}\` of the pipeline exported from ${ctx.notebookName} (notebook cell${step.cells.length === 1 ? '' : 's'} ${cellList}).`, ''];
  doc.push(step.inputs.length ? `Inputs: ${step.inputs.map((i) => `${i.name} (from ${i.from})`).join(', ')}.` : 'Inputs: none.');
  if (params.length) doc.push(`Parameters: ${params.join(', ')}.`);
  doc.push(step.outputs.length ? `Returns a dict with: ${step.outputs.map((o) => o.name).join(', ')}.` : 'Returns an empty dict (no later step needs its results).');
  doc.push('"""');

  const header: string[] = [doc.join('\n')];
  const imports = renderImportBlock(
    [...starEntries(flow), ...importEntries(code?.imports ?? [], flow.imports), ...(code?.shared ?? []).map((name) => ({ module: '._shared', name }))],
    FIRST_PARTY,
  );
  if (imports) header.push(imports);

  const bodyParts: string[] = [];
  for (const cell of code?.cells ?? []) {
    const text = trimBlankLines(cell.code);
    if (text.trim() === '') continue;
    bodyParts.push(`# notebook cell ${cell.index + 1}\n${text}`);
  }
  if (code?.unused.length) bodyParts.push(`# computed in the notebook, not needed by a later step\ndel ${code.unused.join(', ')}`);
  const returns = step.outputs.length ? `return {${step.outputs.map((o) => `"${o.name}": ${o.name}`).join(', ')}}` : 'return {}';
  const body = indentPython([...bodyParts, returns].join('\n\n'), ctx.parser);
  return `${header.join('\n\n')}\n\n\ndef ${step.name}(${signature}) -> dict:\n${body}\n`;
}

function defaultLiteral(param: PipelineParameter | undefined): string {
  if (!param) return 'None';
  return param.literal.includes('\n') ? pythonValue(param.value) : param.literal;
}

function trimBlankLines(text: string): string {
  return text.replace(/^(\s*\n)+/, '').replace(/\s+$/, '');
}

/** Indents code by four spaces, except lines that continue a multi-line string (their text would change). */
export function indentPython(code: string, parser: PythonParser): string {
  const tree = parser.parse(code);
  const keep = new Set<number>();
  try {
    for (const node of tree.rootNode.descendantsOfType(['string', 'concatenated_string'])) {
      for (let row = node.startPosition.row + 1; row <= node.endPosition.row; row++) keep.add(row);
    }
  } finally {
    tree.delete();
  }
  return code
    .split('\n')
    .map((line, row) => (keep.has(row) || line.trim() === '' ? (keep.has(row) ? line : '') : `    ${line}`))
    .join('\n');
}

function pipelineFile(ctx: GenerateContext): string {
  const { flow } = ctx;
  const steps = flow.steps.map((s) => {
    const after = flow.edges.filter((e) => e.to === s.name && e.names.length === 0).map((e) => e.from);
    return `    {\n        "name": ${JSON.stringify(s.name)},\n        "inputs": [${s.inputs.map((i) => `{"name": ${JSON.stringify(i.name)}, "from": ${JSON.stringify(i.from)}}`).join(', ')}],\n        "params": ${JSON.stringify(s.params)},\n        "outputs": ${JSON.stringify(s.outputs.map((o) => o.name))},\n        "after": ${JSON.stringify(after)},\n    },`;
  });
  const owners = metricOwners(flow);
  const doc = `"""Runs the pipeline exported by Labbook from ${ctx.notebookName}.

    python pipeline.py                  # run the steps; unchanged ones are skipped
    python pipeline.py --force          # rerun every step
    python pipeline.py --only STEP      # run one step (and what it needs that is not cached)
    python pipeline.py --params other.yaml --set n_rows=500

Each step runs in the notebook's folder (NOTEBOOK_DIR below, relative to this file's folder;
--notebook-dir or $LABBOOK_NOTEBOOK_DIR override it), whatever the current directory, so the
notebook's relative paths read and write the same files as the notebook did.

Each step's outputs are saved in .pipeline_cache/<step>/ (DataFrames as Parquet, arrays and
estimators with joblib, anything else pickled). A step whose code, inputs, parameters and folder
are unchanged since its last run is skipped. The last line printed is the metrics, as JSON.
"""`;
  return [
    doc,
    '',
    RUNNER_IMPORTS,
    'ROOT = Path(__file__).resolve().parent',
    '',
    "# The notebook's folder, relative to ROOT: the steps run there, as the notebook's cells did.",
    `NOTEBOOK_DIR = ${JSON.stringify(ctx.notebookDir)}`,
    '',
    '# Steps in the order they run; "after" lists ordering-only dependencies (prev: tags).',
    `STEPS = [\n${steps.join('\n')}\n]`,
    '',
    `# (metric, step that computes it)${flow.metricsFromLastStep ? ': the last step\'s outputs; the numbers among them are reported' : ''}`,
    `METRICS = [${owners.map(([m, s]) => `(${JSON.stringify(m)}, ${JSON.stringify(s)})`).join(', ')}]`,
    RUNNER_BODY,
  ].join('\n');
}

/** params.yaml: one `name: value` line per parameter, written so PyYAML reads back the same Python types. */
export function paramsYaml(parameters: PipelineParameter[]): string {
  const header = '# Pipeline parameters, from the notebook\'s parameters cell.\n# Override one with `python pipeline.py --set name=value`, or use another file with --params.\n';
  if (parameters.length === 0) return `${header}{}\n`;
  return header + parameters.map((p) => `${p.name}: ${yamlValue(p.value, isFloatLiteral(p.literal))}\n`).join('');
}

function yamlValue(value: JsonValue, floatLiteral = false): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return floatLiteral || !Number.isInteger(value) ? yamlFloat(value) : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => yamlValue(v)).join(', ')}]`;
  return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${yamlValue(v)}`).join(', ')}}`;
}

function usedImports(flow: Dataflow): ImportBinding[] {
  const names = new Set([...[...flow.code.values()].flatMap((c) => c.imports), ...flow.sharedDefinitions.flatMap((d) => d.free.map((f) => f.name))]);
  return [...flow.imports.values()].filter((b) => names.has(b.name));
}

/** The PyPI distribution of an import's top-level module, or undefined for the standard library and relative imports. */
export function pypiName(module: string): string | undefined {
  if (module.startsWith('.')) return undefined;
  const root = module.split('.')[0] ?? module;
  if (STDLIB_MODULES.has(root)) return undefined;
  return PYPI_NAMES[root] ?? root;
}

export function requirementsTxt(imports: ImportBinding[]): string {
  const fromCode = new Set(imports.map((b) => pypiName(b.spec.module)).filter((n): n is string => n !== undefined));
  const all = new Map<string, string>();
  for (const name of [...fromCode, ...RUNNER_REQUIREMENTS]) if (!all.has(name.toLowerCase())) all.set(name.toLowerCase(), name);
  const lines = [...all.values()].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  return `# What the notebook imports, plus what pipeline.py, flow.py and the tests need.\n${lines.join('\n')}\n`;
}
