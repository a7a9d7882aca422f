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
import { runWriters } from './fixtures/writerProcess.ts';
import { rawInsert10kMs } from './sqlite.bench.ts';
import { medianMs, type Benchmark } from './timing.ts';

const RUNS = Number(process.env.LABBOOK_BENCH_RUNS ?? 10_000);

interface Endpoint {
  url: string;
  /** The bearer token, '' for none. */
  token: string;
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

/** Points per second through log-batch: 1000 metrics a request, sent one after another. */
interface IngestRate {
  runId: string;
  msPerBatch: number;
  pointsPerSecond: number;
}

/**
 * The client is a separate process (bench/fixtures/ingestWriter.ts --http), as every real client
 * is: in this process its HTTP work would share the server's one thread. It builds the request
 * bodies before the clock starts, so this measures the endpoint, not JSON.stringify.
 */
async function ingestRate(endpoint: Endpoint, points: number): Promise<IngestRate> {
  const [report] = await runWriters([['--http', endpoint.url, endpoint.token, String(points), '1000']]);
  if (!report) throw new Error('the log-batch client sent no report');
  if (report.otherErrors + report.lockErrors > 0) throw new Error(`log-batch failed ${report.otherErrors + report.lockErrors} times: ${report.firstError}`);
  const ms = report.endMs - report.startMs;
  return { runId: report.runId, msPerBatch: ms / (points / 1000), pointsPerSecond: points / (ms / 1000) };
}

/** Points per run of the client against Labbook's endpoint; the median of INGEST_REPEATS runs is reported. */
const INGEST_POINTS = 200_000;
const INGEST_REPEATS = 3;

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
      ours: { url: local.url, token: local.token, headers: { Authorization: `Bearer ${local.token}` } },
      mlflow: { url: mlflow.url, token: '', headers: {} },
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
      const { ours, mlflow, store } = await both();
      const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
      const rates: IngestRate[] = [];
      // The limit: SQLite's own insert rate into a plain table, measured right after each of our
      // runs, so each share compares two figures taken under the same machine load.
      const shares: number[] = [];
      const raws: number[] = [];
      for (let i = 0; i < INGEST_REPEATS; i++) {
        const rate = await ingestRate(ours, INGEST_POINTS);
        // Every acknowledged point is stored: a fast figure that lost data would be worthless.
        const stored = (await store.getMetricHistory(rate.runId, 'loss')).length;
        if (stored !== INGEST_POINTS) throw new Error(`log-batch stored ${stored} of ${INGEST_POINTS} points`);
        const raw = 10_000 / ((await rawInsert10kMs()) / 1000);
        rates.push(rate);
        raws.push(raw);
        shares.push(rate.pointsPerSecond / raw);
      }
      const pointsPerSecond = median(rates.map((r) => r.pointsPerSecond));
      const msPerBatch = median(rates.map((r) => r.msPerBatch));
      const share = median(shares);
      const raw = median(raws);
      const theirs = await ingestRate(mlflow, 10_000);
      const ratio = pointsPerSecond / theirs.pointsPerSecond;
      return {
        oursMs: msPerBatch,
        peer: 'mlflow server',
        peerMs: theirs.msPerBatch,
        target:
          `≥50% of raw SQLite inserts and ≥400k points/s (client in its own process; medians of ${INGEST_REPEATS} runs, each followed by the raw measure: ` +
          `${Math.round(pointsPerSecond / 1000)}k/s, ${Math.round(100 * share)}% of raw (raw ${Math.round(raw / 1000)}k/s), ${ratio.toFixed(1)}× mlflow)`,
        met: share >= 0.5 && pointsPerSecond >= 400_000,
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
