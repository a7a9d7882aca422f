import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseOrderBy, parseRunFilter } from '../../../src/core/mlflow/searchFilter.ts';
import { columnId, parseColumnId, prefixGroup, searchIdentifier } from '../../../src/core/runsTable/columns.ts';
import { searchString } from '../../../src/core/runsTable/viewQuery.ts';
import { FUZZ_SEED, fuzzRuns, fuzzTitle } from '../fuzz/fuzzing.ts';

const RUNS = fuzzRuns(500);

describe('core/runsTable: columns', () => {
  it('names columns by their MLflow search identifier and reads them back', () => {
    assert.equal(columnId('param', 'model.lr'), 'params.model.lr');
    assert.deepEqual(parseColumnId('params.model.lr'), { kind: 'param', key: 'model.lr' });
    assert.deepEqual(parseColumnId('attributes.run_name'), { kind: 'attribute', key: 'run_name' });
    assert.equal(parseColumnId('nothing.x'), undefined);
    assert.equal(parseColumnId('metrics.'), undefined);
    assert.equal(searchIdentifier('metric', 'val.loss'), 'metrics.val.loss');
    assert.equal(searchIdentifier('metric', 'val-loss'), 'metrics."val-loss"');
  });

  it('groups nested keys by their first segment', () => {
    assert.deepEqual(prefixGroup('model.encoder.lr'), { group: 'model', label: 'encoder.lr' });
    assert.deepEqual(prefixGroup('optimizer/beta1'), { group: 'optimizer', label: 'beta1' });
    assert.deepEqual(prefixGroup('lr'), { label: 'lr' });
    assert.deepEqual(prefixGroup('.hidden'), { label: '.hidden' });
  });

  it(fuzzTitle('quotes any key and any value so that MLflow\'s parser reads them back unchanged', RUNS), () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }), fc.string({ maxLength: 30 }), (key, value) => {
        fc.pre(!key.includes('\u0000'));
        assert.deepEqual(parseOrderBy(`${searchIdentifier('param', key)} DESC`), { entity: 'param', key, ascending: false });
        const [clause] = parseRunFilter(`${searchIdentifier('tag', key)} = ${searchString(value)}`);
        assert.deepEqual(clause, { entity: 'tag', key, comparator: '=', value });
      }),
      { seed: FUZZ_SEED, numRuns: RUNS },
    );
  });
});
