// MLflow's search syntax under fuzzing: near-miss filters built from the grammar's own tokens,
// and arbitrary text. Every input parses, or fails with a SearchSyntaxError (a TrackingError)
// that points inside the input; a parsed filter then evaluates over runs without throwing.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { likeMatches } from '../../../src/core/mlflow/likeMatch.ts';
import { compareRuns, runMatches } from '../../../src/core/mlflow/searchEval.ts';
import {
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseOrderBy,
  parseRunFilter,
  SearchSyntaxError,
} from '../../../src/core/mlflow/searchFilter.ts';
import { TrackingError } from '../../../src/core/store/errors.ts';
import type { Run } from '../../../src/core/store/types.ts';
import { checkProperty, fuzzRuns, fuzzTitle, parsesOrThrowsOwn } from './fuzzing.ts';

const TOKENS = [
  'metrics.rmse', 'metrics.`val loss`', 'metrics.', 'params.model', 'params."lr"', 'tags.mlflow.runName', 'tags.`a.b`', 'tag.x',
  'attributes.status', 'attribute.run_id', 'run_name', 'status', 'start_time', 'created', 'name', 'creation_time', 'datasets.name',
  'metric', 'params..x', '`x`', 'AND', 'and', 'OR', 'LIKE', 'ILIKE', 'IN', 'NOT', 'IS', 'NULL', 'ASC', 'DESC',
  '=', '!=', '<', '<=', '>', '>=', '==', '<>', '<<', '!', '(', ')', ',', "'rf'", '"a b"', "'%a_'", "'it''s'", "'\\''", "'",
  '"', '`', '0.8', '-1', '+.5e3', '1e', '12abc', 'NaN', '\t', '\n', '.', '-', '%', 'é', '\u{1F600}', '\\',
];

const filterText = fc.oneof(
  { arbitrary: fc.array(fc.constantFrom(...TOKENS), { maxLength: 12 }).chain((tokens) => fc.array(fc.constantFrom(' ', '', '  '), { minLength: tokens.length, maxLength: tokens.length }).map((gaps) => tokens.map((t, i) => t + (gaps[i] ?? '')).join(''))), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 60 }), weight: 1 },
  { arbitrary: fc.string({ unit: fc.constantFrom(...'metrics.rmse<>=!\'"`() ,ANDINOTLIKE%_0123456789'.split('')), maxLength: 60 }), weight: 2 },
);

/** Filters that mostly parse: clauses of the grammar, some with one token damaged. */
const clause = fc.oneof(
  fc.tuple(fc.constantFrom('metrics.rmse', 'metrics.`val loss`', 'attributes.start_time', 'end_time'), fc.constantFrom('=', '!=', '<', '<=', '>', '>='), fc.constantFrom('0.8', '-1', '1e3', '.5')),
  fc.tuple(
    fc.constantFrom('params.model', 'tags.`a.b`', 'tags.mlflow.runName', 'run_name', 'status', 'attributes.run_id'),
    fc.constantFrom('=', '!=', 'LIKE', 'ILIKE'),
    fc.stringMatching(/^[%_xyXa ]{0,24}$/).map((v) => `'${v}'`),
  ),
  fc.tuple(fc.constantFrom('attributes.run_id', 'params.model'), fc.constantFrom('IN', 'NOT IN'), fc.constantFrom("('r1', 'r2')", "('rf')", '()', "('a',)")),
  fc.tuple(fc.constantFrom('params.lr', 'tags.x', 'metrics.rmse'), fc.constantFrom('IS NULL', 'IS NOT NULL'), fc.constant('')),
).map((parts) => parts.filter((p) => p !== '').join(' '));

const nearValidFilter = fc
  .tuple(fc.array(clause, { minLength: 1, maxLength: 4 }), fc.option(fc.tuple(fc.nat(), fc.constantFrom(...TOKENS, ''))))
  .map(([clauses, damage]) => {
    const words = clauses.join(' AND ').split(' ');
    if (damage !== null) words.splice(damage[0] % (words.length + 1), damage[1] === '' ? 1 : 0, damage[1]);
    return words.join(' ');
  });

function run(i: number): Run {
  return {
    info: {
      runId: `r${i}`, runName: i % 2 ? 'rf-1' : "it's", experimentId: '1', userId: 'u', status: i % 2 ? 'FINISHED' : 'RUNNING',
      startTime: i, endTime: i % 2 ? i + 5 : null, artifactUri: '', lifecycleStage: 'active',
    },
    data: {
      metrics: [{ key: 'rmse', value: i % 3 ? 0.5 * i : Number.NaN, timestamp: i, step: 0 }, { key: 'val loss', value: -i, timestamp: i, step: 0 }],
      params: [{ key: 'model', value: i % 2 ? 'rf' : 'a b' }, { key: 'lr', value: '0.1' }],
      // Long values: a LIKE pattern with many '%' must not backtrack for ever over them.
      tags: [{ key: 'mlflow.runName', value: 'x'.repeat(40 * i) }, { key: 'a.b', value: '%' }],
    },
  };
}
const RUNS = [0, 1, 2, 3, 4, 5].map(run);

const isSyntaxError = (input: string) => (err: unknown): boolean =>
  err instanceof SearchSyntaxError && err instanceof TrackingError && err.code === 'INVALID_PARAMETER_VALUE' && err.position >= 0 && err.position <= input.length && err.input === input;

describe('fuzz: the MLflow search filter parser', function () {
  this.timeout(60_000);
  const runs = fuzzRuns(1500);

  it(fuzzTitle('run and experiment filters parse, or fail with a SearchSyntaxError at a position in the input', runs), () => {
    checkProperty(fc.oneof(filterText, nearValidFilter), runs, (text) => {
      const names = (message: string) => message.startsWith('Invalid filter at position ');
      const filter = parsesOrThrowsOwn(() => parseRunFilter(text), isSyntaxError(text), names);
      // A filter that parses evaluates (it may still refuse an attribute it cannot compare).
      if (filter !== undefined) {
        for (const r of RUNS) {
          parsesOrThrowsOwn(() => runMatches(r, filter), (err) => err instanceof TrackingError, () => true);
        }
      }
      parsesOrThrowsOwn(() => parseExperimentFilter(text), isSyntaxError(text), names);
    });
  });

  const likeRuns = fuzzRuns(1000);
  it(fuzzTitle('LIKE and ILIKE match exactly as the SQL pattern read as a regular expression', likeRuns), () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '%', '_', '\n', 'é', '\u{1F600}'), maxLength: 10 });
    const pattern = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '%', '_', 'é', '.'), maxLength: 8 });
    checkProperty(fc.tuple(text, pattern, fc.boolean()), likeRuns, ([t, p, ignoreCase]) => {
      // The reference: fine for these short inputs, exponential for long ones.
      const source = [...p].map((ch) => (ch === '%' ? '[\\s\\S]*' : ch === '_' ? '[\\s\\S]' : ch.replace(/[\\^$.*+?()[\]{}|/]/, '\\$&'))).join('');
      const expected = new RegExp(`^${source}$`, ignoreCase ? 'iu' : 'u').test(t);
      assert.equal(likeMatches(t, p, ignoreCase), expected, `${JSON.stringify(t)} LIKE ${JSON.stringify(p)}`);
    });
  });

  const orderRuns = fuzzRuns(800);
  it(fuzzTitle('order_by clauses parse, or fail with a SearchSyntaxError at a position in the input', orderRuns), () => {
    checkProperty(filterText, orderRuns, (text) => {
      const names = (message: string) => message.startsWith('Invalid order_by clause at position ');
      const order = parsesOrThrowsOwn(() => parseOrderBy(text), isSyntaxError(text), names);
      if (order !== undefined) {
        const sorted = [...RUNS].sort(compareRuns([order]));
        assert.equal(sorted.length, RUNS.length);
      }
      parsesOrThrowsOwn(() => parseExperimentOrderBy(text), isSyntaxError(text), names);
    });
  });
});
