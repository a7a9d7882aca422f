// The What Changed panel's contract: what a restored page's state must hold to revive the panel,
// and the params its requests accept.
import assert from 'node:assert/strict';
import { parseParams } from '../../../src/protocol/requests.ts';
import { readWhatChangedState, whatChangedRequests, type WhatChanged } from '../../../src/protocol/whatChanged.ts';

const SOURCE = { store: 'local', base: { kind: 'version', name: 'clf', version: '1' }, remote: { kind: 'run', runId: 'abc' } };
const side = (label: string) => ({ ref: { kind: 'run', runId: label }, label, runId: label, runName: null, modelId: null, version: null });
const DIFF: WhatChanged = {
  base: { ...side('a'), ref: { kind: 'run', runId: 'a' } },
  remote: { ...side('b'), ref: { kind: 'run', runId: 'b' } },
  summary: ['lr differs'],
  params: { rows: [{ key: 'lr', base: '0.1', remote: '0.05', change: 'changed' }], notes: [] },
  metrics: { origin: { base: 'run', remote: 'model' }, rows: [{ key: 'rmse', base: 0.5, remote: 0.4, delta: -0.1, deltaPercent: -20, direction: 'lower', verdict: 'better', change: 'changed' }], notes: [] },
  data: { files: [{ path: 'd.csv', base: 'h1', remote: null, change: 'removed' }], datasets: [{ name: 'iris', base: null, remote: { digest: 'd', sourceType: 'local', source: 's', context: null }, change: 'added', schema: null }], notes: [] },
  code: { base: { commit: 'c', branch: null, dirty: false, snapshotPath: 'labbook/code/t.py', notebook: false, hasPatch: true }, remote: null, range: null, sameCommit: null, snapshotDiffers: null, patchDiffers: null, notebookPath: null, notes: ['n'] },
  environment: { counts: { base: 2, remote: null }, python: { base: '3.12', remote: null }, packages: [{ name: 'numpy', base: '1', remote: '2', change: 'upgraded' }], notes: [] },
  signature: { base: { from: 'f', inputs: { columns: [{ name: 'x', type: 'double' }] }, outputs: null, params: null, example: { path: 'e.json', text: '{}', truncated: false } }, remote: null, inputs: [{ name: 'x', base: 'double', remote: null, change: 'removed' }], outputs: [], params: [], exampleDiffers: null, notes: [] },
  notes: [],
};

describe('protocol: What Changed', () => {
  it('revives only from a source naming a store and two sides', () => {
    const source = (value: unknown) => readWhatChangedState({ source: value, diff: null }).source;
    assert.deepEqual(source(SOURCE), SOURCE);
    assert.equal(source({ ...SOURCE, base: { kind: 'version', name: 'clf', version: '' } }), null);
    assert.equal(source({ ...SOURCE, store: '' }), null);
    assert.equal(source({ ...SOURCE, base: { kind: 'alias', name: 'clf' } }), null);
    assert.equal(source(null), null);
    assert.deepEqual(readWhatChangedState(null), { source: null, diff: null });
    assert.deepEqual(readWhatChangedState('state'), { source: null, diff: null });
  });

  it('keeps a saved comparison only when every field the page reads has its type', () => {
    assert.deepEqual(readWhatChangedState({ source: SOURCE, diff: DIFF }), { source: SOURCE, diff: DIFF });
    // A JSON round trip (what VS Code keeps) still reads.
    assert.deepEqual(readWhatChangedState(JSON.parse(JSON.stringify({ source: SOURCE, diff: DIFF }))).diff, DIFF);
    // Damaged: the diff is refused, the source still revives the panel.
    const damaged: unknown[] = [
      { summary: [] },
      { ...DIFF, base: undefined },
      { ...DIFF, base: { ...DIFF.base, label: 3 } },
      { ...DIFF, metrics: { ...DIFF.metrics, rows: [{ ...DIFF.metrics.rows[0], deltaPercent: '20' }] } },
      { ...DIFF, data: { ...DIFF.data, files: null } },
      { ...DIFF, code: { ...DIFF.code, base: { commit: 'c' } } },
      { ...DIFF, environment: { ...DIFF.environment, packages: [{ name: 'numpy', base: 1, remote: '2', change: 'upgraded' }] } },
      { ...DIFF, signature: { ...DIFF.signature, inputs: 'x' } },
      { ...DIFF, notes: undefined },
    ];
    for (const diff of damaged) assert.deepEqual(readWhatChangedState({ source: SOURCE, diff }), { source: SOURCE, diff: null }, JSON.stringify(diff).slice(0, 200));
  });

  it('opens a diff of the snapshot or the patch, nothing else', () => {
    assert.deepEqual(parseParams(whatChangedRequests, 'openDiff', { file: 'patch' }), { file: 'patch' });
    assert.throws(() => parseParams(whatChangedRequests, 'openDiff', { file: '../etc/passwd' }), /openDiff: 'file' must be one of snapshot, patch/);
    assert.throws(() => parseParams(whatChangedRequests, 'openRun', { side: 'left' }), /'side' must be one of base, remote/);
    assert.equal(parseParams(whatChangedRequests, 'getDiff', null), null);
  });
});
