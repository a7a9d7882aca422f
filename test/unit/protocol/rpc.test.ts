import assert from 'node:assert/strict';
import { homeRequests } from '../../../src/protocol/home.ts';
import { methodsOf, parseParams } from '../../../src/protocol/requests.ts';
import { assertNever, parseHostMessage, parseWebviewMessage } from '../../../src/protocol/rpc.ts';

describe('protocol: messages from a webview', () => {
  const parse = (raw: unknown) => parseWebviewMessage(raw, methodsOf(homeRequests));

  it('reads the ready handshake', () => {
    assert.deepEqual(parse({ kind: 'ready' }), { kind: 'ready' });
  });

  it('reads a request of a known method with its id and params', () => {
    assert.deepEqual(parse({ kind: 'request', id: 7, method: 'runCommand', params: { command: 'labbook.showLog' } }), {
      kind: 'request',
      id: 7,
      method: 'runCommand',
      params: { command: 'labbook.showLog' },
    });
  });

  it('rejects an unknown method but keeps the id so the webview gets an error reply', () => {
    assert.deepEqual(parse({ kind: 'request', id: 3, method: 'deleteEverything', params: null }), {
      kind: 'invalid',
      id: 3,
      reason: 'unknown method "deleteEverything"',
    });
  });

  it('rejects messages without a numeric id, of an unknown kind, or not objects at all', () => {
    assert.equal(parse({ kind: 'request', id: '3', method: 'getStatus' }).kind, 'invalid');
    assert.equal(parse({ kind: 'request', id: 1.5, method: 'getStatus' }).kind, 'invalid');
    assert.deepEqual(parse({ kind: 'shout' }), { kind: 'invalid', reason: 'unknown message kind "shout"' });
    for (const junk of [null, undefined, 42, 'ready', [{ kind: 'ready' }]]) {
      assert.deepEqual(parse(junk), { kind: 'invalid', reason: 'message is not an object' });
    }
  });

  it('does not treat inherited object keys as methods', () => {
    assert.equal(parse({ kind: 'request', id: 1, method: 'toString', params: null }).kind, 'invalid');
    assert.equal(parse({ kind: 'request', id: 1, method: '__proto__', params: null }).kind, 'invalid');
  });
});

describe('protocol: messages from the host', () => {
  it('reads events, successful and failed responses', () => {
    const event = { kind: 'event', event: { type: 'status', status: {} } };
    assert.deepEqual(parseHostMessage(event), event);
    assert.deepEqual(parseHostMessage({ kind: 'response', id: 1, ok: true, result: null }), { kind: 'response', id: 1, ok: true, result: null });
    const failed = { kind: 'response', id: 2, ok: false, error: { code: 'failed', message: 'boom' } };
    assert.deepEqual(parseHostMessage(failed), failed);
  });

  it('ignores anything else a page may receive', () => {
    for (const junk of [null, 'x', { kind: 'response', id: 'a', ok: true }, { kind: 'response', id: 1, ok: false }, { kind: 'event' }]) {
      assert.equal(parseHostMessage(junk), undefined);
    }
  });
});

describe('protocol: Home contract', () => {
  it('accepts only the commands the Home panel offers', () => {
    assert.deepEqual(parseParams(homeRequests, 'runCommand', { command: 'labbook.showLog' }), { command: 'labbook.showLog' });
    for (const bad of [{ command: 'workbench.action.quit' }, {}, null]) {
      assert.throws(() => parseParams(homeRequests, 'runCommand', bad), { name: 'BadParamsError' });
    }
  });

  it('assertNever throws with the unexpected value', () => {
    assert.throws(() => assertNever('odd' as never, 'event'), /Unexpected event: "odd"/);
  });
});
