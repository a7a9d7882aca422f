import assert from 'node:assert/strict';
import { compareRequests, MAX_SERIES_KEYS } from '../../../src/protocol/compare.ts';
import { homeRequests } from '../../../src/protocol/home.ts';
import { notebookDiffRequests } from '../../../src/protocol/notebookDiff.ts';
import { pipelineRequests } from '../../../src/protocol/pipeline.ts';
import {
  answerRequest,
  BadParamsError,
  conforms,
  defineRequest,
  integer,
  methodsOf,
  NO_PARAMS,
  optional,
  parseParams,
  string,
  type RequestHandlers,
  type RequestTable,
} from '../../../src/protocol/requests.ts';
import { parseWebviewMessage } from '../../../src/protocol/rpc.ts';
import { runDetailsRequests } from '../../../src/protocol/runDetails.ts';
import { runsTableRequests } from '../../../src/protocol/runsTable.ts';

const TABLES: Readonly<Record<string, RequestTable>> = {
  home: homeRequests,
  compare: compareRequests,
  runDetails: runDetailsRequests,
  notebookDiff: notebookDiffRequests,
  pipeline: pipelineRequests,
  runsTable: runsTableRequests,
};

/** The BadParamsError `fn` throws: its message must name `field`, and so must its `field`. */
function rejects(fn: () => unknown, field: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof BadParamsError, `expected a BadParamsError, got ${String(err)}`);
    assert.equal(err.field, field);
    if (field) assert.ok(err.message.includes(`'${field}'`), `"${err.message}" does not name '${field}'`);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('protocol: request tables', () => {
  it('derive each panel\'s method set from the table\'s own keys, and the envelope parser accepts exactly those', () => {
    for (const [panel, table] of Object.entries(TABLES)) {
      const methods = methodsOf(table);
      assert.deepEqual([...methods].sort(), Object.keys(table).sort(), panel);
      assert.ok(methods.size > 0, panel);
      for (const method of methods) {
        assert.equal(parseWebviewMessage({ kind: 'request', id: 1, method, params: null }, methods).kind, 'request', `${panel}.${method}`);
      }
      for (const inherited of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'parse']) {
        assert.equal(parseWebviewMessage({ kind: 'request', id: 1, method: inherited, params: null }, methods).kind, 'invalid', `${panel}: ${inherited}`);
        assert.throws(() => parseParams(table, inherited, null), BadParamsError, `${panel}: ${inherited}`);
      }
    }
  });

  it('every entry reads its params: a request that takes none refuses some, one that takes some refuses none', () => {
    for (const [panel, table] of Object.entries(TABLES)) {
      for (const [method, def] of Object.entries(table)) {
        const takesNone = (() => {
          try {
            return def.parse(null) === null;
          } catch {
            return false;
          }
        })();
        if (takesNone) rejects(() => def.parse({ surprise: 1 }), '', /takes no params/);
        else rejects(() => def.parse(null), '', /must be an object/);
        assert.ok(method, panel);
      }
    }
  });

  it('names the method and the field of malformed params, nested and in lists', () => {
    rejects(() => parseParams(compareRequests, 'getComparison', { directions: { loss: 'down' } }), 'directions.loss', /^getComparison: 'directions\.loss' must be one of lower, higher$/);
    rejects(() => parseParams(compareRequests, 'getSeries', { keys: ['a', 7], buckets: 10 }), 'keys[1]', /must be a string/);
    rejects(() => parseParams(compareRequests, 'getSeries', { keys: Array.from({ length: MAX_SERIES_KEYS + 1 }, (_, i) => `m${i}`), buckets: 10 }), 'keys', /at most 50/);
    rejects(() => parseParams(compareRequests, 'getSeries', { keys: ['a'], buckets: 0 }), 'buckets', /at least 1/);
    rejects(() => parseParams(compareRequests, 'getSeries', { keys: ['a'], buckets: Number.NaN }), 'buckets');
    rejects(() => parseParams(compareRequests, 'getImage', { runId: 'r1', path: 'plots/../../secret' }), 'path', /'\.\.'/);
    rejects(() => parseParams(compareRequests, 'openNotebookDiff', { baseRun: 'a', remoteRun: 'b', path: 'train.py' }), 'path', /\.ipynb/);
    rejects(() => parseParams(compareRequests, 'exportCsv', { view: { aggregate: 'mean', diffOnly: false, transposed: false }, directions: {} }), 'view.aggregate', /one of last, min, max/);
    rejects(() => parseParams(compareRequests, 'exportCsv', { view: 'table', directions: {} }), 'view', /must be an object/);
    rejects(() => parseParams(notebookDiffRequests, 'getDiff', { toggles: { ignoreExecutionCounts: true, ignoreVolatileMetadata: true, ignoreOutputOnlyChanges: true, ignoreWhitespace: 'yes' } }), 'toggles.ignoreWhitespace', /true or false/);
    rejects(() => parseParams(pipelineRequests, 'writePackage', { outDir: 'x' }), 'force', /^writePackage: 'force' must be true or false$/);
    rejects(() => parseParams(pipelineRequests, 'revealCell', { cellIndex: 1.5 }), 'cellIndex', /an integer/);
    rejects(() => parseParams(pipelineRequests, 'revealCell', { cellIndex: 2, line: 'x' }), 'line');
    rejects(() => parseParams(pipelineRequests, 'renameStep', { outDir: '', step: 'train', name: 5 }), 'name');
    rejects(() => parseParams(runDetailsRequests, 'setTag', { key: 'k', value: 'v', previousKey: null }), 'previousKey');
    rejects(() => parseParams(runDetailsRequests, 'openRun', { runId: '' }), 'runId', /non-empty/);
    rejects(() => parseParams(runDetailsRequests, 'getLog', {}), 'all', /^getLog: 'all' must be true or false$/);
    rejects(() => parseParams(homeRequests, 'runCommand', { command: 'workbench.action.quit' }), 'command', /one of labbook\.showLog/);
  });

  it('hands handlers only the declared fields: unknown keys dropped, absent optional ones left absent', () => {
    assert.deepEqual(parseParams(runDetailsRequests, 'setTag', { key: 'k', value: 'v', extra: '<script>' }), { key: 'k', value: 'v' });
    assert.deepEqual(parseParams(runDetailsRequests, 'setTag', { key: 'k', value: 'v', previousKey: 'old' }), { key: 'k', value: 'v', previousKey: 'old' });
    assert.deepEqual(parseParams(pipelineRequests, 'revealCell', { cellIndex: 3 }), { cellIndex: 3 });
    assert.deepEqual(parseParams(compareRequests, 'getComparison', { directions: { loss: 'lower', acc: 'higher' } }), { directions: { loss: 'lower', acc: 'higher' } });
    const hostile = parseParams(compareRequests, 'getComparison', { directions: JSON.parse('{"__proto__": "lower", "loss": "higher"}') as unknown });
    assert.deepEqual(Object.keys(hostile.directions), ['__proto__', 'loss']);
    assert.equal(Object.getPrototypeOf(hostile.directions), Object.prototype);
    assert.equal(parseParams(runDetailsRequests, 'getDetails', null), null);
    assert.equal(parseParams(runDetailsRequests, 'getDetails', undefined), null);
  });

  it('type guards for saved state use the same checks', () => {
    assert.equal(conforms(integer, 3), true);
    assert.equal(conforms(integer, '3'), false);
    assert.equal(conforms(optional(string), undefined), true);
  });
});

describe('protocol: answering a request through its table', () => {
  const table = {
    echo: defineRequest<{ readonly text: string; readonly times?: number }, string>({ text: string, times: optional(integer) }),
    boom: defineRequest<null, null>(NO_PARAMS),
  } satisfies RequestTable;
  const calls: unknown[] = [];
  const handlers: RequestHandlers<typeof table> = {
    echo: ({ text, times }) => {
      calls.push(text);
      if (text === 'refuse') return Promise.reject(new BadParamsError('refused by the handler', 'text'));
      return Promise.resolve(text.repeat(times ?? 1));
    },
    boom: () => Promise.reject(new Error('the store is locked')),
  };

  beforeEach(() => calls.splice(0));

  it('calls the handler with the validated params and replies with its result', async () => {
    assert.deepEqual(await answerRequest(table, handlers, { kind: 'request', id: 4, method: 'echo', params: { text: 'ab', times: 2 } }), {
      kind: 'response',
      id: 4,
      ok: true,
      result: 'abab',
    });
  });

  it('refuses malformed params with badParams naming method and field, without calling the handler', async () => {
    const errors: unknown[] = [];
    const reply = await answerRequest(table, handlers, { kind: 'request', id: 5, method: 'echo', params: { text: 7 } }, (err) => errors.push(err));
    assert.deepEqual(reply, { kind: 'response', id: 5, ok: false, error: { code: 'badParams', message: "echo: 'text' must be a string" } });
    assert.deepEqual(calls, []);
    assert.equal(errors.length, 1);
  });

  it('answers a handler\'s own refusal with badParams and any other failure with failed', async () => {
    const refused = await answerRequest(table, handlers, { kind: 'request', id: 6, method: 'echo', params: { text: 'refuse' } });
    assert.deepEqual(refused, { kind: 'response', id: 6, ok: false, error: { code: 'badParams', message: 'refused by the handler' } });
    const failed = await answerRequest(table, handlers, { kind: 'request', id: 7, method: 'boom', params: null });
    assert.deepEqual(failed, { kind: 'response', id: 7, ok: false, error: { code: 'failed', message: 'the store is locked' } });
  });

  it('refuses a method the table does not own, even one every object inherits', async () => {
    for (const method of ['nope', 'toString', '__proto__']) {
      const reply = await answerRequest(table, handlers, { kind: 'request', id: 8, method, params: null });
      assert.equal(reply.ok, false, method);
      assert.equal(!reply.ok && reply.error.code, 'badParams', method);
    }
  });

  it('makes a missing handler or a wrongly typed one a compile error', () => {
    // @ts-expect-error: `boom` has no handler.
    const missing: RequestHandlers<typeof table> = { echo: ({ text }) => Promise.resolve(text) };
    const wrong: RequestHandlers<typeof table> = {
      // @ts-expect-error: `echo` answers a string, not a number.
      echo: ({ text }) => Promise.resolve(text.length),
      boom: () => Promise.resolve(null),
    };
    assert.ok(missing && wrong);
  });
});
