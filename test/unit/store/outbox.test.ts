import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../../src/core/sqlite/openDatabase.ts';
import { TrackingError } from '../../../src/core/store/errors.ts';
import { MLFLOW_LOG_BATCH_LIMITS, splitLogBatch } from '../../../src/core/store/logBatchChunks.ts';
import { Outbox } from '../../../src/core/store/outbox/outbox.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { DatasetInput, LogBatchInput } from '../../../src/core/store/types.ts';

describe('store/outbox: queued log batches', () => {
  let dir: string;
  let server: SqliteTrackingStore;
  let outbox: Outbox | undefined;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-outbox-unit-'));
    server = new SqliteTrackingStore(path.join(dir, 'server.db'));
  });
  afterEach(async () => {
    outbox?.close();
    outbox = undefined;
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The queued payloads' sizes in bytes, read from the outbox file itself. */
  function queuedPayloadBytes(file: string): number[] {
    const db = openDatabase(file, {}, { readonly: true });
    try {
      return db.prepare("SELECT length(CAST(payload AS BLOB)) FROM queue WHERE state = 'pending' ORDER BY seq").pluck().all() as number[];
    } finally {
      db.close();
    }
  }

  it('cuts a batch by bytes as well as by count (splitLogBatch), so no queued entry is over MLflow\'s request size', async () => {
    const run = await server.createRun({ experimentId: '0', runName: 'wide' });
    // 100 tags fit one request by count, but 8000 three-byte characters each make ~2.4 MB.
    const batch: LogBatchInput = {
      tags: Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: '€'.repeat(8000) })),
      params: Array.from({ length: 3 }, (_, i) => ({ key: `p${i}`, value: 'x' })),
      metrics: Array.from({ length: 5 }, (_, i) => ({ key: 'm', value: i, timestamp: i, step: i })),
    };
    const file = path.join(dir, 'outbox.db');
    outbox = new Outbox(file, server);
    outbox.logBatch(run.info.runId, batch);
    const expected = splitLogBatch(batch);
    assert.ok(expected.length >= 3, `the splitter cuts it (${expected.length} chunks)`);
    assert.equal(outbox.state().pending, expected.length);
    const sizes = queuedPayloadBytes(file);
    assert.equal(sizes.length, expected.length);
    for (const size of sizes) assert.ok(size < 1_000_000 && size <= MLFLOW_LOG_BATCH_LIMITS.bytes + 10_000, `an entry of ${size} bytes`);
    assert.equal(await outbox.flush(), expected.length);
    const shipped = await server.getRun(run.info.runId);
    assert.equal(shipped.data.tags.filter((t) => /^t\d+$/.test(t.key) && t.value === '€'.repeat(8000)).length, 100);
    assert.equal(shipped.data.params.length, 3);
    assert.equal((await server.getMetricHistory(run.info.runId, 'm')).length, 5);
  });

  it('queues dataset inputs as one JSON entry that survives a reopen and ships to the store', async () => {
    const run = await server.createRun({ experimentId: '0', runName: 'inputs' });
    const datasets: DatasetInput[] = [
      { tags: [{ key: 'mlflow.data.context', value: 'input' }], dataset: { name: 'data/a.csv', digest: 'd1', sourceType: 'local', source: '{"uri": "data/a.csv"}', schema: '{}', profile: '{"rows": 3}' } },
      { tags: [], dataset: { name: 'data/b', digest: 'd2', sourceType: 'local', source: '{"uri": "data/b"}' } },
    ];
    const file = path.join(dir, 'outbox.db');
    outbox = new Outbox(file, server);
    outbox.logInputs(run.info.runId, datasets);
    outbox.close();
    const db = openDatabase(file, {}, { readonly: true });
    try {
      const payloads = db.prepare("SELECT payload FROM queue WHERE state = 'pending'").pluck().all() as string[];
      assert.deepEqual(payloads.map((p) => JSON.parse(p) as unknown), [{ op: 'logInputs', ref: run.info.runId, datasets, models: [] }]);
    } finally {
      db.close();
    }
    outbox = new Outbox(file, server);
    assert.equal(await outbox.flush(), 1);
    const inputs = (await server.getRun(run.info.runId)).inputs?.datasetInputs ?? [];
    assert.deepEqual(new Map(inputs.map((i) => [i.dataset.name, i])), new Map(datasets.map((d) => [d.dataset.name, d])));
  });

  it('queues no inputs with an invalid tag, and sets aside inputs for a store that cannot log them', async () => {
    outbox = new Outbox(path.join(dir, 'outbox.db'), server);
    const dataset = { name: 'x', digest: 'd', sourceType: 'local', source: '{}' };
    assert.throws(() => outbox?.logInputs('0123456789abcdef0123456789abcdef', [{ tags: [{ key: '', value: 'v' }], dataset }]), (e: unknown) => e instanceof TrackingError && e.code === 'INVALID_PARAMETER_VALUE');
    assert.equal(outbox.state().pending, 0);
    outbox.close();
    // A remote with the other writes but no logInputs: the inputs are kept aside, with a reason, and the next write ships.
    const run = await server.createRun({ experimentId: '0' });
    const withoutInputs = { logBatch: server.logBatch.bind(server), setTag: server.setTag.bind(server), updateRun: server.updateRun.bind(server) };
    outbox = new Outbox(path.join(dir, 'no-inputs.db'), withoutInputs);
    outbox.logInputs(run.info.runId, [{ tags: [], dataset }]);
    outbox.setTag(run.info.runId, { key: 'after', value: 'inputs' });
    assert.equal(await outbox.flush(), 1);
    assert.deepEqual({ pending: outbox.state().pending, failed: outbox.state().failed }, { pending: 0, failed: 1 });
    assert.match(outbox.failures()[0]?.error ?? '', /cannot log dataset inputs/);
    assert.equal((await server.getRun(run.info.runId)).data.tags.find((t) => t.key === 'after')?.value, 'inputs');
  });

  it('queues nothing when one entry is invalid', () => {
    outbox = new Outbox(path.join(dir, 'outbox.db'), server);
    const bad: LogBatchInput = { params: [{ key: 'ok', value: '1' }, { key: 'too-long', value: 'x'.repeat(6001) }] };
    assert.throws(() => outbox?.logBatch('0123456789abcdef0123456789abcdef', bad), (e: unknown) => e instanceof TrackingError && e.code === 'INVALID_PARAMETER_VALUE');
    assert.equal(outbox.state().pending, 0);
  });
});
