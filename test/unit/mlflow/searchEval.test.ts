import assert from 'node:assert/strict';
import { compareExperiments, compareRuns, experimentMatches, runMatches } from '../../../src/core/mlflow/searchEval.ts';
import {
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseOrderBy,
  parseRunFilter,
} from '../../../src/core/mlflow/searchFilter.ts';
import type { Experiment, Run, RunStatus } from '../../../src/core/store/types.ts';

interface RunSpec {
  readonly id: string;
  readonly start?: number;
  readonly end?: number | null;
  readonly status?: RunStatus;
  readonly name?: string;
  readonly metrics?: Record<string, number>;
  readonly params?: Record<string, string>;
  readonly tags?: Record<string, string>;
}

function makeRun(spec: RunSpec): Run {
  return {
    info: {
      runId: spec.id,
      runName: spec.name ?? `run-${spec.id}`,
      experimentId: '1',
      userId: 'ada',
      status: spec.status ?? 'FINISHED',
      startTime: spec.start ?? 1000,
      endTime: spec.end === undefined ? 2000 : spec.end,
      artifactUri: `file:///tmp/artifacts/${spec.id}`,
      lifecycleStage: 'active',
    },
    data: {
      metrics: Object.entries(spec.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp: 0, step: 0 })),
      params: Object.entries(spec.params ?? {}).map(([key, value]) => ({ key, value })),
      tags: Object.entries(spec.tags ?? {}).map(([key, value]) => ({ key, value })),
    },
  };
}

const ids = (runs: readonly Run[]): string[] => runs.map((r) => r.info.runId);
const matching = (runs: readonly Run[], filter: string): string[] => ids(runs.filter((r) => runMatches(r, parseRunFilter(filter))));
const sorted = (runs: readonly Run[], ...orderBy: string[]): string[] => ids([...runs].sort(compareRuns(orderBy.map(parseOrderBy))));

describe('mlflow search: runMatches', () => {
  const runs = [
    makeRun({ id: 'a', metrics: { rmse: 0.7 }, params: { model: 'rf' }, tags: { stage: 'dev' } }),
    makeRun({ id: 'b', metrics: { rmse: 0.9 }, params: { model: 'rf' }, tags: { stage: 'dev' } }),
    makeRun({ id: 'c', metrics: { rmse: 0.5 }, params: { model: 'rf' }, tags: { stage: 'x' } }),
    makeRun({ id: 'd', metrics: { rmse: 0.5 }, params: { model: 'rf' }, status: 'FAILED' }),
    makeRun({ id: 'e', metrics: { rmse: 0.5 }, params: { model: 'svm' }, tags: { stage: 'prod' } }),
    makeRun({ id: 'f', params: { model: 'rf' }, tags: { stage: 'dev' } }),
  ];

  it('applies every clause of the common filter', () => {
    const filter = "metrics.rmse < 0.8 and params.model = 'rf' and tags.stage != 'x' and attributes.status = 'FINISHED'";
    assert.deepEqual(matching(runs, filter), ['a']);
    assert.deepEqual(matching(runs, ''), ['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('never matches a missing metric, param or tag, not even with !=, except IS NULL', () => {
    assert.deepEqual(matching(runs, 'metrics.rmse != 0.5'), ['a', 'b']);
    assert.deepEqual(matching(runs, "tags.stage != 'x'"), ['a', 'b', 'e', 'f']);
    assert.deepEqual(matching(runs, 'metrics.rmse IS NULL'), ['f']);
    assert.deepEqual(matching(runs, 'tags.stage IS NULL'), ['d']);
    assert.deepEqual(matching(runs, 'tags.stage IS NOT NULL and params.model IS NOT NULL and params.lr IS NULL'), ['a', 'b', 'c', 'e', 'f']);
  });

  it('compares metrics numerically with every comparator', () => {
    const m = [makeRun({ id: '1', metrics: { x: 1 } }), makeRun({ id: '2', metrics: { x: 2 } }), makeRun({ id: '3', metrics: { x: 3 } })];
    assert.deepEqual(matching(m, 'metrics.x = 2'), ['2']);
    assert.deepEqual(matching(m, 'metrics.x < 2'), ['1']);
    assert.deepEqual(matching(m, 'metrics.x <= 2'), ['1', '2']);
    assert.deepEqual(matching(m, 'metrics.x > 2'), ['3']);
    assert.deepEqual(matching(m, 'metrics.x >= 2'), ['2', '3']);
    assert.deepEqual(matching(m, 'metrics.x > 1.5e0 and metrics.x < 25e-1'), ['2']);
  });

  it('treats a NaN metric as different from everything and ordered with nothing', () => {
    const nan = [makeRun({ id: 'nan', metrics: { x: Number.NaN } })];
    assert.deepEqual(matching(nan, 'metrics.x != 1'), ['nan']);
    for (const c of ['=', '<', '<=', '>', '>=']) assert.deepEqual(matching(nan, `metrics.x ${c} 1`), [], c);
  });

  it('gives LIKE SQL semantics, case-sensitive, and ILIKE the same without case', () => {
    const named = ['resnet-50', 'ResNet_18', 'vit.b', 'vitxb', 'multi\nline'].map((name, i) => makeRun({ id: String(i), params: { arch: name } }));
    assert.deepEqual(matching(named, "params.arch LIKE 'res%'"), ['0']);
    assert.deepEqual(matching(named, "params.arch ILIKE 'res%'"), ['0', '1']);
    assert.deepEqual(matching(named, "params.arch LIKE '%Net%'"), ['1']);
    assert.deepEqual(matching(named, "params.arch LIKE 'vit_b'"), ['2', '3']);
    // `.` is literal, not a regular-expression wildcard.
    assert.deepEqual(matching(named, "params.arch LIKE 'vit.b'"), ['2']);
    assert.deepEqual(matching(named, "params.arch LIKE 'resnet'"), []);
    assert.deepEqual(matching(named, "params.arch LIKE 'multi%'"), ['4']);
    assert.deepEqual(matching(named, "params.arch LIKE '%(%'"), []);
  });

  it('checks IN and NOT IN lists for run ids, params and tags', () => {
    assert.deepEqual(matching(runs, "attributes.run_id IN ('a', 'c', 'zz')"), ['a', 'c']);
    assert.deepEqual(matching(runs, "run_id NOT IN ('a', 'c')"), ['b', 'd', 'e', 'f']);
    assert.deepEqual(matching(runs, "tags.stage IN ('prod', 'x')"), ['c', 'e']);
    assert.deepEqual(matching(runs, "tags.stage NOT IN ('dev')"), ['c', 'e']);
    assert.deepEqual(matching(runs, "params.model IN ('svm')"), ['e']);
  });

  it('compares string attributes as strings and times as numbers; a running run has no end_time', () => {
    const timed = [
      makeRun({ id: 'early', start: 100, end: 200, name: 'baseline' }),
      makeRun({ id: 'late', start: 300, end: 400, name: 'tuned' }),
      makeRun({ id: 'running', start: 500, end: null, status: 'RUNNING', name: 'tuned-2' }),
    ];
    assert.deepEqual(matching(timed, 'attributes.start_time >= 300'), ['late', 'running']);
    assert.deepEqual(matching(timed, 'created < 300'), ['early']);
    assert.deepEqual(matching(timed, 'attributes.end_time > 0'), ['early', 'late']);
    assert.deepEqual(matching(timed, 'attributes.end_time < 1000000'), ['early', 'late']);
    assert.deepEqual(matching(timed, 'attributes.end_time != 200'), ['late']);
    assert.deepEqual(matching(timed, "attributes.status = 'RUNNING'"), ['running']);
    assert.deepEqual(matching(timed, "attributes.status != 'running'"), ['early', 'late', 'running']);
    assert.deepEqual(matching(timed, "attributes.run_name LIKE 'tuned%'"), ['late', 'running']);
    assert.deepEqual(matching(timed, "attributes.user_id = 'ada' and attributes.lifecycle_stage = 'active'"), ['early', 'late', 'running']);
    assert.deepEqual(matching(timed, "attributes.artifact_uri LIKE '%/late'"), ['late']);
  });

  it('matches keys exactly, including dotted and spaced ones', () => {
    const keyed = [makeRun({ id: 'k', metrics: { 'val loss': 0.1 }, tags: { 'mlflow.source.name': 'train.py' } })];
    assert.deepEqual(matching(keyed, "metrics.`val loss` < 1 and tags.mlflow.source.name = 'train.py'"), ['k']);
    assert.deepEqual(matching(keyed, "tags.`mlflow.source.name` = 'TRAIN.py'"), []);
  });
});

describe('mlflow search: compareRuns', () => {
  const runs = [
    makeRun({ id: 'r1', start: 10, metrics: { acc: 0.8 }, params: { lr: '0.1' } }),
    makeRun({ id: 'r2', start: 30, metrics: { acc: Number.NaN } }),
    makeRun({ id: 'r3', start: 20, params: { lr: '0.01' } }),
    makeRun({ id: 'r4', start: 20, metrics: { acc: 0.9 }, params: { lr: '0.1' } }),
    makeRun({ id: 'r0', start: 20, metrics: { acc: 0.8 } }),
  ];

  it('orders by start_time DESC then run_id ASC by default', () => {
    assert.deepEqual(sorted(runs), ['r2', 'r0', 'r3', 'r4', 'r1']);
  });

  it('puts values first, then NaN, then missing values in either direction', () => {
    assert.deepEqual(sorted(runs, 'metrics.acc ASC'), ['r0', 'r1', 'r4', 'r2', 'r3']);
    assert.deepEqual(sorted(runs, 'metrics.acc DESC'), ['r4', 'r0', 'r1', 'r2', 'r3']);
  });

  it('breaks ties by later keys, then start_time DESC, then run_id', () => {
    assert.deepEqual(sorted(runs, 'params.lr DESC'), ['r4', 'r1', 'r3', 'r2', 'r0']);
    // r2 and r0 have no lr: acc decides, and NaN goes after 0.8.
    assert.deepEqual(sorted(runs, 'params.lr DESC', 'metrics.acc'), ['r1', 'r4', 'r3', 'r0', 'r2']);
    assert.deepEqual(sorted(runs, 'attributes.start_time'), ['r1', 'r0', 'r3', 'r4', 'r2']);
  });

  it('orders strings by code point and a missing end_time last', () => {
    const named = [
      makeRun({ id: 'x', name: 'b', end: null }),
      makeRun({ id: 'y', name: 'B', end: 5 }),
      makeRun({ id: 'z', name: 'a', end: 7 }),
    ];
    assert.deepEqual(sorted(named, 'attributes.run_name'), ['y', 'z', 'x']);
    assert.deepEqual(sorted(named, 'attributes.end_time DESC'), ['z', 'y', 'x']);
    assert.deepEqual(sorted(named, 'attributes.end_time ASC'), ['y', 'z', 'x']);
  });
});

function makeExperiment(id: string, name: string, created: number, updated: number, tags: Record<string, string> = {}): Experiment {
  return {
    experimentId: id,
    name,
    artifactLocation: `file:///tmp/${id}`,
    lifecycleStage: 'active',
    creationTime: created,
    lastUpdateTime: updated,
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  };
}

describe('mlflow search: experiments', () => {
  const experiments = [
    makeExperiment('2', 'cls-resnet', 100, 500, { team: 'vision' }),
    makeExperiment('10', 'cls-vit', 100, 400, { team: 'Vision' }),
    makeExperiment('3', 'nlp-bert', 300, 300),
    makeExperiment('1', 'Default', 50, 600, { team: 'infra' }),
  ];
  const expIds = (list: readonly Experiment[]): string[] => list.map((e) => e.experimentId);
  const found = (filter: string): string[] =>
    expIds(experiments.filter((e) => experimentMatches(e, parseExperimentFilter(filter))));
  const ordered = (...orderBy: string[]): string[] =>
    expIds([...experiments].sort(compareExperiments(orderBy.map(parseExperimentOrderBy))));

  it('filters by name, times and tags', () => {
    assert.deepEqual(found("name LIKE 'cls-%'"), ['2', '10']);
    assert.deepEqual(found("name ILIKE 'default'"), ['1']);
    assert.deepEqual(found('creation_time >= 100 and last_update_time < 500'), ['10', '3']);
    assert.deepEqual(found("tags.team = 'vision'"), ['2']);
    assert.deepEqual(found("tags.team ILIKE 'vision'"), ['2', '10']);
    assert.deepEqual(found("tags.team != 'vision'"), ['10', '1']);
    assert.deepEqual(found('tags.team IS NULL'), ['3']);
  });

  it('orders by creation_time DESC then experiment_id ASC (numerically) by default', () => {
    assert.deepEqual(ordered(), ['3', '2', '10', '1']);
  });

  it("orders by the given keys, then by experiment_id DESC as MLflow's tie-breaker", () => {
    assert.deepEqual(ordered('name'), ['1', '2', '10', '3']);
    assert.deepEqual(ordered('last_update_time DESC'), ['1', '2', '10', '3']);
    assert.deepEqual(ordered('creation_time'), ['1', '10', '2', '3']);
    assert.deepEqual(ordered('creation_time', 'experiment_id'), ['1', '2', '10', '3']);
  });
});
