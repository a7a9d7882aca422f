// The Queue view's model: which nodes, in which order, and how each reads (progress, ETA, position).
import assert from 'node:assert/strict';
import type { QueueItem, QueueItemState } from '../../../src/core/queue/types.ts';
import type { SweepRecord, SweepSpec, TrialRecord, TrialState } from '../../../src/core/sweep/types.ts';
import { bestTrial, itemDescription, meanFinishedMs, nodeLook, queuedOrder, queueRoots, sweepChildren, sweepDescription, type SweepSummary } from '../../../src/host/queue/queueModel.ts';

const spec: SweepSpec = {
  name: 'lr',
  program: { kind: 'script', file: 'train.py' },
  paramStyle: 'flags',
  parameters: { lr: { type: 'float', low: 0.001, high: 0.1, log: true } },
  method: 'random',
  objective: { metric: 'loss', goal: 'minimize' },
  budget: { trials: 20 },
  parallelism: 2,
  seeds: [],
  seedParam: 'seed',
  samplerSeed: 0,
  sampler: 'tpe',
};

function sweep(id: string, state: SweepRecord['state'], createdAt: number, goal: 'minimize' | 'maximize' = 'minimize'): SweepRecord {
  return { sweepId: id, name: id, file: '', spec: { ...spec, objective: { metric: 'loss', goal } }, state, parallelism: 2, parentRunId: 'p', experimentId: '1', target: '', pool: '', pausedMs: 0, createdAt, note: '' };
}

let nextId = 1;
function item(state: QueueItemState, extra: Partial<QueueItem> = {}): QueueItem {
  const itemId = nextId++;
  return { itemId, position: itemId, state, label: `item ${itemId}`, launch: { kind: 'script', file: 'train.py', cwd: '/w', experimentName: 'e' }, pool: '', runNow: false, attempts: 0, createdAt: 0, ...extra };
}

function trial(number: number, state: TrialState, value?: number): TrialRecord {
  return { sweepId: 's', number, params: { lr: 0.01 }, state, ...(value === undefined ? {} : { value }), createdAt: 0, note: '' };
}

describe('the Queue view model', () => {
  it('puts running sweeps first (newest first), then ended ones, then queued and running single runs, then recent ended ones', () => {
    const summary = (s: SweepRecord): SweepSummary => ({ sweep: s, trials: [], items: [], total: 20 });
    const done = item('finished', { startedAt: 1, endedAt: 5 });
    const queued = item('queued');
    const running = item('running', { startedAt: 1 });
    const roots = queueRoots([summary(sweep('old', 'finished', 1)), summary(sweep('a', 'running', 2)), summary(sweep('b', 'running', 3))], [done, queued, running]);
    assert.deepEqual(
      roots.map((n) => (n.kind === 'sweep' ? `sweep ${n.summary.sweep.sweepId}` : `item ${n.item.state}`)),
      ['sweep b', 'sweep a', 'sweep old', 'item running', 'item queued', 'item finished'],
    );
  });

  it("lists a sweep's items running first, then queued by position, then ended by trial number", () => {
    const items = [item('finished', { trialNumber: 1 }), item('queued', { trialNumber: 4, position: 9 }), item('running', { trialNumber: 2 }), item('queued', { trialNumber: 3, position: 2 }), item('pruned', { trialNumber: 0 })];
    const children = sweepChildren({ sweep: sweep('s', 'running', 0), trials: [], items, total: 5 });
    assert.deepEqual(children.map((n) => (n.kind === 'item' ? n.item.trialNumber : -1)), [2, 3, 4, 0, 1]);
  });

  it('describes a sweep as ended/total with the best value by its goal', () => {
    const trials = [trial(0, 'finished', 0.5), trial(1, 'finished', 0.123), trial(2, 'pruned'), trial(3, 'running'), trial(4, 'queued')];
    assert.equal(sweepDescription({ sweep: sweep('s', 'running', 0), trials, items: [], total: 20 }), '3/20 · best 0.123');
    assert.equal(bestTrial(sweep('s', 'running', 0, 'maximize'), trials)?.number, 0);
    assert.equal(sweepDescription({ sweep: sweep('s', 'finished', 0), trials: [trial(0, 'failed')], items: [], total: undefined }), '1/1 · finished');
  });

  it('gives a running item its elapsed time and an ETA from the mean of finished items; a queued one its place', () => {
    const finished = [item('finished', { startedAt: 0, endedAt: 60_000 }), item('finished', { startedAt: 0, endedAt: 120_000 })];
    assert.equal(meanFinishedMs(finished), 90_000);
    assert.equal(meanFinishedMs([item('failed', { startedAt: 0, endedAt: 5 })]), undefined);
    const running = item('running', { startedAt: 1_000_000 });
    assert.equal(itemDescription(running, 1_030_000, { meanMs: 90_000 }), 'running 30 s · ETA 1 min 0 s');
    assert.equal(itemDescription(running, 1_100_000, { meanMs: 90_000 }), 'running 1 min 40 s · ETA soon');
    assert.equal(itemDescription(item('queued'), 0, { queuedAhead: 2, paused: true }), '#3 in queue · paused');
    assert.equal(itemDescription(item('cancelled', { startedAt: 0, endedAt: 2500 }), 0, {}), 'cancelled · 2.5 s');
  });

  it('orders queued items run-now first, then by position', () => {
    const a = item('queued', { position: 5 });
    const b = item('queued', { position: 1 });
    const c = item('queued', { position: 9, runNow: true });
    assert.deepEqual([...queuedOrder([a, b, c, item('running')])].sort((x, y) => x[1] - y[1]).map(([id]) => id), [c.itemId, b.itemId, a.itemId]);
  });

  it('gives each state its codicon and a context value the menus test (with .run once it has a run)', () => {
    const look = (i: QueueItem) => nodeLook({ kind: 'item', item: i }, 0, { queuedOrder: new Map(), paused: false });
    assert.deepEqual([look(item('queued')).icon, look(item('running')).icon, look(item('finished')).icon, look(item('failed')).icon, look(item('cancelled')).icon, look(item('killed')).icon, look(item('pruned')).icon], ['clock', 'loading~spin', 'pass', 'error', 'circle-slash', 'debug-stop', 'filter']);
    assert.equal(look(item('queued')).contextValue, 'labbook.queueItem.queued');
    assert.equal(look(item('running', { runId: 'r1' })).contextValue, 'labbook.queueItem.running.run');
    const trialItem = item('finished', { sweepId: 's', trialNumber: 7, seed: 1, launch: { kind: 'script', file: 't.py', cwd: '/w', experimentName: 'e', env: { LABBOOK_TRIAL_PARAMS: '{"lr":0.01}' } } });
    const l = look(trialItem);
    assert.equal(l.label, 'trial 7 (seed 1)');
    assert.match(l.description, /lr=0\.01$/);
    const s = nodeLook({ kind: 'sweep', summary: { sweep: sweep('s', 'running', 0), trials: [], items: [], total: 4 } }, 0, { queuedOrder: new Map(), paused: false });
    assert.equal(s.contextValue, 'labbook.sweep.running');
    assert.equal(s.icon, 'loading~spin');
  });
});
