import assert from 'node:assert/strict';
import { errorFirstLine, errorMessage } from '../../../src/shared/errorMessage.ts';

class StoreFailure extends Error {
  override readonly name = 'StoreFailure';
}

describe('shared/errorMessage: one way to turn anything thrown into text', () => {
  it('reads the message of an Error and of its subclasses', () => {
    assert.equal(errorMessage(new Error('disk full')), 'disk full');
    assert.equal(errorMessage(new TypeError('not a function')), 'not a function');
    assert.equal(errorMessage(new StoreFailure('locked')), 'locked');
  });

  it('names an Error that has no message rather than saying nothing', () => {
    assert.equal(errorMessage(new StoreFailure()), 'StoreFailure');
    assert.equal(errorMessage(new Error()), 'Error');
  });

  it('passes a thrown string through and prints other values', () => {
    assert.equal(errorMessage('plain text'), 'plain text');
    assert.equal(errorMessage(undefined), 'undefined');
    assert.equal(errorMessage(null), 'null');
    assert.equal(errorMessage(42), '42');
    assert.equal(errorMessage({ code: 1 }), '[object Object]');
  });

  it('reads the message of an error-like object (an RPC error, an Error from another realm)', () => {
    assert.equal(errorMessage({ code: 'failed', message: 'the host said no' }), 'the host said no');
    assert.equal(errorMessage({ message: 42 }), '[object Object]');
  });

  it('never throws, whatever was thrown', () => {
    const hostile = { toString: () => { throw new Error('no'); } };
    assert.equal(errorMessage(hostile), 'Unknown error');
    assert.equal(errorMessage(Object.create(null)), 'Unknown error');
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    assert.equal(errorMessage(revoked.proxy), 'Unknown error');
    const trap = new Error('x');
    Object.defineProperty(trap, 'message', { get: () => { throw new Error('getter'); } });
    assert.equal(errorMessage(trap), 'Unknown error');
  });

  it('gives the first line, trimmed, for one-line notes', () => {
    assert.equal(errorFirstLine(new Error('  fatal: not a git repository\nhint: run git init')), 'fatal: not a git repository');
    assert.equal(errorFirstLine('one line'), 'one line');
    assert.equal(errorFirstLine(new Error('')), 'Error');
  });
});
