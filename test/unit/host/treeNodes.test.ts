import assert from 'node:assert/strict';
import type { Experiment, ModelVersion, RegisteredModel, Run } from '../../../src/core/store/types.ts';
import {
  describeSkipped,
  explorerErrorRow,
  explorerNodeId,
  modelsErrorRow,
  modelsNodeId,
  type ExperimentNode,
  type ExplorerNode,
  type ModelsNode,
} from '../../../src/host/trees/treeNodes.ts';
import type { StoreRoot } from '../../../src/host/stores/storeRoot.ts';

function root(id: string): StoreRoot {
  return { id, label: id, icon: 'cloud', open: () => Promise.resolve(undefined) };
}

function experiment(id: string): Experiment {
  return { experimentId: id, name: `exp-${id}`, artifactLocation: '', lifecycleStage: 'active', creationTime: 0, lastUpdateTime: 0, tags: [] };
}

function run(id: string): Run {
  return {
    info: { runId: id, runName: id, experimentId: '1', userId: '', status: 'FINISHED', startTime: 0, endTime: 1, artifactUri: '', lifecycleStage: 'active' },
    data: { metrics: [], params: [], tags: [] },
  };
}

function model(name: string): RegisteredModel {
  return { name, creationTimestamp: 0, lastUpdatedTimestamp: 0, description: '', latestVersions: [], tags: [], aliases: [] };
}

const down = new Error('connect ECONNREFUSED 127.0.0.1:5000');

describe('host/trees: node ids (what VS Code tells nodes apart by)', () => {
  it('gives the error rows of two experiments that fail at the same time different ids, derived from each parent', () => {
    const a: ExperimentNode = { kind: 'experiment', root: root('remote:http://127.0.0.1:5000'), experiment: experiment('1') };
    const b: ExperimentNode = { kind: 'experiment', root: root('remote:http://127.0.0.1:5000'), experiment: experiment('2') };
    const other: ExperimentNode = { kind: 'experiment', root: root('local'), experiment: experiment('1') };
    const ids = [a, b, other].map((parent) => explorerNodeId(explorerErrorRow(parent, down)));
    assert.equal(new Set(ids).size, 3, `duplicate error-row ids: ${ids.join(', ')}`);
    assert.ok(ids[0]?.includes(explorerNodeId(a)), `${ids[0]} names its parent`);
  });

  it('gives every kind of parent its own error-row id, distinct from every node id', () => {
    const r = root('local');
    const exp: ExperimentNode = { kind: 'experiment', root: r, experiment: experiment('1') };
    const parents: ExplorerNode[] = [
      { kind: 'store', root: r },
      { kind: 'store', root: root('remote:x') },
      exp,
      { kind: 'group', parent: exp, entry: { kind: 'group', label: 'lr = 1', value: '1', runs: [] } },
      { kind: 'group', parent: exp, entry: { kind: 'group', label: 'lr = 2', value: '2', runs: [] } },
      { kind: 'run', root: r, run: run('aa') },
      { kind: 'run', root: r, run: run('bb') },
    ];
    const nodeIds = parents.map(explorerNodeId);
    const errorIds = parents.map((p) => explorerNodeId(explorerErrorRow(p, down)));
    assert.equal(new Set([...nodeIds, ...errorIds]).size, nodeIds.length * 2);
    assert.equal((explorerErrorRow(exp, down) as Extract<ExplorerNode, { kind: 'message' }>).text, down.message);
  });

  it('gives the error rows of two registered models that fail at the same time different ids', () => {
    const r = root('remote:http://127.0.0.1:5000');
    const parents: ModelsNode[] = [
      { kind: 'store', root: r },
      { kind: 'model', root: r, model: model('churn') },
      { kind: 'model', root: r, model: model('fraud') },
      { kind: 'model', root: root('local'), model: model('churn') },
      { kind: 'version', root: r, version: { name: 'churn', version: '1' } as ModelVersion },
    ];
    const ids = parents.map((p) => modelsNodeId(modelsErrorRow(p, 'boom')));
    assert.equal(new Set(ids).size, parents.length, `duplicate error-row ids: ${ids.join(', ')}`);
    assert.equal(new Set([...ids, ...parents.map(modelsNodeId)]).size, parents.length * 2);
  });

  it("describes a store's skipped entries: a count on its node, the list (capped) in the tooltip", () => {
    assert.equal(describeSkipped([]), undefined);
    assert.deepEqual(describeSkipped(['Skipped run 1: meta.yaml: missing']), {
      note: '1 damaged entry skipped',
      tooltip: 'Skipped while reading (the rest of the store reads):\n• Skipped run 1: meta.yaml: missing',
    });
    const many = describeSkipped(Array.from({ length: 25 }, (_, i) => `w${i}`), 20);
    assert.equal(many?.note, '25 damaged entries skipped');
    assert.equal(many?.tooltip.split('\n').length, 22);
    assert.match(many?.tooltip ?? '', /… and 5 more \(in the Labbook log\)$/);
  });
});
