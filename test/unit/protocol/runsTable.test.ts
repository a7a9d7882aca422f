import assert from 'node:assert/strict';
import { BadParamsError, parseParams } from '../../../src/protocol/requests.ts';
import { MAX_PAGE_ROWS, MAX_SORT_KEYS, runsTableRequests, runsTableSource, type TableView } from '../../../src/protocol/runsTable.ts';

const VIEW: TableView = {
  filter: "params.model = 'rf'",
  quickFilters: [
    { columnId: 'metrics.loss', kind: 'range', min: 0, max: 1 },
    { columnId: 'params.model', kind: 'values', values: ['rf', 'gbm'] },
  ],
  sort: [{ columnId: 'metrics.loss', descending: false }],
  groupBy: ['params.model'],
  columns: [{ id: 'attributes.run_name', visible: true, pinned: true, width: 180 }, { id: 'metrics.loss', visible: true, pinned: false, metricValue: 'min' }],
  preset: 'differing',
};

/** The field a malformed setView names in its refusal. */
function refusedField(view: unknown): string {
  try {
    parseParams(runsTableRequests, 'setView', { view });
  } catch (err) {
    assert.ok(err instanceof BadParamsError, String(err));
    assert.match(err.message, /^setView: /);
    return err.field;
  }
  assert.fail('the view was accepted');
}

describe('protocol: the Runs Table requests', () => {
  it('accepts a well-formed view and drops keys it does not know', () => {
    const parsed = parseParams(runsTableRequests, 'setView', { view: { ...VIEW, extra: 1, columns: [{ ...VIEW.columns[0], junk: true }] } });
    assert.deepEqual(parsed.view, { ...VIEW, columns: [VIEW.columns[0]] });
  });

  it('refuses a malformed view, naming the field', () => {
    assert.equal(refusedField('not a view'), 'view');
    assert.equal(refusedField({ ...VIEW, filter: 3 }), 'view.filter');
    assert.equal(refusedField({ ...VIEW, preset: 'some' }), 'view.preset');
    assert.equal(refusedField({ ...VIEW, sort: [{ columnId: 'metrics.loss', descending: 'yes' }] }), 'view.sort[0].descending');
    assert.equal(refusedField({ ...VIEW, sort: [{ columnId: '', descending: true }] }), 'view.sort[0].columnId');
    assert.equal(refusedField({ ...VIEW, quickFilters: [{ columnId: 'metrics.loss', kind: 'between' }] }), 'view.quickFilters[0].kind');
    assert.equal(refusedField({ ...VIEW, quickFilters: [{ columnId: 'metrics.loss', kind: 'range', min: 'a' }] }), 'view.quickFilters[0].min');
    assert.equal(refusedField({ ...VIEW, quickFilters: [{ columnId: 'params.a', kind: 'values', values: [1] }] }), 'view.quickFilters[0].values[0]');
    assert.equal(refusedField({ ...VIEW, columns: [{ id: 'metrics.loss', visible: true, pinned: false, metricValue: 'mean' }] }), 'view.columns[0].metricValue');
    assert.equal(refusedField({ ...VIEW, columns: [{ id: 'metrics.loss', visible: 1, pinned: false }] }), 'view.columns[0].visible');
    assert.equal(refusedField({ ...VIEW, groupBy: 'params.model' }), 'view.groupBy');
  });

  it('bounds every list and number the page sends', () => {
    const sort = Array.from({ length: MAX_SORT_KEYS + 1 }, () => ({ columnId: 'metrics.loss', descending: true }));
    assert.equal(refusedField({ ...VIEW, sort }), 'view.sort');
    assert.equal(refusedField({ ...VIEW, filter: 'x'.repeat(10_001) }), 'view.filter');
    const rows = (params: unknown) => () => parseParams(runsTableRequests, 'getRows', params);
    assert.throws(rows({ offset: 0, limit: MAX_PAGE_ROWS + 1, columnIds: [] }), (err: BadParamsError) => err.field === 'limit');
    assert.throws(rows({ offset: -1, limit: 10, columnIds: [] }), (err: BadParamsError) => err.field === 'offset');
    assert.throws(rows({ offset: 0.5, limit: 10, columnIds: [] }), (err: BadParamsError) => err.field === 'offset');
    assert.throws(rows({ offset: 0, limit: 10, columnIds: [], group: [{}] }), (err: BadParamsError) => err.field === 'group[0]');
    assert.deepEqual(rows({ offset: 0, limit: 10, columnIds: ['params.a'], group: ['rf', 3, null] })(), { offset: 0, limit: 10, columnIds: ['params.a'], group: ['rf', 3, null] });
    assert.throws(() => parseParams(runsTableRequests, 'getSparklines', { runIds: ['a'], metric: 'loss', points: 0 }), (err: BadParamsError) => err.field === 'points');
  });

  it('takes only true or false for compareRuns.grouped and pinRuns.pinned', () => {
    assert.throws(() => parseParams(runsTableRequests, 'compareRuns', { runIds: ['a'], grouped: 'yes' }), (err: BadParamsError) => err.field === 'grouped');
    assert.throws(() => parseParams(runsTableRequests, 'pinRuns', { runIds: ['a'] }), (err: BadParamsError) => err.field === 'pinned');
    assert.deepEqual(parseParams(runsTableRequests, 'pinRuns', { runIds: ['a'], pinned: false }), { runIds: ['a'], pinned: false });
  });

  it('reads the restore state the page saved, refusing anything else', () => {
    assert.deepEqual(runsTableSource({ store: 'local', experimentIds: ['1', '2'], scrollTop: 3 }, ''), { store: 'local', experimentIds: ['1', '2'] });
    assert.throws(() => runsTableSource({ store: 'local', experimentIds: [1] }, ''), BadParamsError);
  });
});
