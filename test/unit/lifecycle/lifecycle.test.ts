// Gates, promotion, override, demotion, archive and the audit trail over real stores: the local
// SQLite store and the REST store against Labbook's own endpoint. Every write is read back
// through the store (aliases, version tags, registered-model tags), not from what the call returned.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { evaluateGate } from '../../../src/core/lifecycle/gate.ts';
import { GateRuleError } from '../../../src/core/lifecycle/gateRules.ts';
import { archiveVersion, AUDIT_VALUE_MAX, auditValue, demote, isRetired, LifecycleError, promote, readAuditTrail, restoreVersion, RETIRED_TAG } from '../../../src/core/lifecycle/lifecycle.ts';
import { STORE_KINDS, type Opened } from './models.ts';

describe('core/lifecycle: gates, promotion and the audit trail', function () {
  this.timeout(60_000);
  for (const [kind, open] of STORE_KINDS) {
    describe(kind, () => {
      let o: Opened;
      beforeEach(async () => {
        o = await open();
      });
      afterEach(async () => {
        await o?.close();
      });

      it('evaluates metric rules against the holder of @champion, with details that say what was compared', async () => {
        const better = await evaluateGate(o.store, 'clf', '2', { alias: 'champion' }, ['metrics.rmse <= 1.0*champion', 'metrics.rmse < 0.5', 'params.model = lasso']);
        assert.equal(better.passed, true);
        assert.deepEqual(better.against, { alias: 'champion', version: '1' });
        assert.deepEqual(better.checks.map((c) => c.detail), ['rmse 0.45 ≤ 0.5 (champion v1 0.5)', 'rmse 0.45 < 0.5', "params.model is 'lasso'"]);
        const worse = await evaluateGate(o.store, 'clf', '3', { alias: 'champion' }, ['metrics.rmse <= champion * 1.02', 'metrics.rmse <= champion + 0.25', 'metrics.nope > 1']);
        assert.equal(worse.passed, false);
        assert.deepEqual(worse.checks.map((c) => [c.passed, c.detail]), [
          [false, 'rmse 0.7 is not ≤ 0.51 (champion v1 0.5 × 1.02)'],
          [true, 'rmse 0.7 ≤ 0.75 (champion v1 0.5 + 0.25)'],
          [false, 'v3 has no metric nope'],
        ]);
      });

      it('fails a champion rule the holder cannot be measured by (it lacks the metric), naming it', async () => {
        await o.store.logMetric(o.models.runs[1] as string, { key: 'auc', value: 0.8, timestamp: 3, step: 0 });
        const result = await evaluateGate(o.store, 'clf', '2', { alias: 'champion' }, ['metrics.auc >= champion']);
        assert.deepEqual(result.checks.map((c) => [c.passed, c.detail]), [[false, 'champion v1 has no metric auc: cannot compare (override with a reason if intended)']]);
      });

      it('passes champion rules with a note when nothing holds the alias, and reads @alias candidates', async () => {
        const result = await evaluateGate(o.store, 'clf', '@champion', { alias: 'staging' }, ['metrics.rmse <= champion']);
        assert.equal(result.passed, true);
        assert.equal(result.candidate.version, '1');
        assert.equal(result.against, undefined);
        assert.match(result.checks[0]?.detail ?? '', /no version holds @staging yet/);
      });

      it('prefers a logged model’s linked metrics (MLflow 3) over its run’s latest value', async () => {
        const result = await evaluateGate(o.store, 'clf', '4', { version: '1' }, ['metrics.rmse <= 0.5']);
        assert.deepEqual(result.checks.map((c) => [c.passed, c.detail]), [[true, 'rmse 0.3 ≤ 0.5']]);
      });

      it('checks smoke tests (version tag, else the source run’s) and training data staleness', async () => {
        await o.store.setModelVersionTag('clf', '1', { key: 'labbook.smoke.status', value: 'failed' });
        const smoke = await Promise.all(['1', '2', '3'].map((v) => evaluateGate(o.store, 'clf', v, undefined, ['smoke passed'])));
        assert.deepEqual(smoke.map((r) => r.passed), [false, false, true]);
        assert.match(smoke[0]?.checks[0]?.detail ?? '', /the version records labbook.smoke.status=failed/);
        assert.match(smoke[1]?.checks[0]?.detail ?? '', /no smoke test result is recorded/);
        const fresh = await evaluateGate(o.store, 'clf', '2', undefined, ['data not stale']);
        assert.deepEqual([fresh.passed, fresh.checks[0]?.detail], [true, '1 data input(s) unchanged since training']);
        writeFileSync(o.models.dataFile, 'x,y\n1,2\n3,5\n');
        const stale = await evaluateGate(o.store, 'clf', '2', undefined, ['data not stale']);
        assert.equal(stale.passed, false);
        assert.match(stale.checks[0]?.detail ?? '', /data\/train.csv: its contents changed since the run/);
        // v3's run recorded no Labbook data: nothing can be checked, which is not a pass.
        const unchecked = await evaluateGate(o.store, 'clf', '3', undefined, ['data not stale']);
        assert.deepEqual([unchecked.passed, unchecked.checks[0]?.detail], [false, 'no Labbook data fingerprints are recorded upstream of it: nothing to check (override with a reason if intended)']);
      });

      it('errors, never fails a check, when the store itself fails mid-gate (CI must see exit 2, not "worse")', async () => {
        const failing = new Proxy(o.store, {
          get: (target, key) => {
            if (key === 'getRun') return () => Promise.reject(new Error('503 Service Unavailable'));
            const value: unknown = Reflect.get(target, key, target);
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          },
        });
        await assert.rejects(evaluateGate(failing, 'clf', '2', undefined, ['params.model = lasso']), /could not check 'params.model = lasso': 503 Service Unavailable/);
      });

      it('refuses to promote when the alias moved between the gate and the move, and to archive twice', async () => {
        let reads = 0;
        const racing = new Proxy(o.store, {
          get: (target, key) => {
            if (key === 'getModelVersionByAlias') {
              return async (name: string, alias: string) => {
                const holder = await target.getModelVersionByAlias(name, alias);
                // Another promoter moves @champion right after the gate read its holder.
                if (++reads === 1) await target.setRegisteredModelAlias('clf', 'champion', '3');
                return holder;
              };
            }
            const value: unknown = Reflect.get(target, key, target);
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          },
        });
        await assert.rejects(promote(racing, { name: 'clf', version: '2', alias: 'champion', rules: ['metrics.rmse <= champion'], actor: 'ci' }), /@champion moved to v3 while the gate was checked against v1/);
        assert.equal((await o.store.getModelVersionByAlias('clf', 'champion')).version, '3', 'the other promotion stands');
        assert.deepEqual(await readAuditTrail(o.store, 'clf'), [], 'nothing recorded for the refused one');
        await archiveVersion(o.store, { name: 'clf', version: '4', actor: 'ada' });
        await assert.rejects(archiveVersion(o.store, { name: 'clf', version: '4', actor: 'ada' }), /already archived/);
      });

      it('rejects a bad rule before reading anything, and fails on an unknown version', async () => {
        await assert.rejects(evaluateGate(o.store, 'clf', '2', undefined, ['metrics.rmse <== 1']), GateRuleError);
        await assert.rejects(evaluateGate(o.store, 'clf', '99', undefined, ['metrics.rmse < 1']), /99/);
      });

      it('refuses a failed gate without writing; an override needs a reason and is recorded with the failed gate', async () => {
        const refused = await promote(o.store, { name: 'clf', version: '3', alias: 'champion', rules: ['metrics.rmse <= champion'], actor: 'ci' });
        assert.equal(refused.promoted, false);
        assert.equal(refused.gate?.passed, false);
        assert.equal((await o.store.getModelVersionByAlias('clf', 'champion')).version, '1');
        assert.deepEqual(await readAuditTrail(o.store, 'clf'), []);
        await assert.rejects(promote(o.store, { name: 'clf', version: '3', alias: 'champion', rules: ['metrics.rmse <= champion'], override: { reason: '  ' }, actor: 'ci' }), LifecycleError);

        const overridden = await promote(o.store, { name: 'clf', version: '3', alias: 'champion', rules: ['metrics.rmse <= champion'], override: { reason: 'hotfix for a data bug' }, actor: 'grace' });
        assert.equal(overridden.promoted, true);
        assert.equal((await o.store.getModelVersionByAlias('clf', 'champion')).version, '3');
        const [entry] = await readAuditTrail(o.store, 'clf');
        assert.deepEqual({ ...entry, time: 0 }, { ...overridden.entry, time: 0 });
        assert.equal(entry?.action, 'override');
        assert.deepEqual([entry?.fromVersion, entry?.toVersion, entry?.actor, entry?.reason, entry?.gate?.passed], ['1', '3', 'grace', 'hotfix for a data bug', false]);
        assert.match(entry?.gate?.checks[0]?.detail ?? '', /rmse 0.7 is not ≤ 0.5/);
        // On the versions concerned too: the one promoted and the one that held the alias.
        for (const v of ['1', '3']) assert.ok((await o.store.getModelVersion('clf', v)).tags.some((t) => t.key === entry?.key), `v${v}`);
      });

      it('promotes, demotes and archives, each in the trail newest first, skipping a malformed tag', async () => {
        const promoted = await promote(o.store, { name: 'clf', version: '2', alias: 'champion', rules: ['metrics.rmse <= champion'], actor: 'ci' });
        assert.deepEqual([promoted.promoted, promoted.entry?.action, promoted.entry?.fromVersion], [true, 'promote', '1']);
        await promote(o.store, { name: 'clf', version: '1', alias: 'staging', actor: 'ci' });
        await o.store.setRegisteredModelTag('clf', { key: 'labbook.audit.1.bad', value: '{not json' });
        await o.store.setRegisteredModelTag('clf', { key: 'labbook.audit.2.bad', value: '{"action":"explode","actor":"x","time":2}' });
        const demoted = await demote(o.store, { name: 'clf', alias: 'staging', actor: 'ada', reason: 'staging reset' });
        await assert.rejects(o.store.getModelVersionByAlias('clf', 'staging'));
        await assert.rejects(demote(o.store, { name: 'clf', alias: 'staging', actor: 'ada' }), LifecycleError);
        await promote(o.store, { name: 'clf', version: '2', alias: 'staging', actor: 'ci' });
        const archived = await archiveVersion(o.store, { name: 'clf', version: '2', actor: 'ada', reason: 'superseded' });
        const v2 = await o.store.getModelVersion('clf', '2');
        assert.deepEqual(v2.aliases, []);
        assert.ok(isRetired(v2));
        assert.ok(v2.tags.some((t) => t.key === RETIRED_TAG && t.value === 'retired'));
        assert.deepEqual([...(archived.removedAliases ?? [])].sort(), ['champion', 'staging']);
        assert.deepEqual([demoted.fromVersion, demoted.toVersion], ['1', null]);
        const trail = await readAuditTrail(o.store, 'clf');
        assert.deepEqual(trail.map((e) => `${e.action} ${e.alias ?? '-'} ${e.fromVersion ?? '-'}→${e.toVersion ?? '-'}`), [
          'archive - 2→-', 'promote staging -→2', 'demote staging 1→-', 'promote staging -→1', 'promote champion 1→2',
        ]);
        await assert.rejects(promote(o.store, { name: 'clf', version: '2', alias: 'champion', actor: 'ci' }), /retired/);
        // Restored: active again (aliases stay gone), promotable, and in the trail.
        await restoreVersion(o.store, { name: 'clf', version: '2', actor: 'ada', reason: 'archived by mistake' });
        assert.equal(isRetired(await o.store.getModelVersion('clf', '2')), false);
        await assert.rejects(restoreVersion(o.store, { name: 'clf', version: '2', actor: 'ada' }), /not archived/);
        const back = await promote(o.store, { name: 'clf', version: '2', alias: 'champion', actor: 'ci' });
        assert.equal(back.promoted, true);
        const [latest, restored] = await readAuditTrail(o.store, 'clf');
        assert.deepEqual([latest?.action, restored?.action, restored?.reason], ['promote', 'restore', 'archived by mistake']);
      });
    });
  }

  it('keeps an audit value under MLflow’s registry tag limit however many checks it has', () => {
    const checks = Array.from({ length: 500 }, (_, i) => ({ rule: `metrics.m${i} <= champion`, passed: i % 2 === 0, detail: 'x'.repeat(200) }));
    const value = auditValue({ action: 'override', name: 'clf', alias: 'champion', fromVersion: '1', toVersion: '2', actor: 'ci', time: 1, gate: { passed: false, checks }, reason: 'r'.repeat(5000), key: 'labbook.audit.1.a' });
    assert.ok(value.length <= AUDIT_VALUE_MAX, String(value.length));
    const parsed = JSON.parse(value) as { gate: { passed: boolean } };
    assert.equal(parsed.gate.passed, false);
    const small = auditValue({ action: 'override', name: 'clf', actor: 'ci', time: 1, gate: { passed: false, checks: checks.slice(0, 10) }, reason: 'why', key: 'k' });
    assert.equal((JSON.parse(small) as { gate: { checks: { detail: string }[] } }).gate.checks[0]?.detail, 'x'.repeat(200));
  });
});
