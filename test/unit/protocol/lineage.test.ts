// The Lineage panel's contract: what the host accepts from the page (and from a saved state it
// revives a panel from), and the labels and refs both sides derive from nodes.
import assert from 'node:assert/strict';
import { nodeId, type LineageNode } from '../../../src/core/lineage/types.ts';
import { isLineageState, lineageNodeLabel, lineageRequests, MAX_EXPANSIONS, refOfNode } from '../../../src/protocol/lineage.ts';
import { BadParamsError, parseParams } from '../../../src/protocol/requests.ts';

describe('protocol/lineage', () => {
  it('accepts well-formed requests and refuses the rest, naming the field', () => {
    assert.deepEqual(parseParams(lineageRequests, 'expand', { nodeId: 'run:r1', side: 'upstream', hops: 1, extra: 'dropped' }), { nodeId: 'run:r1', side: 'upstream', hops: 1 });
    assert.deepEqual(parseParams(lineageRequests, 'expand', { nodeId: 'run:r1', side: 'both', hops: 2, more: true }), { nodeId: 'run:r1', side: 'both', hops: 2, more: true });
    const refused: [string, unknown, string][] = [
      ['expand', { nodeId: 'run:r1', side: 'sideways', hops: 1 }, 'side'],
      ['expand', { nodeId: 'run:r1', side: 'upstream', hops: 0 }, 'hops'],
      ['expand', { nodeId: 'run:r1', side: 'upstream', hops: 1000 }, 'hops'],
      ['expand', { nodeId: '', side: 'upstream', hops: 1 }, 'nodeId'],
      ['expand', { nodeId: 'run:r1', side: 'upstream', hops: 1, more: 'yes' }, 'more'],
      ['setHops', { hops: -1 }, 'hops'],
      ['setHops', { hops: 2.5 }, 'hops'],
      ['open', { nodeId: 7 }, 'nodeId'],
      ['getGraph', { any: 1 }, ''],
    ];
    for (const [method, params, field] of refused) {
      assert.throws(() => parseParams(lineageRequests, method, params), (err: unknown) => err instanceof BadParamsError && err.field === field, `${method} ${JSON.stringify(params)}`);
    }
  });

  it('revives only from a saved state with a valid focus, hops and a bounded list of expansions', () => {
    const focus = { store: 'local', ref: { kind: 'modelVersion', name: 'clf', version: '2' } };
    assert.ok(isLineageState({ focus, hops: 2, expansions: [] }));
    assert.ok(isLineageState({ focus, hops: 2, expansions: [{ ref: { kind: 'run', runId: 'r1' }, side: 'downstream', hops: 1, limit: 200 }], openGroups: [] }));
    const graph = { focus: 'run:r1', nodes: [{ kind: 'run', id: 'run:r1', runId: 'r1' }], edges: [{ kind: 'used-by', from: 'dataset:d', to: 'run:r1' }], truncated: [], notes: [] };
    const last = { kind: 'graph', seq: 3, focus, label: 'clf v2', hops: 2, expansions: [], graph, staleCheck: false };
    assert.ok(isLineageState({ focus, hops: 2, expansions: [], last }));
    assert.ok(isLineageState({ focus, hops: 2, expansions: [], last: { kind: 'error', focus, label: 'clf v2', message: 'gone' } }));
    // A saved graph the page could not draw is refused (the page then asks the host instead).
    const badLast: unknown[] = [
      { whatever: true },
      { ...last, kind: 'chart' },
      { ...last, graph: { ...graph, nodes: 'x' } },
      { ...last, graph: { ...graph, edges: [{ kind: 'used-by', from: 'a' }] } },
      { ...last, graph: { ...graph, nodes: [null] } },
      { ...last, graph: undefined },
      { kind: 'error', focus, label: 'x' },
    ];
    for (const bad of badLast) assert.equal(isLineageState({ focus, hops: 2, expansions: [], last: bad }), false, JSON.stringify(bad));
    const bad: unknown[] = [
      undefined,
      null,
      { focus, hops: 2 },
      { focus: { store: '', ref: focus.ref }, hops: 2, expansions: [] },
      { focus: { store: 'local', ref: { kind: 'model', name: 'clf' } }, hops: 2, expansions: [] },
      { focus: { store: 'local', ref: { kind: 'modelVersion', name: 'clf' } }, hops: 2, expansions: [] },
      { focus, hops: 99, expansions: [] },
      { focus, hops: 2, expansions: [{ ref: { kind: 'run', runId: 'r1' }, side: 'downstream', hops: 1, limit: -5 }] },
      { focus, hops: 2, expansions: Array.from({ length: MAX_EXPANSIONS + 1 }, () => ({ ref: { kind: 'run', runId: 'r1' }, side: 'both', hops: 1 })) },
    ];
    for (const state of bad) assert.equal(isLineageState(state), false, JSON.stringify(state)?.slice(0, 120));
  });

  it('gives each node a label and a ref that names the same node again', () => {
    const nodes: LineageNode[] = [
      { kind: 'dataset', id: nodeId({ kind: 'dataset', digest: 'd1', name: 'iris' }), name: 'iris', digest: 'd1', sourceType: 'local', source: '' },
      { kind: 'dataset', id: nodeId({ kind: 'dataset', digest: 'd2' }), name: '', digest: 'd2', sourceType: '', source: '', anyName: true },
      { kind: 'data', id: nodeId({ kind: 'data', hash: 'ab'.repeat(32) }), path: 'data/train.csv', absolutePath: '/p/data/train.csv', entryKind: 'file', sha256: 'ab'.repeat(32) },
      { kind: 'run', id: nodeId({ kind: 'run', runId: 'r1' }), runId: 'r1', experimentId: '0', runName: 'train', status: 'FINISHED', startTime: 0 },
      { kind: 'loggedModel', id: nodeId({ kind: 'loggedModel', modelId: 'm-1' }), modelId: 'm-1', experimentId: '0', name: 'clf', sourceRunId: 'r1' },
      { kind: 'modelVersion', id: nodeId({ kind: 'modelVersion', name: 'clf', version: '2' }), name: 'clf', version: '2', runId: 'r1', source: '', aliases: ['champion'] },
      { kind: 'alias', id: nodeId({ kind: 'alias', name: 'clf', alias: 'champion' }), name: 'clf', alias: 'champion', version: '2' },
    ];
    assert.deepEqual(nodes.map(lineageNodeLabel), ['iris', 'dataset d2', 'train.csv', 'train', 'clf', 'clf v2', 'clf@champion']);
    for (const node of nodes) assert.equal(nodeId(refOfNode(node)), node.id, node.kind);
  });
});
