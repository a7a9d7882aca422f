// Launching tracked runs: how soon a tracked launch has its process running and how much wall
// time tracking adds to a small script until the run is FINISHED, each against plain `python`
// in the same run (issue 13: start < 100 ms, overhead < 300 ms); and how fast the real mlflow
// client's log_batch lands in our endpoint (against a real `mlflow server` taking the same calls).
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ARTIFACTS } from '../src/core/launch/conventions.ts';
import { launchTrackedRun } from '../src/core/launch/launchTrackedRun.ts';
import { SqliteTrackingStore } from '../src/core/store/sqlite/sqliteTrackingStore.ts';
import { TrackingEndpoint } from '../src/host/launch/trackingEndpoint.ts';
import { startMlflowServer } from '../test/support/mlflowServer.ts';
import { QUIET_PYTHON_ENV, runPython, testPython } from '../test/support/python.ts';
import type { Benchmark } from './timing.ts';

const fixtures = path.resolve(import.meta.dirname, '..', 'test', 'fixtures', 'launch');
const POINTS = Number(process.env.LABBOOK_BENCH_POINTS ?? 100_000);
const ARGS = ['--lr', '0.1', '--epochs', '20'];
/** Launches measured after the first (which starts the endpoint and fills the pip freeze cache). */
const LAUNCHES = 7;

interface Setup {
  dir: string;
  store: SqliteTrackingStore;
  endpoint: TrackingEndpoint;
  /** A git repository holding the script, with an uncommitted edit (so the patch is captured too). */
  project: string;
}
let setup: Setup | undefined;

function local(): Setup {
  setup ??= (() => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-bench-launch-'));
    const store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    const quiet = { info: () => undefined, warn: () => undefined, trace: () => undefined, error: () => undefined };
    const endpoint = new TrackingEndpoint({ get: () => store }, quiet);
    const project = path.join(dir, 'project');
    mkdirSync(project);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: project, stdio: 'ignore', timeout: 30_000 });
    git('init', '-q', '-b', 'main');
    copyFileSync(path.join(fixtures, 'printed_metrics.py'), path.join(project, 'printed_metrics.py'));
    git('add', '.');
    git('-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-qm', 'bench');
    writeFileSync(path.join(project, 'printed_metrics.py'), `# an uncommitted edit\n${readFileSync(path.join(fixtures, 'printed_metrics.py'), 'utf8')}`);
    return { dir, store, endpoint, project };
  })();
  return setup;
}

/** Stops the endpoint and removes the temp store, if a benchmark made them. */
export async function dispose(): Promise<void> {
  if (!setup) return;
  const { dir, store, endpoint } = setup;
  endpoint.dispose();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

/** Milliseconds from the start of a launch (or of a plain spawn) to each moment. */
interface LaunchTimes {
  /** The process exists (spawn returned its pid). */
  start: number;
  /** The script's first output arrived. */
  firstOutput: number;
  /** The run is FINISHED in the store (plain python: the process has exited). */
  finished: number;
  /** Every capture is attached (tracked launches only). */
  captured: number;
}

/** A tracked launch as the editor's command makes it: the endpoint (started on first use), the run, the process. */
async function trackedLaunch(): Promise<LaunchTimes> {
  const { dir, store, endpoint, project } = local();
  const t0 = performance.now();
  let firstOutput = Number.NaN;
  const running = await endpoint.get();
  if (!running) throw new Error('no endpoint');
  const run = await launchTrackedRun({
    store, trackingUri: running.server.url, trackingToken: running.server.token, experimentName: 'bench', python: testPython(), cwd: project,
    program: { kind: 'script', file: 'printed_metrics.py', args: ARGS }, owner: 'bench', spoolDir: path.join(dir, 'spool'), cacheDir: path.join(dir, 'cache'),
    env: QUIET_PYTHON_ENV,
    onOutput: (chunk) => {
      if (chunk.stream !== 'labbook' && Number.isNaN(firstOutput)) firstOutput = performance.now() - t0;
    },
  });
  const start = performance.now() - t0;
  const outcome = await run.done;
  const finished = performance.now() - t0;
  await run.captured;
  const captured = performance.now() - t0;
  const stored = await store.getRun(run.runId);
  if (outcome.status !== 'FINISHED' || stored.info.status !== 'FINISHED') throw new Error(`bench run ended ${outcome.status}: ${outcome.notes.join('; ')}`);
  // Every capture landed: the figures count only complete runs.
  for (const artifact of [ARTIFACTS.requirements, ARTIFACTS.environment, ARTIFACTS.gitPatch, ARTIFACTS.recipe]) await store.readArtifact(run.runId, artifact);
  return { start, firstOutput, finished, captured };
}

/** The same script under plain `python -u`, timed the same way. */
function plainLaunch(): Promise<LaunchTimes> {
  const { project } = local();
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(testPython(), ['-u', 'printed_metrics.py', ...ARGS], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...QUIET_PYTHON_ENV } });
    const start = performance.now() - t0;
    let firstOutput = Number.NaN;
    const seen = () => {
      if (Number.isNaN(firstOutput)) firstOutput = performance.now() - t0;
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ start, firstOutput, finished: performance.now() - t0, captured: Number.NaN });
      else reject(new Error(`python exited ${code}`));
    });
  });
}

interface LaunchFigures {
  /** The first launch: endpoint cold, pip freeze not cached yet. */
  first: LaunchTimes;
  tracked: LaunchTimes;
  plain: LaunchTimes;
}
let figures: Promise<LaunchFigures> | undefined;

/** Tracked and plain launches taken in turns (so both see the same machine load); medians per moment. */
function launchFigures(): Promise<LaunchFigures> {
  figures ??= (async () => {
    const first = await trackedLaunch();
    await plainLaunch();
    const tracked: LaunchTimes[] = [];
    const plain: LaunchTimes[] = [];
    for (let i = 0; i < LAUNCHES; i++) {
      tracked.push(await trackedLaunch());
      plain.push(await plainLaunch());
    }
    return { first, tracked: medians(tracked), plain: medians(plain) };
  })();
  return figures;
}

function medians(samples: readonly LaunchTimes[]): LaunchTimes {
  const median = (key: keyof LaunchTimes) => {
    const sorted = samples.map((s) => s[key]).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  };
  return { start: median('start'), firstOutput: median('firstOutput'), finished: median('finished'), captured: median('captured') };
}

const ms = (value: number) => `${Math.round(value)} ms`;

/** Wall time of the client's log_batch calls, and how much of it was HTTP round trips (wire + server). */
async function ingest(env: Record<string, string>): Promise<{ ms: number; runId: string; roundTripMs: number }> {
  const result = await runPython([path.join(fixtures, 'ingest_points.py'), String(POINTS)], env, 900_000);
  if (result.code !== 0) throw new Error(`ingest failed: ${result.stderr.slice(-2000)}`);
  const [ms, runId, roundTripMs] = result.stdout.trim().split('\n').at(-1)?.split(' ') ?? [];
  return { ms: Number(ms), runId: runId ?? '', roundTripMs: Number(roundTripMs) };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'tracked launch of a small script: command → process start',
    async run() {
      const { tracked, plain } = await launchFigures();
      return {
        oursMs: tracked.start,
        peer: 'plain python start',
        peerMs: plain.start,
        target: `start ≤ 100 ms; the script's first output after ${ms(tracked.firstOutput)} (plain python ${ms(plain.firstOutput)})`,
        met: tracked.start <= 100,
      };
    },
  },
  {
    name: 'tracked launch of a small script: command → FINISHED',
    async run() {
      const { first, tracked, plain } = await launchFigures();
      const overhead = tracked.finished - plain.finished;
      return {
        oursMs: tracked.finished,
        peer: 'plain python',
        peerMs: plain.finished,
        target:
          `overhead ${ms(overhead)} (≤ 300 ms); captures attached after ${ms(tracked.captured)}; ` +
          `first launch (endpoint cold, pip freeze not cached): FINISHED after ${ms(first.finished)}, captures after ${ms(first.captured)}`,
        met: overhead <= 300,
      };
    },
  },
  {
    name: `mlflow client log_batch of ${POINTS / 1000}k points (1000 a call)`,
    async run() {
      const { store, endpoint } = local();
      const running = await endpoint.get();
      if (!running) throw new Error('no endpoint');
      const ours = await ingest({ MLFLOW_TRACKING_URI: running.server.url, MLFLOW_TRACKING_TOKEN: running.server.token });
      const landed = (await store.getMetricHistory(ours.runId, 'loss')).length;
      if (landed !== POINTS) throw new Error(`${landed} of ${POINTS} points landed`);
      const mlflow = await startMlflowServer();
      let peerMs: number;
      try {
        peerMs = (await ingest({ MLFLOW_TRACKING_URI: mlflow.url })).ms;
      } finally {
        await mlflow.dispose();
      }
      const pointsPerSecond = POINTS / (ours.ms / 1000);
      // The Python client's own work (building, validating, serialising) is the time outside its HTTP round trips.
      const clientShare = Math.round((100 * (ours.ms - ours.roundTripMs)) / ours.ms);
      return {
        oursMs: ours.ms,
        peer: 'mlflow server',
        peerMs,
        target: `${Math.round(pointsPerSecond / 1000)}k points/s (${clientShare}% in the Python client outside HTTP), faster than mlflow server`,
        met: ours.ms < peerMs,
      };
    },
  },
];
