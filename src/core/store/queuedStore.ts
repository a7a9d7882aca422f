// A remote store whose writes go through the outbox: what Labbook itself logs into a run on an
// MLflow server (printed metrics, end tags, the final status) is durable on disk before the call
// returns, and reaches the server in order when it can — a server that blinks at the end of a run
// loses nothing. Reads, run creation and artifacts go straight to the server (a run id is needed
// before the process starts; artifact bytes are not queued).
import type { Outbox } from './outbox.ts';
import type { TrackingStore } from './trackingStore.ts';
import type { LogBatchInput, Metric, Run, Tag, UpdateRunInput } from './types.ts';

export interface QueuedStoreOptions {
  /** Called when a flush stops early (the server is unreachable); the writes stay queued. */
  readonly onFlushError?: (err: unknown) => void;
}

type QueuedWrites = Pick<TrackingStore, 'logBatch' | 'logParam' | 'logMetric' | 'setTag' | 'updateRun'>;

/** `remote` with its run writes queued in `outbox` (which must ship to that same remote). */
export function queuedWrites(remote: TrackingStore, outbox: Outbox, options: QueuedStoreOptions = {}): TrackingStore {
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
    async updateRun(runId: string, update: UpdateRunInput): Promise<Run> {
      outbox.updateRun(runId, update);
      await flush();
      // What the server says now, or — while it is unreachable — the run as it will be.
      try {
        return await remote.getRun(runId);
      } catch {
        return {
          info: { runId, runName: update.runName ?? '', experimentId: '', userId: '', status: update.status ?? 'RUNNING', startTime: 0, endTime: update.endTime ?? null, artifactUri: '', lifecycleStage: 'active' },
          data: { metrics: [], params: [], tags: [] },
        };
      }
    },
  };
  return new Proxy(remote, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && prop in writes) return writes[prop as keyof QueuedWrites];
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
