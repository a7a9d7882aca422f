// The one place that says "this store changed". Every writer publishes here (the local store's
// watcher, launches, outboxes, stores opened read-only, the remote server list, the settings);
// every view and panel subscribes. Plain TypeScript (no `vscode`), so Node tests drive it; its
// `onDidChange` has the shape of a `vscode.Event`'s common use, so VS Code code subscribes as usual.

/** What changed. */
export type StoreChange =
  /** The data of one store may have changed (runs, metrics, models): what shows it reads again. */
  | { readonly kind: 'data'; readonly rootId: string }
  /**
   * Every store may have changed: the roots or their settings changed, a store was opened or
   * closed, or the user asked to read everything again. Cached connections are dropped and every
   * view and panel reads again.
   */
  | { readonly kind: 'all' };

export interface Subscription {
  dispose(): void;
}

/** Subscribes to store changes (the same call shape as `vscode.Event<StoreChange>`). */
export type StoreChangeEvent = (listener: (change: StoreChange) => void) => Subscription;

/** Whether what shows the store `rootId` has to read again after `change`. */
export function affectsRoot(change: StoreChange, rootId: string): boolean {
  return change.kind === 'all' || change.rootId === rootId;
}

/**
 * The store-change hub. Listeners run synchronously, in the order they subscribed, so a subscriber
 * created earlier (the store roots dropping cached connections) acts before later ones (the views
 * reading again). A listener that throws is reported and does not keep the others from running.
 */
export class StoreChanges implements Subscription {
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private readonly onListenerError: (err: unknown, change: StoreChange) => void;
  private disposed = false;

  constructor(onListenerError: (err: unknown, change: StoreChange) => void) {
    this.onListenerError = onListenerError;
  }

  /** Tells every subscriber about `change`; a no-op once disposed. */
  publish(change: StoreChange): void {
    if (this.disposed) return;
    // A copy: a listener may subscribe or unsubscribe while the change is delivered.
    for (const listener of [...this.listeners]) {
      if (!this.listeners.has(listener)) continue;
      try {
        listener(change);
      } catch (err) {
        this.onListenerError(err, change);
      }
    }
  }

  /** Calls `listener` with each change published from now on, until the subscription is disposed. */
  readonly onDidChange: StoreChangeEvent = (listener) => {
    if (this.disposed) return { dispose: () => undefined };
    // Wrapped, so subscribing the same function twice gives two independent subscriptions.
    const entry = (change: StoreChange) => listener(change);
    this.listeners.add(entry);
    return { dispose: () => void this.listeners.delete(entry) };
  };

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}
