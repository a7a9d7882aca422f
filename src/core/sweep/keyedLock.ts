// Serializes async work per key (a sweep): an item's end, a tick and a stop on the same sweep run
// one after the other, so two of them never queue the same next trial.
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` after whatever runs or waits for `key`; its result or error is the caller's. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(fn);
    const tail = result.then(() => undefined, () => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves when everything started so far has ended. */
  async drain(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }
}
