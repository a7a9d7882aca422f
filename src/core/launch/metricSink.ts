// Records parsed from printed lines, batched into logBatch calls: a flush when a batch is full,
// on a timer, and at exit, one request at a time so points land in order. A refused batch is
// retried entity by entity (only the bad ones are dropped, each noted); a store that is down
// is retried with backoff, bounded.
import { splitLogBatch } from '../store/logBatchChunks.ts';
import { TrackingError } from '../store/errors.ts';
import type { TrackingStore } from '../store/trackingStore.ts';
import type { LogBatchInput, Metric, Param, Tag } from '../store/types.ts';
import { errorFirstLine } from '../../shared/errorMessage.ts';
import type { LineRecord } from './metricLines.ts';

export interface MetricSinkOptions {
  readonly now?: () => number;
  /** Flush when this many entities wait. Default 1000 (MLflow's batch limit). */
  readonly batchSize?: number;
  /** Flush what waits at least this often. Default 1000 ms. */
  readonly intervalMs?: number;
  /** Backoff delays for a store that is unreachable; their count bounds the retries. */
  readonly retryDelaysMs?: readonly number[];
  readonly onNote?: (note: string) => void;
}

export class MetricSink {
  private readonly store: Pick<TrackingStore, 'logBatch'>;
  private readonly runId: string;
  private readonly now: () => number;
  private readonly batchSize: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly onNote: (note: string) => void;
  private readonly nextStep = new Map<string, number>();
  private readonly params = new Map<string, string>();
  private metrics: Metric[] = [];
  private pendingParams: Param[] = [];
  private tags: Tag[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private loggedCount = 0;
  private droppedCount = 0;

  constructor(store: Pick<TrackingStore, 'logBatch'>, runId: string, options: MetricSinkOptions = {}) {
    this.store = store;
    this.runId = runId;
    this.now = options.now ?? Date.now;
    this.batchSize = Math.max(1, Math.min(options.batchSize ?? 1000, 1000));
    this.retryDelaysMs = options.retryDelaysMs ?? [250, 500, 1000, 2000, 4000, 8000];
    this.onNote = options.onNote ?? (() => undefined);
    this.timer = setInterval(() => void this.flush(), options.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** Entities the store accepted. */
  get logged(): number {
    return this.loggedCount;
  }

  /** Entities given up on (refused by the store, or the store stayed unreachable). */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Params already logged for the run (the launcher's), so a printed repeat is not resent. */
  knowParams(params: readonly Param[]): void {
    for (const p of params) this.params.set(p.key, p.value);
  }

  add(records: readonly LineRecord[]): void {
    for (const r of records) {
      if (r.kind === 'metric') {
        const step = r.step ?? this.nextStep.get(r.key) ?? 0;
        this.nextStep.set(r.key, Math.max(step + 1, this.nextStep.get(r.key) ?? 0));
        this.metrics.push({ key: r.key, value: r.value, step, timestamp: r.timestamp ?? this.now() });
      } else if (r.kind === 'param') {
        const known = this.params.get(r.key);
        if (known === r.value) continue;
        if (known !== undefined) {
          this.onNote(`param ${r.key}: already logged as '${known}', the printed '${r.value}' was not logged (params cannot change).`);
          continue;
        }
        this.params.set(r.key, r.value);
        this.pendingParams.push({ key: r.key, value: r.value });
      } else {
        this.tags.push({ key: r.key, value: r.value });
      }
    }
    if (this.metrics.length + this.pendingParams.length + this.tags.length >= this.batchSize) void this.flush();
  }

  /** Sends everything that waits; resolves when it has landed (or been given up on). */
  flush(): Promise<void> {
    const batch: LogBatchInput = { metrics: this.metrics, params: this.pendingParams, tags: this.tags };
    this.metrics = [];
    this.pendingParams = [];
    this.tags = [];
    const size = (batch.metrics?.length ?? 0) + (batch.params?.length ?? 0) + (batch.tags?.length ?? 0);
    if (size > 0) {
      this.chain = this.chain.then(async () => {
        for (const chunk of splitLogBatch(batch)) await this.send(chunk);
      });
    }
    return this.chain;
  }

  /** Stops the timer and sends the rest. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async send(batch: { metrics: Metric[]; params: Param[]; tags: Tag[] }): Promise<void> {
    const size = batch.metrics.length + batch.params.length + batch.tags.length;
    const result = await this.attempt(batch);
    if (result === 'ok') {
      this.loggedCount += size;
      return;
    }
    if (result === 'refused' && size > 1) {
      // One bad entity refuses the whole batch: find it by sending each alone.
      for (const params of batch.params) await this.send({ metrics: [], params: [params], tags: [] });
      for (const tag of batch.tags) await this.send({ metrics: [], params: [], tags: [tag] });
      for (const metric of batch.metrics) await this.send({ metrics: [metric], params: [], tags: [] });
      return;
    }
    this.droppedCount += size;
  }

  private async attempt(batch: LogBatchInput): Promise<'ok' | 'refused' | 'failed'> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.store.logBatch(this.runId, batch);
        return 'ok';
      } catch (err) {
        const refused = err instanceof TrackingError && err.httpStatus >= 400 && err.httpStatus < 500 && err.code !== 'REQUEST_LIMIT_EXCEEDED';
        if (refused) {
          if ((batch.metrics?.length ?? 0) + (batch.params?.length ?? 0) + (batch.tags?.length ?? 0) === 1) this.onNote(`not logged: ${errorFirstLine(err)}`);
          return 'refused';
        }
        const delay = this.retryDelaysMs[attempt];
        if (delay === undefined) {
          this.onNote(`the store stayed unreachable; ${(batch.metrics?.length ?? 0) + (batch.params?.length ?? 0) + (batch.tags?.length ?? 0)} printed values were not logged (${errorFirstLine(err)}).`);
          return 'failed';
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
