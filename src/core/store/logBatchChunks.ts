/**
 * Splitting a log-batch into requests MLflow accepts (mlflow/utils/validation.py): at most 1000
 * metrics, 100 params and 100 tags per request, 1000 entities in all. A byte budget keeps each
 * body under 1 MB too, the limit MLflow documents for log-batch and a common proxy default.
 * Like MLflow's own client, params and tags go first and metrics fill the rest of each request.
 */
import { metricToWire, paramToWire, tagToWire } from '../mlflow/wire.ts';
import type { LogBatchInput, Metric, Param, Tag } from './types.ts';

export interface LogBatchLimits {
  readonly metrics: number;
  readonly params: number;
  readonly tags: number;
  readonly entities: number;
  /** Estimated JSON bytes of the entities in one request. */
  readonly bytes: number;
}

export const MLFLOW_LOG_BATCH_LIMITS: LogBatchLimits = { metrics: 1000, params: 100, tags: 100, entities: 1000, bytes: 900_000 };

export interface LogBatchChunk {
  readonly metrics: Metric[];
  readonly params: Param[];
  readonly tags: Tag[];
}

function jsonBytes(value: unknown): number {
  // +1 for the comma between list items.
  return Buffer.byteLength(JSON.stringify(value), 'utf8') + 1;
}

/** The batch as a list of requests in logging order; an empty batch needs none. */
export function splitLogBatch(batch: LogBatchInput, given: LogBatchLimits = MLFLOW_LOG_BATCH_LIMITS): LogBatchChunk[] {
  // A limit below 1 would let a pass take nothing and never end.
  const limits: LogBatchLimits = {
    metrics: Math.max(1, given.metrics),
    params: Math.max(1, given.params),
    tags: Math.max(1, given.tags),
    entities: Math.max(1, given.entities),
    bytes: given.bytes,
  };
  const metrics = batch.metrics ?? [];
  const params = batch.params ?? [];
  const tags = batch.tags ?? [];
  const chunks: LogBatchChunk[] = [];
  let m = 0;
  let p = 0;
  let t = 0;
  // Every pass takes at least one entity, so this ends after at most (all entities) passes.
  while (m < metrics.length || p < params.length || t < tags.length) {
    const chunk: LogBatchChunk = { metrics: [], params: [], tags: [] };
    let entities = 0;
    let bytes = 0;
    const fits = (size: number): boolean => entities < limits.entities && (entities === 0 || bytes + size <= limits.bytes);
    while (p < params.length && chunk.params.length < limits.params) {
      const param = params[p] as Param;
      const size = jsonBytes(paramToWire(param));
      if (!fits(size)) break;
      chunk.params.push(param);
      entities++;
      bytes += size;
      p++;
    }
    while (t < tags.length && chunk.tags.length < limits.tags) {
      const tag = tags[t] as Tag;
      const size = jsonBytes(tagToWire(tag));
      if (!fits(size)) break;
      chunk.tags.push(tag);
      entities++;
      bytes += size;
      t++;
    }
    while (m < metrics.length && chunk.metrics.length < limits.metrics) {
      const metric = metrics[m] as Metric;
      const size = jsonBytes(metricToWire(metric));
      if (!fits(size)) break;
      chunk.metrics.push(metric);
      entities++;
      bytes += size;
      m++;
    }
    chunks.push(chunk);
  }
  return chunks;
}
