// The skew report from the script's answer: what counts as a mismatch, values missing on one side,
// entities one store lacks, online values older than the TTL, the drift engine's test between the
// two distributions, the threshold; and a malformed answer refused naming the field.
import assert from 'node:assert/strict';
import { FeastAnswerError } from '../../../src/core/feast/feastRegistry.ts';
import { parseSkewAnswer, renderSkew, skewReport } from '../../../src/core/feast/feastSkew.ts';

const NOW = 1_800_000_000;

function answer(overrides: Record<string, unknown> = {}) {
  return {
    feastVersion: '0.67.0', project: 'churn', service: 'churn_features', now: NOW, total: 40,
    keys: ['customer_id'],
    rows: [{ customer_id: 1 }, { customer_id: 2 }, { customer_id: 3 }, { customer_id: 4 }],
    features: [
      { name: 'v__amount', view: 'v', feature: 'amount', dtype: 'Float32', ttlSeconds: 3600, offline: [1.5, 2.000000001, 3, null], online: [1.5, 2, 3.5, null], onlineTime: [NOW - 10, NOW - 7200, NOW - 10, null] },
      { name: 'v__city', view: 'v', feature: 'city', dtype: 'String', ttlSeconds: 3600, offline: ['Lyon', 'Nice', 'Paris', null], online: ['Lyon', 'Nice', null, null], onlineTime: [NOW - 10, NOW - 10, null, null] },
    ],
    ...overrides,
  };
}

describe('core/feast: the training–serving skew report', () => {
  it('counts mismatches per feature: numbers within 1e-6 agree, a value on one side only does not', () => {
    const report = skewReport(parseSkewAnswer(answer()), 0);
    const [amount, city] = report.features;
    assert.ok(amount && city);
    assert.equal(amount.compared, 3, 'a row null on both sides is not compared');
    assert.equal(amount.mismatches, 1);
    assert.deepEqual(amount.examples, [{ entity: 'customer_id=3', offline: 3, online: 3.5 }]);
    assert.equal(amount.maxAbsDiff, 0.5);
    assert.equal(amount.stale, 1, 'customer 2 was written two hours ago, the TTL is one');
    assert.equal(city.mismatches, 1);
    assert.equal(city.missingOnline, 1);
    assert.deepEqual(city.examples, [{ entity: 'customer_id=3', offline: 'Paris', online: null }]);
    assert.equal(report.mismatchShare, 2 / 6);
    assert.equal(report.skewed, true);
    assert.equal(report.sampled, 4);
    assert.equal(report.total, 40);
    assert.deepEqual(report.missingEntities, { online: [], offline: [] });
    assert.equal(skewReport(parseSkewAnswer(answer()), 0.4).skewed, false, 'a third of the rows is within a 40% threshold');
    const text = renderSkew(report);
    assert.match(text, /^SKEW: churn_features \(project churn, Feast 0\.67\.0\), 4 of 40 entities/);
    assert.match(text, /✗ v__amount \(Float32\): 1\/3 mismatched \(33\.3%\); max \|diff\| 0\.5000, mean 0\.1667; 1 older than the TTL online/);
  });

  it('names the entities one store has nothing for, and runs the drift engine\'s test on the two distributions', () => {
    const rows = Array.from({ length: 60 }, (_, i) => ({ customer_id: i }));
    const offline = rows.map((_, i) => i % 10);
    const online = rows.map((_, i) => (i === 0 ? null : 100 + (i % 10)));
    const report = skewReport(parseSkewAnswer(answer({ rows, features: [{ name: 'v__n', view: 'v', feature: 'n', dtype: 'Int64', ttlSeconds: null, offline, online, onlineTime: rows.map(() => null) }] })), 0);
    assert.deepEqual(report.missingEntities, { online: ['customer_id=0'], offline: [] });
    const [n] = report.features;
    assert.ok(n);
    assert.equal(n.mismatches, 60);
    assert.equal(n.missingOnline, 1);
    assert.equal(n.drift?.drifted, true, 'the served values are shifted by 100');
    assert.ok(n.drift?.test);
  });

  it('refuses a malformed answer, naming the field', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ keys: 'customer_id' }, /keys is not a list of names/],
      [{ now: '2026' }, /now or total is not a number/],
      [{ features: [{ ...answer().features[0], online: [1] }] }, /features\[0\]\.online is not a list of 4 values/],
      [{ features: [{ ...answer().features[0], onlineTime: ['x', null, null, null] }] }, /features\[0\]\.onlineTime holds a value that is not a time/],
    ];
    for (const [spoil, message] of cases) assert.throws(() => parseSkewAnswer(answer(spoil)), (err: unknown) => err instanceof FeastAnswerError && message.test(err.message), String(message));
    assert.throws(() => parseSkewAnswer(null), FeastAnswerError);
  });
});
