/**
 * Runs synchronous store work (better-sqlite3 queries, data read at open) behind an async
 * interface, at once, as an `async` method's body would run: the value resolves the promise and
 * a throw rejects it (the executor's throw), never a synchronous throw to the caller. Store
 * methods that await nothing use it instead of an `async` with no `await`.
 */
export function settled<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(fn()));
}
