// Feast Apply and Materialize Incremental as tracked runs, against real Feast
// (requirements-feast.txt), through the same launch as any script: apply registers the churn
// repository and the run records what Feast printed and the registry's objects; materialize loads
// the online store (read back with get_online_features), the run holds each view's interval as
// Feast recorded it and the files Feast read (the Parquet source) and wrote (the registry); a
// second run starts where the first ended.
// Then the failures: Feast not installed (exit 3, the pip line), an unknown feature view (exit 2).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDataRecord } from '../../src/core/data/dataRecord.ts';
import { feastRunArgs, feastRunName, feastRunTags, isoSeconds, type FeastRunRequest } from '../../src/core/feast/feastRun.ts';
import { FEAST_RUN_SOURCE } from '../../src/core/feast/feastRunSource.ts';
import { readFeastRegistry } from '../../src/core/feast/readFeastRegistry.ts';
import { ARTIFACTS } from '../../src/core/launch/conventions.ts';
import { launchTrackedRun } from '../../src/core/launch/launchTrackedRun.ts';
import type { Run } from '../../src/core/store/types.ts';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { pythonScript } from '../../src/core/system/pythonScript.ts';
import { churnRepoWithData, feastPython } from '../support/feast.ts';
import { QUIET_PYTHON_ENV, testPython } from '../support/python.ts';

describe('interop: Feast apply and materialize as tracked runs', function () {
  this.timeout(600_000);
  let dir: string;
  let repo: string;
  let store: SqliteTrackingStore;

  before(async function () {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-feast-run-'));
    repo = await churnRepoWithData(dir);
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs a Feast operation as the host does (the shipped script, its args, name and tags) and returns the ended run and its output. */
  async function feastRun(request: FeastRunRequest, python = feastPython()) {
    const tracked = await launchTrackedRun({
      store, trackingUri: 'http://127.0.0.1:9', python, owner: 'test', cwd: repo,
      env: { ...QUIET_PYTHON_ENV, FEAST_USAGE: 'False' },
      spoolDir: path.join(dir, 'spool'), experimentName: 'feast',
      program: { kind: 'script', file: pythonScript(FEAST_RUN_SOURCE, 'feast', 'labbook_feast_run'), args: feastRunArgs(request) },
      runName: feastRunName(request, 'churn'), extraTags: feastRunTags(request),
    });
    const outcome = await tracked.done;
    await tracked.captured;
    const run = await store.getRun(tracked.runId);
    const output = new TextDecoder().decode(await store.readArtifact(tracked.runId, ARTIFACTS.outputLog));
    return { outcome, run, output };
  }
  const param = (run: Run, key: string) => run.data.params.find((p) => p.key === key)?.value;
  const tag = (run: Run, key: string) => run.data.tags.find((t) => t.key === key)?.value;

  it('applies the repository: Feast\'s own report in the output, the operation as params, the registry\'s objects as tags', async () => {
    const { outcome, run, output } = await feastRun({ operation: 'apply', repo });
    assert.equal(outcome.status, 'FINISHED', output);
    assert.equal(run.info.runName, 'feast apply churn');
    assert.match(output, /Created feature view customer_orders/);
    assert.equal(param(run, 'feast.operation'), 'apply');
    assert.equal(param(run, 'feast.project'), 'churn');
    assert.match(param(run, 'feast.version') ?? '', /^0\.\d+/);
    assert.equal(tag(run, 'labbook.feast.operation'), 'apply');
    assert.equal(tag(run, 'labbook.feast.repo'), repo);
    assert.equal(tag(run, 'feast.feature_views'), 'customer_orders,customer_profile,store_traffic');
    assert.equal(tag(run, 'feast.feature_services'), 'churn_features');
    assert.equal(tag(run, 'feast.on_demand_feature_views'), 'basket_share');
    assert.equal(tag(run, 'feast.entities'), 'customer,store');
    // The registry the view reads now holds them.
    const read = await readFeastRegistry(feastPython(), repo);
    assert.ok(read.ok, read.ok ? '' : read.message);
    assert.deepEqual(read.registry.projects.find((p) => p.name === 'churn')?.featureViews.map((v) => v.name).sort(), ['customer_orders', 'customer_profile', 'store_traffic']);
  });

  it('materializes the online views up to now: intervals as tags, values online, the files Feast read and wrote', async () => {
    const endDate = new Date(Math.floor(Date.now() / 1000) * 1000);
    const { outcome, run, output } = await feastRun({ operation: 'materialize-incremental', repo, endDate, featureViews: [] });
    assert.equal(outcome.status, 'FINISHED', output);
    assert.equal(run.info.runName, 'feast materialize churn');
    assert.equal(param(run, 'feast.operation'), 'materialize-incremental');
    assert.equal(param(run, 'feast.end_date'), isoSeconds(endDate));
    assert.equal(param(run, 'feast.feature_views'), '(every online feature view)');
    // The offline-only store_traffic is not materialized; each online view from now minus its TTL.
    assert.equal(tag(run, 'feast.materialized_views'), 'customer_orders,customer_profile');
    assert.equal(tag(run, 'feast.materialized.store_traffic'), undefined);
    for (const [view, ttlDays] of [['customer_orders', 1], ['customer_profile', 30]] as const) {
      const interval = tag(run, `feast.materialized.${view}`) ?? '';
      const [start, end] = interval.split('/');
      assert.equal(end, isoSeconds(endDate), `${view}: ${interval}`);
      const startMs = Date.parse(start ?? '');
      // Feast takes "now" a moment after the end date was chosen.
      assert.ok(Math.abs(startMs - (endDate.getTime() - ttlDays * 86_400_000)) < 120_000, `${view} starts a TTL before the end: ${interval}`);
    }
    assert.deepEqual(await onlineOrders([19, 3]), [19, 3], 'the online store answers with the offline values');
    // What the run read and wrote, observed: the source file in, the registry (with the new
    // intervals) out. The SQLite online store is written by the sqlite3 library, which Python's
    // `open` audit event does not see.
    const record = parseDataRecord(new TextDecoder().decode(await store.readArtifact(run.info.runId, ARTIFACTS.dataRecord)));
    assert.ok(record, 'the run has a data record');
    assert.ok(record.inputs.some((e) => e.path === 'data/orders.parquet'), `inputs: ${record.inputs.map((e) => e.path).join(', ')}`);
    assert.ok(record.outputs.some((e) => e.path === 'data/registry.db'), `outputs: ${record.outputs.map((e) => e.path).join(', ')}`);
  });

  it('a second run of one view starts where the first ended', async () => {
    const first = (await store.searchRuns({ experimentIds: [(await store.getExperimentByName('feast'))?.experimentId ?? '-1'], filter: "params.`feast.operation` = 'materialize-incremental'" })).items;
    assert.equal(first.length, 1);
    const previousEnd = (tag(first[0] as Run, 'feast.materialized.customer_orders') ?? '').split('/')[1];
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const endDate = new Date(Math.floor(Date.now() / 1000) * 1000);
    const { outcome, run, output } = await feastRun({ operation: 'materialize-incremental', repo, endDate, featureViews: ['customer_orders'] });
    assert.equal(outcome.status, 'FINISHED', output);
    assert.equal(param(run, 'feast.feature_views'), 'customer_orders');
    assert.equal(tag(run, 'feast.materialized_views'), 'customer_orders');
    assert.equal(tag(run, 'feast.materialized.customer_orders'), `${previousEnd}/${isoSeconds(endDate)}`);
  });

  it('fails with the reason: an unknown feature view (exit 2), Feast not installed in the interpreter (exit 3, the pip line)', async () => {
    const unknown = await feastRun({ operation: 'materialize-incremental', repo, endDate: new Date(), featureViews: ['no_such_view'] });
    assert.equal(unknown.outcome.status, 'FAILED');
    assert.equal(unknown.outcome.exitCode, 2);
    assert.match(unknown.output, /No feature view named no_such_view in the project churn/);

    const missing = await feastRun({ operation: 'apply', repo }, testPython());
    assert.equal(missing.outcome.status, 'FAILED');
    assert.equal(missing.outcome.exitCode, 3);
    assert.match(missing.output, /Feast is not installed in .*-m pip install feast/s);
  });

  /** orders_7d of the given customers from the online store, read by Feast. */
  function onlineOrders(customers: readonly number[]): Promise<unknown> {
    const script = [
      'import json, sys',
      'from feast import FeatureStore',
      'store = FeatureStore(repo_path=sys.argv[1])',
      'rows = [{"customer_id": int(c)} for c in sys.argv[2:]]',
      'print(json.dumps(store.get_online_features(features=["customer_orders:orders_7d"], entity_rows=rows).to_dict()["orders_7d"]))',
    ].join('\n');
    return new Promise((resolve, reject) => {
      execFile(feastPython(), ['-c', script, repo, ...customers.map(String)], { cwd: repo, timeout: 120_000, env: { ...process.env, ...QUIET_PYTHON_ENV, FEAST_USAGE: 'False' } }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? 'null'));
      });
    });
  }
});
