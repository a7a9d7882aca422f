// The Feature Store view's reader against real Feast (requirements-feast.txt): a repository made by
// `feast apply` is read back through Feast's registry, every kind of object with its fields, and
// each object's declaration found in features.py; then the failures a user meets, each with its
// reason: Feast not installed (the exact pip line), a repository Feast refuses, no interpreter.
// The quick reader (Feast's protobuf schema without importing Feast) lists exactly what Feast
// itself lists, on the fixture and on a repository with push sources, aliases, an entityless view;
// it leaves to Feast what it does not read exactly (no registry file yet, variables in the config).
// And the plan, as `feast plan` computes it: nothing on the applied repository; a changed TTL, a
// new service and a removed one after editing its definitions; Feast's error for a broken file.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { planFeastRepo, planSummary } from '../../src/core/feast/feastPlan.ts';
import { formatTtl, projectObjects } from '../../src/core/feast/feastRegistry.ts';
import { readFeastRegistry, readQuickly } from '../../src/core/feast/readFeastRegistry.ts';
import { appliedChurnRepo, churnRepoWithData, feastApply, feastPython } from '../support/feast.ts';
import { testPython } from '../support/python.ts';

describe('interop: reading a Feast registry through Feast', function () {
  this.timeout(600_000);
  let dir: string;
  let repo: string;

  before(async function () {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-feast-'));
    repo = await appliedChurnRepo(dir);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The 1-based line of the first line of features.py that contains `needle`. */
  const lineOf = (needle: string) => readFileSync(path.join(repo, 'features.py'), 'utf8').split('\n').findIndex((line) => line.includes(needle)) + 1;

  it('lists the applied project with its entities, sources, feature views, on-demand views and services', async () => {
    const result = await readFeastRegistry(feastPython(), repo);
    assert.ok(result.ok, result.ok ? '' : result.message);
    const { registry } = result;
    assert.equal(registry.project, 'churn');
    assert.equal(registry.registry.type, 'file');
    assert.equal(registry.registry.path, 'data/registry.db');
    assert.match(registry.feastVersion, /^0\.\d+/);
    const churn = registry.projects.find((p) => p.name === 'churn');
    assert.ok(churn, 'the project is listed');
    // Two entities, three feature views, one on-demand view, one service; Feast's internal entity
    // for views without entities is not shown.
    assert.deepEqual(churn.entities.map((e) => e.name).sort(), ['customer', 'store']);
    assert.deepEqual(churn.featureViews.map((v) => v.name).sort(), ['customer_orders', 'customer_profile', 'store_traffic']);
    const customer = churn.entities.find((e) => e.name === 'customer');
    assert.deepEqual(customer?.joinKeys, ['customer_id']);
    assert.deepEqual(customer?.tags, { team: 'growth' });
    assert.equal(customer?.description, 'A customer of the shop');
    const traffic = churn.featureViews.find((v) => v.name === 'store_traffic');
    assert.deepEqual(traffic?.entities, ['store']);
    assert.equal(traffic?.online, false);
    assert.equal(formatTtl(traffic?.ttlSeconds), '6h');
    const file = churn.dataSources.find((s) => s.name === 'orders_source');
    assert.equal(file?.type, 'FileSource');
    assert.equal(file?.timestampField, 'event_timestamp');
    assert.equal(file?.detail.path, 'data/orders.parquet');
    assert.equal(churn.dataSources.find((s) => s.name === 'basket')?.type, 'RequestSource');
    const view = churn.featureViews.find((v) => v.name === 'customer_orders');
    assert.ok(view);
    assert.deepEqual(view.features.map((f) => `${f.name}:${f.dtype}`), ['orders_7d:Int64', 'spend_7d:Float32', 'city:String']);
    assert.equal(view.features[1]?.description, 'Spend over 7 days');
    assert.deepEqual(view.entities, ['customer']);
    assert.deepEqual(view.entityColumns.map((f) => `${f.name}:${f.dtype}`), ['customer_id:Int64']);
    assert.equal(formatTtl(view.ttlSeconds), '1d');
    assert.equal(view.source, 'orders_source');
    assert.equal(view.online, true);
    assert.deepEqual(view.tags, { owner: 'ml-team', tier: 'gold' });
    const onDemand = churn.onDemandFeatureViews.find((v) => v.name === 'basket_share');
    assert.deepEqual(onDemand?.sources, ['customer_orders', 'basket']);
    assert.deepEqual(onDemand?.features.map((f) => f.name), ['basket_share']);
    const service = churn.featureServices.find((s) => s.name === 'churn_features');
    assert.deepEqual(service?.features, [
      { featureView: 'customer_orders', features: ['orders_7d', 'spend_7d'] },
      { featureView: 'basket_share', features: ['basket_share'] },
    ]);
    assert.deepEqual(service?.tags, { model: 'churn' });
  });

  it('finds where each object is declared in the repository, without running its files', async () => {
    const result = await readFeastRegistry(feastPython(), repo);
    assert.ok(result.ok, result.ok ? '' : result.message);
    const churn = result.registry.projects.find((p) => p.name === 'churn');
    assert.ok(churn);
    const at = (name: string) => {
      const found = projectObjects(churn).find((o) => o.name === name);
      assert.ok(found?.location, `${name} has a location`);
      assert.equal(found.location.file, path.join(repo, 'features.py'));
      return found.location.line;
    };
    assert.equal(at('customer'), lineOf('customer = Entity('));
    assert.equal(at('orders_source'), lineOf('orders_source = FileSource('));
    assert.equal(at('customer_orders'), lineOf('customer_orders = FeatureView('));
    assert.equal(at('basket'), lineOf('basket = RequestSource('));
    // A decorated function: its def line.
    assert.equal(at('basket_share'), lineOf('def basket_share('));
    assert.equal(at('churn_features'), lineOf('churn_features = FeatureService('));
    assert.equal(at('store'), lineOf('store = Entity('));
    assert.equal(at('store_traffic'), lineOf('store_traffic = FeatureView('));
  });

  it('says Feast is not installed, with the pip line for that interpreter', async () => {
    const python = testPython();
    const result = await readFeastRegistry(python, repo);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.kind, 'missing');
    assert.equal(result.install, `"${python}" -m pip install feast`);
    assert.match(result.message, /Feast is not installed/);
    assert.ok(result.message.includes(result.install ?? '?'));
  });

  it("passes on Feast's own reason for a repository it refuses, after the quick listing", async () => {
    const broken = path.join(dir, 'broken_repo');
    cpSync(repo, broken, { recursive: true });
    writeFileSync(path.join(broken, 'feature_store.yaml'), 'project: churn\nregistry: data/registry.db\nprovider: local\nonline_store:\n  type: not_a_store\n');
    // The quick reader lists the registry file (it does not load the stores' configuration);
    // Feast's own read, which the view waits for, refuses the configuration.
    const quick: string[] = [];
    const result = await readFeastRegistry(feastPython(), broken, { onQuick: (registry) => quick.push(registry.project) });
    assert.deepEqual(quick, ['churn']);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.kind, 'repo');
    assert.match(result.message, /Feast could not read the repository/);
    assert.match(result.message, /not_a_store/);
    assert.match(result.message, /feast apply/);
  });

  it('plans no change for the repository just applied', async () => {
    const result = await planFeastRepo(feastPython(), repo);
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.deepEqual(result.plan.objects, []);
    assert.equal(planSummary(result.plan), 'No changes: the registry and the infrastructure match the repository.');
  });

  it('plans what editing the definitions would change: a TTL, a service added, one removed', async () => {
    const edited = path.join(dir, 'edited_repo');
    cpSync(repo, edited, { recursive: true });
    const file = path.join(edited, 'features.py');
    const source = readFileSync(file, 'utf8');
    const withoutService = source.slice(0, source.indexOf('churn_features = FeatureService('));
    writeFileSync(
      file,
      `${withoutService.replace('ttl=timedelta(days=1)', 'ttl=timedelta(days=2)')}\nchurn_lite = FeatureService(name="churn_lite", features=[customer_orders[["orders_7d"]]])\n`,
    );
    const result = await planFeastRepo(feastPython(), edited);
    assert.ok(result.ok, result.ok ? '' : result.message);
    const changes = result.plan.objects.map((o) => `${o.transition} ${o.type} ${o.name}`).sort();
    assert.deepEqual(changes, ['CREATE FEATURE_SERVICE churn_lite', 'DELETE FEATURE_SERVICE churn_features', 'UPDATE FEATURE_VIEW customer_orders']);
    const view = result.plan.objects.find((o) => o.name === 'customer_orders');
    // Only what changed: the TTL, not the timestamps in the source's `meta`.
    assert.deepEqual(view?.properties, [{ name: 'ttl', old: 'seconds: 86400', new: 'seconds: 172800' }]);
    // A plan changes nothing: the registry still has the applied objects.
    const after = await readFeastRegistry(feastPython(), edited);
    assert.ok(after.ok);
    assert.deepEqual(after.registry.projects[0]?.featureServices.map((s) => s.name), ['churn_features']);
  });

  it("passes on Feast's error for a definitions file that does not load", async () => {
    const broken = path.join(dir, 'syntax_repo');
    cpSync(repo, broken, { recursive: true });
    writeFileSync(path.join(broken, 'more_features.py'), 'from feast import Entity\nbroken = Entity(name="x", join_keys=["x_id"]\n');
    const result = await planFeastRepo(feastPython(), broken);
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.kind, 'repo');
      assert.match(result.message, /SyntaxError|never closed|was not closed/);
    }
  });

  it('names an interpreter that does not exist', async () => {
    const missing = path.join(dir, 'no-such-python');
    const result = await readFeastRegistry(missing, repo);
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.kind, 'python');
      assert.ok(result.message.includes(missing));
    }
  });

  /** The quick reader's listing and Feast's own, which must be equal. */
  async function bothReads(folder: string) {
    const quick = await readQuickly(feastPython(), folder);
    assert.ok(quick.ok, quick.ok ? '' : quick.message);
    const feast = await readFeastRegistry(feastPython(), folder, { quick: false });
    assert.ok(feast.ok, feast.ok ? '' : feast.message);
    assert.deepEqual(quick.registry, feast.registry);
    return quick.registry;
  }

  it('lists with the quick reader exactly what Feast itself lists', async () => {
    const registry = await bothReads(repo);
    assert.equal(registry.projects[0]?.onDemandFeatureViews[0]?.name, 'basket_share');
  });

  it('lists exactly as Feast a repository with a push source, owners, an alias, an entityless view and a TTL of 0', async () => {
    const rich = path.join(dir, 'rich_repo');
    cpSync(repo, rich, { recursive: true });
    const file = path.join(rich, 'features.py');
    writeFileSync(file, `${readFileSync(file, 'utf8')}
from feast import PushSource
from feast.types import Bool

orders_push = PushSource(name="orders_push", batch_source=orders_source, description="Live orders", tags={"kind": "push"}, owner="ops@example.com")
live_orders = FeatureView(
    name="live_orders", entities=[customer], ttl=timedelta(0), source=orders_push, online=True, offline=True,
    schema=[Field(name="last_amount", dtype=Float64, description="Last order", tags={"pii": "no"}), Field(name="is_member", dtype=Bool)],
    description="Orders as they come", owner="ops@example.com", tags={"tier": "silver"},
)
global_stats = FeatureView(name="global_stats", entities=[], ttl=timedelta(days=7), schema=[Field(name="visits_1h", dtype=Int64)], source=stores_source)
churn_aliased = FeatureService(name="churn_aliased", features=[customer_orders.with_name("orders_alias")[["spend_7d"]], live_orders], description="with an alias", owner="ml@example.com")
`);
    await feastApply(rich);
    const registry = await bothReads(rich);
    const churn = registry.projects.find((p) => p.name === 'churn');
    const live = churn?.featureViews.find((v) => v.name === 'live_orders');
    assert.equal(live?.ttlSeconds, 0);
    assert.equal(live?.streamSource, 'orders_push');
    assert.equal(live?.owner, 'ops@example.com');
    assert.deepEqual(live?.features.map((f) => `${f.name}:${f.dtype}`), ['last_amount:Float64', 'is_member:Bool']);
    assert.equal(churn?.dataSources.find((s) => s.name === 'orders_push')?.type, 'PushSource');
    assert.deepEqual(churn?.featureServices.find((s) => s.name === 'churn_aliased')?.features.map((f) => f.featureView), ['orders_alias', 'live_orders']);
    assert.ok(churn?.featureViews.some((v) => v.name === 'global_stats'));
  });

  it('leaves to Feast a registry not made yet and a configuration with variables', async () => {
    const fresh = await churnRepoWithData(path.join(dir, 'fresh'));
    const declined = await readQuickly(feastPython(), fresh);
    assert.equal(declined.ok, false);
    if (!declined.ok) {
      assert.equal(declined.kind, 'declined');
      assert.match(declined.message, /the registry file does not exist yet/);
    }
    const empty = await readFeastRegistry(feastPython(), fresh);
    assert.ok(empty.ok, empty.ok ? '' : empty.message);
    assert.deepEqual(empty.registry.projects.map((p) => p.featureViews.length), [0]);

    const variables = path.join(dir, 'variables_repo');
    cpSync(repo, variables, { recursive: true });
    writeFileSync(path.join(variables, 'feature_store.yaml'), 'project: churn\nregistry: $LABBOOK_TEST_FEAST_REGISTRY\nprovider: local\nonline_store:\n  type: sqlite\n  path: data/online_store.db\nentity_key_serialization_version: 3\n');
    process.env.LABBOOK_TEST_FEAST_REGISTRY = 'data/registry.db';
    try {
      const quick = await readQuickly(feastPython(), variables);
      assert.equal(!quick.ok && quick.kind, 'declined');
      const read = await readFeastRegistry(feastPython(), variables, { onQuick: () => assert.fail('the quick reader declined') });
      assert.ok(read.ok, read.ok ? '' : read.message);
      assert.deepEqual(read.registry.projects[0]?.featureViews.map((v) => v.name).sort(), ['customer_orders', 'customer_profile', 'store_traffic']);
    } finally {
      delete process.env.LABBOOK_TEST_FEAST_REGISTRY;
    }
  });
});
