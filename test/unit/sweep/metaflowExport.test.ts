// The generated sweep_flow.py: grid and random trials embedded as the in-editor sweeps compute
// them, Bayesian rounds unrolled into a DAG, notebooks and recipes refused with a reason, and a
// file that compiles, passes ruff and imports under the test venv's Metaflow and MLflow.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { flowTrials, SweepExportError, sweepFlowSource, sweepFlowWarnings } from '../../../src/core/sweep/metaflowExport.ts';
import { gridConfigs, randomConfigs } from '../../../src/core/sweep/space.ts';
import { parseSweepFile } from '../../../src/core/sweep/sweepFile.ts';
import type { SweepSpec } from '../../../src/core/sweep/types.ts';
import { runPython } from '../../support/python.ts';

function spec(yaml: string): SweepSpec {
  const parsed = parseSweepFile(yaml, 'demo.yaml');
  assert.deepEqual(parsed.problems, []);
  assert.ok(parsed.spec);
  return parsed.spec;
}

const GRID = `
program: { script: train.py, args: [--epochs, "3"] }
parameters:
  model: [ridge, lasso]
  alpha: { type: float, low: 0.001, high: 1, log: true, gridPoints: 3 }
  fit_intercept: [true, false]
method: grid
objective: { metric: rmse, goal: minimize }
seeds: [1, 2]
parallelism: 3
`;

const RANDOM = `
program: train.py
parameters:
  model: [ridge, lasso]
  alpha: { type: float, low: 0.0001, high: 1, log: true }
  l1_ratio: { type: float, low: 0, high: 1, when: { param: model, in: [lasso] } }
  depth: { type: int, low: 1, high: 9, step: 2 }
method: random
objective: { metric: accuracy, goal: maximize }
budget: 7
samplerSeed: 42
`;

const BAYES = `
program: { script: src/train.py }
parameters:
  lr: { type: float, low: 0.00001, high: 0.1, log: true }
  layers: { type: int, low: 1, high: 4 }
  optimizer: [adam, sgd]
  momentum: { type: float, low: 0, high: 0.99, when: { param: optimizer, in: [sgd] } }
method: bayes
objective: { metric: loss }
budget: { trials: 10 }
parallelism: 3
earlyStopping: { rule: median, metric: loss }
`;

describe('sweep: Metaflow export', function () {
  // Real Python: each case compiles the flow, lints it and runs it with Metaflow (seconds each, more under load).
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-sweepflow-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes the flow into `dir/name/` and returns its path. */
  function write(name: string, source: string): string {
    const folder = path.join(dir, name);
    mkdirSync(folder, { recursive: true });
    const file = path.join(folder, 'sweep_flow.py');
    writeFileSync(file, source);
    return file;
  }

  /** py_compile, ruff, then the constants the flow holds, read by importing it under the test venv. */
  async function checkPython(file: string): Promise<Record<string, unknown>> {
    const compiled = await runPython(['-m', 'py_compile', file], {});
    assert.equal(compiled.code, 0, compiled.stderr);
    const ruff = await runPython(['-m', 'ruff', 'check', '--no-cache', '--select', 'E,F,W,I', '--ignore', 'E501', file], {}, 60_000, path.dirname(file));
    assert.equal(ruff.code, 0, `ruff:\n${ruff.stdout}${ruff.stderr}`);
    const script = [
      'import importlib.util, json, sys',
      'spec = importlib.util.spec_from_file_location("sweep_flow", sys.argv[1])',
      'mod = importlib.util.module_from_spec(spec)',
      'spec.loader.exec_module(mod)',
      'names = [n for n in dir(mod) if n.isupper()]',
      'print(json.dumps({n: getattr(mod, n) for n in names}))',
    ].join('\n');
    const loaded = await runPython(['-c', script, file], {}, 60_000, path.dirname(file));
    assert.equal(loaded.code, 0, loaded.stderr);
    return JSON.parse(loaded.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  }

  it('grid: every configuration once per seed, with the args the in-editor sweep gives it; one foreach', async () => {
    const s = spec(GRID);
    const source = sweepFlowSource(s, { cwd: dir, trackingUri: 'http://127.0.0.1:5000' });
    const configs = gridConfigs(s);
    assert.equal(configs.length, 12);
    const trials = flowTrials(s, dir);
    assert.equal(trials.length, 24);
    assert.deepEqual(
      trials.map((t) => [t.trial, t.seed, t.params]),
      configs.flatMap((c) => [1, 2].map((seed) => [c.number, seed, { ...c.params, seed }])),
    );
    for (const t of trials) {
      assert.deepEqual(t.args.slice(0, 2), ['--epochs', '3'], 'the program args come first');
      assert.ok(t.args.includes(`--seed=${t.seed}`), `the seed is passed: ${t.args.join(' ')}`);
    }
    assert.match(source, /self\.next\(self\.trial, foreach="trials"\)/);
    assert.match(source, /python sweep_flow\.py run --max-workers 3\n/);
    assert.match(source, /class DemoSweepFlow\(FlowSpec\)/);
    assert.doesNotMatch(source, /round_0|optuna/);
    const constants = await checkPython(write('grid', source));
    assert.deepEqual(constants['TRIALS'], JSON.parse(JSON.stringify(trials)), 'the flow holds exactly these trials');
    assert.equal(constants['TRACKING_URI'], 'http://127.0.0.1:5000');
    assert.equal(constants['SCRIPT'], 'train.py');
    assert.equal(constants['WORKDIR'], '.');
    assert.deepEqual(constants['BASE_ARGS'], ['--epochs', '3']);
    assert.equal(constants['GOAL'], 'minimize');
  });

  it('random: the seeded trials of randomConfigs, conditional params only when active', async () => {
    const s = spec(RANDOM);
    const trials = flowTrials(s, dir);
    assert.deepEqual(
      trials.map((t) => [t.trial, t.seed, t.params]),
      randomConfigs(s, 0, 7).map((c) => [c.number, null, c.params]),
    );
    for (const t of trials) assert.equal('l1_ratio' in t.params, t.params['model'] === 'lasso');
    const source = sweepFlowSource(s, { cwd: dir });
    assert.equal(sweepFlowSource(s, { cwd: dir }), source, 'the same sweep gives the same file');
    const constants = await checkPython(write('random', source));
    assert.equal((constants['TRIALS'] as unknown[]).length, 7);
    assert.equal(constants['TRACKING_URI'], '', 'no URI given: MLFLOW_TRACKING_URI when it runs');
    assert.equal(constants['GOAL'], 'maximize');
  });

  it('bayes: rounds of K asks unrolled round_i → trial_i → join_i, the study rebuilt from the tracking server', async () => {
    const s = spec(BAYES);
    const source = sweepFlowSource(s, { cwd: dir, roundSize: 4 });
    // 10 trials in rounds of 4: three rounds.
    for (let i = 0; i < 3; i++) {
      assert.match(source, new RegExp(`def round_${i}\\(self\\):[\\s\\S]*?self\\.next\\(self\\.trial_${i}, foreach="asked"\\)`));
      assert.match(source, new RegExp(`def trial_${i}\\(self\\):[\\s\\S]*?self\\.next\\(self\\.join_${i}\\)`));
      assert.match(source, new RegExp(`def join_${i}\\(self, inputs\\):`));
    }
    assert.match(source, /def join_0\(self, inputs\):[\s\S]*?self\.next\(self\.round_1\)/);
    assert.match(source, /def join_2\(self, inputs\):[\s\S]*?finish_sweep[\s\S]*?self\.next\(self\.end\)/);
    assert.doesNotMatch(source, /round_3/);
    assert.match(source, /tags\.mlflow\.parentRunId = /);
    assert.match(source, /optuna\.trial\.create_trial/);
    assert.match(source, /Early stopping \(median\) is not applied/);
    const constants = await checkPython(write('bayes', source));
    assert.equal(constants['ROUND_SIZE'], 4);
    assert.equal(constants['BUDGET_TRIALS'], 10);
    assert.equal(constants['SCRIPT'], 'src/train.py');
    assert.deepEqual((constants['SPACE'] as Array<{ name: string }>).map((p) => p.name), ['lr', 'layers', 'optimizer', 'momentum']);
    // The round size defaults to the sweep's parallelism.
    assert.match(sweepFlowSource(s, { cwd: dir }), /ROUND_SIZE = 3\n[\s\S]*def round_3\(self\)/);
  });

  it('refuses notebooks and recipes, and a random sweep with no trial budget, saying why', () => {
    const notebook = spec(GRID.replace('{ script: train.py, args: [--epochs, "3"] }', 'analysis.ipynb'));
    assert.throws(() => sweepFlowSource(notebook, { cwd: dir }), (e: unknown) => e instanceof SweepExportError && /runs a notebook \(analysis\.ipynb\); the Metaflow export runs script programs only/.test(e.message));
    const recipe = spec(GRID.replace('{ script: train.py, args: [--epochs, "3"] }', '{ recipe: nightly }'));
    assert.throws(() => sweepFlowSource(recipe, { cwd: dir }), /runs the recipe nightly/);
    const timed = spec(RANDOM.replace('budget: 7', 'budget: { minutes: 30 }'));
    assert.throws(() => sweepFlowSource(timed, { cwd: dir }), /has no trial budget/);
  });

  it('every value from the sweep file goes in as a Python literal: a hostile metric, param name, script path, args and env run nothing', async () => {
    const metric = `"""\nimport os; os.system('touch pwned')\n"""`;
    const param = `it's a "quoted" \\N name`;
    const script = `odd"""\\N dir/train.py`;
    const env = { KEY: `"""; import os; os.system('touch pwned_env') #` };
    const args = [`--tag="""`, `\\N{BULLET}`];
    for (const method of ['grid', 'bayes'] as const) {
      const yaml = [
        `program: { script: ${JSON.stringify(script)}, args: ${JSON.stringify(args)} }`,
        `parameters: { ${JSON.stringify(param)}: [1, 2], lr: { low: 0.001, high: 0.1, log: true${method === 'grid' ? ', gridPoints: 2' : ''} } }`,
        `method: ${method}`,
        `objective: { metric: ${JSON.stringify(metric)}, goal: maximize }`,
        `env: ${JSON.stringify(env)}`,
        'budget: { trials: 4 }',
      ].join('\n');
      const s = spec(yaml);
      const source = sweepFlowSource(s, { cwd: dir, flowDir: dir });
      const file = write(`hostile-${method}`, source);
      const folder = path.dirname(file);
      // Compiles, passes ruff, and importing it runs nothing of the values (checkPython imports it).
      const constants = await checkPython(file);
      assert.equal(constants['OBJECTIVE'], metric, 'the metric, exactly');
      assert.equal(constants['SCRIPT'], script);
      assert.deepEqual(constants['BASE_ARGS'], args);
      assert.deepEqual(constants['SWEEP_ENV'], env);
      const names = method === 'bayes' ? (constants['SPACE'] as Array<{ name: string }>).map((p) => p.name) : Object.keys((constants['TRIALS'] as Array<{ params: object }>)[0]?.params ?? {});
      assert.ok(names.includes(param), `the param name, exactly: ${JSON.stringify(names)}`);
      const help = await runPython([file, '--help'], { METAFLOW_HOME: folder, USERNAME: 'test' }, 120_000, folder);
      assert.equal(help.code, 0, `--help:\n${help.stdout}${help.stderr}`);
      assert.deepEqual(readdirSync(folder).filter((f) => f.startsWith('pwned')), [], 'nothing ran');
      assert.ok(!existsSync(path.join(folder, 'pwned')));
    }
  });

  it('paths are relative to the flow\'s folder; a script outside it is a warning (not in the code package)', () => {
    const s = spec(RANDOM);
    const nested = sweepFlowSource(s, { cwd: dir, flowDir: path.join(dir, 'flows') });
    assert.match(nested, /WORKDIR = "\.\."\nSCRIPT = "train\.py"/);
    assert.match(sweepFlowWarnings(s, { cwd: dir, flowDir: path.join(dir, 'flows') })[0] ?? '', /outside the flow's folder/);
    assert.deepEqual(sweepFlowWarnings(s, { cwd: path.join(dir, 'ws'), flowDir: dir }), []);
    assert.match(sweepFlowSource(s, { cwd: path.join(dir, 'ws'), flowDir: dir }), /WORKDIR = "ws"/);
  });
});
