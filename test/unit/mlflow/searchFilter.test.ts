import assert from 'node:assert/strict';
import {
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseOrderBy,
  parseRunFilter,
  SearchSyntaxError,
} from '../../../src/core/mlflow/searchFilter.ts';
import { TrackingError } from '../../../src/core/store/errors.ts';

/** The SearchSyntaxError that `parse(input)` throws. */
function syntaxError(parse: (input: string) => unknown, input: string): SearchSyntaxError {
  try {
    parse(input);
  } catch (error) {
    assert.ok(error instanceof SearchSyntaxError, `expected a SearchSyntaxError, got ${String(error)}`);
    return error;
  }
  assert.fail(`"${input}" parsed without an error`);
}

const filterError = (input: string): SearchSyntaxError => syntaxError(parseRunFilter, input);

describe('mlflow search: parseRunFilter', () => {
  it('parses the filter users type most, with mixed-case AND', () => {
    const filter = "metrics.rmse < 0.8 and params.model = 'rf' AND tags.stage != 'x' and attributes.status = 'FINISHED'";
    assert.deepEqual(parseRunFilter(filter), [
      { entity: 'metric', key: 'rmse', comparator: '<', value: 0.8 },
      { entity: 'param', key: 'model', comparator: '=', value: 'rf' },
      { entity: 'tag', key: 'stage', comparator: '!=', value: 'x' },
      { entity: 'attribute', key: 'status', comparator: '=', value: 'FINISHED' },
    ]);
  });

  it('reads no filter from undefined, empty or blank input', () => {
    assert.deepEqual(parseRunFilter(undefined), []);
    assert.deepEqual(parseRunFilter(''), []);
    assert.deepEqual(parseRunFilter(' \t\n '), []);
  });

  it("accepts MLflow's entity aliases", () => {
    const entities = (prefixes: string[], value: string) =>
      prefixes.map((p) => parseRunFilter(`${p}.k ${value}`)[0]?.entity);
    assert.deepEqual(entities(['metric', 'metrics'], '> 1'), ['metric', 'metric']);
    assert.deepEqual(entities(['param', 'params', 'parameter', 'parameters'], "= 'a'"), ['param', 'param', 'param', 'param']);
    assert.deepEqual(entities(['tag', 'tags'], "= 'a'"), ['tag', 'tag']);
    const attributes = ['attribute', 'attributes', 'attr', 'run'].map((p) => parseRunFilter(`${p}.run_name = 'a'`)[0]);
    for (const clause of attributes) assert.deepEqual(clause, { entity: 'attribute', key: 'run_name', comparator: '=', value: 'a' });
  });

  it('keeps dots in unquoted keys and reads backticked and quoted keys whole', () => {
    assert.deepEqual(parseRunFilter("tags.mlflow.source.name = 'train.py'"), [
      { entity: 'tag', key: 'mlflow.source.name', comparator: '=', value: 'train.py' },
    ]);
    assert.deepEqual(
      parseRunFilter("metrics.`my metric` > 1 and params.\"my param\" = 'a' and tags.'a.b c' = 'b' and `tags`.x = 'c'").map(
        (c) => c.key,
      ),
      ['my metric', 'my param', 'a.b c', 'x'],
    );
  });

  it('reads numbers with signs, decimals and exponents', () => {
    const values = ['1', '-1', '+2', '0.5', '.5', '-2.5E+2', '1e-3', '10.'].map(
      (n) => parseRunFilter(`metrics.m >= ${n}`)[0]?.value,
    );
    assert.deepEqual(values, [1, -1, 2, 0.5, 0.5, -250, 0.001, 10]);
    assert.equal(parseRunFilter('metrics.m>-1')[0]?.value, -1);
  });

  it('reads single- and double-quoted strings with escapes, keeping other backslashes', () => {
    const values = [
      "'it''s'",
      "'it\\'s'",
      '"say ""hi"""',
      '"a\\"b"',
      "'back\\\\slash'",
      "'C:\\data\\x'",
      "''",
      "'AND or OR'",
    ].map((s) => parseRunFilter(`params.p = ${s}`)[0]?.value);
    assert.deepEqual(values, ["it's", "it's", 'say "hi"', 'a"b', 'back\\slash', 'C:\\data\\x', '', 'AND or OR']);
  });

  it('reads LIKE, ILIKE, IN, NOT IN, IS NULL and IS NOT NULL in any case', () => {
    const filter =
      "params.a like 'x%' and tags.b ILIKE '%Y' and params.c in ('1', \"2\") and tags.d Not In ('z') and " +
      'tags.e is null and params.f IS NOT NULL and metrics.g is null';
    assert.deepEqual(parseRunFilter(filter), [
      { entity: 'param', key: 'a', comparator: 'LIKE', value: 'x%' },
      { entity: 'tag', key: 'b', comparator: 'ILIKE', value: '%Y' },
      { entity: 'param', key: 'c', comparator: 'IN', value: ['1', '2'] },
      { entity: 'tag', key: 'd', comparator: 'NOT IN', value: ['z'] },
      { entity: 'tag', key: 'e', comparator: 'IS NULL', value: null },
      { entity: 'param', key: 'f', comparator: 'IS NOT NULL', value: null },
      { entity: 'metric', key: 'g', comparator: 'IS NULL', value: null },
    ]);
  });

  it('compares run_id with a list, and reads bare attribute names and aliases as MLflow does', () => {
    assert.deepEqual(parseRunFilter("attributes.run_id IN ('a1', 'b2') and run_id NOT IN ('c3')"), [
      { entity: 'attribute', key: 'run_id', comparator: 'IN', value: ['a1', 'b2'] },
      { entity: 'attribute', key: 'run_id', comparator: 'NOT IN', value: ['c3'] },
    ]);
    assert.deepEqual(parseRunFilter("status = 'FAILED' and created > 1700000000000 and attributes.`Run Name` LIKE 'x%'"), [
      { entity: 'attribute', key: 'status', comparator: '=', value: 'FAILED' },
      { entity: 'attribute', key: 'start_time', comparator: '>', value: 1700000000000 },
      { entity: 'attribute', key: 'run_name', comparator: 'LIKE', value: 'x%' },
    ]);
    assert.deepEqual(parseRunFilter('attributes.end_time <= 5 and attributes.start_time != 0').map((c) => c.value), [5, 0]);
  });

  describe('errors', () => {
    it('quote the bad token, its position and a caret line', () => {
      const error = filterError('metrics.rmse << 1');
      assert.equal(
        error.message,
        'Invalid filter at position 13: expected a comparator after "metrics.rmse", got "<<"\n' +
          '  metrics.rmse << 1\n' +
          '               ^^',
      );
      assert.equal(error.position, 13);
      assert.equal(error.token, '<<');
      assert.ok(error instanceof TrackingError);
      assert.equal(error.code, 'INVALID_PARAMETER_VALUE');
      assert.equal(error.httpStatus, 400);
    });

    it('name an unknown entity and the prefixes to use', () => {
      const error = filterError("metricz.rmse < 1 and params.a = 'b'");
      assert.equal(error.reason, 'unknown entity "metricz"; use metrics., params., tags., attributes. or datasets.');
      assert.equal(error.position, 0);
      assert.equal(error.token, 'metricz');
    });

    it('report a missing value at the end of the filter', () => {
      const error = filterError("params.a = 'b' and metrics.rmse <");
      assert.equal(error.reason, 'expected a value after "metrics.rmse <", got the end of the filter');
      assert.equal(error.position, 33);
      assert.equal(error.token, '');
      assert.match(error.message, /\n {2}params\.a = 'b' and metrics\.rmse <\n {35}\^$/);
    });

    it('point at the opening quote of an unterminated string', () => {
      const error = filterError("params.model = 'rf and metrics.x > 1");
      assert.equal(error.position, 15);
      assert.equal(error.token, "'rf and metrics.x > 1");
      assert.match(error.reason, /^unterminated string/);
      assert.match(filterError('metrics.`my metric > 1').reason, /^unterminated string/);
    });

    it('say how each entity compares when the comparator does not fit', () => {
      const like = filterError("metrics.x LIKE 'a'");
      assert.equal(like.reason, 'metrics compare as numbers with =, !=, <, <=, >, >=, IS NULL, IS NOT NULL; got "LIKE"');
      assert.equal(like.position, 10);
      const greater = filterError('params.x > 1');
      assert.match(greater.reason, /^params compare as strings with =, !=, LIKE, ILIKE, IN/);
      assert.equal(greater.token, '>');
      assert.match(filterError("tags.t < 'a'").reason, /^tags compare as strings/);
      assert.equal(
        filterError("attributes.start_time LIKE '1%'").reason,
        'attributes.start_time compares as a number with =, !=, <, <=, >, >=; got "LIKE"',
      );
      assert.equal(filterError('attributes.status > 1').reason, 'attributes.status compares as a string with =, !=, LIKE, ILIKE; got ">"');
      assert.match(filterError("attributes.status IN ('FAILED')").reason, /^only attributes\.run_id can be compared with IN/);
      assert.match(filterError('attributes.status IS NULL').token, /^IS NULL$/);
    });

    it('list the attributes when one is unknown, and refuse bare keys that are not attributes', () => {
      const unknown = filterError("attributes.colour = 'red'");
      assert.match(unknown.reason, /^unknown attribute "colour"; attributes are run_id, run_name, status, /);
      assert.equal(unknown.position, 11);
      const bare = filterError('rmse < 1');
      assert.match(bare.reason, /^unknown attribute "rmse".*prefix other keys with metrics\., params\., tags\., attributes\. or datasets\.$/);
    });

    it('refuse OR, saying that MLflow search supports only AND', () => {
      const error = filterError('metrics.a > 1 OR metrics.b < 2');
      assert.equal(error.reason, 'MLflow search supports only AND between clauses, not OR');
      assert.equal(error.position, 14);
      assert.equal(error.token, 'OR');
    });

    it('refuse trailing garbage and dangling ANDs', () => {
      const garbage = filterError("params.a = 'b' metrics.c > 1");
      assert.equal(garbage.reason, `expected AND or the end of the filter after "params.a = 'b'", got "metrics.c"`);
      assert.equal(garbage.position, 15);
      assert.equal(filterError('metrics.a > 1 and').reason, 'expected a clause after "and", got the end of the filter');
      assert.match(filterError('and metrics.a > 1').reason, /^expected a clause such as metrics\.rmse < 0\.8, got "and"$/);
      assert.equal(filterError("metrics.a > 1 ) and params.b = 'c'").token, ')');
      assert.equal(filterError("(metrics.a > 1)").token, '(');
    });

    it('explain values of the wrong kind', () => {
      assert.equal(
        filterError('params.lr = 0.01').reason,
        `expected a quoted string after "params.lr =", got "0.01"; string values are quoted, e.g. '0.01'`,
      );
      assert.match(filterError("metrics.rmse < '0.8'").reason, /^expected a number after "metrics\.rmse <", got "'0\.8'"; write the number without quotes$/);
      assert.match(filterError('params.model = rf').reason, /string values are quoted, e.g. 'rf'$/);
      assert.equal(filterError('metrics.a > 1abc').reason, '"1abc" is not a number');
    });

    it('explain malformed lists', () => {
      assert.equal(filterError('params.a IN ()').reason, 'expected a quoted string in the list after "params.a IN", got ")"');
      assert.match(filterError("params.a IN 'x'").reason, /^expected a parenthesised list such as \('a', 'b'\)/);
      assert.match(filterError("params.a IN ('x' 'y')").reason, /^expected "," or "\)" in the list/);
      assert.match(filterError("params.a IN ('x',)").reason, /^expected a quoted string in the list/);
      assert.match(filterError("params.a IN ('x', 'y'").reason, /got the end of the filter$/);
    });

    it('point at the comparators MLflow does not have', () => {
      assert.equal(filterError('metrics.a == 1').reason, 'expected a comparator after "metrics.a", got "==" (use =)');
      assert.equal(filterError("params.a <> 'b'").reason, 'expected a comparator after "params.a", got "<>" (use !=)');
      const notLike = filterError("params.a NOT LIKE 'b'");
      assert.equal(notLike.token, 'NOT LIKE');
      assert.match(notLike.reason, /^NOT LIKE is not supported/);
      assert.match(filterError("tags.a IS 'b'").reason, /^expected NULL or NOT NULL after IS/);
      assert.equal(filterError('metrics.a').reason, 'expected a comparator after "metrics.a", got the end of the filter');
    });

    it('suggest backticks for keys with special characters', () => {
      const error = filterError('metrics.val-loss < 1');
      assert.equal(error.position, 11);
      assert.equal(error.token, '-');
      assert.match(error.reason, /quote keys that contain special characters with backticks, e.g. metrics\.`val-loss`/);
    });

    it('refuse empty keys and unknown dataset keys', () => {
      assert.equal(filterError('metrics. > 1').reason, 'expected a key after "metrics."');
      assert.equal(filterError('tags.a..b = "c"').position, 7);
      assert.match(filterError("datasets.size = 'iris'").reason, /^unknown dataset key "size"; datasets are searched by name, digest, context/);
      assert.match(filterError("datasets.digest < 'a'").reason, /^datasets compare as strings/);
    });

    it('read MLflow dataset clauses (datasets. or dataset.), for runs only', () => {
      assert.deepEqual(parseRunFilter("datasets.digest = 'ab12' and dataset.Context IN ('train')"), [
        { entity: 'dataset', key: 'digest', comparator: '=', value: 'ab12' },
        { entity: 'dataset', key: 'context', comparator: 'IN', value: ['train'] },
      ]);
      assert.equal(syntaxError(parseExperimentFilter, "datasets.name = 'x'").reason, 'experiments have no "datasets"; use tags. or attributes.');
    });

    it('keep the caret under the token when the filter spans lines', () => {
      const error = filterError("params.a = 'b'\nand metrics.c ~ 1");
      assert.equal(error.position, 29);
      assert.ok(error.message.endsWith("\n  params.a = 'b' and metrics.c ~ 1\n  " + ' '.repeat(29) + '^'));
    });
  });
});

describe('mlflow search: parseOrderBy', () => {
  it('reads a column with an optional direction in any case', () => {
    assert.deepEqual(parseOrderBy('metrics.rmse'), { entity: 'metric', key: 'rmse', ascending: true });
    assert.deepEqual(parseOrderBy('metrics.rmse ASC'), { entity: 'metric', key: 'rmse', ascending: true });
    assert.deepEqual(parseOrderBy('attributes.start_time DESC'), { entity: 'attribute', key: 'start_time', ascending: false });
    assert.deepEqual(parseOrderBy('params.`lr` desc'), { entity: 'param', key: 'lr', ascending: false });
    assert.deepEqual(parseOrderBy('tags."mlflow.runName" asc'), { entity: 'tag', key: 'mlflow.runName', ascending: true });
    assert.deepEqual(parseOrderBy('start_time DESC'), { entity: 'attribute', key: 'start_time', ascending: false });
    assert.deepEqual(parseOrderBy('created'), { entity: 'attribute', key: 'start_time', ascending: true });
  });

  it('explains what is wrong with a clause', () => {
    const direction = syntaxError(parseOrderBy, 'metrics.rmse sideways');
    assert.equal(direction.message.split('\n')[0], 'Invalid order_by clause at position 13: expected ASC, DESC or the end after "metrics.rmse", got "sideways"');
    assert.equal(syntaxError(parseOrderBy, '').reason, 'expected a column to order by, e.g. metrics.rmse DESC');
    assert.match(syntaxError(parseOrderBy, 'rmse DESC').reason, /^unknown attribute "rmse"/);
    assert.equal(syntaxError(parseOrderBy, 'metrics.rmse DESC, params.lr').token, ',');
    assert.equal(syntaxError(parseOrderBy, 'metrics.rmse < 1').token, '<');
  });
});

describe('mlflow search: experiment filters and order', () => {
  it('reads name, times and tags', () => {
    const filter = "name LIKE 'cls-%' and attributes.name != 'x' and creation_time > 5 and last_update_time <= 9 and tags.team = 'vision' and tags.owner IS NULL";
    assert.deepEqual(parseExperimentFilter(filter), [
      { entity: 'attribute', key: 'name', comparator: 'LIKE', value: 'cls-%' },
      { entity: 'attribute', key: 'name', comparator: '!=', value: 'x' },
      { entity: 'attribute', key: 'creation_time', comparator: '>', value: 5 },
      { entity: 'attribute', key: 'last_update_time', comparator: '<=', value: 9 },
      { entity: 'tag', key: 'team', comparator: '=', value: 'vision' },
      { entity: 'tag', key: 'owner', comparator: 'IS NULL', value: null },
    ]);
    assert.deepEqual(parseExperimentFilter('  '), []);
  });

  it('refuses run-only entities, unknown attributes and bad comparators', () => {
    assert.equal(syntaxError(parseExperimentFilter, 'metrics.x > 1').reason, 'experiments have no "metrics"; use tags. or attributes.');
    assert.match(syntaxError(parseExperimentFilter, "status = 'FAILED'").reason, /^unknown attribute "status"; attributes are name, creation_time, last_update_time/);
    assert.match(syntaxError(parseExperimentFilter, "creation_time LIKE '1%'").reason, /compares as a number/);
    assert.match(syntaxError(parseExperimentFilter, 'name > 1').reason, /compares as a string/);
  });

  it('orders by attributes only', () => {
    assert.deepEqual(parseExperimentOrderBy('name'), { entity: 'attribute', key: 'name', ascending: true });
    assert.deepEqual(parseExperimentOrderBy('attributes.last_update_time DESC'), {
      entity: 'attribute',
      key: 'last_update_time',
      ascending: false,
    });
    assert.deepEqual(parseExperimentOrderBy('experiment_id'), { entity: 'attribute', key: 'experiment_id', ascending: true });
    assert.match(syntaxError(parseExperimentOrderBy, 'tags.team').reason, /^cannot order by "tags\.team"; order by one of name, experiment_id/);
  });
});
