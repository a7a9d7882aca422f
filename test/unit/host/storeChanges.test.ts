// The store-change hub: what a publisher sends reaches every subscriber, in order, once; a
// subscriber that throws or leaves does not cost the others their update; and the Experiments
// view's model, subscribed through it, re-reads a real SQLite store exactly when that store (or
// every store) changed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { affectsRoot, StoreChanges, type StoreChange } from '../../../src/host/stores/storeChanges.ts';
import { LOCAL_ROOT_ID, remoteRootId, remoteUrlOf, type StoreRoot } from '../../../src/host/stores/storeRoot.ts';
import { ExperimentsModel } from '../../../src/host/trees/experimentsModel.ts';
import type { ExperimentNode } from '../../../src/host/trees/treeNodes.ts';

const local: StoreChange = { kind: 'data', rootId: LOCAL_ROOT_ID };
const remote: StoreChange = { kind: 'data', rootId: remoteRootId('http://127.0.0.1:5000') };
const all: StoreChange = { kind: 'all' };

function failOnListenerError(err: unknown): never {
  throw err;
}

describe('host/stores: the store-change hub', () => {
  it('delivers each change to every subscriber, in the order they subscribed', () => {
    const hub = new StoreChanges(failOnListenerError);
    const seen: string[] = [];
    hub.onDidChange((c) => seen.push(`roots:${c.kind}`));
    hub.onDidChange((c) => seen.push(`view:${c.kind === 'data' ? c.rootId : c.kind}`));
    hub.publish(local);
    hub.publish(all);
    assert.deepEqual(seen, ['roots:data', 'view:local', 'roots:all', 'view:all']);
  });

  it('stops telling a subscriber once its subscription is disposed, and only that one', () => {
    const hub = new StoreChanges(failOnListenerError);
    const a: StoreChange[] = [];
    const b: StoreChange[] = [];
    const listener = (c: StoreChange) => a.push(c);
    const first = hub.onDidChange(listener);
    // The same function twice: two subscriptions, each disposed on its own.
    hub.onDidChange(listener);
    hub.onDidChange((c) => b.push(c));
    hub.publish(local);
    first.dispose();
    first.dispose();
    hub.publish(remote);
    assert.deepEqual(a, [local, local, remote]);
    assert.deepEqual(b, [local, remote]);
  });

  it('reports a subscriber that throws and still tells the others', () => {
    const errors: [unknown, StoreChange][] = [];
    const hub = new StoreChanges((err, change) => errors.push([err, change]));
    const after: StoreChange[] = [];
    hub.onDidChange(() => {
      throw new Error('a panel that is gone');
    });
    hub.onDidChange((c) => after.push(c));
    hub.publish(remote);
    assert.deepEqual(after, [remote]);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]?.[0]), /a panel that is gone/);
    assert.deepEqual(errors[0]?.[1], remote);
  });

  it('lets a subscriber leave or join while a change is delivered (a panel closing on refresh)', () => {
    const hub = new StoreChanges(failOnListenerError);
    const seen: string[] = [];
    hub.onDidChange(() => {
      seen.push('first');
      second.dispose();
      hub.onDidChange(() => seen.push('joined'));
    });
    const second = hub.onDidChange(() => seen.push('second'));
    hub.publish(local);
    // The one that left is not told; the one that joined hears from the next change on.
    assert.deepEqual(seen, ['first']);
    hub.publish(local);
    assert.deepEqual(seen, ['first', 'first', 'joined']);
  });

  it('is silent once disposed: no delivery, and a late subscription is inert', () => {
    const hub = new StoreChanges(failOnListenerError);
    const seen: StoreChange[] = [];
    hub.onDidChange((c) => seen.push(c));
    hub.dispose();
    hub.publish(local);
    hub.onDidChange((c) => seen.push(c)).dispose();
    hub.publish(all);
    assert.deepEqual(seen, []);
  });

  it('says which roots a change affects: its own root, or every root', () => {
    assert.equal(affectsRoot(local, LOCAL_ROOT_ID), true);
    assert.equal(affectsRoot(local, remoteRootId('http://127.0.0.1:5000')), false);
    assert.equal(affectsRoot(remote, remoteRootId('http://127.0.0.1:5000')), true);
    assert.equal(affectsRoot(all, LOCAL_ROOT_ID), true);
    assert.equal(affectsRoot(all, 'opened:mlruns:/tmp/mlruns'), true);
  });

  it('names remote roots by their URL and back', () => {
    assert.equal(remoteRootId('https://mlflow.example.com/x'), 'remote:https://mlflow.example.com/x');
    assert.equal(remoteUrlOf(remoteRootId('https://mlflow.example.com/x')), 'https://mlflow.example.com/x');
    assert.equal(remoteUrlOf(LOCAL_ROOT_ID), undefined);
    assert.equal(remoteUrlOf('opened:mlruns:/tmp/remote:x'), undefined);
  });
});

describe('host/stores: the Experiments view model subscribed to the hub (real SQLite store)', () => {
  let dir: string;
  let store: SqliteTrackingStore;
  let root: StoreRoot;
  let experimentId: string;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-store-changes-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    root = { id: LOCAL_ROOT_ID, label: 'Local', icon: 'database', open: () => Promise.resolve(store) };
    experimentId = await store.createExperiment('wine');
    await store.createRun({ experimentId, runName: 'first', startTime: 1000 });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function runNames(model: ExperimentsModel): Promise<string[]> {
    const [storeNode] = await model.children();
    assert.ok(storeNode);
    const experiment = (await model.children(storeNode)).find((n): n is ExperimentNode => n.kind === 'experiment' && n.experiment.name === 'wine');
    assert.ok(experiment, 'the experiment is listed');
    return (await model.children(experiment)).flatMap((n) => (n.kind === 'run' ? [n.run.info.runName] : []));
  }

  it('re-reads the loaded runs after a change of their store or of every store, not of another store', async () => {
    const hub = new StoreChanges(failOnListenerError);
    const model = new ExperimentsModel(() => [root], () => 50, { filter: '', orderBy: ['attributes.start_time DESC'] });
    const subscription = hub.onDidChange((c) => model.applyStoreChange(c));
    assert.deepEqual(await runNames(model), ['first']);

    await store.createRun({ experimentId, runName: 'second', startTime: 2000 });
    hub.publish(remote);
    assert.deepEqual(await runNames(model), ['first'], 'a change of another store keeps this page');
    hub.publish(local);
    assert.deepEqual(await runNames(model), ['second', 'first']);

    await store.createRun({ experimentId, runName: 'third', startTime: 3000 });
    hub.publish(all);
    assert.deepEqual(await runNames(model), ['third', 'second', 'first']);

    subscription.dispose();
    await store.createRun({ experimentId, runName: 'fourth', startTime: 4000 });
    hub.publish(local);
    assert.deepEqual(await runNames(model), ['third', 'second', 'first'], 'unsubscribed: the page stays as read');
  });
});
