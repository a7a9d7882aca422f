// The plan as the driver answers it (checked field by field) and as the reviewer reads it: the
// summary, + / ~ / - per object with each property before → after (multi-line values as - / +
// blocks), and the infrastructure changes.
import assert from 'node:assert/strict';
import { parsePlanAnswer, planCounts, planSummary, renderPlan } from '../../../src/core/feast/feastPlan.ts';
import { FeastAnswerError } from '../../../src/core/feast/feastRegistry.ts';

const answer = () => ({
  ok: true,
  feastVersion: '0.67.0',
  project: 'churn',
  objects: [
    { type: 'FEATURE_VIEW', name: 'customer_orders', transition: 'UPDATE', properties: [{ name: 'ttl', old: 'seconds: 86400', new: 'seconds: 172800' }, { name: 'features', old: 'name: "a"\ndtype: INT64', new: 'name: "a"\ndtype: FLOAT' }] },
    { type: 'FEATURE_SERVICE', name: 'churn_lite', transition: 'CREATE', properties: [] },
    { type: 'ON_DEMAND_FEATURE_VIEW', name: 'basket_share', transition: 'DELETE', properties: [] },
  ],
  infra: [{ type: 'SqliteTable', name: 'churn_customer_orders', transition: 'CREATE' }],
});

describe('core/feast: the plan of a Feast repository', () => {
  it('writes the plan as a diff a reviewer reads', () => {
    const plan = parsePlanAnswer(answer());
    assert.deepEqual(planCounts(plan), { create: 1, update: 1, delete: 1 });
    assert.equal(
      renderPlan(plan, 'feature_repo'),
      [
        '# Feast plan for the project churn (feature_repo), Feast 0.67.0',
        '# 1 to create, 1 to change, 1 to remove; 1 infrastructure change.',
        '',
        '~ feature view customer_orders',
        '    ttl: seconds: 86400 → seconds: 172800',
        '    features:',
        '-       name: "a"',
        '-       dtype: INT64',
        '+       name: "a"',
        '+       dtype: FLOAT',
        '+ feature service churn_lite',
        '- on demand feature view basket_share',
        '',
        '# Infrastructure',
        '+ SqliteTable churn_customer_orders',
        '',
      ].join('\n'),
    );
  });

  it('says when nothing would change', () => {
    const plan = parsePlanAnswer({ ...answer(), objects: [], infra: [] });
    assert.equal(planSummary(plan), 'No changes: the registry and the infrastructure match the repository.');
  });

  it('refuses a plan that is not as expected, naming the field', () => {
    const cases: [string, unknown, RegExp][] = [
      ['no objects', { ...answer(), objects: undefined }, /objects is not a list/],
      ['an unknown transition', { ...answer(), objects: [{ type: 'ENTITY', name: 'e', transition: 'UNCHANGED', properties: [] }] }, /objects\[0\]\.transition is UNCHANGED/],
      ['a property without its old value', { ...answer(), objects: [{ type: 'ENTITY', name: 'e', transition: 'UPDATE', properties: [{ name: 'x', new: '1' }] }] }, /objects\[0\]\.properties\[0\]\.old is not a string/],
      ['infra that is not a list', { ...answer(), infra: {} }, /infra is not a list/],
    ];
    for (const [what, bad, message] of cases) assert.throws(() => parsePlanAnswer(bad), (err: unknown) => err instanceof FeastAnswerError && message.test(err.message), what);
  });
});
