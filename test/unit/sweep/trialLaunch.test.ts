// A trial's queue launch: its parameters reach the program the way the sweep file says (flags,
// Hydra overrides, nothing but the JSON variable, notebook parameters, a recipe's args), and the
// tags tie the run to its sweep. The sweep files are parsed from YAML as users write them.
import assert from 'node:assert/strict';
import path from 'node:path';
import { parseSweepFile } from '../../../src/core/sweep/sweepFile.ts';
import { RecipeMissingError, trialLaunch, type TrialLaunchContext } from '../../../src/core/sweep/trialLaunch.ts';
import type { SweepSpec } from '../../../src/core/sweep/types.ts';

function spec(text: string): SweepSpec {
  const r = parseSweepFile(text, 'lr.yaml');
  assert.deepEqual(r.problems, []);
  assert.ok(r.spec);
  return r.spec;
}

const REST = 'method: grid\nobjective: { metric: loss }\nparameters:\n  lr: [0.001]\n  opt: [adam]\n  wide: [true]\n';
const ctx: TrialLaunchContext = { cwd: '/ws', experimentName: 'lr', target: '', sweepId: 'sw-1', parentRunId: 'parent-9' };
const trial = { number: 3, params: { lr: 0.001, opt: 'adam', wide: true } };

describe('sweep trials: trialLaunch', () => {
  it('appends --name=value flags after the fixed args, with the seed, and tags the run', () => {
    const s = spec(`program:\n  script: train.py\n  args: [--epochs, 5]\nseeds: [7]\nenv: { MODE: fast }\ndataPaths: [data/a.csv]\n${REST}`);
    assert.deepEqual(trialLaunch(s, trial, 7, ctx), {
      kind: 'script',
      file: 'train.py',
      args: ['--epochs', '5', '--lr=0.001', '--opt=adam', '--wide=true', '--seed=7'],
      cwd: '/ws',
      env: { MODE: 'fast', LABBOOK_TRIAL_PARAMS: '{"lr":0.001,"opt":"adam","wide":true,"seed":7}' },
      dataPaths: ['data/a.csv'],
      experimentName: 'lr',
      runName: 'lr #3 seed 7',
      tags: { 'mlflow.parentRunId': 'parent-9', 'labbook.sweep.id': 'sw-1', 'labbook.sweep.name': 'lr', 'labbook.sweep.trial': '3', 'labbook.sweep.seed': '7' },
      target: '',
    });
  });

  it('writes Hydra overrides, or nothing with paramStyle none (the JSON variable is always set)', () => {
    const hydra = trialLaunch(spec(`program: train.py\nparamStyle: hydra\n${REST}`), trial, undefined, { ...ctx, parentRunId: '' });
    assert.deepEqual(hydra.args, ['lr=0.001', 'opt=adam', 'wide=true']);
    assert.equal(hydra.runName, 'lr #3');
    assert.deepEqual(hydra.tags, { 'labbook.sweep.id': 'sw-1', 'labbook.sweep.name': 'lr', 'labbook.sweep.trial': '3' }, 'no parent tag before the parent run exists');
    const none = trialLaunch(spec(`program: { script: train.py, args: [x] }\nparamStyle: none\n${REST}`), trial, undefined, ctx);
    assert.deepEqual(none.args, ['x']);
    assert.deepEqual(JSON.parse(none.env?.LABBOOK_TRIAL_PARAMS ?? ''), trial.params);
  });

  it('merges a notebook’s parameters, and uses the python the file names unless the caller overrides it', () => {
    const s = spec(`program:\n  notebook: nb/train.ipynb\n  parameters: { epochs: 5, lr: 1 }\n  python: /opt/py\n${REST}`);
    const l = trialLaunch(s, trial, 2, ctx);
    assert.equal(l.kind, 'notebook');
    assert.equal(l.args, undefined);
    assert.deepEqual(l.parameters, { epochs: 5, lr: 0.001, opt: 'adam', wide: true, seed: 2 });
    assert.equal(l.python, '/opt/py');
    assert.equal(trialLaunch(s, trial, 2, { ...ctx, python: '/venv/bin/python' }).python, '/venv/bin/python');
  });

  it('adds the parameters to a recipe’s args, keeping its env and data paths, or says the recipe is missing', () => {
    const s = spec(`program: { recipe: train }\n${REST}`);
    const recipe = { kind: 'script' as const, file: 'src/train.py', args: ['--epochs', '3'], env: { A: '1' }, dataPaths: ['d.csv'], python: '/r/py', name: 'train' };
    const l = trialLaunch(s, trial, undefined, { ...ctx, recipe });
    assert.deepEqual(l.args, ['--epochs', '3', '--lr=0.001', '--opt=adam', '--wide=true']);
    assert.equal(l.file, 'src/train.py');
    assert.deepEqual(l.dataPaths, ['d.csv']);
    assert.equal(l.python, '/r/py');
    assert.equal(l.env?.A, '1');
    assert.equal(l.tags?.['labbook.recipe'], 'train');
    assert.equal(l.cwd, '/ws', 'a recipe without cwd runs in the workspace');
    // The recipe's cwd (runs.json), as Queue Run uses it: relative to the workspace; the program stays the workspace's file.
    const inSub = trialLaunch(s, trial, undefined, { ...ctx, recipe: { ...recipe, cwd: 'experiments/a' } });
    assert.equal(inSub.cwd, path.resolve('/ws', 'experiments/a'));
    assert.equal(inSub.file, path.resolve('/ws', 'src/train.py'));
    assert.equal(trialLaunch(s, trial, undefined, { ...ctx, recipe: { ...recipe, cwd: '/abs/dir' } }).cwd, path.resolve('/abs/dir'));
    assert.throws(() => trialLaunch(s, trial, undefined, ctx), RecipeMissingError);
    assert.throws(() => trialLaunch(s, trial, undefined, { ...ctx, recipe: { ...recipe, name: 'other' } }), /recipe 'train', which is not in \.labbook\/runs\.json/);
  });
});
