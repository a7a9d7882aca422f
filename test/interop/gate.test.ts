// `labbook gate` as a CI step, with the real `mlflow` client on both sides: a Python script logs
// a pandas dataset input, trains three scikit-learn models, `log_model`s and registers them (v1
// the baseline holding @champion, v2 worse, v3 better); `labbook smoke --model` records v3's smoke
// test; the gate refuses v2 (exit 1, nothing written) and promotes v3 to @champion (exit 0); the
// mlflow client then reads the alias and the audit tags back. One test body over two targets: a
// real `mlflow server` (Labbook over REST), and Labbook's local store served over its endpoint
// (the script logs through the endpoint, the gate opens the store file).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, type CliResult } from '../support/cli.ts';
import { withTrackers } from '../support/trackers.ts';
import { QUIET_PYTHON_ENV, runPython, testPython } from '../support/python.ts';

const SCRIPT = path.resolve(import.meta.dirname, '..', 'fixtures', 'python', 'gate_models.py');
const NOTEBOOK = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', id: 'c1', metadata: {}, source: 'assert 1 + 1 == 2', outputs: [], execution_count: null }] };

interface Target {
  /** For the Python script and the CLI. */
  readonly env: Record<string, string>;
  /** How the CLI opens the store. */
  readonly storeArgs: readonly string[];
}

/** `labbook ARGS` in `cwd` with `env` on top of this process's, minus any tracking URI or CI actor of its own. */
function labbook(args: readonly string[], env: Record<string, string>, cwd: string): Promise<CliResult> {
  const base: Record<string, string | undefined> = { ...process.env, ...QUIET_PYTHON_ENV };
  for (const key of ['MLFLOW_TRACKING_URI', 'MLFLOW_TRACKING_TOKEN', 'GITHUB_ACTOR']) delete base[key];
  return runCli(args, { cwd, env: { ...base, ...env }, timeoutMs: 200_000 });
}

interface ReadBack {
  readonly champion: string;
  readonly audit: Record<string, { action: string; alias: string; from: string | null; to: string; actor: string; gate: { passed: boolean; checks: { rule: string; passed: boolean }[] } }>;
  readonly version_tags: Record<string, Record<string, string>>;
}

describe('interop: labbook gate between models the mlflow client registered', function () {
  this.timeout(600_000);
  const t = withTrackers('labbook-gate-interop-');
  before(() => writeFileSync(path.join(t.dir, 'smoke.ipynb'), JSON.stringify(NOTEBOOK)));

  const targets: readonly [string, () => Target][] = [
    ['a real mlflow server', () => ({ env: { MLFLOW_TRACKING_URI: t.mlflow.url }, storeArgs: [] })],
    ['Labbook’s local store (the script logs through its endpoint)', () => ({ env: { MLFLOW_TRACKING_URI: t.labbook.url, MLFLOW_TRACKING_TOKEN: t.labbook.token }, storeArgs: ['--store', t.storePath] })],
  ];
  for (const [label, targetOf] of targets) {
    it(`refuses the worse version and promotes the better one to @champion: ${label}`, async () => {
      const target = targetOf();
      const cliEnv = target.storeArgs.length > 0 ? {} : target.env;
      const trained = await runPython([SCRIPT, 'train'], target.env, 280_000, t.dir);
      assert.equal(trained.code, 0, trained.stderr.slice(-4000));

      const smoke = await labbook(['smoke', 'smoke.ipynb', '--python', testPython(), '--model', 'gate-clf/3', ...target.storeArgs], cliEnv, t.dir);
      assert.equal(smoke.code, 0, smoke.stdout + smoke.stderr);
      assert.match(smoke.stderr, /recorded labbook.smoke.status=passed on gate-clf\/3/);

      const rules = ['--rule', 'metrics.rmse <= 1.0*champion', '--rule', 'smoke passed'];
      const worse = await labbook(['gate', 'gate-clf', '2', ...rules, '--promote', '@champion', '--actor', 'ci-bot', ...target.storeArgs], cliEnv, t.dir);
      assert.equal(worse.code, 1, worse.stdout + worse.stderr);
      assert.match(worse.stdout, /^FAIL {2}metrics\.rmse <= 1\.0\*champion: rmse [\d.]+ is not ≤ [\d.]+ \(champion v1 [\d.]+\)$/m);
      assert.match(worse.stdout, /^FAIL {2}smoke passed: no smoke test result is recorded/m);
      assert.match(worse.stdout, /not promoted: @champion unchanged/);

      const better = await labbook(['gate', 'gate-clf', '3', ...rules, '--promote', '@champion', '--actor', 'ci-bot', '--json', ...target.storeArgs], cliEnv, t.dir);
      assert.equal(better.code, 0, better.stdout + better.stderr);
      const result = JSON.parse(better.stdout) as { promoted: boolean; entry: { key: string } };
      assert.equal(result.promoted, true);

      const out = path.join(t.dir, 'read.json');
      const read = await runPython([SCRIPT, 'read', out], target.env, 120_000, t.dir);
      assert.equal(read.code, 0, read.stderr.slice(-4000));
      const seen = JSON.parse(readFileSync(out, 'utf8')) as ReadBack;
      assert.equal(seen.champion, '3');
      assert.deepEqual(Object.keys(seen.audit), [result.entry.key], 'one audit entry: the refused gate wrote nothing');
      const entry = seen.audit[result.entry.key];
      assert.deepEqual([entry?.action, entry?.alias, entry?.from, entry?.to, entry?.actor, entry?.gate.passed], ['promote', 'champion', '1', '3', 'ci-bot', true]);
      assert.deepEqual(entry?.gate.checks.map((c) => [c.rule, c.passed]), [['metrics.rmse <= 1.0*champion', true], ['smoke passed', true]]);
      // The entry is on the versions concerned too, and the smoke result on v3.
      assert.ok(result.entry.key in (seen.version_tags['3'] ?? {}) && result.entry.key in (seen.version_tags['1'] ?? {}));
      assert.equal(seen.version_tags['3']?.['labbook.smoke.status'], 'passed');
      assert.equal(Object.keys(seen.version_tags['2'] ?? {}).filter((k) => k.startsWith('labbook.')).length, 0);
    });
  }
});
