// `labbook sweep export` → `python sweep_flow.py run` under real Metaflow (local runtime, metadata
// and datastore in a temp dir), every trial logging with the real mlflow client into Labbook's
// local tracking endpoint on a temp SQLite store; the assertions read that store.
// - random, 6 trials, 2 workers: a parent run with 6 FINISHED children holding their params and
//   the metric, best_loss on the parent; then --resume-run runs again only the trials without a
//   finished run (one failed, one left running), and no other.
// - bayes, 4 trials in rounds of 2 (round_0 → trial_0 → join_0 → round_1 …): 4 children, the
//   second round asked by a study rebuilt from the first round's runs in the tracking server.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sweepExportCommand } from '../../src/cli/sweepExport.ts';
import { startLocalTrackingServer, type LocalTrackingServer } from '../../src/core/mlflow/server/localTrackingServer.ts';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Run } from '../../src/core/store/types.ts';
import { runPython } from '../support/python.ts';

// A tiny training script: the loss is a known function of its flags, logged with mlflow.
const TRAIN = `import argparse
import json
import os

import mlflow

parser = argparse.ArgumentParser()
parser.add_argument("--x", type=float, required=True)
parser.add_argument("--depth", type=int, required=True)
parser.add_argument("--kind", required=True)
parser.add_argument("--fail", action="store_true")
args = parser.parse_args()
assert json.loads(os.environ["LABBOOK_TRIAL_PARAMS"])["kind"] == args.kind
with mlflow.start_run():
    loss = (args.x - 0.3) ** 2 + 0.01 * args.depth + (0.0 if args.kind == "a" else 0.05)
    for step in range(3):
        mlflow.log_metric("loss", loss + (2 - step) * 0.1, step=step)
    mlflow.log_param("kind", args.kind)
`;

const SPACE = `parameters:
  x: { type: float, low: 0, high: 1 }
  depth: { type: int, low: 1, high: 5 }
  kind: [a, b]
objective: { metric: loss, goal: minimize }
`;

function tags(run: Run): Record<string, string> {
  return Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
}
function params(run: Run): Record<string, string> {
  return Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
}
function metric(run: Run, key: string): number | undefined {
  return run.data.metrics.find((m) => m.key === key)?.value;
}

describe('interop: a sweep exported as a Metaflow flow runs every trial into the tracking server', function () {
  this.timeout(900_000);
  let root: string;
  let store: SqliteTrackingStore;
  let server: LocalTrackingServer;
  let metaflowEnv: Record<string, string>;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'labbook-sweepflow-'));
    store = new SqliteTrackingStore(path.join(root, 'tracking.db'));
    server = await startLocalTrackingServer({ store });
    const home = path.join(root, 'metaflow-home');
    mkdirSync(home, { recursive: true });
    // Metaflow keeps its metadata and artifacts under the temp dir; no network, no ~/.metaflowconfig.
    metaflowEnv = {
      USERNAME: 'labbook-test', HOME: home, METAFLOW_HOME: home, METAFLOW_DEFAULT_DATASTORE: 'local', METAFLOW_DEFAULT_METADATA: 'local', METAFLOW_DATASTORE_SYSROOT_LOCAL: home,
      MLFLOW_TRACKING_TOKEN: server.token,
    };
  });
  after(async () => {
    await server?.close();
    await store?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** A workspace with train.py and .labbook/sweeps/<name>.yaml; exports it with the CLI; returns the flow's path. */
  async function exportSweep(name: string, yaml: string, extraArgs: string[]): Promise<string> {
    const ws = path.join(root, name);
    mkdirSync(path.join(ws, '.labbook', 'sweeps'), { recursive: true });
    writeFileSync(path.join(ws, 'train.py'), TRAIN);
    const file = path.join(ws, '.labbook', 'sweeps', `${name}.yaml`);
    writeFileSync(file, yaml);
    let out = '';
    let err = '';
    const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } };
    assert.equal(await sweepExportCommand([file, ...extraArgs], io, ws), 0, err);
    assert.match(out, /Wrote sweep_flow\.py/);
    assert.equal(await sweepExportCommand([file, ...extraArgs], io, ws), 1, 'an existing flow is not overwritten');
    assert.match(err, /exists; use --force/);
    assert.equal(await sweepExportCommand([file, '--force', ...extraArgs], io, ws), 0, err);
    return path.join(ws, 'sweep_flow.py');
  }

  async function runFlow(flow: string, args: string[], env: Record<string, string> = {}): Promise<string> {
    const result = await runPython([flow, '--no-pylint', 'run', ...args], { ...metaflowEnv, ...env }, 600_000, path.dirname(flow));
    assert.equal(result.code, 0, `sweep_flow.py run:\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
    return result.stdout;
  }

  /** The parent run of the sweep `name` and its children, from the store. */
  async function sweepRuns(name: string): Promise<{ parent: Run; children: Run[] }> {
    const experiment = await store.getExperimentByName(name);
    assert.ok(experiment, `the experiment ${name} exists`);
    const runs = (await store.searchRuns({ experimentIds: [experiment.experimentId], maxResults: 1000 })).items;
    const parents = runs.filter((r) => tags(r)['mlflow.parentRunId'] === undefined);
    assert.equal(parents.length, 1, 'one parent run');
    const parent = parents[0] as Run;
    return { parent, children: runs.filter((r) => tags(r)['mlflow.parentRunId'] === parent.info.runId) };
  }

  function checkChildren(parent: Run, children: Run[], count: number): void {
    assert.equal(children.length, count, `${count} trial runs`);
    const ptags = tags(parent);
    assert.equal(parent.info.status, 'FINISHED');
    for (const child of children) {
      const t = tags(child);
      const p = params(child);
      assert.equal(child.info.status, 'FINISHED', `trial ${t['labbook.sweep.trial']}`);
      assert.equal(t['labbook.sweep.id'], ptags['labbook.sweep.id']);
      assert.equal(t['labbook.sweep.name'], ptags['labbook.sweep.name']);
      assert.match(t['labbook.sweep.trial'] ?? '', /^\d+$/);
      assert.match(t['labbook.metaflow.task'] ?? '', /SweepFlow\/\d+\/trial(_\d+)?\/\d+$/);
      assert.deepEqual(Object.keys(p).sort(), ['depth', 'kind', 'x']);
      const expected = (Number(p['x']) - 0.3) ** 2 + 0.01 * Number(p['depth']) + (p['kind'] === 'a' ? 0 : 0.05);
      assert.ok(Math.abs((metric(child, 'loss') ?? NaN) - expected) < 1e-9, `the script logged its loss into trial ${t['labbook.sweep.trial']}`);
    }
    const best = Math.min(...children.map((c) => metric(c, 'loss') ?? Infinity));
    assert.equal(metric(parent, 'best_loss'), best);
    const bestRun = children.find((c) => c.info.runId === ptags['labbook.sweep.best_run']);
    assert.ok(bestRun, 'the parent names its best run');
    assert.equal(metric(bestRun, 'loss'), best);
  }

  it('random: 6 trials with 2 workers, each a FINISHED child run with its params and metric; best_loss on the parent; --resume-run repeats only unfinished trials', async () => {
    const flow = await exportSweep('rand', `${SPACE}program: train.py\nmethod: random\nbudget: 6\nsamplerSeed: 3\n`, ['--tracking-uri', server.url]);
    const stdout = await runFlow(flow, ['--max-workers', '2']);
    const { parent, children } = await sweepRuns('rand');
    checkChildren(parent, children, 6);
    assert.deepEqual(children.map((c) => Number(tags(c)['labbook.sweep.trial'])).sort(), [0, 1, 2, 3, 4, 5]);
    assert.equal(params(parent)['sweep.method'], 'random');
    assert.match(stdout, new RegExp(`"parent_run_id": "${parent.info.runId}"`));

    // As if interrupted: trial 1's run failed and trial 4's was still running. Resumed, the flow
    // marks the stale run KILLED and runs only those two trials again; the rest are not repeated.
    const byTrial = (runs: Run[], n: number) => runs.filter((c) => tags(c)['labbook.sweep.trial'] === String(n));
    await store.updateRun((byTrial(children, 1)[0] as Run).info.runId, { status: 'FAILED' });
    await store.updateRun((byTrial(children, 4)[0] as Run).info.runId, { status: 'RUNNING', endTime: null });
    await runFlow(flow, ['--resume-run', parent.info.runId]);
    const again = await sweepRuns('rand');
    assert.equal(again.children.length, 8, 'two trials ran again, no other');
    for (let n = 0; n < 6; n++) {
      const states = byTrial(again.children, n).map((c) => c.info.status).sort();
      assert.deepEqual(states, n === 1 ? ['FAILED', 'FINISHED'] : n === 4 ? ['FINISHED', 'KILLED'] : ['FINISHED'], `trial ${n}`);
    }
    assert.equal(again.parent.info.status, 'FINISHED');
    assert.equal(metric(again.parent, 'best_loss'), metric(parent, 'best_loss'));
  });

  it('bayes: 4 trials in 2 rounds of 2 parallel asks, the study rebuilt from the tracking server each round', async () => {
    const flow = await exportSweep('bayes', `${SPACE}program: train.py\nmethod: bayes\nbudget: 4\nparallelism: 2\nsampler: tpe\n`, ['--round-size', '2']);
    const source = readFileSync(flow, 'utf8');
    assert.match(source, /def round_1\(self\)/);
    assert.doesNotMatch(source, /def round_2\(self\)/);
    await runFlow(flow, ['--max-workers', '2'], { MLFLOW_TRACKING_URI: server.url });
    const { parent, children } = await sweepRuns('bayes');
    checkChildren(parent, children, 4);
    const byTrial = new Map(children.map((c) => [Number(tags(c)['labbook.sweep.trial']), c]));
    assert.deepEqual([...byTrial.keys()].sort(), [0, 1, 2, 3]);
    // Round 2 came from a study holding round 1: its configurations are new ones.
    const configs = new Set(children.map((c) => JSON.stringify(params(c))));
    assert.equal(configs.size, 4, 'four different configurations');
    const tasks = children.map((c) => tags(c)['labbook.metaflow.task'] ?? '');
    assert.equal(tasks.filter((t) => /\/trial_0\//.test(t)).length, 2);
    assert.equal(tasks.filter((t) => /\/trial_1\//.test(t)).length, 2);
  });
});
