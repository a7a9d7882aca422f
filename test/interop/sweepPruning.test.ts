// Our pruning decisions against Optuna's own pruners (the test venv's optuna): seeded random
// learning curves are replayed trial after trial into an Optuna study (report, should_prune, tell
// pruned or complete) and into medianPrune/ashaPrune with the same history; every decision at
// every step must agree. Values are rounded to 2 decimals so ties (≤, ≥, the median of equal
// values) are exercised too.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { ashaPrune, medianPrune, type Curve } from '../../src/core/sweep/pruning.ts';
import type { EarlyStopping } from '../../src/core/sweep/types.ts';
import { runPython } from '../support/python.ts';

type Goal = 'minimize' | 'maximize';

const REPLAY = String.raw`
import json, sys
import optuna
from optuna.trial import TrialState
optuna.logging.set_verbosity(optuna.logging.ERROR)
cases = json.load(open(sys.argv[1]))
out = []
for case in cases:
    r = case["rule"]
    if r["rule"] == "median":
        pruner = optuna.pruners.MedianPruner(n_startup_trials=r["startupTrials"], n_warmup_steps=r["warmupSteps"], interval_steps=1, n_min_trials=r["minTrials"])
    else:
        pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=r["minResource"], reduction_factor=r["reductionFactor"], min_early_stopping_rate=r["minEarlyStoppingRate"])
    study = optuna.create_study(direction=case["goal"], pruner=pruner, sampler=optuna.samplers.RandomSampler(seed=0))
    decisions = []
    for curve in case["curves"]:
        trial = study.ask()
        seen = []
        pruned = False
        for point in curve:
            trial.report(point["value"], point["step"])
            p = bool(trial.should_prune())
            seen.append(p)
            if p:
                pruned = True
                break
        if pruned:
            study.tell(trial, state=TrialState.PRUNED)
        else:
            study.tell(trial, curve[-1]["value"])
        decisions.append(seen)
    out.append(decisions)
print(json.dumps({"version": optuna.__version__, "decisions": out}))
`;

interface Case {
  readonly rule: EarlyStopping;
  readonly goal: Goal;
  readonly curves: Curve[];
}

/** Noisy decaying (or rising, to maximize) curves of varied lengths and speeds, from a seeded generator. */
function curves(seed: number, trials: number, goal: Goal, stride: number): Curve[] {
  const rng = xoroshiro128plus(seed);
  return Array.from({ length: trials }, () => {
    const steps = uniformInt(rng, 3, 24);
    const start = 1 + uniformFloat64(rng);
    const rate = 0.02 + 0.2 * uniformFloat64(rng);
    return Array.from({ length: steps }, (_, i) => {
      const loss = start * Math.exp(-rate * i) + 0.05 * (uniformFloat64(rng) - 0.5);
      const value = Math.round((goal === 'minimize' ? loss : 2 - loss) * 100) / 100;
      return { step: i * stride, value };
    });
  });
}

/** The same replay as the Python one: a trial stops at its first prune; earlier trials are what Optuna's storage holds. */
function replay(c: Case): boolean[][] {
  const finished: Curve[] = [];
  const all: Curve[] = [];
  return c.curves.map((curve) => {
    const seen: boolean[] = [];
    for (let i = 0; i < curve.length; i++) {
      const point = curve[i] as { step: number; value: number };
      const sofar = curve.slice(0, i + 1);
      const d = c.rule.rule === 'median' ? medianPrune(c.rule, sofar, finished, point.step, c.goal) : ashaPrune(c.rule, sofar, all, point.step, c.goal);
      seen.push(d.prune);
      if (d.prune) break;
    }
    const ran = curve.slice(0, seen.length);
    if (!seen.at(-1)) finished.push(ran);
    all.push(ran);
    return seen;
  });
}

describe('sweep pruning interop: the same decisions as Optuna', function () {
  this.timeout(180_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-pruning-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('agrees with MedianPruner and SuccessiveHalvingPruner on every step of seeded random curves', async () => {
    const rules: EarlyStopping[] = [
      { rule: 'median', metric: 'm', startupTrials: 5, warmupSteps: 0, minTrials: 1 },
      { rule: 'median', metric: 'm', startupTrials: 3, warmupSteps: 4, minTrials: 3 },
      { rule: 'asha', metric: 'm', minResource: 1, reductionFactor: 4, minEarlyStoppingRate: 0 },
      { rule: 'asha', metric: 'm', minResource: 1, reductionFactor: 2, minEarlyStoppingRate: 0 },
      { rule: 'asha', metric: 'm', minResource: 2, reductionFactor: 3, minEarlyStoppingRate: 1 },
    ];
    const cases: Case[] = [];
    let seed = 1;
    for (const rule of rules) {
      for (const goal of ['minimize', 'maximize'] as const) {
        cases.push({ rule, goal, curves: curves(seed++, 40, goal, 1) });
        // Steps 0, 3, 6…: a report can pass several rungs at once, and the median compares only at common steps.
        cases.push({ rule, goal, curves: curves(seed++, 40, goal, 3) });
      }
    }
    const input = path.join(dir, 'cases.json');
    writeFileSync(input, JSON.stringify(cases));
    const script = path.join(dir, 'replay.py');
    writeFileSync(script, REPLAY);
    const run = await runPython([script, input], {}, 170_000);
    assert.equal(run.code, 0, run.stderr);
    const optuna = JSON.parse(run.stdout) as { version: string; decisions: boolean[][][] };
    let steps = 0;
    let prunes = 0;
    cases.forEach((c, i) => {
      const ours = replay(c);
      const theirs = optuna.decisions[i] as boolean[][];
      ours.forEach((seen, t) => {
        assert.deepEqual(seen, theirs[t], `case ${i} (${c.rule.rule} ${JSON.stringify(c.rule)} ${c.goal}), trial ${t}: ours ${JSON.stringify(seen)}, Optuna ${optuna.version} ${JSON.stringify(theirs[t])}`);
        steps += seen.length;
        prunes += seen.filter(Boolean).length;
      });
    });
    console.log(`      ${cases.length} cases, ${steps} decisions, ${prunes} prunes: all equal to Optuna ${optuna.version}`);
    assert.ok(prunes > 50, 'the curves exercise pruning');
  });
});
