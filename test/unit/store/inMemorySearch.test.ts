import assert from 'node:assert/strict';
import { SearchSyntaxError } from '../../../src/core/mlflow/searchFilter.ts';
import { TrackingError } from '../../../src/core/store/errors.ts';
import { searchExperimentsInMemory, searchRunsInMemory } from '../../../src/core/store/inMemorySearch.ts';
import { decodePageToken, encodePageToken } from '../../../src/core/store/pageToken.ts';
import type { Experiment, LifecycleStage, Run } from '../../../src/core/store/types.ts';

function makeRun(id: string, experimentId: string, start: number, rmse?: number, stage: LifecycleStage = 'active'): Run {
  return {
    info: {
      runId: id,
      runName: id,
      experimentId,
      userId: 'ada',
      status: 'FINISHED',
      startTime: start,
      endTime: start + 1,
      artifactUri: '',
      lifecycleStage: stage,
    },
    data: { metrics: rmse === undefined ? [] : [{ key: 'rmse', value: rmse, timestamp: 0, step: 0 }], params: [], tags: [] },
  };
}

function makeExperiment(id: string, created: number, stage: LifecycleStage = 'active'): Experiment {
  return {
    experimentId: id,
    name: `exp-${id}`,
    artifactLocation: '',
    lifecycleStage: stage,
    creationTime: created,
    lastUpdateTime: created,
    tags: [],
  };
}

/** The TrackingError that `action` throws. */
function trackingError(action: () => unknown): TrackingError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof TrackingError, `expected a TrackingError, got ${String(error)}`);
    return error;
  }
  assert.fail('no error was thrown');
}

const ids = (runs: readonly Run[]): string[] => runs.map((r) => r.info.runId);

describe('store: searchRunsInMemory', () => {
  const runs = [
    makeRun('a', '1', 5, 0.5),
    makeRun('b', '1', 4, 0.9),
    makeRun('c', '2', 3, 0.1),
    makeRun('d', '1', 2, 0.2, 'deleted'),
    makeRun('e', '3', 1, 0.3),
  ];

  it('searches only the given experiments, active runs by default, in MLflow order', () => {
    assert.deepEqual(searchRunsInMemory(runs, { experimentIds: ['1', '2'] }), { items: [runs[0], runs[1], runs[2]] });
    assert.deepEqual(ids(searchRunsInMemory(runs, { experimentIds: [] }).items), []);
  });

  it('honours the view type', () => {
    assert.deepEqual(ids(searchRunsInMemory(runs, { experimentIds: ['1'], viewType: 'DELETED_ONLY' }).items), ['d']);
    assert.deepEqual(ids(searchRunsInMemory(runs, { experimentIds: ['1'], viewType: 'ALL' }).items), ['a', 'b', 'd']);
    assert.deepEqual(ids(searchRunsInMemory(runs, { experimentIds: ['1'], viewType: 'ACTIVE_ONLY' }).items), ['a', 'b']);
  });

  it('filters and orders', () => {
    const page = searchRunsInMemory(runs, {
      experimentIds: ['1', '2', '3'],
      filter: 'metrics.rmse < 0.8',
      orderBy: ['metrics.rmse DESC'],
    });
    assert.deepEqual(ids(page.items), ['a', 'e', 'c']);
    assert.equal(page.nextPageToken, undefined);
  });

  it('returns every run exactly once across pages, in the unpaged order', () => {
    const many = Array.from({ length: 23 }, (_, i) => makeRun(`run-${String(i).padStart(2, '0')}`, '1', i % 4, i % 3 === 0 ? undefined : i / 10));
    const query = { experimentIds: ['1'], orderBy: ['metrics.rmse ASC'] };
    const all = ids(searchRunsInMemory(many, query).items);
    const pages: string[][] = [];
    let pageToken: string | undefined;
    do {
      const page = searchRunsInMemory(many, { ...query, maxResults: 5, pageToken });
      pages.push(ids(page.items));
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    assert.deepEqual(pages.map((p) => p.length), [5, 5, 5, 5, 3]);
    assert.deepEqual(pages.flat(), all);
    assert.equal(new Set(pages.flat()).size, 23);
  });

  it('gives no token when the last page is exactly full', () => {
    const page = searchRunsInMemory(runs, { experimentIds: ['1', '2'], maxResults: 3 });
    assert.equal(page.items.length, 3);
    assert.equal(page.nextPageToken, undefined);
    const first = searchRunsInMemory(runs, { experimentIds: ['1', '2'], maxResults: 2 });
    assert.equal(first.nextPageToken, encodePageToken(2));
  });

  it('returns 1000 runs by default and refuses more than 50000 or fewer than 1', () => {
    const many = Array.from({ length: 1001 }, (_, i) => makeRun(`r${i}`, '1', i));
    const page = searchRunsInMemory(many, { experimentIds: ['1'] });
    assert.equal(page.items.length, 1000);
    assert.equal(decodePageToken(page.nextPageToken), 1000);
    assert.equal(searchRunsInMemory(many, { experimentIds: ['1'], maxResults: 50_000 }).items.length, 1001);
    for (const maxResults of [50_001, 0, -1, 2.5]) {
      const error = trackingError(() => searchRunsInMemory(runs, { experimentIds: ['1'], maxResults }));
      assert.equal(error.code, 'INVALID_PARAMETER_VALUE');
      assert.equal(error.message, `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most 50000, and a positive integer.`);
    }
  });

  it('refuses malformed page tokens', () => {
    const notJson = Buffer.from('offset=3').toString('base64url');
    const noOffset = Buffer.from('{"start":3}').toString('base64url');
    const negative = Buffer.from('{"offset":-1}').toString('base64url');
    const fraction = Buffer.from('{"offset":1.5}').toString('base64url');
    for (const pageToken of ['not a token!', notJson, noOffset, negative, fraction, 'bnVsbA']) {
      const error = trackingError(() => searchRunsInMemory(runs, { experimentIds: ['1'], pageToken }));
      assert.equal(error.code, 'INVALID_PARAMETER_VALUE', pageToken);
      assert.equal(error.message, 'Invalid page token.', pageToken);
    }
  });

  it('encodes the offset as base64url JSON and reads it back', () => {
    assert.equal(encodePageToken(10), Buffer.from('{"offset":10}').toString('base64url'));
    assert.equal(decodePageToken(encodePageToken(12345)), 12345);
    assert.equal(decodePageToken(undefined), 0);
    assert.equal(decodePageToken(''), 0);
    assert.deepEqual(searchRunsInMemory(runs, { experimentIds: ['1'], pageToken: encodePageToken(99) }), { items: [] });
  });

  it('reports filter and order_by syntax errors even when there are no runs', () => {
    const filter = trackingError(() => searchRunsInMemory([], { experimentIds: ['1'], filter: 'metrics.rmse < 1 or metrics.rmse > 2' }));
    assert.ok(filter instanceof SearchSyntaxError);
    assert.equal(filter.position, 17);
    const order = trackingError(() => searchRunsInMemory([], { experimentIds: ['1'], orderBy: ['metrics.rmse upward'] }));
    assert.ok(order instanceof SearchSyntaxError);
    assert.equal(order.token, 'upward');
  });
});

describe('store: searchExperimentsInMemory', () => {
  const experiments = [
    makeExperiment('1', 10),
    makeExperiment('2', 30),
    makeExperiment('3', 20, 'deleted'),
    makeExperiment('4', 30),
    makeExperiment('5', 5),
  ];
  const expIds = (list: readonly Experiment[]): string[] => list.map((e) => e.experimentId);

  it('returns active experiments by creation_time DESC, then experiment_id', () => {
    assert.deepEqual(expIds(searchExperimentsInMemory(experiments, {}).items), ['2', '4', '1', '5']);
    assert.deepEqual(expIds(searchExperimentsInMemory(experiments, { viewType: 'ALL' }).items), ['2', '4', '3', '1', '5']);
    assert.deepEqual(expIds(searchExperimentsInMemory(experiments, { viewType: 'DELETED_ONLY' }).items), ['3']);
  });

  it('filters, orders and pages', () => {
    const query = { filter: 'creation_time > 5', orderBy: ['name ASC'], maxResults: 2 };
    const first = searchExperimentsInMemory(experiments, query);
    assert.deepEqual(expIds(first.items), ['1', '2']);
    const second = searchExperimentsInMemory(experiments, { ...query, pageToken: first.nextPageToken });
    assert.deepEqual(expIds(second.items), ['4']);
    assert.equal(second.nextPageToken, undefined);
  });

  it('defaults to 1000 per page and checks its arguments', () => {
    const many = Array.from({ length: 1002 }, (_, i) => makeExperiment(String(i), i));
    assert.equal(searchExperimentsInMemory(many, {}).items.length, 1000);
    assert.equal(trackingError(() => searchExperimentsInMemory(many, { maxResults: 50_001 })).code, 'INVALID_PARAMETER_VALUE');
    assert.equal(trackingError(() => searchExperimentsInMemory(many, { pageToken: '!!' })).message, 'Invalid page token.');
    assert.ok(trackingError(() => searchExperimentsInMemory(many, { filter: 'metrics.x > 1' })) instanceof SearchSyntaxError);
  });
});
