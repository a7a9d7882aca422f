// The Experiments view's model against real stores: a SQLite file in a temp dir, and a remote
// MLflow address on 127.0.0.1 where nothing listens (a server that is down).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MlrunsStore } from '../../../src/core/store/mlflowFiles/mlrunsStore.ts';
import { RestTrackingStore } from '../../../src/core/store/rest/restStore.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { ExperimentsModel, type MoreNode, type PinnedRun, type RunQuery } from '../../../src/host/trees/experimentsModel.ts';
import { PARENT_TAG } from '../../../src/host/trees/runGrouping.ts';
import type { StoreRoot } from '../../../src/host/stores/storeRoot.ts';
import { explorerNodeId, storeNodeText, type ExperimentNode, type ExplorerNode } from '../../../src/host/trees/treeNodes.ts';

const byStart: RunQuery = { filter: '', orderBy: ['attributes.start_time DESC'] };

/** A readable outline of nodes: `run name`, `*pinned`, `[group] (…)`, `more (n)`, `! error`, `- message`. */
function outline(nodes: readonly ExplorerNode[]): string[] {
  return nodes.map((n) => {
    switch (n.kind) {
      case 'store':
        return `store ${n.root.id}`;
      case 'experiment':
        return `experiment ${n.experiment.name}`;
      case 'run':
        return `${n.pinned ? '*' : ''}${n.run.info.runName}${n.children?.length ? ` {${n.children.length}}` : ''}`;
      case 'group':
        return `[${n.entry.label}] (${n.entry.runs.length})`;
      case 'more':
        return `more (${n.loaded})`;
      case 'message':
        return `${n.error ? '!' : '-'} ${n.text}`;
    }
  });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('host/trees: the Experiments view model', () => {
  let dir: string;
  let store: SqliteTrackingStore;
  let local: StoreRoot;
  let wine: string;
  let clock: number;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-experiments-model-'));
    clock = 1_700_000_000_000;
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'), { now: () => clock++ });
    local = { id: 'local', label: 'Local', icon: 'database', open: () => Promise.resolve(store) };
    wine = await store.createExperiment('wine');
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs r1…rN in `experimentId`, r1 oldest; `params(i)` gives each run's params. */
  async function seedRuns(experimentId: string, count: number, params: (i: number) => Record<string, string> = () => ({})): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 1; i <= count; i++) {
      const run = await store.createRun({ experimentId, runName: `r${i}`, startTime: 1000 * i });
      const entries = Object.entries(params(i)).map(([key, value]) => ({ key, value }));
      if (entries.length) await store.logBatch(run.info.runId, { params: entries });
      ids.push(run.info.runId);
    }
    return ids;
  }

  async function experimentNode(model: ExperimentsModel, name: string, root = local): Promise<ExperimentNode> {
    const node = (await model.children({ kind: 'store', root })).find((n) => n.kind === 'experiment' && n.experiment.name === name);
    assert.ok(node?.kind === 'experiment', `experiment ${name} listed`);
    return node;
  }

  const moreOf = (nodes: readonly ExplorerNode[]): MoreNode => {
    const more = nodes.find((n): n is MoreNode => n.kind === 'more');
    assert.ok(more, 'a "Load more" row');
    return more;
  };

  it('lists the roots, then each store’s experiments by name, and says when a store has none', async () => {
    await store.createExperiment('churn');
    const mlruns = path.join(dir, 'mlruns');
    mkdirSync(mlruns);
    const emptyRoot: StoreRoot = { id: 'opened:mlruns', label: 'mlruns', icon: 'archive', open: () => Promise.resolve(new MlrunsStore(mlruns)) };
    const model = new ExperimentsModel(() => [local, emptyRoot], () => 10, byStart);
    assert.deepEqual(outline(await model.children()), ['store local', 'store opened:mlruns']);
    const experiments = outline(await model.children({ kind: 'store', root: local }));
    assert.deepEqual(experiments.filter((e) => e !== 'experiment Default'), ['experiment churn', 'experiment wine']);
    const none = await model.children({ kind: 'store', root: emptyRoot });
    assert.deepEqual(outline(none), ['- No experiments yet.']);
    assert.equal(explorerNodeId(none[0] as ExplorerNode), 'message:opened:mlruns/empty');
  });

  it('reads what a damaged store still has, and its store node tells how many entries it skipped', async () => {
    const mlruns = path.join(dir, 'mlruns');
    for (const [id, meta] of [['1', `experiment_id: '1'\nname: good\nartifact_location: file://${mlruns}/1\nlifecycle_stage: active\n`], ['2', 'name: [not yaml\n']]) {
      mkdirSync(path.join(mlruns, id as string), { recursive: true });
      writeFileSync(path.join(mlruns, id as string, 'meta.yaml'), meta as string);
    }
    const damaged = new MlrunsStore(mlruns);
    const root: StoreRoot = { id: 'opened:mlruns', label: 'mlruns', description: 'read-only', icon: 'archive', open: () => Promise.resolve(damaged), warnings: () => damaged.warnings };
    const model = new ExperimentsModel(() => [root], () => 10, byStart);
    assert.deepEqual(storeNodeText(root), { description: 'read-only', tooltip: undefined });
    assert.deepEqual(outline(await model.children({ kind: 'store', root })), ['experiment good']);
    const text = storeNodeText(root);
    assert.equal(text.description, 'read-only · 1 damaged entry skipped');
    assert.match(text.tooltip ?? '', /^mlruns\nSkipped while reading \(the rest of the store reads\):\n• .*experiment 2/);
  });

  it('reads runs a page at a time: "Load more" appends the next page until there is none', async () => {
    await seedRuns(wine, 5);
    const model = new ExperimentsModel(() => [local], () => 2, byStart);
    const exp = await experimentNode(model, 'wine');
    const first = await model.children(exp);
    assert.deepEqual(outline(first), ['r5', 'r4', 'more (2)']);
    assert.equal(explorerNodeId(moreOf(first)), `more:local\u0000${wine}`);
    assert.equal(await model.loadMore(moreOf(first)), true);
    const second = await model.children(exp);
    assert.deepEqual(outline(second), ['r5', 'r4', 'r3', 'r2', 'more (4)']);
    assert.equal(await model.loadMore(moreOf(second)), true);
    assert.deepEqual(outline(await model.children(exp)), ['r5', 'r4', 'r3', 'r2', 'r1']);
    assert.deepEqual(model.loadedRuns().map((r) => r.info.runName), ['r5', 'r4', 'r3', 'r2', 'r1']);
    // Nothing left: a stale "Load more" changes nothing.
    assert.equal(await model.loadMore(moreOf(second)), false);
  });

  it('keeps loaded pages until the store changes, then re-reads as many runs as were shown', async () => {
    await seedRuns(wine, 5);
    const model = new ExperimentsModel(() => [local], () => 2, byStart);
    const exp = await experimentNode(model, 'wine');
    await model.loadMore(moreOf(await model.children(exp)));
    const fresh = await store.createRun({ experimentId: wine, runName: 'r6', startTime: 6000 });
    // Another store changed: this one's page is still the one read before.
    model.storeChanged('remote:http://127.0.0.1:5000');
    assert.deepEqual(outline(await model.children(exp)), ['r5', 'r4', 'r3', 'r2', 'more (4)']);
    model.storeChanged('local');
    // Stale: "Load more" waits for the re-read rather than appending to an outdated page.
    assert.equal(await model.loadMore({ kind: 'more', parent: exp, loaded: 4 }), false);
    assert.deepEqual(outline(await model.children(exp)), ['r6', 'r5', 'r4', 'r3', 'more (4)']);
    assert.equal(model.loadedRuns()[0]?.info.runId, fresh.info.runId);
    model.reload();
    assert.deepEqual(model.loadedRuns(), []);
    assert.deepEqual(outline(await model.children(exp)), ['r6', 'r5', 'more (2)']);
  });

  it('applies the filter and status, and says whether nothing matches or nothing exists', async () => {
    await seedRuns(wine, 4, (i) => ({ model: i % 2 ? 'rf' : 'gbm' }));
    await store.createExperiment('empty');
    const model = new ExperimentsModel(() => [local], () => 10, { ...byStart, filter: "params.model = 'rf'" });
    const exp = await experimentNode(model, 'wine');
    assert.deepEqual(outline(await model.children(exp)), ['r3', 'r1']);
    model.setQuery({ ...byStart, filter: "params.model = 'svm'" });
    const none = await model.children(exp);
    assert.deepEqual(outline(none), ['- No runs match the filter.']);
    assert.equal(explorerNodeId(none[0] as ExplorerNode), `message:local\u0000${wine}/none`);
    model.setQuery({ ...byStart, status: 'FAILED' });
    assert.deepEqual(outline(await model.children(exp)), ['- No runs match the filter.']);
    model.setQuery(byStart);
    assert.deepEqual(outline(await model.children(await experimentNode(model, 'empty'))), ['- No runs yet.']);
  });

  it('groups runs by a param, and nests child runs under their parent', async () => {
    await seedRuns(wine, 4, (i): Record<string, string> => (i === 4 ? {} : { model: i === 2 ? 'gbm' : 'rf' }));
    const model = new ExperimentsModel(() => [local], () => 10, { ...byStart, groupBy: { kind: 'param', key: 'model' } });
    const exp = await experimentNode(model, 'wine');
    const groups = await model.children(exp);
    assert.deepEqual(outline(groups), ['[model = gbm] (1)', '[model = rf] (2)', '[model: (no value)] (1)']);
    assert.deepEqual(outline(await model.children(groups[1])), ['r3', 'r1']);
    assert.equal(new Set(groups.map(explorerNodeId)).size, 3);

    const parent = await store.createRun({ experimentId: wine, runName: 'sweep', startTime: 500 });
    for (const name of ['trial-1', 'trial-2']) {
      await store.createRun({ experimentId: wine, runName: name, startTime: 600, tags: [{ key: PARENT_TAG, value: parent.info.runId }] });
    }
    model.setQuery({ ...byStart, groupBy: { kind: 'parent' } });
    const top = await model.children(exp);
    assert.deepEqual(outline(top), ['r4', 'r3', 'r2', 'r1', 'sweep {2}']);
    const sweep = top.find((n) => n.kind === 'run' && n.run.info.runName === 'sweep');
    assert.deepEqual(outline(await model.children(sweep)).sort(), ['trial-1', 'trial-2']);
  });

  it('shows pinned runs first, even those the filter or paging leaves out; deleted and other stores’ pins are not shown', async () => {
    const [r1, r2, , r4] = await seedRuns(wine, 5, (i) => ({ model: i === 1 ? 'gbm' : 'rf' }));
    const gone = (await store.createRun({ experimentId: wine, runName: 'gone', startTime: 10 })).info.runId;
    await store.deleteRun(gone);
    const pins: PinnedRun[] = [
      { rootId: 'local', experimentId: wine, runId: r1 as string },
      { rootId: 'local', experimentId: wine, runId: r4 as string },
      { rootId: 'local', experimentId: wine, runId: gone },
      { rootId: 'remote:x', experimentId: wine, runId: r2 as string },
    ];
    const model = new ExperimentsModel(() => [local], () => 2, { ...byStart, filter: "params.model = 'rf'" }, pins);
    const exp = await experimentNode(model, 'wine');
    // r1 is filtered out and r4 is on the first page: both first, pinned; the page stays as read.
    assert.deepEqual(outline(await model.children(exp)), ['*r1', '*r4', 'r5', 'more (2)']);
    model.setPinned([]);
    assert.deepEqual(outline(await model.children(exp)), ['r5', 'r4', 'more (2)']);
    assert.deepEqual(model.pinned, []);
  });

  it('shows a failed read as one error row under the node that failed, with an id derived from that node', async () => {
    const other = await store.createExperiment('other');
    await seedRuns(wine, 1);
    await seedRuns(other, 1);
    const port = await closedPort();
    const down = new RestTrackingStore({ baseUrl: `http://127.0.0.1:${port}`, retry: { maxAttempts: 1 } });
    const remote: StoreRoot = { id: `remote:http://127.0.0.1:${port}`, label: 'Remote', icon: 'cloud', open: () => Promise.resolve(down) };
    const model = new ExperimentsModel(() => [local, remote], () => 10, { ...byStart, filter: 'metrics.loss >>> 1' });

    const remoteRows = await model.children({ kind: 'store', root: remote });
    assert.equal(remoteRows.length, 1);
    assert.equal(remoteRows[0]?.kind === 'message' && remoteRows[0].error, true);
    assert.equal(explorerNodeId(remoteRows[0] as ExplorerNode), `message:store:${remote.id}/error`);

    // A filter the store refuses: each experiment gets its own error row, with the store's message.
    const rows = await Promise.all([await experimentNode(model, 'wine'), await experimentNode(model, 'other')].map((exp) => model.children(exp)));
    const errors = rows.map((r) => r[0]);
    for (const row of errors) {
      assert.equal(row?.kind, 'message');
      assert.equal(row?.kind === 'message' && row.error, true);
      assert.ok(row?.kind === 'message' && row.text.length > 0);
    }
    const ids = errors.map((row) => explorerNodeId(row as ExplorerNode));
    assert.deepEqual(ids, [`message:experiment:local:${wine}/error`, `message:experiment:local:${other}/error`]);

    // The same experiment reads again once the filter is fixed.
    model.setQuery(byStart);
    assert.deepEqual(outline(await model.children(await experimentNode(model, 'wine'))), ['r1']);
  });
});
