// The tracking core against a real `mlflow server` (SQLite backend) on this machine, same run:
// metric ingest through log-batch over HTTP, and runs/search with a filter over 10k runs; plus
// the downsampled history of a 1M-point metric. Needs the Python venv (bench/run.mjs makes it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalTrackingServer } from '../src/core/mlflow/server/localTrackingServer.ts';
import { SqliteTrackingStore } from '../src/core/store/sqlite/sqliteTrackingStore.ts';
import { startMlflowServer } from '../test/support/mlflowServer.ts';
import { runPython } from '../test/support/python.ts';
import { rawInsert10kMs } from './sqlite.bench.ts';
import { medianMs, type Benchmark } from './timing.ts';

const RUNS = Number(process.env.LABBOOK_BENCH_RUNS ?? 10_000);

interface Endpoint {
  url: string;
  headers: Record<string, string>;
}

async function call(endpoint: Endpoint, route: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${endpoint.url}/api/2.0/mlflow/${route}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...endpoint.headers },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${route}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

/** Points per second through log-batch (1000 metrics a request, sent one after another). */
async function ingestRate(endpoint: Endpoint, batches: number): Promise<{ msPerBatch: number; pointsPerSecond: number }> {
  const { run } = (await call(endpoint, 'runs/create', { experiment_id: '0', start_time: Date.now() })) as { run: { info: { run_id: string } } };
  const runId = run.info.run_id;
  // Request bodies are built before the clock starts: this measures the server, not the client.
  const now = Date.now();
  const bodies = Array.from({ length: batches + 1 }, (_, b) =>
    JSON.stringify({ run_id: runId, metrics: Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: Math.sin(b * 1000 + i), timestamp: now + i, step: b * 1000 + i })) }),
  );
  const send = async (body: string) => {
    const response = await fetch(`${endpoint.url}/api/2.0/mlflow/runs/log-batch`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...endpoint.headers }, body });
    if (!response.ok) throw new Error(`log-batch: HTTP ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  };
  await send(bodies[0] ?? ''); // warm-up
  const start = performance.now();
  for (let i = 1; i <= batches; i++) await send(bodies[i] ?? '');
  const ms = performance.now() - start;
  return { msPerBatch: ms / batches, pointsPerSecond: (batches * 1000) / (ms / 1000) };
}

const SEARCH = { filter: "metrics.rmse < 0.2 and params.model = 'rf' and tags.stage = 'dev'", order_by: ['metrics.rmse ASC'], max_results: 100 };

async function searchMs(endpoint: Endpoint, experimentId: string): Promise<number> {
  return medianMs(() => call(endpoint, 'runs/search', { experiment_ids: [experimentId], ...SEARCH }), 7);
}

interface Setup {
  ours: Endpoint;
  mlflow: Endpoint;
  dispose(): Promise<void>;
  store: SqliteTrackingStore;
}

let setup: Promise<Setup> | undefined;

/** One local store + endpoint and one mlflow server, shared by the benchmarks below. */
function both(): Promise<Setup> {
  setup ??= (async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-bench-'));
    const store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    const local = await startLocalTrackingServer({ store });
    const mlflow = await startMlflowServer({ workers: 4 });
    return {
      store,
      ours: { url: local.url, headers: { Authorization: `Bearer ${local.token}` } },
      mlflow: { url: mlflow.url, headers: {} },
      async dispose() {
        await local.close();
        await store.close();
        await mlflow.dispose();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  })();
  return setup;
}

/** Stops the servers the benchmarks started, if any. */
export async function dispose(): Promise<void> {
  if (setup) await (await setup).dispose();
}

export const benchmarks: Benchmark[] = [
  {
    name: 'log-batch ingest over HTTP (1000 metrics/request)',
    async run() {
      const { ours, mlflow } = await both();
      const mine = await ingestRate(ours, 200);
      const theirs = await ingestRate(mlflow, 10);
      const ratio = mine.pointsPerSecond / theirs.pointsPerSecond;
      // The limit: SQLite's own insert rate into a plain table, measured here in the same run.
      const raw = 10_000 / ((await rawInsert10kMs()) / 1000);
      const share = mine.pointsPerSecond / raw;
      return {
        oursMs: mine.msPerBatch,
        peer: 'mlflow server',
        peerMs: theirs.msPerBatch,
        target: `≥50% of raw SQLite inserts and ≥400k points/s (got ${Math.round(mine.pointsPerSecond / 1000)}k/s, ${Math.round(100 * share)}% of ${Math.round(raw / 1000)}k/s, ${ratio.toFixed(1)}× mlflow)`,
        met: share >= 0.5 && mine.pointsPerSecond >= 400_000,
      };
    },
  },
  {
    name: `runs/search with a filter over ${RUNS} runs (HTTP)`,
    async run() {
      const s = await both();
      const populate = await runPython([path.join(import.meta.dirname, 'fixtures', 'populate_mlflow.py'), 'search', String(RUNS)], { MLFLOW_TRACKING_URI: s.mlflow.url }, 1_800_000);
      if (populate.code !== 0) throw new Error(`populating mlflow failed: ${populate.stderr.slice(-2000)}`);
      const theirExperiment = populate.stdout.trim().split('\n').at(-1) ?? '';
      const ourExperiment = await s.store.createExperiment('search');
      const now = Date.now();
      for (let i = 0; i < RUNS; i++) {
        const { info } = await s.store.createRun({ experimentId: ourExperiment, runName: `run-${i}`, startTime: now + i });
        await s.store.logBatch(info.runId, {
          metrics: [
            { key: 'rmse', value: (i % 1000) / 1000, timestamp: now, step: 0 },
            { key: 'mae', value: (i % 500) / 500, timestamp: now, step: 0 },
            { key: 'r2', value: (i % 97) / 97, timestamp: now, step: 0 },
          ],
          params: [{ key: 'model', value: ['rf', 'gbm', 'linear'][i % 3] ?? 'rf' }, { key: 'depth', value: String(i % 12) }, { key: 'lr', value: String((i % 10) / 100) }],
          tags: [{ key: 'stage', value: i % 4 === 0 ? 'prod' : 'dev' }],
        });
      }
      const mine = await searchMs(s.ours, ourExperiment);
      const theirs = await searchMs(s.mlflow, theirExperiment);
      return {
        oursMs: mine,
        peer: 'mlflow server',
        peerMs: theirs,
        target: `<50 ms and ≥10× (got ${(theirs / mine).toFixed(1)}×)`,
        met: mine < 50 && theirs / mine >= 10,
      };
    },
  },
  {
    name: 'downsampled history of a 1M-point metric (1000 buckets)',
    async run() {
      const s = await both();
      const { info } = await s.store.createRun({ experimentId: '0' });
      for (let start = 0; start < 1_000_000; start += 1000) {
        await s.store.logBatch(info.runId, { metrics: Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: Math.sin(start + i), timestamp: start + i, step: start + i })) });
      }
      const ms = await medianMs(() => s.store.getMetricHistoryDownsampled(info.runId, 'loss', 1000), 5);
      return { oursMs: ms, target: '<100 ms', met: ms < 100 };
    },
  },
];
