// The search space: grids listed exactly (worked out by hand below), conditional parameters left
// out when inactive, reproducible random trials, and sampled values always inside their ranges.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { activeParams, gridConfigs, gridSize, gridValues, optunaDistributions, randomConfigs, sampleParam } from '../../../src/core/sweep/space.ts';
import type { ParamSpec } from '../../../src/core/sweep/types.ts';

type Params = Record<string, ParamSpec>;
const space = (parameters: Params, samplerSeed = 0) => ({ parameters, samplerSeed });
const paramsOf = (parameters: Params) => gridConfigs(space(parameters)).map((c) => c.params);

describe('sweep space: grid', () => {
  it('takes every step of ints, gridPoints of floats (5 by default), geometric on a log scale, without duplicates', () => {
    assert.deepEqual(gridValues({ type: 'int', low: 2, high: 9, step: 3 }), [2, 5, 8]);
    assert.deepEqual(gridValues({ type: 'int', low: 1, high: 4 }), [1, 2, 3, 4]);
    // 1..100 in 3 geometric points: 1, 10^1, 10^2.
    assert.deepEqual(gridValues({ type: 'int', low: 1, high: 100, log: true, gridPoints: 3 }), [1, 10, 100]);
    // 1, 1.5, 2, 2.5, 3 rounded: 1, 2, 2, 3, 3 → duplicates removed.
    assert.deepEqual(gridValues({ type: 'int', low: 1, high: 3, gridPoints: 5 }), [1, 2, 3]);
    assert.deepEqual(gridValues({ type: 'float', low: 0, high: 1 }), [0, 0.25, 0.5, 0.75, 1]);
    // 0.1·3 is 0.30000000000000004 in floating point: points are kept to 12 significant digits.
    assert.deepEqual(gridValues({ type: 'float', low: 0, high: 0.3, step: 0.1 }), [0, 0.1, 0.2, 0.3]);
    // 1e-4..1 in 5 geometric points: exponents −4, −3, −2, −1, 0.
    assert.deepEqual(gridValues({ type: 'float', low: 0.0001, high: 1, log: true }), [0.0001, 0.001, 0.01, 0.1, 1]);
    assert.deepEqual(gridValues({ type: 'float', low: 0.5, high: 2, gridPoints: 1 }), [0.5]);
    assert.deepEqual(gridValues({ type: 'categorical', values: [1, 1, 'a', true, 'a'] }), [1, 'a', true]);
  });

  it('lists the product in file order (first parameter slowest), a conditional parameter only where its condition holds', () => {
    const parameters: Params = {
      opt: { type: 'categorical', values: ['adam', 'sgd'] },
      momentum: { type: 'categorical', values: [0.5, 0.9], when: { param: 'opt', in: ['sgd'] } },
      lr: { type: 'float', low: 0.001, high: 0.1, log: true, gridPoints: 3 },
    };
    // adam: 3 learning rates; sgd: 2 momenta × 3 learning rates. 3 + 6 = 9.
    assert.deepEqual(paramsOf(parameters), [
      { opt: 'adam', lr: 0.001 },
      { opt: 'adam', lr: 0.01 },
      { opt: 'adam', lr: 0.1 },
      { opt: 'sgd', momentum: 0.5, lr: 0.001 },
      { opt: 'sgd', momentum: 0.5, lr: 0.01 },
      { opt: 'sgd', momentum: 0.5, lr: 0.1 },
      { opt: 'sgd', momentum: 0.9, lr: 0.001 },
      { opt: 'sgd', momentum: 0.9, lr: 0.01 },
      { opt: 'sgd', momentum: 0.9, lr: 0.1 },
    ]);
    assert.deepEqual(gridConfigs(space(parameters)).map((c) => c.number), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(gridSize(space(parameters)), 9);
  });

  it('follows chains of conditions (c depends on b, which depends on a)', () => {
    const parameters: Params = {
      a: { type: 'categorical', values: [1, 2] },
      b: { type: 'categorical', values: ['x', 'y'], when: { param: 'a', in: [1] } },
      c: { type: 'categorical', values: [true, false], when: { param: 'b', in: ['x'] } },
    };
    assert.deepEqual(paramsOf(parameters), [{ a: 1, b: 'x', c: true }, { a: 1, b: 'x', c: false }, { a: 1, b: 'y' }, { a: 2 }]);
    assert.equal(gridSize(space(parameters)), 4);
    assert.deepEqual(activeParams(space(parameters), { a: 1, b: 'y' }), ['a', 'b']);
    assert.deepEqual(activeParams(space(parameters), { a: 2 }), ['a']);
    assert.deepEqual(activeParams(space(parameters), { a: 1, b: 'x', c: true }), ['a', 'b', 'c']);
  });

  it('counts exactly what it lists, for any space with conditions (property)', () => {
    const param = (earlier: readonly string[]) =>
      fc.record({
        values: fc.uniqueArray(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 }),
        cond: earlier.length > 0 ? fc.option(fc.record({ param: fc.constantFrom(...earlier), in: fc.uniqueArray(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 2 }) })) : fc.constant(null),
      });
    const spaceArb = fc.integer({ min: 1, max: 6 }).chain((n) =>
      fc.tuple(...Array.from({ length: n }, (_, i) => param(Array.from({ length: i }, (__, j) => `p${j}`)))).map((ps) => {
        const out: Params = {};
        ps.forEach((p, i) => {
          out[`p${i}`] = { type: 'categorical', values: p.values, ...(p.cond ? { when: p.cond } : {}) };
        });
        return out;
      }),
    );
    fc.assert(
      fc.property(spaceArb, (parameters) => {
        const configs = paramsOf(parameters);
        assert.equal(gridSize(space(parameters)), configs.length);
        const keys = new Set(configs.map((c) => JSON.stringify(c)));
        assert.equal(keys.size, configs.length, 'no duplicates');
        for (const c of configs) assert.deepEqual(Object.keys(c), activeParams(space(parameters), c));
      }),
      { seed: 17, numRuns: 200 },
    );
  });

  it('counts a huge grid without listing it', () => {
    const parameters: Params = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`p${i}`, { type: 'int', low: 1, high: 10 }]));
    parameters.q = { type: 'categorical', values: [1, 2], when: { param: 'p0', in: [1] } };
    // p0 = 1: 10^11 × 2; p0 = 2..10: 9 × 10^11.
    assert.equal(gridSize(space(parameters)), 1e11 * 2 + 9e11);
  });
});

describe('sweep space: random', () => {
  const parameters: Params = {
    opt: { type: 'categorical', values: ['adam', 'sgd'] },
    momentum: { type: 'float', low: 0.5, high: 0.99, when: { param: 'opt', in: ['sgd'] } },
    lr: { type: 'float', low: 1e-5, high: 1e-1, log: true },
    layers: { type: 'int', low: 1, high: 8, step: 1 },
  };

  it('gives the same trials for the same seed, trial i whatever the batch it is drawn in', () => {
    const all = randomConfigs(space(parameters, 3), 0, 20);
    assert.deepEqual(randomConfigs(space(parameters, 3), 0, 20), all);
    assert.deepEqual(randomConfigs(space(parameters, 3), 7, 5), all.slice(7, 12));
    assert.deepEqual(all.map((c) => c.number), Array.from({ length: 20 }, (_, i) => i));
    const other = randomConfigs(space(parameters, 4), 0, 20);
    assert.notDeepEqual(other.map((c) => c.params), all.map((c) => c.params));
    // Conditions hold in every sample, and both branches occur.
    for (const c of all) assert.deepEqual(Object.keys(c.params), activeParams(space(parameters), c.params));
    assert.ok(all.some((c) => c.params.opt === 'sgd') && all.some((c) => c.params.opt === 'adam'));
  });

  it('keeps the other parameters’ values when one is added', () => {
    const more = { ...parameters, dropout: { type: 'float', low: 0, high: 0.5 } as ParamSpec };
    const before = randomConfigs(space(parameters, 1), 0, 10);
    const after = randomConfigs(space(more, 1), 0, 10);
    after.forEach((c, i) => {
      const { dropout, ...rest } = c.params;
      assert.equal(typeof dropout, 'number');
      assert.deepEqual(rest, before[i]?.params);
    });
  });

  const rangeArb = fc
    .record({ a: fc.double({ min: -1e6, max: 1e6, noNaN: true }), width: fc.double({ min: 1e-6, max: 1e6, noNaN: true }), log: fc.boolean(), int: fc.boolean(), step: fc.option(fc.integer({ min: 1, max: 50 })) })
    .map(({ a, width, log, int, step }): ParamSpec => {
      if (int) {
        const low = log ? Math.max(1, Math.round(Math.abs(a))) : Math.round(a);
        return { type: 'int', low, high: low + Math.max(1, Math.round(width)), ...(log ? { log: true } : step !== null ? { step } : {}) };
      }
      const low = log ? Math.abs(a) + 1e-6 : a;
      return { type: 'float', low, high: low + width, ...(log ? { log: true } : step !== null ? { step: width / step } : {}) };
    });

  it('samples within bounds, on the steps, whole numbers for ints (property)', () => {
    fc.assert(
      fc.property(rangeArb, fc.integer(), fc.nat(10_000), (p, seed, trial) => {
        const v = sampleParam(p, seed, trial, 'x') as number;
        assert.ok(p.type !== 'categorical');
        assert.ok(v >= p.low && v <= p.high, `${v} in [${p.low}, ${p.high}]`);
        if (p.type === 'int') assert.ok(Number.isInteger(v));
        if (p.step !== undefined) {
          // On the step up to floating-point rounding of low + k·step (relative to the bounds' magnitude).
          const k = Math.round((v - p.low) / p.step);
          assert.ok(Math.abs(v - (p.low + k * p.step)) <= 1e-12 * Math.max(Math.abs(p.low), Math.abs(p.high)) + 1e-9 * p.step, `${v} is low + ${k}·step`);
        }
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('is log-uniform on a log scale and uniform otherwise', () => {
    const n = 4000;
    const draw = (p: ParamSpec) => Array.from({ length: n }, (_, i) => sampleParam(p, 0, i, 'x') as number);
    // log-uniform on [1e-4, 1]: a quarter of the samples in each decade.
    const logs = draw({ type: 'float', low: 1e-4, high: 1, log: true });
    for (const [lo, hi] of [[1e-4, 1e-3], [1e-3, 1e-2], [1e-2, 1e-1], [1e-1, 1]] as const) {
      const share = logs.filter((v) => v >= lo && v < hi).length / n;
      assert.ok(Math.abs(share - 0.25) < 0.03, `decade ${lo}: ${share}`);
    }
    const flat = draw({ type: 'float', low: 0, high: 10 });
    assert.ok(Math.abs(flat.reduce((s, v) => s + v, 0) / n - 5) < 0.2);
    assert.ok(Math.abs(flat.filter((v) => v < 1).length / n - 0.1) < 0.02);
    // An int on a log scale, as Optuna: log-uniform over [0.5, 1000.5], rounded. P(v ≤ 9) = P(x < 9.5)
    // = ln(9.5/0.5) / ln(1000.5/0.5) = 2.944 / 7.601 = 0.387; P(v ≥ 100) = ln(1000.5/99.5) / 7.601 = 0.304.
    const ints = draw({ type: 'int', low: 1, high: 1000, log: true });
    const small = ints.filter((v) => v < 10).length / n;
    const large = ints.filter((v) => v >= 100).length / n;
    assert.ok(Math.abs(small - 0.387) < 0.03 && Math.abs(large - 0.304) < 0.03, `${small} ${large}`);
    const cats = Array.from({ length: n }, (_, i) => sampleParam({ type: 'categorical', values: ['a', 'b', 'c', 'd'] }, 9, i, 'c'));
    for (const v of ['a', 'b', 'c', 'd']) assert.ok(Math.abs(cats.filter((x) => x === v).length / n - 0.25) < 0.03);
  });
});

describe('sweep space: Optuna distributions', () => {
  it('gives the driver each distribution with its condition', () => {
    assert.deepEqual(
      optunaDistributions(
        space({
          opt: { type: 'categorical', values: ['adam', 'sgd', 'adam'] },
          momentum: { type: 'float', low: 0.5, high: 0.9, step: 0.1, when: { param: 'opt', in: ['sgd'] } },
          lr: { type: 'float', low: 1e-4, high: 0.1, log: true },
          layers: { type: 'int', low: 1, high: 4 },
        }),
      ),
      {
        opt: { type: 'categorical', choices: ['adam', 'sgd'] },
        momentum: { type: 'float', low: 0.5, high: 0.9, step: 0.1, log: false, when: { param: 'opt', in: ['sgd'] } },
        lr: { type: 'float', low: 1e-4, high: 0.1, log: true },
        layers: { type: 'int', low: 1, high: 4, step: 1, log: false },
      },
    );
  });
});
