// Features ↔ runs from a terminal: `labbook run` of a training script that retrieves a Feast feature
// service (real Feast, the churn fixture applied) records the feature views it used as the run's
// dataset inputs, as the editor's launch does: found in the code, resolved against the registry
// of the repository under the working folder (read in the run's interpreter), with the tags that
// say so. A script that retrieves no features gets none, and no registry is read for it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { appliedChurnRepo, feastPython, runLabbookCli } from '../support/feast.ts';

describe('interop: labbook run records the Feast feature views a script retrieved', function () {
  this.timeout(600_000);
  let dir: string;
  let repo: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-feast-run-'));
    repo = await appliedChurnRepo(dir);
    writeFileSync(path.join(repo, 'train.py'), [
      'import pandas as pd',
      'from feast import FeatureStore',
      '',
      'store = FeatureStore(repo_path=".")',
      'entity_df = pd.DataFrame({"customer_id": [1, 2, 3], "basket_value": [10.0, 20.0, 30.0], "event_timestamp": [pd.Timestamp.now(tz="UTC")] * 3})',
      'train = store.get_historical_features(entity_df=entity_df, features=store.get_feature_service("churn_features")).to_df()',
      'print(f"labbook: metric rows={len(train)}")',
      '',
    ].join('\n'));
    writeFileSync(path.join(repo, 'plain.py'), 'print("labbook: metric rows=0")\n');
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The run `labbook run` made of `script`, read back from its store, and what it printed. */
  async function run(script: string) {
    const storeFile = path.join(dir, `${script}.db`);
    const ran = await runLabbookCli(['run', '--store', storeFile, '--experiment', 'features', '--', feastPython(), script], repo);
    assert.equal(ran.code, 0, ran.stderr);
    const runId = /\[labbook\] run ([0-9a-f]{32})/.exec(ran.stderr)?.[1];
    assert.ok(runId, ran.stderr);
    const store = new SqliteTrackingStore(storeFile);
    try {
      return { run: await store.getRun(runId), stderr: ran.stderr };
    } finally {
      await store.close();
    }
  }

  it('records the service\'s views as inputs with their registry version, and says so', async () => {
    const { run: read, stderr } = await run('train.py');
    assert.equal(read.data.metrics.find((m) => m.key === 'rows')?.value, 3, stderr);
    const feast = (read.inputs?.datasetInputs ?? []).filter((d) => d.dataset.sourceType === 'feast');
    assert.deepEqual(feast.map((d) => d.dataset.name).sort(), ['basket_share', 'customer_orders']);
    assert.ok(feast.every((d) => /^[0-9a-f]{16}$/.test(d.dataset.digest)), JSON.stringify(feast.map((d) => d.dataset.digest)));
    assert.deepEqual((JSON.parse(feast.find((d) => d.dataset.name === 'customer_orders')?.dataset.source ?? '{}') as { features?: string[] }).features, ['orders_7d', 'spend_7d']);
    const tags = new Map(read.data.tags.map((t) => [t.key, t.value]));
    assert.equal(tags.get('labbook.feast.found'), 'code');
    assert.equal(tags.get('labbook.feast.feature_views'), 'basket_share,customer_orders');
    assert.match(stderr, /Feast feature views basket_share, customer_orders recorded as inputs \(from code\)/);
  });

  it('records nothing for a script that retrieves no features', async () => {
    const { run: read, stderr } = await run('plain.py');
    assert.deepEqual((read.inputs?.datasetInputs ?? []).filter((d) => d.dataset.sourceType === 'feast'), []);
    assert.equal(read.data.tags.some((t) => t.key.startsWith('labbook.feast.')), false);
    assert.doesNotMatch(stderr, /Feast/);
  });
});
