import assert from 'node:assert/strict';
import { TrackingError } from '../../src/core/store/errors.ts';

/** Awaits `promise`, which must reject with an instance of `type`; returns that error. */
export async function rejectionOf<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof type, `expected a ${type.name}, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected a ${type.name}`);
}

/** Awaits `promise`, which must reject with a TrackingError; returns that error. */
export function rejection(promise: Promise<unknown>): Promise<TrackingError> {
  return rejectionOf(promise, TrackingError);
}

/** Rejects with a TrackingError of `code` whose message matches `message`. */
export async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const err = await rejection(promise);
  assert.equal(err.code, code, err.message);
  if (message !== undefined) assert.match(err.message, message);
}

/**
 * Calls a store method that must fail: it returns a promise that rejects with a TrackingError of
 * `code`, and does not throw synchronously (callers `.then`/`.catch` a store call, or start
 * several before awaiting them, so a synchronous throw would escape them).
 */
export async function rejectsNotThrows(call: () => Promise<unknown>, code: string): Promise<void> {
  let promise: unknown;
  assert.doesNotThrow(() => {
    promise = call();
  }, 'threw synchronously instead of returning a rejected promise');
  assert.ok(promise instanceof Promise, 'returned no promise');
  await rejectsWith(promise, code);
}
