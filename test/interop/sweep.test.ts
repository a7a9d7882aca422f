// Sweeps with real Python: scikit-learn trials that log through the real mlflow client into the
// local store's endpoint, run by the same session `labbook sweep run` uses (a queue worker with 2
// slots and the engine). A 20-trial random sweep, a 20-trial Optuna TPE sweep that beats the
// random sweep's median, the median rule cutting a bad trial short, and the message (with the
// install line) for an interpreter without Optuna.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSweepSession, type SweepSession } from '../../src/cli/sweepSession.ts';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Run } from '../../src/core/store/types.ts';
import { paramImportance } from '../../src/core/sweep/importance.ts';
import { checkOptuna } from '../../src/core/sweep/optunaDriver.ts';
import { parseSweepFile } from '../../src/core/sweep/sweepFile.ts';
import type { SweepRecord } from '../../src/core/sweep/types.ts';
import { QUIET_PYTHON_ENV, testPython } from '../support/python.ts';

/** SVR or SGD on a synthetic regression; `rmse` on held-out data, and `val_rmse` per epoch for SGD. */
const TRAIN = `
import argparse, time
import numpy as np
import mlflow
from sklearn.datasets import make_regression
from sklearn.linear_model import SGDRegressor
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR

p = argparse.ArgumentParser()
p.add_argument("--model", default="svr")
p.add_argument("--C", type=float, default=1.0)
p.add_argument("--gamma", type=float, default=0.1)
p.add_argument("--epsilon", type=float, default=0.1)
p.add_argument("--lr", type=float, default=0.01)
p.add_argument("--epochs", type=int, default=6)
a = p.parse_args()

X, y = make_regression(n_samples=400, n_features=8, noise=15.0, random_state=0)
X = StandardScaler().fit_transform(X)
y = (y - y.mean()) / y.std()
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, random_state=0)
rmse = lambda m: float(min(1e6, np.sqrt(mean_squared_error(yva, np.clip(m.predict(Xva), -1e3, 1e3)))))

with mlflow.start_run():
    if a.model == "svr":
        model = SVR(C=a.C, gamma=a.gamma, epsilon=a.epsilon).fit(Xtr, ytr)
    else:
        model = SGDRegressor(learning_rate="constant", eta0=a.lr, random_state=0)
        for epoch in range(a.epochs):
            model.partial_fit(Xtr, ytr)
            mlflow.log_metric("val_rmse", rmse(model), step=epoch)
            time.sleep(0.4)
    mlflow.log_metric("rmse", rmse(model))
`;

const SVR_SPACE = `
parameters:
  C: { low: 0.01, high: 1000.0, log: true }
  gamma: { low: 0.0001, high: 1.0, log: true }
  epsilon: { low: 0.01, high: 1.0 }
objective: { metric: rmse, goal: minimize }
budget: 20
parallelism: 2
samplerSeed: 1
`;

const median = (values: readonly number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

describe('interop: sweeps of a scikit-learn script with real Python, mlflow and Optuna', function () {
  this.timeout(300_000);
  let dir: string;
  let session: SweepSession;
  let store: SqliteTrackingStore;
  const logs: string[] = [];
  let randomValues: number[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-interop-sweep-'));
    mkdirSync(path.join(dir, '.labbook', 'sweeps'), { recursive: true });
    writeFileSync(path.join(dir, 'train.py'), TRAIN);
    const storeFile = path.join(dir, '.labbook', 'tracking.db');
    session = await openSweepSession({
      storeFile, workspace: dir, python: testPython(), workers: 2, env: { ...process.env, ...QUIET_PYTHON_ENV }, tickMs: 250,
      log: (line) => logs.push(line),
    });
    // A second connection for reading runs, as the editor would have.
    store = new SqliteTrackingStore(storeFile);
  });
  after(async () => {
    await session.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(yaml: string): Promise<SweepRecord> {
    const parsed = parseSweepFile(yaml, 'sweep.yaml');
    assert.ok(parsed.spec, parsed.problems.map((p) => p.message).join('; '));
    const started = await session.engine.start(parsed.spec, `.labbook/sweeps/${parsed.spec.name}.yaml`);
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      session.follow(started.sweepId),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`sweep ${parsed.spec?.name} did not end:\n${logs.slice(-20).join('\n')}`)), 200_000))),
    ]).finally(() => clearTimeout(timer));
    assert.equal(ended.state, 'finished', logs.slice(-20).join('\n'));
    return ended;
  }

  async function children(sweep: SweepRecord): Promise<Run[]> {
    const page = await store.searchRuns({ experimentIds: [sweep.experimentId], filter: `tags."mlflow.parentRunId" = '${sweep.parentRunId}'`, maxResults: 1000 });
    return [...page.items];
  }

  it('a 20-trial random sweep with 2 workers: all 20 trials FINISHED as children of the parent run', async () => {
    const sweep = await run(`name: svr-random\nprogram: { script: train.py, args: [--model, svr] }\nmethod: random\n${SVR_SPACE}`);
    const trials = session.sweeps.trials(sweep.sweepId);
    assert.equal(trials.length, 20);
    assert.ok(trials.every((t) => t.state === 'finished' && Number.isFinite(t.value)), JSON.stringify(trials.map((t) => [t.state, t.note])));
    const runs = await children(sweep);
    assert.equal(runs.length, 20);
    assert.ok(runs.every((r) => r.info.status === 'FINISHED'));
    // The mlflow client logged the objective into the runs Labbook created.
    assert.ok(runs.every((r) => r.data.metrics.some((m) => m.key === 'rmse')));
    assert.equal((await store.getRun(sweep.parentRunId)).info.status, 'FINISHED');
    randomValues = trials.map((t) => t.value as number);

    const importance = await paramImportance(testPython(), sweep.spec, trials);
    assert.ok(importance.method?.startsWith('fANOVA (Optuna'), JSON.stringify(importance));
    if (importance.method) assert.deepEqual(importance.values.map((v) => v.param).sort(), ['C', 'epsilon', 'gamma']);
  });

  it('a 20-trial Optuna TPE sweep finds a better objective than the random sweep\'s median', async () => {
    assert.equal(randomValues.length, 20, 'the random sweep ran first');
    const sweep = await run(`name: svr-tpe\nprogram: { script: train.py, args: [--model, svr] }\nmethod: bayes\nsampler: tpe\n${SVR_SPACE}`);
    const trials = session.sweeps.trials(sweep.sweepId);
    assert.equal(trials.length, 20);
    assert.ok(trials.every((t) => t.state === 'finished' && t.optunaNumber !== undefined));
    const best = Math.min(...trials.map((t) => t.value as number));
    assert.ok(best < median(randomValues), `TPE best ${best} vs random median ${median(randomValues)}`);
    const parent = await store.getRun(sweep.parentRunId);
    assert.equal(parent.data.metrics.find((m) => m.key === 'best_rmse')?.value, best);
  });

  it('the median rule cuts a bad trial short: trial pruned, its run KILLED, the note says at which step', async () => {
    const sweep = await run(`
name: sgd-prune
program: { script: train.py, args: [--model, sgd, --epochs, "8"] }
method: random
parameters:
  lr: { low: 0.00001, high: 2.0, log: true }
objective: { metric: rmse }
budget: 8
parallelism: 2
samplerSeed: 3
earlyStopping: { rule: median, metric: val_rmse, startupTrials: 2, warmupSteps: 1, minTrials: 2 }
`);
    const trials = session.sweeps.trials(sweep.sweepId);
    assert.equal(trials.length, 8);
    const pruned = trials.filter((t) => t.state === 'pruned');
    assert.ok(pruned.length >= 1, JSON.stringify(trials.map((t) => [t.number, t.state, t.value, t.note])));
    const runs = await children(sweep);
    for (const t of pruned) {
      assert.match(t.note, /pruned at step \d+ by the median rule/);
      const runOf = runs.find((r) => r.data.tags.some((tag) => tag.key === 'labbook.sweep.trial' && tag.value === String(t.number)));
      assert.equal(runOf?.info.status, 'KILLED');
      const history = await store.getMetricHistory(runOf?.info.runId ?? '', 'val_rmse');
      assert.ok(history.length < 8, `trial ${t.number} was cut before its last epoch (${history.length} steps)`);
    }
  });

  it('an interpreter without Optuna: a clear message with the exact install line', async () => {
    const venv = path.join(dir, 'bare-venv');
    execFileSync(testPython(), ['-m', 'venv', '--without-pip', venv]);
    const python = path.join(venv, process.platform === 'win32' ? 'Scripts' : 'bin', process.platform === 'win32' ? 'python.exe' : 'python');
    const result = await checkOptuna(python);
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.install, `"${python}" -m pip install optuna`);
      assert.match(result.message, /Optuna is not installed in .*bare-venv/);
      assert.ok(result.message.includes(result.install));
    }
    const parsed = parseSweepFile(`name: no-optuna\nprogram: train.py\nmethod: bayes\n${SVR_SPACE}`, 'x.yaml');
    assert.ok(parsed.spec);
    const importance = await paramImportance(python, parsed.spec, [
      { sweepId: 's', number: 0, params: { C: 1, gamma: 0.1, epsilon: 0.1 }, state: 'finished', value: 1, createdAt: 0, note: '' },
      { sweepId: 's', number: 1, params: { C: 2, gamma: 0.2, epsilon: 0.2 }, state: 'finished', value: 2, createdAt: 0, note: '' },
    ]);
    assert.equal(importance.method, null);
    if (importance.method === null) assert.equal(importance.fix, `"${python}" -m pip install optuna`);
  });
});
