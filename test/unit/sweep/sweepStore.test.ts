// The sweeps and trials table: what a sweep resumes from. Real SQLite files in a temp dir; the
// ownership rule (one driver at a time, taken over when stale) with two connections to one file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase, type SqliteDatabase } from '../../../src/core/sqlite/openDatabase.ts';
import { migrate } from '../../../src/core/store/sqlite/migrations.ts';
import { SweepStore } from '../../../src/core/sweep/sweepStore.ts';
import type { SweepSpec } from '../../../src/core/sweep/types.ts';

const spec: SweepSpec = {
  name: 'ridge',
  program: { kind: 'script', file: 'train.py' },
  paramStyle: 'flags',
  parameters: { alpha: { type: 'float', low: 1e-4, high: 10, log: true }, solver: { type: 'categorical', values: ['auto', 'svd'] } },
  method: 'random',
  objective: { metric: 'rmse', goal: 'minimize' },
  budget: { trials: 4 },
  parallelism: 2,
  seeds: [],
  seedParam: 'seed',
  samplerSeed: 0,
  sampler: 'tpe',
};

describe('sweep/sweepStore: sweeps and trials in the local store', () => {
  let dir: string;
  let db: SqliteDatabase;
  let clock = 1_000;
  let store: SweepStore;
  const changeSeq = () => Number(db.prepare('SELECT change_seq FROM store_meta').pluck().get());

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-sweep-store-'));
    db = openDatabase(path.join(dir, 'tracking.db'), {});
    migrate(db);
    clock = 1_000;
    store = new SweepStore(db, () => clock);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, reads and lists sweeps (newest first), with the spec round-tripped', () => {
    const first = store.create({ sweepId: 's1', name: 'ridge', file: '.labbook/sweeps/ridge.yaml', spec, parallelism: 2, target: '' });
    assert.equal(first.state, 'running');
    assert.equal(first.createdAt, 1_000);
    assert.deepEqual(first.spec, spec);
    assert.equal(first.parentRunId, '');
    clock = 2_000;
    store.create({ sweepId: 's2', name: 'other', file: '', spec: { ...spec, name: 'other' }, parallelism: 1, target: 'http://127.0.0.1:5000', parentRunId: 'p', experimentId: '3' });
    assert.deepEqual(store.list().map((s) => s.sweepId), ['s2', 's1']);
    assert.equal(store.get('s2')?.target, 'http://127.0.0.1:5000');
    assert.equal(store.get('s2')?.parentRunId, 'p');
    assert.equal(store.get('missing'), undefined);
  });

  it('records the parent run, state changes and when an ended state ended; every write bumps change_seq', () => {
    store.create({ sweepId: 's1', name: 'ridge', file: '', spec, parallelism: 2, target: '' });
    const before = changeSeq();
    store.setParentRun('s1', 'run-1', '7');
    store.setState('s1', 'paused');
    assert.equal(store.get('s1')?.endedAt, undefined);
    clock = 5_000;
    store.setState('s1', 'stopped', 'stopped by the user');
    const sweep = store.get('s1');
    assert.equal(sweep?.parentRunId, 'run-1');
    assert.equal(sweep?.experimentId, '7');
    assert.equal(sweep?.state, 'stopped');
    assert.equal(sweep?.endedAt, 5_000);
    assert.equal(sweep?.note, 'stopped by the user');
    store.setState('s1', 'running');
    assert.equal(store.get('s1')?.note, 'stopped by the user', 'no note given: the note is kept');
    assert.equal(store.get('s1')?.endedAt, undefined);
    assert.equal(changeSeq(), before + 4);
  });

  it('puts trials (insert, then replace), in number order, values and optional fields kept', () => {
    store.create({ sweepId: 's1', name: 'ridge', file: '', spec, parallelism: 2, target: '' });
    store.putTrial({ sweepId: 's1', number: 1, params: { alpha: 0.5, solver: 'svd' }, state: 'running', createdAt: 10, note: '' });
    store.putTrial({ sweepId: 's1', number: 0, params: { alpha: 0.01, solver: 'auto' }, state: 'queued', optunaNumber: 0, createdAt: 9, note: '' });
    store.putTrial({ sweepId: 's1', number: 1, params: { alpha: 0.5, solver: 'svd' }, state: 'finished', value: 0.25, createdAt: 10, endedAt: 20, note: '' });
    store.putTrial({ sweepId: 's1', number: 2, params: { alpha: 1, solver: 'auto' }, state: 'failed', value: Number.NaN, createdAt: 11, endedAt: 12, note: 'exit 1' });
    const trials = store.trials('s1');
    assert.deepEqual(trials.map((t) => [t.number, t.state, t.value]), [[0, 'queued', undefined], [1, 'finished', 0.25], [2, 'failed', undefined]]);
    assert.equal(trials[0]?.optunaNumber, 0);
    assert.equal(trials[1]?.endedAt, 20);
    assert.deepEqual(trials[1]?.params, { alpha: 0.5, solver: 'svd' });
    assert.equal(store.trial('s1', 2)?.note, 'exit 1');
    assert.equal(store.trial('s1', 9), undefined);
  });

  it('refuses a trial of an unknown sweep (the foreign key)', () => {
    assert.throws(() => store.putTrial({ sweepId: 'nope', number: 0, params: {}, state: 'queued', createdAt: 0, note: '' }), /FOREIGN KEY/);
  });

  it('one owner at a time, across connections: taken over only when stale, kept fresh by heartbeats, released', () => {
    store.create({ sweepId: 's1', name: 'ridge', file: '', spec, parallelism: 2, target: '' });
    const other = openDatabase(path.join(dir, 'tracking.db'), {});
    try {
      const window2 = new SweepStore(other, () => clock);
      assert.equal(store.takeOwnership('s1', 'w1', 30_000), true, 'no owner yet');
      assert.equal(window2.takeOwnership('s1', 'w2', 30_000), false, 'w1 is fresh');
      clock += 20_000;
      store.heartbeat('s1', 'w1');
      window2.heartbeat('s1', 'w2'); // not the owner: no effect
      clock += 20_000;
      assert.equal(window2.takeOwnership('s1', 'w2', 30_000), false, 'the heartbeat kept w1 fresh');
      assert.equal(store.takeOwnership('s1', 'w1', 30_000), true, 'the owner may take it again');
      clock += 31_000;
      assert.equal(window2.takeOwnership('s1', 'w2', 30_000), true, 'w1 went stale');
      assert.equal(store.owner('s1')?.owner, 'w2');
      window2.release('s1', 'w2');
      assert.equal(store.takeOwnership('s1', 'w1', 30_000), true, 'released: free at once');
    } finally {
      other.close();
    }
  });

  it('keeps the pool, and the paused time across pauses (a repeated pause keeps its start; an end closes the pause)', () => {
    store.create({ sweepId: 'cli', name: 'ridge', file: '', spec, parallelism: 2, target: '', pool: 'cli' });
    store.create({ sweepId: 'ed', name: 'ridge', file: '', spec, parallelism: 2, target: '' });
    assert.equal(store.get('cli')?.pool, 'cli');
    assert.equal(store.get('ed')?.pool, '');
    store.setPool('cli', '');
    assert.equal(store.get('cli')?.pool, '');
    clock = 2_000;
    store.setState('ed', 'paused');
    clock = 3_000;
    store.setState('ed', 'paused', 'again');
    assert.deepEqual([store.get('ed')?.pausedMs, store.get('ed')?.pausedAt], [0, 2_000]);
    clock = 5_000;
    store.setState('ed', 'running');
    assert.deepEqual([store.get('ed')?.pausedMs, store.get('ed')?.pausedAt], [3_000, undefined]);
    clock = 6_000;
    store.setState('ed', 'paused');
    clock = 6_500;
    store.setState('ed', 'stopped');
    assert.deepEqual([store.get('ed')?.pausedMs, store.get('ed')?.pausedAt, store.get('ed')?.state], [3_500, undefined, 'stopped']);
  });
});
