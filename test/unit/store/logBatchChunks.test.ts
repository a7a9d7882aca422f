import assert from 'node:assert/strict';
import { MLFLOW_LOG_BATCH_LIMITS, splitLogBatch } from '../../../src/core/store/logBatchChunks.ts';
import type { Metric, Param, Tag } from '../../../src/core/store/types.ts';

const metrics = (n: number): Metric[] => Array.from({ length: n }, (_, i) => ({ key: `m${i % 7}`, value: i, timestamp: i, step: i }));
const params = (n: number, valueLength = 3): Param[] => Array.from({ length: n }, (_, i) => ({ key: `p${i}`, value: 'v'.repeat(valueLength) }));
const tags = (n: number, valueLength = 3): Tag[] => Array.from({ length: n }, (_, i) => ({ key: `t${i}`, value: 't'.repeat(valueLength) }));

describe('store/logBatchChunks: splitting log-batch to MLflow limits', () => {
  it('needs no request for an empty batch and one for a small one', () => {
    assert.deepEqual(splitLogBatch({}), []);
    const small = splitLogBatch({ metrics: metrics(3), params: params(2), tags: tags(1) });
    assert.equal(small.length, 1);
    assert.equal(small[0]?.metrics.length, 3);
  });

  it('keeps every request within 1000 metrics, 100 params, 100 tags and 1000 entities, in order and complete', () => {
    const input = { metrics: metrics(2_345), params: params(250), tags: tags(130) };
    const chunks = splitLogBatch(input);
    for (const c of chunks) {
      assert.ok(c.metrics.length <= 1000 && c.params.length <= 100 && c.tags.length <= 100);
      assert.ok(c.metrics.length + c.params.length + c.tags.length <= 1000);
      assert.ok(c.metrics.length + c.params.length + c.tags.length > 0);
    }
    assert.deepEqual(chunks.flatMap((c) => c.metrics), input.metrics);
    assert.deepEqual(chunks.flatMap((c) => c.params), input.params);
    assert.deepEqual(chunks.flatMap((c) => c.tags), input.tags);
    // Params and tags go first; metrics fill the room they leave: 100+100+800 in the first.
    assert.deepEqual([chunks[0]?.params.length, chunks[0]?.tags.length, chunks[0]?.metrics.length], [100, 100, 800]);
  });

  it('splits exactly at 1000 metrics', () => {
    assert.deepEqual(splitLogBatch({ metrics: metrics(1000) }).map((c) => c.metrics.length), [1000]);
    assert.deepEqual(splitLogBatch({ metrics: metrics(1001) }).map((c) => c.metrics.length), [1000, 1]);
  });

  it('keeps each request body under the byte budget when values are long', () => {
    const input = { params: params(100, 6000), tags: tags(100, 8000) };
    const chunks = splitLogBatch(input);
    assert.ok(chunks.length >= 2);
    for (const c of chunks) {
      const bytes = Buffer.byteLength(JSON.stringify({ run_id: 'x', params: c.params, tags: c.tags }));
      assert.ok(bytes <= MLFLOW_LOG_BATCH_LIMITS.bytes + 200, `${bytes} bytes`);
    }
    assert.equal(chunks.reduce((n, c) => n + c.params.length + c.tags.length, 0), 200);
  });

  it('still sends an entity larger than the budget, alone, rather than looping', () => {
    const chunks = splitLogBatch({ params: params(3, 50) }, { ...MLFLOW_LOG_BATCH_LIMITS, bytes: 10 });
    assert.deepEqual(chunks.map((c) => c.params.length), [1, 1, 1]);
  });
});
