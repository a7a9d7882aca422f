import assert from 'node:assert/strict';
import { feastRunArgs, feastRunName, feastRunTags, isoSeconds, parseEndDate } from '../../../src/core/feast/feastRun.ts';

describe('Feast runs: the shipped script\'s arguments, the run\'s name and tags, the end date typed', () => {
  const end = new Date('2026-12-04T10:00:00.250Z');

  it('builds the script\'s arguments: apply with the repository; materialize with the end to the second and the views', () => {
    assert.deepEqual(feastRunArgs({ operation: 'apply', repo: '/w/churn' }), ['apply', '/w/churn']);
    assert.deepEqual(feastRunArgs({ operation: 'materialize-incremental', repo: '/w/churn', endDate: end, featureViews: [] }), ['materialize-incremental', '/w/churn', '2026-12-04T10:00:00Z']);
    assert.deepEqual(feastRunArgs({ operation: 'materialize-incremental', repo: '/w/churn', endDate: end, featureViews: ['a', 'b c'] }), ['materialize-incremental', '/w/churn', '2026-12-04T10:00:00Z', 'a', 'b c']);
  });

  it('names the run after the operation and project, and tags it with the operation and repository', () => {
    assert.equal(feastRunName({ operation: 'apply', repo: '/w' }, 'churn'), 'feast apply churn');
    assert.equal(feastRunName({ operation: 'materialize-incremental', repo: '/w', endDate: end, featureViews: [] }, 'churn'), 'feast materialize churn');
    assert.deepEqual(feastRunTags({ operation: 'apply', repo: '/w/churn' }), { 'labbook.feast.operation': 'apply', 'labbook.feast.repo': '/w/churn' });
    assert.equal(isoSeconds(end), '2026-12-04T10:00:00Z');
  });

  describe('parseEndDate', () => {
    const now = new Date('2026-12-04T12:00:00.700Z');
    const ok = (text: string) => {
      const parsed = parseEndDate(text, now);
      assert.ok(parsed instanceof Date, `${text}: ${String(parsed)}`);
      return parsed.toISOString();
    };

    it('reads ISO 8601 dates and times, UTC unless a zone is given, and "now" to the second', () => {
      assert.equal(ok('2026-12-04T10:00:00Z'), '2026-12-04T10:00:00.000Z');
      assert.equal(ok('2026-12-04T10:00:00'), '2026-12-04T10:00:00.000Z');
      assert.equal(ok('2026-12-04 10:00'), '2026-12-04T10:00:00.000Z');
      assert.equal(ok('2026-12-04'), '2026-12-04T00:00:00.000Z');
      assert.equal(ok('2026-12-04T11:30:00+01:00'), '2026-12-04T10:30:00.000Z');
      assert.equal(ok('2026-12-04T11:30:00+0100'), '2026-12-04T10:30:00.000Z');
      assert.equal(ok('2026-12-04T10:00:00.123456Z'), '2026-12-04T10:00:00.000Z');
      assert.equal(ok('  now '), '2026-12-04T12:00:00.000Z');
    });

    it('refuses the empty, the malformed, impossible dates and the future, saying why', () => {
      assert.match(String(parseEndDate('', now)), /Give the end/);
      assert.match(String(parseEndDate('yesterday', now)), /not an ISO 8601 date/);
      assert.match(String(parseEndDate('2026-13-01', now)), /not a valid date/);
      assert.match(String(parseEndDate('2026-02-30T00:00:00Z', now)), /not a valid date/);
      assert.match(String(parseEndDate('2026-12-05T00:00:00Z', now)), /in the future/);
      // A minute of clock skew is allowed.
      assert.ok(parseEndDate('2026-12-04T12:00:30Z', now) instanceof Date);
    });
  });
});
