// A sweep as the panel's host would read it: 24 trials of a random search over a log-scaled
// learning rate, an int depth and a categorical optimizer (one value hostile markup), some pruned
// by the median rule, one failed, a few still running or queued. Built by core's buildSweepView
// from plain records, so the page gets exactly what the host sends.
import type { QueueItem } from '../../src/core/queue/types.ts';
import { buildSweepView } from '../../src/core/sweep/sweepView.ts';
import type { SweepRecord, SweepSpec, TrialRecord } from '../../src/core/sweep/types.ts';
import type { SweepView } from '../../src/protocol/sweep.ts';

export const HOSTILE = '<img src=x onerror=window.__xss=1>';

const spec: SweepSpec = {
  name: 'mnist-mlp',
  program: { kind: 'script', file: 'train.py' },
  paramStyle: 'flags',
  parameters: {
    lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
    depth: { type: 'int', low: 1, high: 6 },
    optimizer: { type: 'categorical', values: ['adam', 'sgd', HOSTILE] },
  },
  method: 'bayes',
  objective: { metric: 'val_loss', goal: 'minimize' },
  budget: { trials: 30 },
  parallelism: 3,
  seeds: [],
  seedParam: 'seed',
  samplerSeed: 0,
  sampler: 'tpe',
  earlyStopping: { rule: 'median', metric: 'val_loss', startupTrials: 5, warmupSteps: 2, minTrials: 5 },
};

/** A deterministic pseudo-random sequence (LCG), so the fixture is the same on every run. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

export function sweepFixture(): SweepView {
  const rand = random(17);
  const start = Date.UTC(2026, 2, 1, 9, 0, 0);
  const sweep: SweepRecord = { sweepId: 'sw-1', name: 'mnist-mlp', file: '.labbook/sweeps/mnist-mlp.yaml', spec, state: 'running', parallelism: 3, parentRunId: 'parent-run', experimentId: '1', target: '', createdAt: start, note: '' };
  const trials: TrialRecord[] = [];
  const items: QueueItem[] = [];
  const curves = new Map<string, { step: number; value: number }[]>();
  for (let n = 0; n < 24; n++) {
    const lr = 10 ** (-4 + 3 * rand());
    const depth = 1 + Math.floor(rand() * 6);
    const optimizer = n === 5 ? HOSTILE : rand() < 0.6 ? 'adam' : 'sgd';
    // Loss is lowest near lr = 3e-3 and depth 3, worse with sgd.
    const final = 0.08 + 0.12 * Math.abs(Math.log10(lr) + 2.5) + 0.02 * Math.abs(depth - 3) + (optimizer === 'sgd' ? 0.05 : 0) + 0.02 * rand();
    const state: TrialRecord['state'] = n >= 22 ? 'queued' : n >= 20 ? 'running' : n === 9 ? 'failed' : n > 5 && final > 0.24 ? 'pruned' : 'finished';
    const steps = state === 'pruned' ? 3 : state === 'finished' ? 10 : state === 'running' ? 4 : 0;
    const runId = `run${String(n).padStart(3, '0')}abcdef`;
    const curve = Array.from({ length: steps }, (_, i) => ({ step: i + 1, value: final + (0.6 * (10 - i - 1)) / 10 }));
    if (steps > 0) curves.set(runId, curve);
    const note = state === 'pruned' ? `val_loss ${curve[2]?.value.toFixed(3) ?? ''} at step 3 is worse than the median of earlier trials` : state === 'failed' ? 'exit code 1: CUDA out of memory' : '';
    trials.push({ sweepId: 'sw-1', number: n, params: { lr, depth, optimizer }, state, ...(state === 'finished' ? { value: final } : {}), createdAt: start + n * 60_000, note });
    if (state !== 'queued') {
      const startedAt = start + n * 60_000;
      items.push({ itemId: n + 1, position: n, state: state === 'running' ? 'running' : state, label: `trial ${n}`, launch: { kind: 'script', file: 'train.py', cwd: '/w', experimentName: 'mnist-mlp' }, pool: '', sweepId: 'sw-1', trialNumber: n, runNow: false, attempts: 1, createdAt: startedAt, startedAt, ...(state === 'running' ? {} : { endedAt: startedAt + (steps || 1) * 9_000 }), runId });
    }
  }
  return buildSweepView({ sweep, trials, items, curves, store: 'local', now: start + 30 * 60_000 });
}
