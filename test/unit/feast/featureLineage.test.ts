// Features ↔ runs: which features a script's code retrieves (tree-sitter), only where the code
// says so; those names resolved against a registry into MLflow dataset inputs (one per view, the
// view's version as the digest); and "which models use this feature view?" over a real local store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { featureInputs, FEAST_SOURCE_TYPE, namesOf, viewDigest } from '../../../src/core/feast/featureInputs.ts';
import { featureRetrievals, notebookPython } from '../../../src/core/feast/featureRetrievals.ts';
import { featureViewUsers } from '../../../src/core/feast/featureViewUsers.ts';
import type { FeastFeatureView, FeastOnDemandFeatureView, FeastProject, FeastRegistry } from '../../../src/core/feast/feastRegistry.ts';
import { recordFeastInputs } from '../../../src/core/feast/recordFeastInputs.ts';
import { initPythonParser } from '../../../src/core/pipeline/pythonParser.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';

const field = (name: string, dtype: string) => ({ name, dtype, description: '', tags: {} });
const ORDERS: FeastFeatureView = {
  kind: 'featureView', name: 'customer_orders', viewKind: 'FeatureView', description: '', tags: { tier: 'gold' }, owner: '',
  features: [field('orders_7d', 'Int64'), field('spend_7d', 'Float32'), field('city', 'String')],
  entities: ['customer'], entityColumns: [field('customer_id', 'Int64')], ttlSeconds: 86_400, source: 'orders_source', online: true, offline: false, updated: '2026-12-04T10:00:00',
};
const PROFILE: FeastFeatureView = { ...ORDERS, name: 'customer_profile', features: [field('city', 'String')], ttlSeconds: 2_592_000 };
const SHARE: FeastOnDemandFeatureView = { kind: 'onDemandFeatureView', name: 'basket_share', description: '', tags: {}, owner: '', features: [field('basket_share', 'Float64')], sources: ['customer_orders', 'basket'], mode: 'pandas' };
const PROJECT: FeastProject = {
  name: 'churn', entities: [], dataSources: [],
  featureViews: [ORDERS, PROFILE],
  onDemandFeatureViews: [SHARE],
  featureServices: [{ kind: 'featureService', name: 'churn_features', description: '', tags: {}, owner: '', features: [{ featureView: 'customer_orders', features: ['orders_7d', 'spend_7d'] }, { featureView: 'basket_share', features: ['basket_share'] }] }],
};

describe('core/feast: the features a script retrieves, read from its code', () => {
  const read = async (source: string) => featureRetrievals(source, await initPythonParser());

  it('reads a feature service, literal reference lists (keyword or positional), and a name assigned once', async () => {
    assert.deepEqual(await read(`
from feast import FeatureStore
store = FeatureStore(repo_path=".")
train = store.get_historical_features(entity_df=df, features=store.get_feature_service("churn_features")).to_df()
more = store.get_historical_features(df, ["customer_orders:orders_7d", 'customer_profile:city'])
refs = ("customer_orders:spend_7d",)
again = store.get_historical_features(entity_df=df, features=refs)
svc = store.get_feature_service(name="churn_features")
last = store.get_historical_features(entity_df=df, features=svc)
`), { services: ['churn_features'], references: ['customer_orders:orders_7d', 'customer_profile:city', 'customer_orders:spend_7d'], unresolved: 0 });
  });

  it('leaves what the code does not name literally unresolved, and ignores online retrieval', async () => {
    assert.deepEqual(await read(`
names = ["customer_orders:orders_7d"]
names = names + extra
a = store.get_historical_features(entity_df=df, features=names)
b = store.get_historical_features(entity_df=df, features=[f"customer_orders:{c}" for c in cols])
c = store.get_historical_features(entity_df=df, features=[f"customer_orders:orders_7d"])
d = store.get_historical_features(entity_df=df, features=["not a reference"])
e = store.get_historical_features(entity_df=df, features=store.get_feature_service(service_name))
online = store.get_online_features(features=store.get_feature_service("serving"), entity_rows=rows)
`), { services: [], references: [], unresolved: 5 });
    assert.deepEqual(await read('def broken(:\n'), { services: [], references: [], unresolved: 0 });
  });

  it('reads a notebook\'s code cells, magics and shell lines blanked', async () => {
    const source = notebookPython([
      { cell_type: 'markdown', source: 'store.get_historical_features(features=store.get_feature_service("not_code"))' },
      { cell_type: 'code', source: ['%pip install feast\n', '!ls\n', 'x = 1\n'] },
      { cell_type: 'code', source: 'df = store.get_historical_features(entity_df=e, features=store.get_feature_service("churn_features")).to_df()' },
    ]);
    assert.deepEqual(await read(source), { services: ['churn_features'], references: [], unresolved: 0 });
  });
});

describe('core/feast: the features a run used, as dataset inputs', () => {
  it('gives one input per view with the features taken, the service they came through, and an on-demand view\'s sources', () => {
    const result = featureInputs(PROJECT, { services: ['churn_features'], references: ['customer_profile:city'] }, 'data/registry.db');
    assert.deepEqual(result.views, ['basket_share', 'customer_orders', 'customer_profile']);
    assert.deepEqual(result.unknown, []);
    const orders = result.inputs.find((i) => i.dataset.name === 'customer_orders');
    assert.ok(orders);
    assert.equal(orders.dataset.sourceType, FEAST_SOURCE_TYPE);
    assert.equal(orders.dataset.digest, viewDigest(ORDERS));
    assert.deepEqual(JSON.parse(orders.dataset.source), {
      project: 'churn', feature_view: 'customer_orders', features: ['orders_7d', 'spend_7d'], via: ['on-demand view basket_share', 'service churn_features'], registry: 'data/registry.db',
    });
    assert.deepEqual(JSON.parse(orders.dataset.schema ?? ''), { mlflow_colspec: [{ type: 'long', name: 'orders_7d' }, { type: 'float', name: 'spend_7d' }] });
    assert.deepEqual(orders.tags, [{ key: 'mlflow.data.context', value: 'training' }]);
    assert.equal((JSON.parse(result.inputs.find((i) => i.dataset.name === 'basket_share')?.dataset.source ?? '{}') as { on_demand?: boolean }).on_demand, true);
  });

  it('names what the registry does not know and records the rest', () => {
    const result = featureInputs(PROJECT, { services: ['churn_v2'], references: ['orders:amount', 'customer_orders:amount', 'customer_profile:city'] });
    assert.deepEqual(result.unknown, ['service churn_v2', 'view orders', 'feature customer_orders:amount']);
    assert.deepEqual(result.views, ['customer_profile']);
  });

  it('versions a view by its definition: a changed TTL or feature is a new digest, its declaration\'s place is not', () => {
    assert.match(viewDigest(ORDERS), /^[0-9a-f]{16}$/);
    assert.equal(viewDigest({ ...ORDERS, location: { file: '/elsewhere.py', line: 90, column: 0 } }), viewDigest(ORDERS));
    assert.notEqual(viewDigest({ ...ORDERS, ttlSeconds: 172_800 }), viewDigest(ORDERS));
    assert.notEqual(viewDigest({ ...ORDERS, features: ORDERS.features.slice(1) }), viewDigest(ORDERS));
    assert.deepEqual(namesOf(' churn_features, customer_orders:orders_7d\ncustomer_profile:city,,'), ['churn_features', 'customer_orders:orders_7d', 'customer_profile:city']);
    assert.deepEqual(namesOf(undefined), []);
  });
});

describe('core/feast: which models use a feature view', () => {
  let dir: string;
  let store: SqliteTrackingStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-feast-users-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the runs of every version of the view and the model versions and aliases that came of them, not a CSV of the same name', async () => {
    const v1 = featureInputs(PROJECT, { services: [], references: ['customer_orders:orders_7d'] }).inputs;
    const v2 = featureInputs({ ...PROJECT, featureViews: [{ ...ORDERS, ttlSeconds: 172_800 }, PROFILE] }, { services: [], references: ['customer_orders:orders_7d'] }).inputs;
    const run = async (name: string, inputs: typeof v1, start: number) => {
      const id = (await store.createRun({ experimentId: '0', runName: name, startTime: start })).info.runId;
      if (inputs.length) await store.logInputs(id, inputs);
      return id;
    };
    const old = await run('train-v1', v1, 1_000);
    const current = await run('train-v2', v2, 2_000);
    await run('unrelated', featureInputs(PROJECT, { services: [], references: ['customer_profile:city'] }).inputs, 3_000);
    await run('csv', [{ tags: [], dataset: { name: 'customer_orders', digest: 'csvdigest', sourceType: 'local', source: '{"uri": "customer_orders.csv"}' } }], 4_000);
    await store.createRegisteredModel('churn');
    await store.createModelVersion('churn', `runs:/${old}/model`, old);
    await store.createModelVersion('churn', `runs:/${current}/model`, current);
    await store.setRegisteredModelAlias('churn', 'champion', '2');

    const users = await featureViewUsers(store, 'customer_orders');
    assert.deepEqual(users.digests, [v2[0]?.dataset.digest, v1[0]?.dataset.digest], 'the newest run\'s version first');
    assert.deepEqual(users.runs.map((r) => r.runName), ['train-v2', 'train-v1']);
    assert.deepEqual(users.modelVersions.map((v) => `${v.name} v${v.version} ${v.aliases.join(',')}`), ['churn v2 champion', 'churn v1 ']);
    assert.deepEqual(users.aliases.map((a) => `${a.name}@${a.alias}`), ['churn@champion']);
    assert.equal(users.truncated, false);
    assert.deepEqual((await featureViewUsers(store, 'store_traffic')).runs, []);
  });
});

describe('core/feast: recording the features a run used, after it ended', () => {
  const REGISTRY: FeastRegistry = { feastVersion: '0.67.0', project: 'churn', provider: 'local', registry: { type: 'file', path: 'data/registry.db' }, projects: [PROJECT] };
  /** A store that holds one run's tags and takes its inputs and tags. */
  const fakeStore = (tags: Record<string, string>) => {
    const logged: string[] = [];
    const set: Record<string, string> = {};
    return {
      logged,
      set,
      getRun: () => Promise.resolve({ info: {}, data: { tags: Object.entries(tags).map(([key, value]) => ({ key, value })), metrics: [], params: [] } } as never),
      setTag: (_runId: string, tag: { key: string; value: string }) => {
        set[tag.key] = tag.value;
        return Promise.resolve();
      },
      logInputs: (_runId: string, inputs: readonly { dataset: { name: string } }[]) => {
        logged.push(...inputs.map((i) => i.dataset.name));
        return Promise.resolve();
      },
    };
  };
  const none = { services: [], references: [], unresolved: 0 };

  it('merges the code and the tags, resolves them, logs one input per view with the tags that say how', async () => {
    const store = fakeStore({ 'labbook.feast.features': 'customer_profile:city' });
    const messages: string[] = [];
    const views = await recordFeastInputs({ store, runId: 'r1', inCode: Promise.resolve({ services: ['churn_features'], references: [], unresolved: 0 }), registries: () => Promise.resolve([REGISTRY]), log: { info: (m) => messages.push(m), warn: (m) => messages.push(m) } });
    assert.deepEqual([...views].sort(), ['basket_share', 'customer_orders', 'customer_profile']);
    assert.deepEqual([...store.logged].sort(), ['basket_share', 'customer_orders', 'customer_profile']);
    assert.equal(store.set['labbook.feast.found'], 'code+tags');
    assert.match(messages.join('\n'), /recorded as inputs \(from code\+tags\)/);
  });

  it('asks for no registry when the run used no features, and says where to look when none could be read', async () => {
    let asked = 0;
    const registries = () => {
      asked++;
      return Promise.resolve([]);
    };
    const quiet: string[] = [];
    assert.deepEqual(await recordFeastInputs({ store: fakeStore({}), runId: 'r2', inCode: Promise.resolve(none), registries, log: { info: (m) => quiet.push(m), warn: (m) => quiet.push(m) } }), []);
    assert.equal(asked, 0);
    assert.deepEqual(quiet, []);
    const warned: string[] = [];
    const store = fakeStore({ 'labbook.feast.feature_service': 'churn_features' });
    assert.deepEqual(await recordFeastInputs({ store, runId: 'r3', inCode: Promise.resolve(none), registries, unresolvedHint: 'open the Feature Store view to see why', log: { info: () => undefined, warn: (m) => warned.push(m) } }), []);
    assert.equal(asked, 1);
    assert.deepEqual(store.logged, []);
    assert.match(warned.join('\n'), /no Feast registry could be read to resolve them: open the Feature Store view to see why\./);
  });
});
