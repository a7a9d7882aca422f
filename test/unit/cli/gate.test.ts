// `labbook gate` run as a process, as a CI step runs it: exit 1 and nothing written when the gate
// fails, exit 0 and the alias moved (with its audit tag) when it passes, exit 2 with one line for
// errors; over a local store file and over Labbook's endpoint through MLFLOW_TRACKING_URI.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseGateArgs } from '../../../src/cli/gateCommand.ts';
import { UsageError } from '../../../src/cli/usage.ts';
import { readAuditTrail } from '../../../src/core/lifecycle/lifecycle.ts';
import { startLocalTrackingServer } from '../../../src/core/mlflow/server/localTrackingServer.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { runCli, type CliResult } from '../../support/cli.ts';
import { freePort } from '../../support/mlflowServer.ts';
import { buildModels } from '../lifecycle/models.ts';

/** `labbook gate ARGS` in `cwd`, with no tracking URI or CI actor from this process unless given. */
function labbook(args: readonly string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env, ...extraEnv };
  if (!extraEnv['MLFLOW_TRACKING_URI']) delete env['MLFLOW_TRACKING_URI'];
  delete env['GITHUB_ACTOR'];
  return runCli(['gate', ...args], { cwd, env });
}

describe('cli: labbook gate', function () {
  this.timeout(120_000);
  let dir: string;
  let db: string;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-cli-gate-'));
    db = path.join(dir, 'tracking.db');
    const store = new SqliteTrackingStore(db);
    await buildModels(store, dir);
    await store.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads its arguments: --against defaults to the --promote alias; champion rules need one of them', () => {
    const parsed = parseGateArgs(['clf', '@challenger', '--rule', 'metrics.rmse <= champion', '--promote', '@champion', '--actor', 'ci'], {});
    assert.notEqual(parsed, 'help');
    if (parsed !== 'help') assert.deepEqual(parsed.request, { name: 'clf', candidate: '@challenger', rules: ['metrics.rmse <= champion'], actor: 'ci', against: { alias: 'champion' }, promote: 'champion' });
    assert.throws(() => parseGateArgs(['clf', '2', '--rule', 'metrics.rmse <= champion'], {}), UsageError);
    assert.throws(() => parseGateArgs(['clf', '2', '--rule', 'metrics.rmse ~ 1'], {}), /metrics.rmse ~ 1/);
    assert.throws(() => parseGateArgs(['clf', '2'], {}), /nothing to check/);
    assert.throws(() => parseGateArgs(['clf', '2', '--promote', '@champion', '--override-reason', ' '], {}), /needs a reason/);
    const actor = parseGateArgs(['clf', '2', '--rule', 'smoke passed'], { GITHUB_ACTOR: 'octocat' });
    assert.equal(actor !== 'help' && actor.request.actor, 'octocat');
  });

  it('exits 1 and writes nothing when the gate fails, 0 and promotes with an audit tag when it passes', async () => {
    const rule = 'metrics.rmse <= 1.0*champion';
    const worse = await labbook(['clf', '3', '--store', db, '--rule', rule, '--promote', '@champion', '--actor', 'ci'], dir);
    assert.equal(worse.code, 1, worse.stderr);
    assert.match(worse.stdout, /^FAIL {2}metrics\.rmse <= 1\.0\*champion: rmse 0\.7 is not ≤ 0\.5 \(champion v1 0\.5\)$/m);
    assert.match(worse.stdout, /not promoted: @champion unchanged/);

    const better = await labbook(['clf', '2', '--store', db, '--rule', rule, '--promote', '@champion', '--actor', 'ci', '--json'], dir);
    assert.equal(better.code, 0, better.stderr);
    const json = JSON.parse(better.stdout) as { passed: boolean; promoted: boolean; gate: { checks: { passed: boolean }[] }; entry: { key: string } };
    assert.deepEqual([json.passed, json.promoted, json.gate.checks.map((c) => c.passed)], [true, true, [true]]);

    const store = new SqliteTrackingStore(db);
    try {
      assert.equal((await store.getModelVersionByAlias('clf', 'champion')).version, '2');
      const trail = await readAuditTrail(store, 'clf');
      assert.deepEqual(trail.map((e) => [e.action, e.fromVersion, e.toVersion, e.actor, e.key]), [['promote', '1', '2', 'ci', json.entry.key]]);
    } finally {
      await store.close();
    }
  });

  it('works over a server named by MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN (Labbook’s endpoint)', async () => {
    const store = new SqliteTrackingStore(db);
    const server = await startLocalTrackingServer({ store });
    try {
      const env = { MLFLOW_TRACKING_URI: server.url, MLFLOW_TRACKING_TOKEN: server.token };
      const failed = await labbook(['clf', '3', '--against', '@champion', '--rule', 'metrics.rmse <= champion'], dir, env);
      assert.equal(failed.code, 1, failed.stderr);
      const passed = await labbook(['clf', '2', '--rule', 'metrics.rmse <= champion', '--promote', 'champion', '--actor', 'ci'], dir, env);
      assert.equal(passed.code, 0, passed.stderr);
      assert.match(passed.stdout, /^promoted: clf v2 is now @champion \(was v1\); audit tag labbook\.audit\.\d+\.[0-9a-f]{8}, by ci$/m);
      assert.equal((await store.getModelVersionByAlias('clf', 'champion')).version, '2');
      const wrongToken = await labbook(['clf', '2', '--rule', 'metrics.rmse < 1'], dir, { ...env, MLFLOW_TRACKING_TOKEN: 'nope' });
      assert.equal(wrongToken.code, 2);
    } finally {
      await server.close();
      await store.close();
    }
  });

  it('exits 2 with one line for usage errors, an unknown version, a missing store and an unreachable server', async () => {
    const closed = await freePort();
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['clf', '2', '--store', db, '--rule', 'metrics.rmse <=> 1'], {}, /Gate rule "metrics.rmse <=> 1"/],
      [['clf', '99', '--store', db, '--rule', 'metrics.rmse < 1'], {}, /99/],
      [['nomodel', '1', '--store', db, '--rule', 'metrics.rmse < 1'], {}, /nomodel/],
      [['clf', '2', '--store', path.join(dir, 'absent.db'), '--rule', 'metrics.rmse < 1'], {}, /there is no store at/],
      [['clf', '2', '--rule', 'metrics.rmse < 1'], { MLFLOW_TRACKING_URI: `http://127.0.0.1:${closed}` }, new RegExp(`Could not reach the MLflow server at http://127\\.0\\.0\\.1:${closed}`)],
    ];
    for (const [args, env, message] of cases) {
      const ran = await labbook(args, dir, env);
      assert.equal(ran.code, 2, `${args.join(' ')}: ${ran.stdout}${ran.stderr}`);
      assert.match(ran.stderr.split('\n')[0] ?? '', message, ran.stderr);
    }
  });

  it('smoke --model finds the version before running the notebook: an unknown one is exit 2 with nothing run', async () => {
    writeFileSync(path.join(dir, 'nb.ipynb'), '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}');
    const env: Record<string, string | undefined> = { ...process.env };
    delete env['MLFLOW_TRACKING_URI'];
    const unknown = await runCli(['smoke', 'nb.ipynb', '--python', '/nonexistent/python', '--model', 'clf/99', '--store', db], { cwd: dir, env });
    assert.equal(unknown.code, 2, unknown.stdout + unknown.stderr);
    assert.match(unknown.stderr, /99/);
    assert.doesNotMatch(unknown.stdout + unknown.stderr, /nonexistent/, 'the interpreter was never started');
    const storeAlone = await runCli(['smoke', 'nb.ipynb', '--store', db], { cwd: dir, env });
    assert.equal(storeAlone.code, 2);
    assert.match(storeAlone.stderr, /give --model too/);
  });
});
