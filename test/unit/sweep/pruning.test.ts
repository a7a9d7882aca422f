// Early stopping on worked examples, each number worked by hand in the comments; the same
// semantics as Optuna's pruners are checked against Optuna itself in test/interop/sweepPruning.
import assert from 'node:assert/strict';
import { ashaPrune, medianPrune, nanPercentile, rungStep, type AshaRule, type Curve, type MedianRule } from '../../../src/core/sweep/pruning.ts';

const curve = (...values: number[]): Curve => values.map((value, step) => ({ step, value }));
const upTo = (c: Curve, step: number): Curve => c.filter((p) => p.step <= step);

describe('sweep pruning: median (Optuna MedianPruner)', () => {
  const rule: MedianRule = { rule: 'median', metric: 'loss', startupTrials: 2, warmupSteps: 1, minTrials: 1 };
  // Finished trials (loss per step 0..3):
  //   A 1.0 0.8 0.6  0.5
  //   B 1.2 0.9 0.7  0.4
  //   C 0.9 0.7 0.65 0.55
  // Medians: step 1 → 0.8 (0.7 0.8 0.9), step 2 → 0.65 (0.6 0.65 0.7).
  const finished = [curve(1.0, 0.8, 0.6, 0.5), curve(1.2, 0.9, 0.7, 0.4), curve(0.9, 0.7, 0.65, 0.55)];

  it('does not judge during the warm-up nor before enough trials finished', () => {
    assert.equal(medianPrune(rule, curve(9), finished, 0, 'minimize').prune, false, 'step 0 < warmupSteps 1');
    assert.match(medianPrune(rule, curve(9, 9), finished.slice(0, 1), 1, 'minimize').reason, /1 of 2 startup trials finished/);
    assert.equal(medianPrune(rule, curve(9, 9), [], 1, 'minimize').prune, false);
  });

  it('prunes when the best value so far is worse than the median at the step', () => {
    // T: best by step 1 is 0.95 > 0.8 → prune.
    const t = medianPrune(rule, curve(1.1, 0.95), finished, 1, 'minimize');
    assert.equal(t.prune, true);
    assert.match(t.reason, /best 0\.95 by step 1 is worse than the median 0\.8 of 3 finished trials/);
    // U: 0.75 ≤ 0.8 at step 1 → goes on; at step 2 its best is 0.66 > 0.65 → prune.
    const u = curve(1.1, 0.75, 0.66);
    assert.equal(medianPrune(rule, upTo(u, 1), finished, 1, 'minimize').prune, false);
    assert.equal(medianPrune(rule, u, finished, 2, 'minimize').prune, true);
    // V: 0.9 at step 1 is worse than 0.8, but its best so far (0.5 at step 0) is not → goes on.
    assert.equal(medianPrune(rule, curve(0.5, 0.9), finished, 1, 'minimize').prune, false);
    // Values after `step` are not looked at.
    assert.equal(medianPrune(rule, curve(1.1, 0.75, 5), finished, 1, 'minimize').prune, false);
  });

  it('takes the mean of the two middle values for an even count, and needs minTrials values at the step', () => {
    // A and B only: median at step 1 = (0.8 + 0.9) / 2 = 0.85. 0.95 > 0.85 → prune; 0.84 → not.
    assert.equal(medianPrune(rule, curve(1, 0.95), finished.slice(0, 2), 1, 'minimize').prune, true);
    assert.equal(medianPrune(rule, curve(1, 0.84), finished.slice(0, 2), 1, 'minimize').prune, false);
    // D finished after one step: only A and B reported step 1, fewer than minTrials 3.
    const three = { ...rule, minTrials: 3 };
    const r = medianPrune(three, curve(1, 5), [...finished.slice(0, 2), curve(1.0)], 1, 'minimize');
    assert.deepEqual([r.prune, r.reason], [false, '2 finished trials reported step 1, fewer than 3']);
  });

  it('turns around for a metric to maximize, and prunes a trial that reports only NaN', () => {
    // Accuracy; at step 1 the finished trials have 0.6, 0.5, 0.62 → median 0.6. T's best 0.55 < 0.6 → prune.
    const acc = [curve(0.5, 0.6, 0.7), curve(0.4, 0.5, 0.65), curve(0.55, 0.62, 0.72)];
    assert.equal(medianPrune(rule, curve(0.3, 0.55), acc, 1, 'maximize').prune, true);
    assert.equal(medianPrune(rule, curve(0.3, 0.61), acc, 1, 'maximize').prune, false);
    assert.equal(medianPrune(rule, curve(Number.NaN, Number.NaN), finished, 1, 'minimize').prune, true);
  });

  it('computes percentiles as numpy does (linear, NaN ignored)', () => {
    assert.equal(nanPercentile([3, 1, 2], 50), 2);
    assert.equal(nanPercentile([4, 1, 2, 3], 50), 2.5);
    assert.equal(nanPercentile([1, Number.NaN, 3], 50), 2);
    assert.equal(nanPercentile([10, 20, 30, 40, 50], 25), 20);
    assert.ok(Number.isNaN(nanPercentile([Number.NaN], 50)));
  });
});

describe('sweep pruning: ASHA (Optuna SuccessiveHalvingPruner)', () => {
  // minResource 1, reductionFactor 2: rungs at steps 1, 2, 4, 8.
  const rule: AshaRule = { rule: 'asha', metric: 'loss', minResource: 1, reductionFactor: 2, minEarlyStoppingRate: 0 };
  // Other trials (loss at steps 0, 1, 2…) and their rung values (value at the first step ≥ the rung's):
  //   A 5 4 3 2 1 → rung 0: 4, rung 1: 3, rung 2 (step 4): 1
  //   B 5 6 5     → rung 0: 6, rung 1: 5
  //   C 5 2       → rung 0: 2
  const others = [curve(5, 4, 3, 2, 1), curve(5, 6, 5), curve(5, 2)];

  it('places rungs at minResource · reductionFactor^(k + minEarlyStoppingRate)', () => {
    assert.deepEqual([0, 1, 2, 3].map((k) => rungStep(rule, k)), [1, 2, 4, 8]);
    assert.deepEqual([0, 1, 2].map((k) => rungStep({ ...rule, minResource: 2, reductionFactor: 3, minEarlyStoppingRate: 1 }, k)), [6, 18, 54]);
  });

  it('promotes a trial within the top 1/reductionFactor of its rung, and prunes it otherwise', () => {
    // Step 0 is before the first rung.
    assert.equal(ashaPrune(rule, curve(5), others, 0, 'minimize').prune, false);
    // T at step 1 (rung 0): competing 4, 6, 2 and its 3 → sorted 2 3 4 6; index 4 // 2 − 1 = 1 → bar 3; 3 ≤ 3 → promoted.
    const promoted = ashaPrune(rule, curve(5, 3), others, 1, 'minimize');
    assert.deepEqual(promoted, { prune: false, reason: 'promoted through rung 0; next rung at step 2' });
    // T at step 2 (rung 1): competing A 3, B 5 and its 3.5 → sorted 3 3.5 5; index 3 // 2 − 1 = 0 → bar 3; 3.5 > 3 → pruned.
    const pruned = ashaPrune(rule, curve(5, 3, 3.5), others, 2, 'minimize');
    assert.equal(pruned.prune, true);
    assert.match(pruned.reason, /3\.5 at rung 1 \(step 2\) is not in the top 1\/2 of 3 trials \(needs ≤ 3\)/);
    // With 2.9 at step 2 it is the best of the rung → promoted; the next rung is at step 4.
    assert.equal(ashaPrune(rule, curve(5, 3, 2.9), others, 2, 'minimize').prune, false);
    // Its own earlier rung is not judged again at step 3 (no rung at 3).
    assert.equal(ashaPrune(rule, curve(5, 3, 2.9, 9), others, 3, 'minimize').prune, false);
  });

  it('judges every rung a report jumps over, with the value reported', () => {
    // Reports at steps 0 and 4 only: 2.5 at rung 0 (2 2.5 4 6 → bar 2.5, kept), rung 1 (2.5 3 5 → bar 2.5, kept),
    // rung 2 (competing A's 1 and 2.5 → index 2 // 2 − 1 = 0 → bar 1; 2.5 > 1 → pruned).
    const r = ashaPrune(rule, [{ step: 0, value: 5 }, { step: 4, value: 2.5 }], others, 4, 'minimize');
    assert.equal(r.prune, true);
    assert.match(r.reason, /at rung 2 \(step 4\)/);
  });

  it('gives a trial pruned by a report that passed several rungs only the rungs it reached', () => {
    // A 5 4 3 2 1 and B 5 4 3 2.5 2: rung 2 (step 4) values 1 and 2.
    // P reported 5 at step 0, then 3.5 at step 4: rung 0 (A 4, B 4, P 3.5 → bar 3.5) kept it; rung 1
    // (A 3, B 3, P 3.5 → bar 3) pruned it there, so Optuna never recorded P at rung 2.
    const a = curve(5, 4, 3, 2, 1);
    const b = curve(5, 4, 3, 2.5, 2);
    const p = [{ step: 0, value: 5 }, { step: 4, value: 3.5 }];
    // T at step 4 with 1.8: rung 2 holds A 1, B 2 and T 1.8 → index 3 // 2 − 1 = 0 → bar 1 → pruned.
    // (Counting P's 3.5 at rung 2 would give 4 values, index 1, bar 1.8, and keep T.)
    const t = ashaPrune(rule, curve(5, 4, 3, 2.5, 1.8), [a, b, p], 4, 'minimize');
    assert.equal(t.prune, true);
    assert.match(t.reason, /of 3 trials \(needs ≤ 1\)/);
  });

  it('keeps the first trial to reach a rung, skips itself among the curves, and keeps the first value of a repeated step', () => {
    const t = curve(5, 100);
    assert.equal(ashaPrune(rule, t, [t], 1, 'minimize').prune, false, 'alone at rung 0');
    // Step 1 reported twice: Optuna keeps 3 and ignores 100 (3 ≤ bar 3 → promoted as above).
    assert.equal(ashaPrune(rule, [{ step: 0, value: 5 }, { step: 1, value: 3 }, { step: 1, value: 100 }], others, 1, 'minimize').prune, false);
  });

  it('turns around for a metric to maximize', () => {
    // Others' rung 0: 0.5, 0.7, 0.9. With 0.8: sorted 0.5 0.7 0.8 0.9, index 1 from the top → bar 0.8 → kept.
    // With 0.6: sorted 0.5 0.6 0.7 0.9 → bar 0.7 → pruned.
    const acc = [curve(0, 0.5), curve(0, 0.7), curve(0, 0.9)];
    assert.equal(ashaPrune(rule, curve(0, 0.8), acc, 1, 'maximize').prune, false);
    assert.equal(ashaPrune(rule, curve(0, 0.6), acc, 1, 'maximize').prune, true);
    assert.equal(ashaPrune(rule, curve(0, Number.NaN), acc, 1, 'maximize').prune, true);
  });
});
