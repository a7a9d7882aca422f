// The Lineage panel's model over a real SQLite store (the lineage tests' scenario): the focus's
// neighbourhood, expansions merged in and kept across a re-read, "+N more" reading a cut side whole,
// and a store change seen by a reload.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nodeId, type LineageGraph } from '../../../src/core/lineage/types.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { LineageSession, mergeGraphs, moreLimit } from '../../../src/host/lineage/lineageSession.ts';
import { buildScenario, MANY_RUNS, MD5, type Scenario } from '../lineage/scenario.ts';

const ids = (g: LineageGraph) => g.nodes.map((n) => n.id).sort();
const many = { kind: 'dataset', digest: 'manyd1g', name: 'many' } as const;

describe('host/lineage: the Lineage panel model', () => {
  let dir: string;
  let store: SqliteTrackingStore;
  let s: Scenario;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-lineage-session-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'), { user: 'ada' });
    s = await buildScenario(store, path.join(dir, 'project'));
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the neighbourhood at N hops, and more of it when the hops grow', async () => {
    const session = new LineageSession(store, { kind: 'modelVersion', name: 'clf', version: '1' }, 1);
    const one = await session.read();
    assert.deepEqual(ids(one), ['alias:clf@champion', `loggedModel:${s.modelId}`, 'modelVersion:clf/1'].sort());
    const three = await session.setHops(3);
    for (const id of [nodeId({ kind: 'run', runId: s.train }), 'dataset:d1gest01:iris', `data:${'ab'.repeat(32)}`]) assert.ok(ids(three).includes(id), id);
    assert.equal(session.hops, 3);
  });

  it('merges an expansion of one side into the graph and keeps it across a re-read', async () => {
    const session = new LineageSession(store, { kind: 'run', runId: s.train }, 0);
    assert.deepEqual(ids(await session.read()), [nodeId({ kind: 'run', runId: s.train })]);
    const up = await session.expand(nodeId({ kind: 'run', runId: s.train }), 'upstream', 1);
    assert.ok(ids(up).includes('dataset:d1gest01:iris'));
    assert.ok(ids(up).includes(nodeId({ kind: 'run', runId: s.sweep })));
    assert.ok(!ids(up).some((id) => id.startsWith('modelVersion:')), 'nothing downstream');
    assert.equal(session.expansions.length, 1);
    assert.deepEqual(ids(await session.reload()), ids(up));
    await assert.rejects(session.expand('run:not-in-the-graph', 'both', 1), /not in the graph/);
  });

  it('"+N more" reads a cut side with a higher limit, and the cut is gone', async () => {
    const session = new LineageSession(store, many, 1, [], { reader: { perNodeLimit: 2 } });
    const cut = await session.read();
    assert.equal(cut.nodes.filter((n) => n.kind === 'run').length, 2);
    assert.deepEqual(cut.truncated.map((t) => [t.nodeId, t.side]), [[nodeId(many), 'downstream']]);
    const whole = await session.expand(nodeId(many), 'downstream', 1, true);
    assert.equal(whole.nodes.filter((n) => n.kind === 'run').length, MANY_RUNS);
    assert.deepEqual(whole.truncated, []);
    assert.equal(session.expansions[0]?.limit, 8);
    // A second view revived from the saved expansions reads the same graph.
    const revived = new LineageSession(store, many, 1, session.expansions, { reader: { perNodeLimit: 2 } });
    assert.deepEqual(ids(await revived.read()), ids(whole));
    assert.deepEqual((await revived.read()).truncated, []);
  });

  it('sees a change of the store after a reload', async () => {
    const session = new LineageSession(store, many, 1);
    assert.equal((await session.read()).nodes.filter((n) => n.kind === 'run').length, MANY_RUNS);
    const runId = (await store.createRun({ experimentId: '0', runName: 'late' })).info.runId;
    await store.logInputs(runId, [{ tags: [], dataset: { name: 'many', digest: 'manyd1g', sourceType: 'local', source: '' } }]);
    assert.equal((await session.read()).nodes.filter((n) => n.kind === 'run').length, MANY_RUNS, 'read is the graph as it was');
    assert.equal((await session.reload()).nodes.filter((n) => n.kind === 'run').length, MANY_RUNS + 1);
    await store.deleteRun(runId);
  });

  it('checks each data file once until the store is read again: a change of hops or an expansion hashes nothing again', async () => {
    const session = new LineageSession(store, { kind: 'run', runId: s.train }, 1);
    const dataId = `data:${'ab'.repeat(32)}`;
    const first = await session.staleMarks(await session.read(), { timeoutMs: 10_000 });
    // No .dvc file beside it: its DVC md5 is not the one the run recorded.
    assert.equal(first.data.get(dataId), 'stale');
    // Now the .dvc file names the version the run read: a new check would say fresh.
    mkdirSync(path.join(s.cwd, 'data'), { recursive: true });
    writeFileSync(path.join(s.cwd, 'data', 'train.csv.dvc'), `outs:\n- md5: ${MD5}\n  path: train.csv\n`);
    const wider = await session.staleMarks(await session.setHops(2), { timeoutMs: 10_000 });
    assert.equal(wider.data.get(dataId), 'stale', 'the check made for the narrower graph is reused');
    const expanded = await session.expand(nodeId({ kind: 'run', runId: s.train }), 'downstream', 1);
    assert.equal((await session.staleMarks(expanded, { timeoutMs: 10_000 })).data.get(dataId), 'stale');
    assert.equal((await session.staleMarks(await session.reload(), { timeoutMs: 10_000 })).data.get(dataId), 'fresh', 'a reload checks again');
    // A superseded graph's check stops: nothing is hashed, and nothing cut short is kept.
    const superseded = new AbortController();
    superseded.abort();
    const session2 = new LineageSession(store, { kind: 'run', runId: s.train }, 1);
    assert.equal((await session2.staleMarks(await session2.read(), { signal: superseded.signal })).data.get(dataId), 'unknown');
    assert.equal((await session2.staleMarks(await session2.read(), { timeoutMs: 10_000 })).data.get(dataId), 'fresh');
    rmSync(path.join(s.cwd, 'data', 'train.csv.dvc'));
  });

  it('merges truncations: a side read whole stays whole; the widest cut is kept', () => {
    const g = (truncated: LineageGraph['truncated']): LineageGraph => ({ focus: 'a', nodes: [], edges: [], truncated, notes: ['n'] });
    const merged = mergeGraphs('a', [
      { graph: g([{ nodeId: 'a', side: 'downstream', shown: 2 }, { nodeId: 'b', side: 'upstream', shown: 2, total: 9 }]) },
      { graph: g([]), expanded: { nodeId: 'a', sides: ['downstream'] } },
      { graph: g([{ nodeId: 'a', side: 'downstream', shown: 2 }, { nodeId: 'b', side: 'upstream', shown: 5, total: 9 }]) },
    ]);
    assert.deepEqual(merged.truncated, [{ nodeId: 'b', side: 'upstream', shown: 5, total: 9 }]);
    assert.deepEqual(merged.notes, ['n']);
    assert.equal(moreLimit({ nodeId: 'b', side: 'upstream', shown: 50, total: 70 }, 50), 70);
    assert.equal(moreLimit({ nodeId: 'b', side: 'upstream', shown: 50 }, 50), 200);
    assert.equal(moreLimit({ nodeId: 'b', side: 'upstream', shown: 50, total: 1_000_000 }, 50), 1000);
  });
});
