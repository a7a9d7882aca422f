// A remote store whose writes go through the outbox: what Labbook itself logs into a run on an
// MLflow server (printed metrics, end tags, the final status) is durable on disk before the call
// returns, and reaches the server in order when it can — a server that blinks at the end of a run
// loses nothing. Reads, run creation and artifacts go straight to the server (a run id is needed
// before the process starts; artifact bytes are not queued).
import type { Outbox } from './outbox.ts';
import type { TrackingStore } from './trackingStore.ts';
import type { LogBatchInput, Metric, Tag, UpdateRunInput } from './types.ts';

export interface QueuedStoreOptions {
  /** Called when a flush stops early (the server is unreachable); the writes stay queued. */
  readonly onFlushError?: (err: unknown) => void;
}

/**
 * What became of a run update sent through the outbox. Never a made-up `Run`: while the server is
 * down nothing knows the run's current state, only that the update waits on disk.
 */
export type QueuedRunUpdate =
  /** The server took it. */
  | { readonly state: 'shipped'; readonly runId: string }
  /** The server is unreachable: the update waits in the outbox (`pending` writes in all) and ships when it is back. */
  | { readonly state: 'queued'; readonly runId: string; readonly pending: number; readonly reason: string }
  /** The server refused it for good; the outbox keeps it aside, with the server's answer. */
  | { readonly state: 'refused'; readonly runId: string; readonly reason: string };

/** A remote store whose run writes go through an outbox: `updateRun` says whether the update shipped. */
export interface QueuedTrackingStore extends Omit<TrackingStore, 'updateRun'> {
  updateRun(runId: string, update: UpdateRunInput): Promise<QueuedRunUpdate>;
}

type QueuedWrites = Pick<QueuedTrackingStore, 'logBatch' | 'logParam' | 'logMetric' | 'setTag' | 'updateRun'>;

/** `remote` with its run writes queued in `outbox` (which must ship to that same remote). */
export function queuedWrites(remote: TrackingStore, outbox: Outbox, options: QueuedStoreOptions = {}): QueuedTrackingStore {
  const flush = async (): Promise<void> => {
    try {
      await outbox.flush();
    } catch (err) {
      options.onFlushError?.(err);
    }
  };
  const writes: QueuedWrites = {
    async logBatch(runId: string, batch: LogBatchInput) {
      outbox.logBatch(runId, batch);
      await flush();
    },
    async logParam(runId: string, key: string, value: string) {
      outbox.logBatch(runId, { params: [{ key, value }] });
      await flush();
    },
    async logMetric(runId: string, metric: Metric) {
      outbox.logBatch(runId, { metrics: [metric] });
      await flush();
    },
    async setTag(runId: string, tag: Tag) {
      outbox.setTag(runId, tag);
      await flush();
    },
    async updateRun(runId: string, update: UpdateRunInput): Promise<QueuedRunUpdate> {
      const seq = outbox.updateRun(runId, update);
      await flush();
      const entry = outbox.entryState(seq);
      switch (entry.state) {
        case 'shipped':
          return { state: 'shipped', runId };
        case 'pending':
          return { state: 'queued', runId, pending: outbox.state().pending, reason: entry.error ?? outbox.state().lastError ?? 'the server did not answer' };
        case 'failed':
          return { state: 'refused', runId, reason: entry.error ?? 'refused by the server' };
      }
    },
  };
  // The reads, run creation and artifacts are the remote's own; only `writes` differ.
  return new Proxy(remote, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && prop in writes) return writes[prop as keyof QueuedWrites];
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as unknown as QueuedTrackingStore;
}
