import assert from 'node:assert/strict';
import type { Run } from '../../../src/core/store/types.ts';
import { arrangeRuns, describeGroupBy, groupableKeys, PARENT_TAG, type ArrangedEntry } from '../../../src/host/trees/runGrouping.ts';

function run(id: string, params: Record<string, string> = {}, tags: Record<string, string> = {}): Run {
  return {
    info: { runId: id, runName: id, experimentId: '1', userId: 'ada', status: 'FINISHED', startTime: 0, endTime: 1, artifactUri: '', lifecycleStage: 'active' },
    data: {
      metrics: [],
      params: Object.entries(params).map(([key, value]) => ({ key, value })),
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    },
  };
}

/** A readable outline: `id`, `[group] (a, b)`, `parent{child}`, pinned as `*id`. */
function outline(entries: readonly ArrangedEntry[]): string[] {
  return entries.map((e) => {
    if (e.kind === 'group') return `[${e.label}] (${outline(e.runs).join(', ')})`;
    const name = `${e.pinned ? '*' : ''}${e.run.info.runId}`;
    return e.children.length ? `${name}{${outline(e.children).join(', ')}}` : name;
  });
}

describe('Experiments view: arranging runs', () => {
  const runs = [
    run('r1', { model: 'rf', depth: '10' }, { stage: 'dev' }),
    run('r2', { model: 'gbm', depth: '2' }),
    run('r3', { model: 'rf', depth: '9' }, { stage: 'prod' }),
    run('r4', {}, { stage: 'dev' }),
  ];

  it('keeps the given order when not grouped, with pinned runs first', () => {
    assert.deepEqual(outline(arrangeRuns(runs, undefined, new Set())), ['r1', 'r2', 'r3', 'r4']);
    assert.deepEqual(outline(arrangeRuns(runs, undefined, new Set(['r3', 'r2']))), ['*r2', '*r3', 'r1', 'r4']);
  });

  it('groups by a param, sorting values numerically, runs without it last', () => {
    assert.deepEqual(outline(arrangeRuns(runs, { kind: 'param', key: 'model' }, new Set())), [
      '[model = gbm] (r2)',
      '[model = rf] (r1, r3)',
      '[model: (no value)] (r4)',
    ]);
    assert.deepEqual(
      outline(arrangeRuns(runs, { kind: 'param', key: 'depth' }, new Set())).map((g) => g.slice(0, g.indexOf(']') + 1)),
      ['[depth = 2]', '[depth = 9]', '[depth = 10]', '[depth: (no value)]'],
    );
  });

  it('groups by a tag, with pinned runs above the groups', () => {
    assert.deepEqual(outline(arrangeRuns(runs, { kind: 'tag', key: 'stage' }, new Set(['r4']))), [
      '*r4',
      '[stage = dev] (r1)',
      '[stage = prod] (r3)',
      '[stage: (no value)] (r2)',
    ]);
  });

  it('nests child runs under their parent at any depth; orphans and cycles stay at the top', () => {
    const family = [
      run('p'),
      run('c1', {}, { [PARENT_TAG]: 'p' }),
      run('g1', {}, { [PARENT_TAG]: 'c1' }),
      run('c2', {}, { [PARENT_TAG]: 'p' }),
      run('orphan', {}, { [PARENT_TAG]: 'not-loaded' }),
      run('x', {}, { [PARENT_TAG]: 'y' }),
      run('y', {}, { [PARENT_TAG]: 'x' }),
      run('self', {}, { [PARENT_TAG]: 'self' }),
    ];
    const arranged = outline(arrangeRuns(family, { kind: 'parent' }, new Set()));
    assert.deepEqual(arranged.slice(0, 2), ['p{c1{g1}, c2}', 'orphan']);
    // x and y name each other and `self` itself: the cycle is ignored, so all stay visible at the top.
    assert.deepEqual(arranged.slice(2), ['x', 'y', 'self']);
  });

  it('lists the keys one can group by, system tags last', () => {
    const keys = groupableKeys([run('a', { lr: '1', model: 'x' }, { 'mlflow.user': 'ada', stage: 'dev' }), run('b', { batch: '2' }, { 'labbook.git.dirty': 'true' })]);
    assert.deepEqual(keys.params, ['batch', 'lr', 'model']);
    assert.deepEqual(keys.tags, ['stage', 'labbook.git.dirty', 'mlflow.user']);
    assert.equal(describeGroupBy({ kind: 'param', key: 'lr' }), 'by param lr');
    assert.equal(describeGroupBy({ kind: 'parent' }), 'by parent run');
    assert.equal(describeGroupBy(undefined), undefined);
  });
});
