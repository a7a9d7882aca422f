// Sweep files as users write them: full files and shorthands come out as a defaulted SweepSpec;
// each mistake is one problem on the line (0-based) of the key that is wrong.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSweepFile } from '../../../src/core/sweep/sweepFile.ts';
import type { SweepFileProblem } from '../../../src/core/sweep/types.ts';

const HEAD = 'program: train.py\nmethod: random\nobjective: { metric: val_loss }\nbudget: 10\n';

function problems(text: string, file = 'lr.yaml'): Array<[number, string]> {
  const r = parseSweepFile(text, file);
  assert.equal(r.spec, undefined, 'no spec when there are problems');
  return r.problems.map((p: SweepFileProblem) => [p.line, p.message]);
}

function only(text: string, line: number, pattern: RegExp, file?: string): void {
  const found = problems(text, file);
  assert.equal(found.length, 1, JSON.stringify(found));
  const [got] = found;
  assert.equal(got?.[0], line, JSON.stringify(got));
  assert.match(got?.[1] ?? '', pattern);
}

describe('sweep files: parseSweepFile', () => {
  it('reads a full file and keeps what it says', () => {
    const text = [
      'name: cnn-search',
      'description: tune the CNN',
      'experiment: cnn',
      'program:',
      '  script: src/train.py',
      '  args: [--epochs, 10]',
      '  python: /usr/bin/python3',
      'paramStyle: hydra',
      'parameters:',
      '  optimizer: [adam, sgd]',
      '  momentum: { values: [0.9, 0.99], when: { param: optimizer, in: [sgd] } }',
      '  lr: { type: float, low: 0.0001, high: 0.1, log: true }',
      '  layers: { low: 1, high: 4, step: 1 }',
      '  width: { low: 16, high: 128.0 }',
      '  epochs: 5',
      'method: bayes',
      'objective: { metric: val_acc, goal: maximize }',
      'budget: { trials: 40, minutes: 90 }',
      'parallelism: 3',
      'seeds: 2',
      'seedParam: random_state',
      'samplerSeed: 7',
      'sampler: gp',
      'earlyStopping: { rule: asha, metric: val_loss, reductionFactor: 3 }',
      'env: { CUDA_LAUNCH_BLOCKING: 1, MODE: fast }',
      'dataPaths: [data/train.csv]',
    ].join('\n');
    const { spec, problems: found } = parseSweepFile(text, 'ignored.yaml');
    assert.deepEqual(found, []);
    assert.deepEqual(spec, {
      name: 'cnn-search',
      description: 'tune the CNN',
      experiment: 'cnn',
      program: { kind: 'script', file: 'src/train.py', args: ['--epochs', '10'], python: '/usr/bin/python3' },
      paramStyle: 'hydra',
      parameters: {
        optimizer: { type: 'categorical', values: ['adam', 'sgd'] },
        momentum: { type: 'categorical', values: [0.9, 0.99], when: { param: 'optimizer', in: ['sgd'] } },
        lr: { type: 'float', low: 0.0001, high: 0.1, log: true },
        layers: { type: 'int', low: 1, high: 4, step: 1 },
        // 128.0 is written as a float: the range is float even though its value is whole.
        width: { type: 'float', low: 16, high: 128 },
        epochs: { type: 'categorical', values: [5] },
      },
      method: 'bayes',
      objective: { metric: 'val_acc', goal: 'maximize' },
      budget: { trials: 40, minutes: 90 },
      parallelism: 3,
      seeds: [0, 1],
      seedParam: 'random_state',
      samplerSeed: 7,
      sampler: 'gp',
      earlyStopping: { rule: 'asha', metric: 'val_loss', minResource: 1, reductionFactor: 3, minEarlyStoppingRate: 0 },
      env: { CUDA_LAUNCH_BLOCKING: '1', MODE: 'fast' },
      dataPaths: ['data/train.csv'],
    });
  });

  it('applies the defaults: name from the file, flags, 2 at a time, no seeds, TPE, Optuna pruner defaults', () => {
    const text = `${HEAD}parameters:\n  lr: { low: 0.001, high: 0.1 }\nearlyStopping: { rule: median }\n`;
    const { spec } = parseSweepFile(text, '/ws/.labbook/sweeps/lr-search.yml');
    assert.ok(spec);
    assert.equal(spec.name, 'lr-search');
    assert.equal(spec.paramStyle, 'flags');
    assert.equal(spec.parallelism, 2);
    assert.deepEqual(spec.seeds, []);
    assert.equal(spec.seedParam, 'seed');
    assert.equal(spec.samplerSeed, 0);
    assert.equal(spec.sampler, 'tpe');
    assert.deepEqual(spec.objective, { metric: 'val_loss', goal: 'minimize' });
    assert.deepEqual(spec.budget, { trials: 10 });
    assert.deepEqual(spec.earlyStopping, { rule: 'median', metric: 'val_loss', startupTrials: 5, warmupSteps: 0, minTrials: 1 });
    const asha = parseSweepFile(`${HEAD}parameters:\n  a: [1]\nearlyStopping: { rule: asha }\n`, 'x.yaml').spec;
    assert.deepEqual(asha?.earlyStopping, { rule: 'asha', metric: 'val_loss', minResource: 1, reductionFactor: 4, minEarlyStoppingRate: 0 });
  });

  it('gives a grid its size as the budget, capped by budget.trials', () => {
    const grid = 'program: { notebook: nb.ipynb, parameters: { n: 1 } }\nmethod: grid\nobjective: { metric: loss }\nparameters:\n  a: [1, 2, 3]\n  b: { low: 0.0, high: 1.0 }\n';
    const { spec } = parseSweepFile(grid, 'g.yaml');
    assert.deepEqual(spec?.budget, { trials: 15 }, '3 values × 5 default grid points');
    assert.deepEqual(spec?.program, { kind: 'notebook', file: 'nb.ipynb', parameters: { n: 1 } });
    assert.deepEqual(parseSweepFile(`${grid}budget: { trials: 4 }\n`, 'g.yaml').spec?.budget, { trials: 4 });
    assert.deepEqual(parseSweepFile(`${grid}budget: { trials: 400, minutes: 5 }\n`, 'g.yaml').spec?.budget, { trials: 15, minutes: 5 });
    assert.deepEqual(parseSweepFile(grid.replace('program: { notebook: nb.ipynb, parameters: { n: 1 } }', 'program: { recipe: train }'), 'g.yaml').spec?.program, { kind: 'recipe', recipe: 'train' });
  });

  it('reports YAML and schema mistakes on their lines', () => {
    only(`${HEAD}parameters:\n  lr: { low: 1, high: 2, lo: 0 }\n`, 5, /parameters\.lr\.lo: unknown key 'lo'/);
    only(`${HEAD}parameters:\n  lr: {}\n`, 5, /parameters\.lr: needs 'values' \(a list\) or 'low' and 'high'/);
    only(`${HEAD}parameters:\n  lr: { low: 1, high: 2 }\nseeds: many\n`, 6, /seeds: must be a list of whole numbers or a count/);
    only(`program: train.txt\nmethod: random\nobjective: { metric: m }\nbudget: 3\nparameters: { a: [1] }\n`, 0, /program: must be a \.py script or \.ipynb notebook/);
    only(`program: { script: a.py, notebook: b.ipynb }\nmethod: random\nobjective: { metric: m }\nbudget: 3\nparameters: { a: [1] }\n`, 0, /give exactly one of 'script', 'notebook' or 'recipe'/);
    only(`${HEAD.replace('val_loss }', 'val_loss, goal: up }')}parameters: { a: [1] }\n`, 2, /objective\.goal: must be one of "minimize", "maximize"/);
    only(`${HEAD}parameters: { a: [1] }\nmethod: grid\n`, 5, /YAML: Map keys must be unique/);
    only(`${HEAD.replace('method: random\n', '')}parameters: { a: [1] }\n`, 0, /missing 'method'/);
    only('', 0, /the sweep file is empty/);
  });

  it('reports what a schema cannot say, each on its key', () => {
    only(`${HEAD}parameters:\n  lr: { low: 0.1, high: 0.01 }\n`, 5, /parameters\.lr\.low: low \(0\.1\) must be less than high \(0\.01\)/);
    only(`${HEAD}parameters:\n  lr:\n    low: 0\n    high: 1\n    log: true\n`, 6, /a log range needs low > 0/);
    only(`${HEAD}parameters:\n  a: [x, y]\n  b: { values: [1, 2], when: { param: c, in: [x] } }\n`, 6, /parameters\.b\.when\.param: 'c' is not a parameter/);
    only(`${HEAD}parameters:\n  b: { values: [1, 2], when: { param: a, in: [x] } }\n  a: [x, y]\n`, 5, /'a' must come before 'b'/);
    only(`${HEAD}parameters:\n  a: [x, y]\n  b: { values: [1, 2], when: { param: a, in: [z] } }\n`, 6, /none of \["z"\] is a value of 'a'/);
    only(`${HEAD}parameters:\n  n: { type: int, low: 1, high: 9.5 }\n`, 5, /parameters\.n\.high: must be a whole number/);
    only(`${HEAD}parameters:\n  lr: { low: 0.1, high: 1.0, log: true, step: 0.1 }\n`, 5, /'step' and 'log' cannot be combined/);
    only(`${HEAD}parameters:\n  a: { values: [1], low: 1 }\n`, 5, /'low' applies to int and float ranges/);
    only('program: { script: train.ipynb }\nmethod: grid\nobjective: { metric: m }\nparameters: { a: [1] }\n', 0, /'train\.ipynb' is a notebook: write 'notebook: train\.ipynb'/);
    only('program:\n  notebook: train.py\nmethod: grid\nobjective: { metric: m }\nparameters: { a: [1] }\n', 1, /'train\.py' is a script/);
    only('program:\n  notebook: a.ipynb\n  args: [x]\nmethod: grid\nobjective: { metric: m }\nparameters: { a: [1] }\n', 2, /'args' are a script's/);
    only(`name: my sweep!\n${HEAD}parameters: { a: [1] }\n`, 0, /'my sweep!' is not a safe sweep name/);
    only(`${HEAD}parameters: { a: [1] }\n`, 0, /the file name gives the sweep the name 'my sweep'/, 'my sweep.yaml');
    only(`${HEAD}parameters: { a: [1], seed: [1, 2] }\nseeds: [1, 2]\n`, 4, /'seed' is both a parameter and the seed parameter/);
    only(`${HEAD}parameters: { a: [1] }\nearlyStopping:\n  rule: median\n  reductionFactor: 3\n`, 7, /earlyStopping\.reductionFactor: applies to rule asha, not median/);
    only('program: a.py\nmethod: random\nobjective: { metric: m }\nparameters: { a: [1] }\n', 1, /method random needs a budget/);
  });

  it('ships a draft-07 schema with a description on every property, contributed for .labbook/sweeps/*.yaml', () => {
    const schema = JSON.parse(readFileSync(new URL('../../../schemas/sweep.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    assert.equal(schema['$schema'], 'http://json-schema.org/draft-07/schema#');
    const missing: string[] = [];
    const walk = (node: unknown, where: string) => {
      if (!node || typeof node !== 'object') return;
      for (const [key, value] of Object.entries((node as { properties?: Record<string, unknown> }).properties ?? {})) {
        const v = value as { description?: string; $ref?: string };
        if (!v.description && !v.$ref) missing.push(`${where}.${key}`);
        walk(value, `${where}.${key}`);
      }
      for (const branch of (node as { anyOf?: unknown[] }).anyOf ?? []) walk(branch, where);
      for (const [key, value] of Object.entries((node as { definitions?: Record<string, unknown> }).definitions ?? {})) walk(value, `#${key}`);
    };
    walk(schema, '');
    assert.deepEqual(missing, []);
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { contributes: { yamlValidation: { fileMatch: string | string[]; url: string }[] } };
    assert.deepEqual(manifest.contributes.yamlValidation.find((v) => v.url === './schemas/sweep.schema.json')?.fileMatch, ['.labbook/sweeps/*.yaml', '.labbook/sweeps/*.yml']);
  });

  it('refuses a grid of more than 100,000 configurations, counted without listing them', () => {
    const params = Array.from({ length: 6 }, (_, i) => `  p${i}: { low: 1, high: 10 }`).join('\n');
    only(`program: a.py\nmethod: grid\nobjective: { metric: m }\nparameters:\n${params}\n`, 3, /the grid has 1,000,000 configurations, more than 100,000/);
    // The same space is fine for a random search.
    assert.deepEqual(parseSweepFile(`program: a.py\nmethod: random\nbudget: 5\nobjective: { metric: m }\nparameters:\n${params}\n`, 'r.yaml').problems, []);
  });
});
