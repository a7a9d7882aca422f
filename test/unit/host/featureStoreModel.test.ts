// How the Feature Store view reads: groups in order (empty ones left out), one-line summaries,
// hovers with the schema and tags where every registry value is escaped, children of views and
// services, context values the menus match, and stable ids.
import assert from 'node:assert/strict';
import { parseRegistryAnswer, type FeastProject } from '../../../src/core/feast/feastRegistry.ts';
import { nodeId, nodeLook, objectChildren, objectDescription, objectTooltip, projectGroups, type FeastRepo } from '../../../src/host/feast/featureStoreModel.ts';

const repo: FeastRepo = { folder: '/ws/feature_repo', label: 'feature_repo' };

function project(): FeastProject {
  const registry = parseRegistryAnswer({
    ok: true,
    feastVersion: '0.67.0',
    project: 'churn',
    provider: 'local',
    registry: { type: 'file', path: 'data/registry.db' },
    projects: [
      {
        name: 'churn',
        entities: [{ name: 'customer', joinKeys: ['customer_id'], valueType: 'UNKNOWN', description: '', tags: {}, owner: '' }],
        dataSources: [],
        featureViews: [
          {
            name: 'orders_[7d]',
            kind: 'FeatureView',
            features: [
              { name: 'spend_7d', dtype: 'Float32', description: 'Spend | <b>7 days</b>', tags: { pii: 'no' } },
              { name: 'n', dtype: 'Int64', description: '', tags: {} },
            ],
            entities: ['customer'],
            entityColumns: [],
            ttlSeconds: 0,
            source: 'orders',
            online: false,
            offline: true,
            description: '**bold** claim',
            tags: { 'team*': 'growth_[x]' },
            owner: '',
          },
        ],
        onDemandFeatureViews: [],
        featureServices: [{ name: 'svc', features: [{ featureView: 'orders_[7d]', features: ['spend_7d'] }, { featureView: 'other', features: ['a', 'b'] }], description: '', tags: {}, owner: '' }],
      },
    ],
    locations: { 'featureService:svc': { file: '/ws/feature_repo/services.py', line: 4, column: 6 } },
  });
  const first = registry.projects[0];
  assert.ok(first);
  return first;
}

describe('host/feast: how the Feature Store view reads', () => {
  it('lists a project\'s groups in order and leaves the empty ones out', () => {
    const groups = projectGroups(repo, project());
    assert.deepEqual(groups.map((g) => nodeLook(g).label), ['Entities', 'Feature Views', 'Feature Services']);
    assert.deepEqual(groups.map((g) => nodeLook(g).description), ['1', '1', '1']);
  });

  it('sums each object up on one line', () => {
    const p = project();
    assert.equal(objectDescription(p.entities[0]!), 'customer_id');
    assert.equal(objectDescription(p.featureViews[0]!), '2 features · customer · ttl no expiry · offline only');
    assert.equal(objectDescription(p.featureServices[0]!), '3 features from 2 views');
  });

  it('puts the schema and the tags in the hover, every registry value escaped', () => {
    const tooltip = objectTooltip(project().featureViews[0]!);
    assert.match(tooltip, /^\*\*orders\\_\\\[7d\\\]\*\* — feature view/);
    assert.match(tooltip, /\\\*\\\*bold\\\*\\\* claim/);
    assert.match(tooltip, /\| spend\\_7d \| Float32 \| Spend \\\| \\<b\\>7 days\\<\/b\\> \|/);
    assert.match(tooltip, /- team\\\*: growth\\_\\\[x\\\]/);
    assert.match(tooltip, /Not found in the repository's Python files/);
    assert.doesNotMatch(tooltip, /<b>/);
    assert.match(objectTooltip(project().featureServices[0]!), /Declared in \/ws\/feature\\_repo\/services\\\.py, line 4/);
  });

  it('gives views their features and services their projections as children', () => {
    const p = project();
    assert.deepEqual(objectChildren(p.featureViews[0]!).map((n) => `${nodeLook(n).label}:${nodeLook(n).description ?? ''}`), ['spend_7d:Float32', 'n:Int64']);
    assert.deepEqual(objectChildren(p.featureServices[0]!).map((n) => `${nodeLook(n).label}:${nodeLook(n).description ?? ''}`), ['orders_[7d]:spend_7d', 'other:a, b']);
    assert.deepEqual(objectChildren(p.entities[0]!), []);
  });

  it('marks declared objects for the Open Definition menu, and keeps ids stable', () => {
    const p = project();
    const service = { kind: 'object' as const, repo, project: 'churn', object: p.featureServices[0]! };
    const view = { kind: 'object' as const, repo, project: 'churn', object: p.featureViews[0]! };
    assert.equal(nodeLook(service).contextValue, 'labbook.feastObject.featureService.declared');
    assert.equal(nodeLook(view).contextValue, 'labbook.feastObject.featureView');
    assert.equal(nodeLook(view).collapsible, 'collapsed');
    assert.equal(nodeLook({ kind: 'object', repo, project: 'churn', object: p.entities[0]! }).collapsible, 'none');
    assert.equal(nodeId(view), 'object:/ws/feature_repo:churn:featureView:orders_[7d]');
    assert.equal(nodeId(view), nodeId({ ...view }));
  });

  it('names a failure by its kind, with the message in the hover', () => {
    const look = nodeLook({ kind: 'failure', repo, failure: { ok: false, kind: 'missing', message: 'Feast is not installed in /py (No module named feast).', install: '"/py" -m pip install feast' } });
    assert.equal(look.label, 'Feast is not installed');
    assert.equal(look.description, 'Install…');
    assert.equal(look.icon, 'error');
    assert.equal(look.contextValue, 'labbook.feastFailure.missing');
    assert.match(look.tooltip ?? '', /No module named feast/);
    assert.equal(nodeLook({ kind: 'failure', repo, failure: { ok: false, kind: 'repo', message: 'x' } }).label, 'Feast could not read the repository');
  });
});
