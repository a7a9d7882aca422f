// Sweeps end to end, as `labbook sweep run` drives them (the same session: queue, runner, engine,
// tracked launches into a local store with its endpoint): what each trial costs on top of its
// script, against the same script run by a plain loop in the same run (issue 17: < 150 ms per
// trial), with one worker and with a 1,000-trial random sweep on two workers.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSweepSession } from '../src/cli/sweepSession.ts';
import { parseSweepFile } from '../src/core/sweep/sweepFile.ts';
import { randomConfigs } from '../src/core/sweep/space.ts';
import { paramArgs, TRIAL_PARAMS_ENV } from '../src/core/sweep/trialLaunch.ts';
import type { SweepSpec } from '../src/core/sweep/types.ts';
import { QUIET_PYTHON_ENV, testPython } from '../test/support/python.ts';
import type { Benchmark } from './timing.ts';

const TARGET_MS = 150;
const SMALL = Number(process.env.LABBOOK_BENCH_SWEEP_SMALL ?? 20);
const LARGE = Number(process.env.LABBOOK_BENCH_SWEEP_TRIALS ?? 1000);

/** A trial that does nothing but report its objective. */
const SCRIPT = `import json, os
p = json.loads(os.environ.get("${TRIAL_PARAMS_ENV}", "{}"))
print(f"labbook: metric loss={(p.get('x', 0.5) - 0.3) ** 2}")
`;

function sweepYaml(trials: number, parallelism: number): string {
  return `name: bench\nprogram: { script: trial.py }\nparameters:\n  x: { type: float, low: 0, high: 1 }\nmethod: random\nobjective: { metric: loss, goal: minimize }\nbudget: { trials: ${trials} }\nparallelism: ${parallelism}\n`;
}

function specOf(text: string): SweepSpec {
  const parsed = parseSweepFile(text, 'bench.yaml');
  if (!parsed.spec) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  return parsed.spec;
}

function runOnce(python: string, cwd: string, params: Record<string, unknown>, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['trial.py', ...args], { cwd, stdio: 'ignore', env: { ...process.env, ...QUIET_PYTHON_ENV, [TRIAL_PARAMS_ENV]: JSON.stringify(params) } });
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
}

/** The same trials, `workers` at a time, by a plain loop of `python trial.py ARGS`. */
async function plainLoop(python: string, dir: string, spec: SweepSpec, workers: number): Promise<number> {
  const trials = randomConfigs(spec, 0, spec.budget.trials ?? 0);
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let i = next++; i < trials.length; i = next++) {
        const trial = trials[i];
        if (trial) await runOnce(python, dir, trial.params, paramArgs(spec.paramStyle, trial.params));
      }
    }),
  );
  return performance.now() - start;
}

/** The sweep through `labbook sweep run`'s session, until it has finished. */
async function throughSweep(python: string, dir: string, spec: SweepSpec, workers: number): Promise<number> {
  const session = await openSweepSession({
    storeFile: path.join(dir, '.labbook', 'tracking.db'), workspace: dir, python, workers,
    env: { ...process.env, ...QUIET_PYTHON_ENV }, log: () => undefined,
  });
  try {
    const start = performance.now();
    const sweep = await session.engine.start(spec, 'bench.yaml');
    const ended = await session.follow(sweep.sweepId);
    const ms = performance.now() - start;
    const finished = session.sweeps.trials(ended.sweepId).filter((t) => t.state === 'finished').length;
    if (ended.state !== 'finished' || finished !== spec.budget.trials) throw new Error(`sweep ${ended.state}: ${finished} of ${spec.budget.trials} trials finished (${ended.note})`);
    return ms;
  } finally {
    await session.close();
  }
}

async function measure(trials: number, workers: number): Promise<{ overhead: number; plainPerTrial: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'labbook-bench-sweep-'));
  try {
    writeFileSync(path.join(dir, 'trial.py'), SCRIPT);
    const spec = specOf(sweepYaml(trials, workers));
    const python = testPython();
    await plainLoop(python, dir, specOf(sweepYaml(Math.min(trials, 10), workers)), workers); // warm the page cache
    const plain = await plainLoop(python, dir, spec, workers);
    const swept = await throughSweep(python, dir, spec, workers);
    // What each trial adds in its slot: the extra wall time, shared by the workers running at once.
    return { overhead: Math.max(0, ((swept - plain) * workers) / trials), plainPerTrial: (plain * workers) / trials };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [
  {
    name: `sweep: tracked trial overhead (claim, launch, record, release), ${SMALL} trials, 1 worker`,
    async run() {
      const { overhead, plainPerTrial } = await measure(SMALL, 1);
      return { oursMs: overhead, peer: 'plain python loop (ms per trial)', peerMs: plainPerTrial, target: `< ${TARGET_MS} ms per trial on top of the script`, met: overhead < TARGET_MS };
    },
  },
  {
    name: `sweep: ${LARGE}-trial random sweep of a no-op script, 2 workers (ms per trial)`,
    async run() {
      const { overhead, plainPerTrial } = await measure(LARGE, 2);
      return { oursMs: overhead, peer: 'plain python loop, 2 at a time (ms per trial)', peerMs: plainPerTrial, target: `< ${TARGET_MS} ms per trial on top of the script`, met: overhead < TARGET_MS };
    },
  },
];
