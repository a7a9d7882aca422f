import assert from 'node:assert/strict';
import { downsampleMetricHistory } from '../../../src/core/store/downsample.ts';
import { TrackingError } from '../../../src/core/store/errors.ts';
import type { Metric, MetricBucket } from '../../../src/core/store/types.ts';

function series(values: readonly number[], firstStep = 0): Metric[] {
  return values.map((value, i) => ({ key: 'loss', value, step: firstStep + i, timestamp: 1000 + i }));
}

/** Value order for "the last point" on a full tie: NaN lowest. */
function compareValues(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number(!Number.isNaN(a)) - Number(!Number.isNaN(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A slow, obviously right model of the rules in downsample.ts, to compare against. */
function naive(history: readonly Metric[], buckets: number): MetricBucket[] {
  if (history.length === 0) return [];
  const steps = [...new Set(history.map((m) => m.step))].sort((a, b) => a - b);
  const minStep = steps[0] as number;
  const maxStep = steps[steps.length - 1] as number;
  const span = maxStep - minStep + 1;
  const ranges: [number, number][] =
    buckets >= steps.length
      ? steps.map((s) => [s, s])
      : Array.from({ length: buckets }, (_, i) => [minStep + Math.ceil((i * span) / buckets), minStep + Math.ceil(((i + 1) * span) / buckets) - 1]);
  const out: MetricBucket[] = [];
  for (const [start, end] of ranges) {
    const inside = history.filter((m) => m.step >= start && m.step <= end);
    if (inside.length === 0) continue;
    const numbers = inside.map((m) => m.value).filter((v) => !Number.isNaN(v));
    const last = [...inside].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp || compareValues(a.value, b.value)).at(-1) as Metric;
    out.push({
      stepStart: start,
      stepEnd: end,
      count: inside.length,
      min: numbers.length ? Math.min(...numbers) : Number.NaN,
      max: numbers.length ? Math.max(...numbers) : Number.NaN,
      last: last.value,
      lastStep: last.step,
      lastTimestamp: last.timestamp,
    });
  }
  return out;
}

/** A deterministic pseudo-random generator, so failures reproduce. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('store/downsample: metric history into step buckets', () => {
  it('returns no buckets for no points', () => {
    assert.deepEqual(downsampleMetricHistory([], 10), []);
  });

  it('refuses a bucket count below 1 or not whole', () => {
    for (const bad of [0, -1, 2.5, Number.NaN]) {
      assert.throws(() => downsampleMetricHistory(series([1]), bad), (err: unknown) => err instanceof TrackingError && err.code === 'INVALID_PARAMETER_VALUE');
    }
  });

  it('gives one bucket per step when there are at least as many buckets as steps', () => {
    const history = series([5, 3, 8]);
    const buckets = downsampleMetricHistory(history, 3);
    assert.deepEqual(
      buckets.map((b) => [b.stepStart, b.stepEnd, b.count, b.min, b.max, b.last]),
      [
        [0, 0, 1, 5, 5, 5],
        [1, 1, 1, 3, 3, 3],
        [2, 2, 1, 8, 8, 8],
      ],
    );
    assert.deepEqual(downsampleMetricHistory(history, 1000), buckets);
  });

  it('keeps sparse steps apart when buckets outnumber them (no merging of far steps)', () => {
    const history = [
      { key: 'x', value: 1, step: 0, timestamp: 1 },
      { key: 'x', value: 2, step: 1, timestamp: 2 },
      { key: 'x', value: 3, step: 100, timestamp: 3 },
    ];
    assert.deepEqual(
      downsampleMetricHistory(history, 3).map((b) => [b.stepStart, b.stepEnd]),
      [
        [0, 0],
        [1, 1],
        [100, 100],
      ],
    );
  });

  it('cuts [minStep, maxStep] into equal-width ranges that cover every step once', () => {
    const history = series(Array.from({ length: 100 }, (_, i) => i), 10); // steps 10..109
    const buckets = downsampleMetricHistory(history, 4);
    assert.deepEqual(
      buckets.map((b) => [b.stepStart, b.stepEnd, b.count]),
      [
        [10, 34, 25],
        [35, 59, 25],
        [60, 84, 25],
        [85, 109, 25],
      ],
    );
    // Uneven division: widths differ by at most one and the ranges tile the span.
    const uneven = downsampleMetricHistory(series(Array.from({ length: 10 }, () => 1)), 3);
    assert.deepEqual(
      uneven.map((b) => [b.stepStart, b.stepEnd]),
      [
        [0, 3],
        [4, 6],
        [7, 9],
      ],
    );
    assert.equal(uneven.reduce((n, b) => n + b.count, 0), 10);
  });

  it('keeps a one-point spike as the max of its bucket, and a dip as the min', () => {
    const values = Array.from({ length: 10_000 }, () => 1);
    values[4321] = 1e6;
    values[8765] = -42;
    const buckets = downsampleMetricHistory(series(values), 50);
    assert.equal(buckets.length, 50);
    assert.equal(Math.max(...buckets.map((b) => b.max)), 1e6);
    assert.equal(Math.min(...buckets.map((b) => b.min)), -42);
    const spike = buckets.find((b) => b.max === 1e6) as MetricBucket;
    assert.ok(spike.stepStart <= 4321 && 4321 <= spike.stepEnd);
    assert.equal(spike.last, 1, 'the last value of the bucket is its last step, not the spike');
  });

  it('takes the last value from the highest step, then the latest timestamp, whatever the input order', () => {
    const history: Metric[] = [
      { key: 'x', value: 9, step: 4, timestamp: 50 },
      { key: 'x', value: 7, step: 5, timestamp: 10 },
      { key: 'x', value: 8, step: 5, timestamp: 20 },
      { key: 'x', value: 1, step: 0, timestamp: 99 },
    ];
    const [bucket] = downsampleMetricHistory(history, 1);
    assert.deepEqual(bucket, { stepStart: 0, stepEnd: 5, count: 4, min: 1, max: 9, last: 8, lastStep: 5, lastTimestamp: 20 });
  });

  it('counts NaN points but leaves them out of min and max; infinities are kept', () => {
    const history = series([Number.NaN, 2, Number.POSITIVE_INFINITY, Number.NaN]);
    const [bucket] = downsampleMetricHistory(history, 1);
    assert.equal(bucket?.count, 4);
    assert.equal(bucket?.min, 2);
    assert.equal(bucket?.max, Number.POSITIVE_INFINITY);
    const [onlyNaN] = downsampleMetricHistory(series([Number.NaN, Number.NaN]), 1);
    assert.ok(Number.isNaN(onlyNaN?.min) && Number.isNaN(onlyNaN?.max));
  });

  it('handles negative steps and steps far past 2^32 exactly', () => {
    const big = 2 ** 52;
    const history: Metric[] = [
      { key: 'x', value: 1, step: -5, timestamp: 1 },
      { key: 'x', value: 2, step: big, timestamp: 2 },
      { key: 'x', value: 3, step: big - 1, timestamp: 3 },
    ];
    const buckets = downsampleMetricHistory(history, 2);
    assert.equal(buckets[0]?.stepStart, -5);
    assert.equal(buckets.at(-1)?.stepEnd, big);
    assert.equal(buckets.reduce((n, b) => n + b.count, 0), 3);
  });

  it('agrees with a naive model on random histories', () => {
    const random = lcg(42);
    for (let round = 0; round < 200; round++) {
      const length = Math.floor(random() * 60);
      const history: Metric[] = Array.from({ length }, (_, i) => ({
        key: 'x',
        value: random() < 0.05 ? Number.NaN : Math.round((random() - 0.5) * 1000) / 10,
        step: Math.floor(random() * 80) - 10,
        timestamp: Math.floor(random() * 5) + i,
      }));
      const buckets = 1 + Math.floor(random() * 20);
      assert.deepEqual(downsampleMetricHistory(history, buckets), naive(history, buckets), `round ${round}, ${buckets} buckets`);
    }
  });
});
