// seriesFacts (what the compare chart no longer tests point by point) against the obvious
// computation, and shareSteps.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { seriesFacts, shareSteps } from '../../../src/core/compare/series.ts';
import type { MetricSeries } from '../../../src/core/compare/types.ts';

const anyValue = fc.oneof(fc.double(), fc.constantFrom(0, -0, -1, 1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY));

describe('core/compare: seriesFacts', () => {
  it('says whether steps ascend, every value is finite and every min is above 0, as every point does', () => {
    const point = fc.record({ step: fc.integer({ min: -5, max: 5 }), min: anyValue, max: anyValue, last: anyValue });
    fc.assert(
      fc.property(fc.array(point, { maxLength: 12 }), (points) => {
        const column = (f: (p: (typeof points)[number]) => number) => Float64Array.from(points, f);
        const facts = seriesFacts({ step: column((p) => p.step), timestamp: column(() => 0), min: column((p) => p.min), max: column((p) => p.max), last: column((p) => p.last) });
        assert.deepEqual(facts, {
          stepsAscending: points.every((p, i) => i === 0 || p.step >= (points[i - 1] as (typeof points)[number]).step),
          finite: points.every((p) => [p.min, p.max, p.last].every(Number.isFinite)),
          positive: points.every((p) => p.min > 0),
        });
      }),
      { numRuns: 500 },
    );
  });

  it('holds for no points at all', () => {
    const none = new Float64Array(0);
    assert.deepEqual(seriesFacts({ step: none, timestamp: none, min: none, max: none, last: none }), { stepsAscending: true, finite: true, positive: true });
  });
});

describe('core/compare: shareSteps', () => {
  const series = (runId: string, steps: readonly number[]): MetricSeries => {
    const step = Float64Array.from(steps);
    const values = Float64Array.from(steps, (s) => s / 10);
    const columns = { step, timestamp: Float64Array.from(steps), min: values, max: values, last: values };
    return { runId, key: 'loss', ...columns, facts: seriesFacts(columns) };
  };

  it('gives series with equal steps one step column, keeps the others, and changes no input', () => {
    const input = [series('a', [0, 1, 2]), series('b', [0, 1, 3]), series('c', [0, 1, 2]), series('d', [0, 1, 3]), series('e', [0, 1])];
    const before = input.map((s) => s.step);
    const out = shareSteps(input);
    assert.deepEqual(out, input);
    assert.equal(out[0], input[0]);
    assert.equal(out[2]?.step, input[0]?.step);
    assert.equal(out[3]?.step, input[1]?.step);
    assert.notEqual(out[1]?.step, out[0]?.step);
    assert.equal(out[4], input[4]);
    assert.deepEqual(input.map((s) => s.step), before);
    assert.equal(input[2]?.step, before[2]);
  });
});
