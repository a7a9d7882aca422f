// Templates are starting points users edit: they must parse back without a problem, and a sweep
// around a run must range each param around the value the run used.
import assert from 'node:assert/strict';
import path from 'node:path';
import { parseSweepFile } from '../../../src/core/sweep/sweepFile.ts';
import { objectiveFor, rangeAround, safeSweepName, sweepAroundRun, sweepFilePath, sweepTemplate } from '../../../src/core/sweep/templates.ts';

function parsed(text: string) {
  const r = parseSweepFile(text, 'x.yaml');
  assert.deepEqual(r.problems, [], text);
  assert.ok(r.spec);
  return r.spec;
}

describe('sweep templates', () => {
  it('writes a new sweep only as .labbook/sweeps/<safe name>.yaml: a name from a command argument cannot leave the folder', () => {
    const root = path.resolve('/ws');
    assert.equal(sweepFilePath(root, 'lr-sweep_2'), path.join(root, '.labbook', 'sweeps', 'lr-sweep_2.yaml'));
    for (const bad of ['../../outside', '../x', 'a/b', '/etc/passwd', '..', '', '-lead', 'with space', 'x'.repeat(65)]) {
      assert.throws(() => sweepFilePath(root, bad), /not a safe sweep name/, bad);
    }
  });

  it('writes a commented template for a script and for a notebook that parses back', () => {
    const script = parsed(sweepTemplate({ kind: 'script', file: 'src/train model.py' }, 'first sweep'));
    assert.equal(script.name, 'first-sweep');
    assert.deepEqual(script.program, { kind: 'script', file: 'src/train model.py' });
    assert.equal(script.method, 'random');
    assert.deepEqual(Object.keys(script.parameters), ['lr', 'batch_size']);
    const nb = parsed(sweepTemplate({ kind: 'notebook', file: 'nb.ipynb' }, 'nb'));
    assert.deepEqual(nb.program, { kind: 'notebook', file: 'nb.ipynb' });
  });

  it('ranges a run’s params around their values: floats ×/÷10 on a log scale, ints ±50% (at least 1), booleans both ways, strings fixed', () => {
    const text = sweepAroundRun(
      {
        name: 'baseline',
        kind: 'script',
        file: 'train.py',
        params: { lr: '0.01', epochs: '10', layers: '1', bias: '0', offset: '-2.5', zero: '0.0', shuffle: 'True', optimizer: 'adam', 'data path': 'data/x y.csv', 'mlflow.note': 'x', weird: 'yes' },
        metrics: ['train_loss', 'val_loss', 'val_accuracy'],
      },
      'around baseline',
    );
    const s = parsed(text);
    assert.equal(s.name, 'around-baseline');
    assert.deepEqual(s.objective, { metric: 'val_loss', goal: 'minimize' });
    assert.deepEqual(s.budget, { trials: 20 });
    assert.equal(s.method, 'random');
    assert.deepEqual(s.parameters, {
      lr: { type: 'float', low: 0.001, high: 0.1, log: true },
      epochs: { type: 'int', low: 5, high: 15 },
      layers: { type: 'int', low: 1, high: 2 },
      bias: { type: 'int', low: -1, high: 1 },
      offset: { type: 'float', low: -25, high: -0.25 },
      zero: { type: 'float', low: 0, high: 0.1 },
      shuffle: { type: 'categorical', values: [true, false] },
      optimizer: { type: 'categorical', values: ['adam'] },
      'data path': { type: 'categorical', values: ['data/x y.csv'] },
      // 'yes' is quoted, so it stays the string the run logged rather than YAML 1.1's true.
      weird: { type: 'categorical', values: ['yes'] },
    });
    assert.match(text, /lr: .* # was 0\.01/);
  });

  it('picks the objective: a validation loss, else a score to maximize, else an error, else the first metric', () => {
    assert.deepEqual(objectiveFor(['loss', 'val_loss']), { metric: 'val_loss', goal: 'minimize', guessed: false });
    assert.deepEqual(objectiveFor(['train_acc', 'test_auc']), { metric: 'test_auc', goal: 'maximize', guessed: false });
    assert.deepEqual(objectiveFor(['rmse']), { metric: 'rmse', goal: 'minimize', guessed: false });
    assert.deepEqual(objectiveFor(['throughput']), { metric: 'throughput', goal: 'minimize', guessed: true });
    const none = parsed(sweepAroundRun({ name: 'r', kind: 'notebook', file: 'a.ipynb', params: {}, metrics: [] }, 'r'));
    assert.deepEqual(none.objective, { metric: 'loss', goal: 'minimize' });
    assert.deepEqual(Object.keys(none.parameters), ['lr']);
  });

  it('makes safe names and plain ranges', () => {
    assert.equal(safeSweepName('  !!'), 'sweep');
    assert.equal(safeSweepName('a'.repeat(80)).length, 64);
    assert.equal(rangeAround('100'), '{ type: int, low: 50, high: 150 }');
    assert.equal(rangeAround('3e-4'), '{ type: float, low: 0.00003, high: 0.003, log: true }');
  });
});
