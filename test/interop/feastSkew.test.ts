// The training–serving skew check against real Feast (requirements-feast.txt): the churn repository
// applied and materialized agrees with itself (exit 0); one online value overwritten through
// Feast's own write_to_online_store is found, with the entity and both values (exit 1); an online
// entity neither store knows is no mismatch; an entities file without the join key is a usage
// error (exit 2), as the CLI a CI job runs. (Entities missing from one store, staleness: unit tests.)
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkFeastSkew, type SkewReport } from '../../src/core/feast/feastSkew.ts';
import { appliedChurnRepo, feastPython, runLabbookCli as runCli } from '../support/feast.ts';
import { QUIET_PYTHON_ENV } from '../support/python.ts';

function python(cwd: string, code: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(feastPython(), ['-c', code], { cwd, timeout: 120_000, env: { ...process.env, ...QUIET_PYTHON_ENV, FEAST_USAGE: 'False' } }, (err, _stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve()));
  });
}


describe('interop: the training–serving skew check against real Feast', function () {
  this.timeout(600_000);
  let dir: string;
  let repo: string;
  let entities: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-feast-skew-'));
    repo = await appliedChurnRepo(dir);
    // Everything up to now in the online store, as `feast materialize-incremental` would.
    await python(repo, 'from datetime import datetime, timezone\nfrom feast import FeatureStore\nFeatureStore(repo_path=".").materialize_incremental(end_date=datetime.now(timezone.utc))');
    entities = path.join(dir, 'entities.csv');
    writeFileSync(entities, `customer_id,basket_value\n${Array.from({ length: 20 }, (_, i) => `${i},${10 + i}`).join('\n')}\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const feature = (report: SkewReport, name: string) => {
    const found = report.features.find((f) => f.name === name);
    assert.ok(found, `${name} in ${report.features.map((f) => f.name).join(', ')}`);
    return found;
  };

  it('passes when the stores agree: every feature of the service compared for every entity', async () => {
    const result = await checkFeastSkew(feastPython(), repo, 'churn_features', entities);
    assert.ok(result.ok, result.ok ? '' : result.message);
    const { report } = result;
    assert.equal(report.skewed, false, JSON.stringify(report.features.map((f) => [f.name, f.mismatches, f.examples])));
    assert.deepEqual(report.features.map((f) => f.name), ['customer_orders__orders_7d', 'customer_orders__spend_7d', 'basket_share__basket_share']);
    assert.equal(report.sampled, 20);
    assert.deepEqual(report.keys, ['customer_id']);
    for (const f of report.features) assert.equal(f.compared, 20, f.name);
    assert.equal(feature(report, 'customer_orders__orders_7d').stale, 0);
    assert.equal(feature(report, 'customer_orders__orders_7d').ttlSeconds, 86_400);
    assert.deepEqual(report.missingEntities, { online: [], offline: [] });

    const cli = await runCli(['feast', 'skew', 'churn_features', '--entities', entities, '--repo', repo, '--python', feastPython()], dir);
    assert.equal(cli.code, 0, cli.stderr + cli.stdout);
    assert.match(cli.stdout, /^OK: churn_features/);
  });

  it('finds a corrupted online value: the feature, the entity, both values; the CLI exits 1', async () => {
    // customer 5 served 999 orders instead of 5, written through Feast.
    await python(repo, [
      'import pandas as pd',
      'from feast import FeatureStore',
      'offline = pd.read_parquet("data/orders.parquet")',
      'row = offline[offline.customer_id == 5].copy()',
      'row["orders_7d"] = 999',
      'FeatureStore(repo_path=".").write_to_online_store("customer_orders", row)',
    ].join('\n'));
    const result = await checkFeastSkew(feastPython(), repo, 'churn_features', entities);
    assert.ok(result.ok, result.ok ? '' : result.message);
    const orders = feature(result.report, 'customer_orders__orders_7d');
    assert.equal(result.report.skewed, true);
    assert.equal(orders.mismatches, 1);
    assert.equal(orders.mismatchShare, 1 / 20);
    assert.deepEqual(orders.examples, [{ entity: 'customer_id=5', offline: 5, online: 999 }]);
    assert.equal(orders.maxAbsDiff, 994);
    assert.equal(feature(result.report, 'customer_orders__spend_7d').mismatches, 0);

    const cli = await runCli(['feast', 'skew', 'churn_features', '--entities', entities, '--repo', repo, '--python', feastPython()], dir);
    assert.equal(cli.code, 1, cli.stderr + cli.stdout);
    assert.match(cli.stdout, /^SKEW: churn_features/);
    assert.match(cli.stdout, /✗ customer_orders__orders_7d \(Int64\): 1\/20 mismatched \(5\.0%\)/);
    assert.match(cli.stdout, /customer_id=5: offline 5, online 999/);
    // A threshold over the mismatch share lets it pass.
    const tolerant = await runCli(['feast', 'skew', 'churn_features', '--entities', entities, '--repo', repo, '--python', feastPython(), '--threshold', '0.1', '--json'], dir);
    assert.equal(tolerant.code, 0, tolerant.stderr);
    assert.equal((JSON.parse(tolerant.stdout) as SkewReport).skewed, false);
  });

  it('reports entities the online store does not have, and refuses an entities file without the join key (exit 2)', async () => {
    const more = path.join(dir, 'more.csv');
    writeFileSync(more, 'customer_id,basket_value\n1,10\n4242,10\n');
    const result = await checkFeastSkew(feastPython(), repo, 'churn_features', more);
    assert.ok(result.ok, result.ok ? '' : result.message);
    // Neither store knows customer 4242: not a mismatch, and not "missing" from one side only.
    assert.deepEqual(result.report.missingEntities, { online: [], offline: [] });
    assert.equal(feature(result.report, 'customer_orders__orders_7d').compared, 1);

    const wrong = path.join(dir, 'wrong.csv');
    writeFileSync(wrong, 'user,basket_value\n1,10\n');
    const cli = await runCli(['feast', 'skew', 'churn_features', '--entities', wrong, '--repo', repo, '--python', feastPython()], dir);
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, /the entities file has no column customer_id/);
  });
});
