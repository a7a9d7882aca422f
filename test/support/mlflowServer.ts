/**
 * A real `mlflow server` for interop tests and benchmarks: SQLite backend and proxied artifacts in
 * a temp folder, bound to 127.0.0.1 on a free port, in its own process group so stopping it also
 * stops its uvicorn workers. The Python comes from LABBOOK_TEST_PYTHON (the test runner sets it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testPython } from './python.ts';

export interface MlflowServerOptions {
  /** The venv's python; LABBOOK_TEST_PYTHON by default. */
  readonly python?: string;
  /** Where mlflow.db and artifacts/ live; a fresh temp folder (removed by `dispose`) by default. */
  readonly dataDir?: string;
  readonly port?: number;
  /** The first start migrates a new database, which takes a while. Default 90 s. */
  readonly startTimeoutMs?: number;
  /** uvicorn workers; 1 by default (MLflow's default of 4 only slows tests down). */
  readonly workers?: number;
  readonly extraArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export interface MlflowServer {
  /** e.g. `http://127.0.0.1:41234`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Stops the server (SIGTERM to its group, SIGKILL after 10 s). Safe to call twice. */
  stop(): Promise<void>;
  /** Stops it, then starts it again on the same port with the same store: an outage. */
  restart(): Promise<void>;
  /** Stops it and removes the data folder if this module made it. */
  dispose(): Promise<void>;
  /** The last lines the server printed, for failure messages. */
  logTail(): string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

const MAX_LOG_LINES = 200;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function isUp(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

// Servers still running when the test process ends (a crashed suite) are killed with it.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

export async function startMlflowServer(options: MlflowServerOptions = {}): Promise<MlflowServer> {
  const python = options.python ?? testPython();
  const mlflow = path.join(path.dirname(python), 'mlflow');
  if (!existsSync(mlflow)) throw new Error(`No mlflow CLI beside ${python}: is mlflow installed in that venv?`);
  const ownsDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'labbook-mlflow-'));
  mkdirSync(path.join(dataDir, 'artifacts'), { recursive: true });
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const startTimeoutMs = options.startTimeoutMs ?? 90_000;
  const log: string[] = [];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const remember = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      log.push(line);
      if (log.length > MAX_LOG_LINES) log.shift();
    }
  };

  const start = async (): Promise<void> => {
    const args = [
      'server',
      '--host', '127.0.0.1',
      '--port', String(port),
      '--workers', String(options.workers ?? 1),
      '--backend-store-uri', `sqlite:///${path.join(dataDir, 'mlflow.db')}`,
      '--artifacts-destination', path.join(dataDir, 'artifacts'),
      '--serve-artifacts',
      ...(options.extraArgs ?? []),
    ];
    const proc = spawn(mlflow, args, {
      cwd: dataDir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        // No telemetry, no update checks, no network beyond 127.0.0.1.
        MLFLOW_DISABLE_TELEMETRY: 'true',
        DO_NOT_TRACK: '1',
        MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR: 'false',
        // MLflow 3 otherwise starts a job runner and seven huey consumers next to the server.
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
        PYTHONUNBUFFERED: '1',
        ...options.env,
      },
    });
    child = proc;
    running.add(proc);
    proc.stdout?.on('data', remember);
    proc.stderr?.on('data', remember);
    let hasExited = false;
    exited = new Promise((resolve) => {
      proc.once('exit', () => {
        hasExited = true;
        running.delete(proc);
        resolve();
      });
      proc.once('error', (err) => {
        log.push(`spawn error: ${err.message}`);
        hasExited = true;
        running.delete(proc);
        resolve();
      });
    });

    const deadline = Date.now() + startTimeoutMs;
    while (Date.now() < deadline) {
      if (hasExited) {
        throw new Error(`mlflow server exited before it was ready (exit code ${proc.exitCode}):\n${log.slice(-40).join('\n')}`);
      }
      if (await isUp(url)) return;
      await delay(250);
    }
    await stop();
    throw new Error(`mlflow server did not answer ${url}/health within ${startTimeoutMs / 1000} s:\n${log.slice(-40).join('\n')}`);
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    if (proc === undefined) return;
    child = undefined;
    if (proc.exitCode === null && proc.signalCode === null) {
      killGroup(proc, 'SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), delay(10_000).then(() => false)]);
      if (!stopped) {
        killGroup(proc, 'SIGKILL');
        await Promise.race([exited, delay(5_000)]);
      }
    }
    // uvicorn's workers are in the same group; make sure none outlives the parent.
    killGroup(proc, 'SIGKILL');
    running.delete(proc);
  };

  try {
    await start();
  } catch (err) {
    await stop();
    if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    url,
    port,
    dataDir,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    dispose: async () => {
      await stop();
      if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    },
    logTail: () => log.join('\n'),
  };
}
