// Lineage over real stores: the local SQLite store, and the REST store against Labbook's own
// MLflow-compatible endpoint on 127.0.0.1 (backed by that SQLite store). The same scenario gives
// the same graphs over both. Edges are compared as exact sets, so a dropped edge kind fails.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LineageReader } from '../../../src/core/lineage/lineageReader.ts';
import type { LineageGraph } from '../../../src/core/lineage/types.ts';
import { startLocalTrackingServer, type LocalTrackingServer } from '../../../src/core/mlflow/server/localTrackingServer.ts';
import { RestTrackingStore } from '../../../src/core/store/rest/restStore.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { ReadableStore } from '../../../src/core/store/trackingStore.ts';
import { buildScenario, IRIS, MANY_RUNS, MD5, SHA, type Scenario } from './scenario.ts';

function edges(graph: LineageGraph): string[] {
  return graph.edges.map((e) => `${e.from} -${e.kind}-> ${e.to}`).sort();
}

function ids(graph: LineageGraph): string[] {
  return graph.nodes.map((n) => n.id).sort();
}

describe('core/lineage: datasets → runs → logged models → versions ← aliases', () => {
  let dir: string;
  let sqlite: SqliteTrackingStore;
  let server: LocalTrackingServer;
  let rest: RestTrackingStore;
  let s: Scenario;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-lineage-graph-'));
    sqlite = new SqliteTrackingStore(path.join(dir, 'tracking.db'), { user: 'ada' });
    s = await buildScenario(sqlite, path.join(dir, 'project'));
    server = await startLocalTrackingServer({ store: sqlite });
    rest = new RestTrackingStore({ baseUrl: server.url, auth: { kind: 'bearer', token: server.token }, retry: { maxAttempts: 1 } });
  });
  after(async () => {
    await server?.close();
    await sqlite?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const kinds: readonly [string, () => ReadableStore][] = [
    ['local SQLite store', () => sqlite],
    ['REST store (Labbook’s endpoint on 127.0.0.1)', () => rest],
  ];
  for (const [kind, storeOf] of kinds) {
    describe(kind, () => {
      const run = (id: string) => `run:${id}`;
      const model = () => `loggedModel:${s.modelId}`;

      it('walks upstream of @champion to the dataset, the data file and the parent run', async () => {
        const graph = await new LineageReader(storeOf()).upstream({ kind: 'alias', name: 'clf', alias: 'champion' });
        assert.equal(graph.focus, 'alias:clf@champion');
        assert.deepEqual(edges(graph), [
          `alias:clf@champion -points-to-> modelVersion:clf/1`,
          `data:${SHA} -used-by-> ${run(s.train)}`,
          `dataset:${IRIS.digest}:iris -used-by-> ${run(s.train)}`,
          `${model()} -registered-as-> modelVersion:clf/1`,
          `${run(s.sweep)} -parent-> ${run(s.train)}`,
          `${run(s.train)} -produced-> ${model()}`,
        ].sort());
        assert.deepEqual(graph.notes, []);
        const data = graph.nodes.find((n) => n.kind === 'data');
        assert.deepEqual(data, { kind: 'data', id: `data:${SHA}`, path: 'data/train.csv', absolutePath: path.join(s.cwd, 'data/train.csv'), entryKind: 'file', sha256: SHA, dvcMd5: [MD5] });
        const dataset = graph.nodes.find((n) => n.kind === 'dataset');
        assert.deepEqual(dataset, { kind: 'dataset', id: `dataset:${IRIS.digest}:iris`, ...IRIS });
        const train = graph.nodes.find((n) => n.id === run(s.train));
        assert.deepEqual(train && { ...train, startTime: 0 }, { kind: 'run', id: run(s.train), runId: s.train, experimentId: '0', runName: 'train', status: 'RUNNING', startTime: 0 });
      });

      it('finds what a dataset digest touches: the run, its logged model, both versions and the alias', async () => {
        const users = await new LineageReader(storeOf()).usersOfDigest(IRIS.digest);
        assert.deepEqual(users.runs.map((r) => r.runId), [s.train]);
        assert.deepEqual(users.loggedModels.map((m) => [m.modelId, m.name, m.sourceRunId]), [[s.modelId, 'clf', s.train]]);
        assert.deepEqual(users.modelVersions.map((v) => `${v.name}/${v.version}`).sort(), ['clf/1', 'clf/2']);
        assert.deepEqual(users.aliases.map((a) => [a.name, a.alias, a.version]), [['clf', 'champion', '1']]);
        assert.deepEqual(edges(users.graph), [
          `alias:clf@champion -points-to-> modelVersion:clf/1`,
          `dataset:${IRIS.digest} -used-by-> ${run(s.train)}`,
          `${model()} -registered-as-> modelVersion:clf/1`,
          `${run(s.train)} -produced-> ${model()}`,
          `${run(s.train)} -registered-as-> modelVersion:clf/2`,
        ].sort());
      });

      it('finds the same from a Labbook data sha256 (through its mirrored dataset input and data.json)', async () => {
        const users = await new LineageReader(storeOf()).usersOfDigest(SHA);
        assert.equal(users.graph.focus, `data:${SHA}`);
        const data = users.graph.nodes.find((n) => n.id === `data:${SHA}`);
        assert.equal(data?.kind === 'data' ? data.path : undefined, 'data/train.csv');
        assert.ok(edges(users.graph).includes(`data:${SHA} -used-by-> ${run(s.train)}`));
        assert.deepEqual(users.runs.map((r) => r.runId), [s.train]);
        assert.deepEqual(users.modelVersions.map((v) => v.version).sort(), ['1', '2']);
        assert.deepEqual(users.aliases.map((a) => a.alias), ['champion']);
      });

      it('grows the neighbourhood of a run hop by hop, both ways', async () => {
        const reader = new LineageReader(storeOf());
        const one = await reader.neighbourhood({ kind: 'run', runId: s.train }, 1);
        assert.deepEqual(ids(one), [`data:${SHA}`, `dataset:${IRIS.digest}:iris`, model(), 'modelVersion:clf/2', run(s.sweep), run(s.train)].sort());
        assert.deepEqual(edges(one), [
          `data:${SHA} -used-by-> ${run(s.train)}`,
          `dataset:${IRIS.digest}:iris -used-by-> ${run(s.train)}`,
          `${run(s.sweep)} -parent-> ${run(s.train)}`,
          `${run(s.train)} -produced-> ${model()}`,
          `${run(s.train)} -registered-as-> modelVersion:clf/2`,
        ].sort());
        const two = await reader.neighbourhood({ kind: 'run', runId: s.train }, 2);
        assert.deepEqual(ids(two), [...ids(one), 'modelVersion:clf/1'].sort());
        assert.ok(edges(two).includes(`${model()} -registered-as-> modelVersion:clf/1`));
        assert.ok(!ids(two).includes('alias:clf@champion'), 'the alias is three hops away');
        assert.ok(ids(await reader.neighbourhood({ kind: 'run', runId: s.train }, 3)).includes('alias:clf@champion'));
        assert.deepEqual(ids(await reader.neighbourhood({ kind: 'run', runId: s.train }, 0)), [run(s.train)]);
      });

      it('finds children downstream of a parent run', async () => {
        const graph = await new LineageReader(storeOf()).downstream({ kind: 'run', runId: s.sweep });
        assert.ok(edges(graph).includes(`${run(s.sweep)} -parent-> ${run(s.train)}`));
        assert.ok(ids(graph).includes('alias:clf@champion'));
      });

      it('cuts a node with more neighbours than the per-node limit, and says so', async () => {
        const focus = { kind: 'dataset', digest: 'manyd1g', name: 'many' } as const;
        const cut = await new LineageReader(storeOf(), { perNodeLimit: 3 }).downstream(focus);
        assert.equal(cut.nodes.filter((n) => n.kind === 'run').length, 3);
        assert.deepEqual(cut.truncated, [{ nodeId: 'dataset:manyd1g:many', side: 'downstream', shown: 3 }]);
        const whole = await new LineageReader(storeOf(), { perNodeLimit: 10 }).downstream(focus);
        assert.deepEqual(whole.nodes.filter((n) => n.kind === 'run').map((n) => n.id).sort(), s.many.map(run).sort());
        assert.equal(whole.nodes.length, MANY_RUNS + 1);
        assert.deepEqual(whole.truncated, []);
      });

      it('answers an unknown focus with an empty graph and a note', async () => {
        const graph = await new LineageReader(storeOf()).upstream({ kind: 'modelVersion', name: 'clf', version: '9' });
        assert.deepEqual([graph.nodes, graph.edges], [[], []]);
        assert.match(graph.notes.join('\n'), /modelVersion:clf\/9 is not in this store/);
      });
    });
  }
});
