import assert from 'node:assert/strict';
import { DRIFT_TEST_NAMES as CORE_NAMES, DRIFT_WHEN_BELOW as CORE_BELOW, DEFAULT_DRIFT_OPTIONS } from '../../../src/core/drift/types.ts';
import { DRIFT_TEST_NAMES, DRIFT_TESTS, DRIFT_WHEN_BELOW, driftRequests, readDriftState, type DriftPanelSource } from '../../../src/protocol/drift.ts';
import { BadParamsError, parseParams } from '../../../src/protocol/requests.ts';

const source: DriftPanelSource = { store: 'local', reference: { kind: 'alias', model: 'churn', alias: 'champion' }, current: { kind: 'file', path: '/data/today.csv' } };

describe('protocol: drift panel', () => {
  it('names the tests as the drift engine does (webviews import only the protocol)', () => {
    assert.deepEqual(DRIFT_TEST_NAMES, CORE_NAMES);
    assert.deepEqual(DRIFT_WHEN_BELOW, CORE_BELOW);
    assert.deepEqual([...DRIFT_TESTS].sort(), Object.keys(CORE_NAMES).sort());
  });

  it('accepts thresholds of at least 0 and a dataset share from 0 to 1', () => {
    const good = { thresholds: DEFAULT_DRIFT_OPTIONS.thresholds, datasetShare: 0.3 };
    assert.deepEqual(parseParams(driftRequests, 'setThresholds', good), good);
    assert.throws(() => parseParams(driftRequests, 'setThresholds', { ...good, datasetShare: 1.2 }), (err: unknown) => err instanceof BadParamsError && err.field === 'datasetShare');
    assert.throws(() => parseParams(driftRequests, 'setThresholds', { ...good, thresholds: { ...good.thresholds, ks: -1 } }), (err: unknown) => err instanceof BadParamsError && err.field === 'thresholds.ks');
    assert.throws(() => parseParams(driftRequests, 'setThresholds', { datasetShare: 0.5 }), BadParamsError);
    assert.throws(() => parseParams(driftRequests, 'openRun', { side: 'both' }), BadParamsError);
  });

  it('restores the source, filter and toggle of a saved state, and drops a view it cannot draw', () => {
    assert.deepEqual(readDriftState({ source, view: { report: { format: 'labbook.drift/0' } }, filter: 'age', driftedOnly: true }), { source, view: null, filter: 'age', driftedOnly: true });
    assert.deepEqual(readDriftState({ source: { ...source, current: { kind: 'run' } } }), { source: null, view: null, filter: '', driftedOnly: false });
    assert.deepEqual(readDriftState('garbage'), { source: null, view: null, filter: '', driftedOnly: false });
    const evaluated = { ...source, current: { kind: 'run' as const, runId: 'r2' }, evaluationRuns: ['r1', 'r2'] };
    assert.deepEqual(readDriftState({ source: evaluated }).source, evaluated);
    assert.equal(readDriftState({ source: { ...evaluated, evaluationRuns: [''] } }).source, null);
  });
});
