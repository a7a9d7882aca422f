import assert from 'node:assert/strict';
import { jsonNumber, sparklineOf } from '../../../src/core/runDetails/sparkline.ts';
import { downsampleMetricHistory } from '../../../src/core/store/downsample.ts';
import type { Metric, MetricBucket } from '../../../src/core/store/types.ts';

function bucket(step: number, values: { min: number; max: number; last: number; count?: number }): MetricBucket {
  return { stepStart: step, stepEnd: step, count: values.count ?? 1, min: values.min, max: values.max, last: values.last, lastStep: step, lastTimestamp: step };
}

describe('core/runDetails: sparklines from downsampled buckets', () => {
  it('makes one point per bucket (its last value and step), and keeps each bucket\'s min and max', () => {
    const history: Metric[] = Array.from({ length: 1000 }, (_, step) => ({ key: 'loss', value: step === 500 ? 99 : 1 / (step + 1), timestamp: step, step }));
    const line = sparklineOf(downsampleMetricHistory(history, 60));
    assert.equal(line.points.length, 60);
    assert.equal(line.count, 1000);
    assert.equal(line.skipped, 0);
    assert.equal(line.points[0]?.step, 16);
    assert.equal(line.points[59]?.step, 999);
    assert.equal(line.points[59]?.value, 1 / 1000);
    // The spike at step 500 is not any bucket's last value, but it is the bucket's max and the overall max.
    assert.ok(line.points.every((p) => p.value !== 99));
    assert.ok(line.points.some((p) => p.max === 99));
    assert.equal(line.max, 99);
    assert.equal(line.min, 1 / 1000);
    for (const p of line.points) assert.ok(p.min <= p.value && p.value <= p.max);
  });

  it('leaves out buckets whose last value is not finite, and keeps NaN and infinities out of the range', () => {
    const line = sparklineOf([
      bucket(0, { min: 1, max: 3, last: 2 }),
      bucket(1, { min: Number.NaN, max: Number.NaN, last: Number.NaN, count: 2 }),
      bucket(2, { min: 0.5, max: Number.POSITIVE_INFINITY, last: Number.POSITIVE_INFINITY }),
      bucket(3, { min: -1, max: 4, last: 4 }),
    ]);
    assert.deepEqual(line.points.map((p) => p.step), [0, 3]);
    assert.equal(line.skipped, 2);
    assert.equal(line.count, 5);
    assert.equal(line.min, -1);
    assert.equal(line.max, 4);
  });

  it('has no points and no range for an empty history, or one of only NaN', () => {
    assert.deepEqual(sparklineOf([]), { points: [], min: null, max: null, count: 0, skipped: 0 });
    const nan = sparklineOf([bucket(0, { min: Number.NaN, max: Number.NaN, last: Number.NaN })]);
    assert.deepEqual([nan.points.length, nan.min, nan.max, nan.skipped], [0, null, null, 1]);
  });

  it('names the values JSON cannot carry', () => {
    assert.deepEqual([Number.NaN, Infinity, -Infinity, 0.5, -0].map(jsonNumber), ['NaN', 'Infinity', '-Infinity', 0.5, -0]);
  });
});
