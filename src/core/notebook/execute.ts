// Runs a notebook top to bottom with nbclient in a given Python interpreter (a smoke test, and the
// engine behind "Run Notebook with Tracking"). Parameters go in papermill-style; every cell has a
// timeout; the executed notebook is written with its outputs even when a cell fails. A failing cell
// is a result (`ok: false`); a setup problem (no nbclient, a corrupt file, a dead process) throws.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JsonValue } from './notebookModel.ts';
import { EXECUTE_DRIVER } from './executeDriver.ts';

export interface ExecuteOptions {
  /** The Python interpreter (with nbclient and ipykernel). */
  python: string;
  notebookPath: string;
  /** Where the executed notebook goes (default: a temp folder; see `executedPath` in the result). */
  outputPath?: string;
  parameters?: Record<string, JsonValue>;
  /** Per cell; default 600. */
  cellTimeoutSeconds?: number;
  /** The kernel's working directory (default: the notebook's folder). */
  cwd?: string;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
}

export interface FailedCell {
  /** 0-based index in the notebook as written (an injected parameters cell not counted). */
  index: number;
  cellId?: string;
  ename: string;
  evalue: string;
  traceback: string[];
  /** The failure was in the injected parameters cell (a bad parameter value). */
  inInjectedParameters?: boolean;
}

export interface ExecuteResult {
  ok: boolean;
  executedPath: string;
  failedCell?: FailedCell;
  durationMs: number;
}

export type ExecuteErrorCode = 'missingDependency' | 'corruptNotebook' | 'pythonNotFound' | 'processDied' | 'cancelled' | 'unwritable';

/** Why a notebook could not be run at all; `message` is for the user. */
export class NotebookExecutionError extends Error {
  readonly code: ExecuteErrorCode;
  constructor(code: ExecuteErrorCode, message: string) {
    super(message);
    this.name = 'NotebookExecutionError';
    this.code = code;
  }
}

export const DEFAULT_CELL_TIMEOUT_SECONDS = 600;
/** After a cancel, how long the driver gets to stop its kernel before the process group is killed. */
const CANCEL_GRACE_MS = 3000;

interface DriverResult {
  status: 'ok' | 'failed' | 'missing' | 'corrupt' | 'cancelled' | 'unwritable';
  module?: string;
  message?: string;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  index?: number;
  cellId?: string;
  injected?: boolean;
}

export async function executeNotebook(options: ExecuteOptions): Promise<ExecuteResult> {
  if (options.signal?.aborted) throw new NotebookExecutionError('cancelled', 'The notebook run was cancelled.');
  const started = Date.now();
  const notebookPath = path.resolve(options.notebookPath);
  const work = await mkdtemp(path.join(tmpdir(), 'labbook-exec-'));
  const executedPath = path.resolve(options.outputPath ?? path.join(work, path.basename(notebookPath)));
  const resultPath = path.join(work, 'result.json');
  const timeout = options.cellTimeoutSeconds ?? DEFAULT_CELL_TIMEOUT_SECONDS;
  if (!(timeout > 0)) {
    await rm(work, { recursive: true, force: true });
    throw new RangeError(`cellTimeoutSeconds must be positive, got ${timeout}`);
  }
  let finished = false;
  try {
    const driver = path.join(work, 'labbook_execute.py');
    const args = path.join(work, 'args.json');
    await writeFile(driver, EXECUTE_DRIVER, 'utf8');
    await writeFile(
      args,
      JSON.stringify({ notebook: notebookPath, output: executedPath, result: resultPath, parameters: options.parameters ?? {}, timeout, cwd: path.resolve(options.cwd ?? path.dirname(notebookPath)) }),
      'utf8',
    );
    const exit = await runDriver(options, [driver, args]);
    let result: DriverResult | undefined;
    try {
      result = JSON.parse(await readFile(resultPath, 'utf8')) as DriverResult;
    } catch {
      result = undefined;
    }
    if (exit.cancelled) throw new NotebookExecutionError('cancelled', 'The notebook run was cancelled.');
    if (!result) {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      throw new NotebookExecutionError('processDied', `The Python process running ${path.basename(notebookPath)} ${how} before it finished.${tail(exit.stderr)}`);
    }
    switch (result.status) {
      case 'missing':
        throw new NotebookExecutionError(
          'missingDependency',
          `${options.python} cannot run notebooks: the Python module '${result.module ?? '?'}' is missing. Install it in that environment with:\n  ${options.python} -m pip install nbclient ipykernel`,
        );
      case 'corrupt':
        throw new NotebookExecutionError('corruptNotebook', `${notebookPath} is not a notebook Jupyter can read (${result.message ?? 'unknown error'}).`);
      case 'cancelled':
        throw new NotebookExecutionError('cancelled', 'The notebook run was cancelled.');
      case 'unwritable':
        throw new NotebookExecutionError('unwritable', `Cannot write the executed notebook to ${executedPath}: ${result.message ?? ''}`);
      case 'ok':
        finished = true;
        return { ok: true, executedPath, durationMs: Date.now() - started };
      case 'failed': {
        const failedCell: FailedCell = { index: result.index ?? -1, ename: result.ename ?? '', evalue: result.evalue ?? '', traceback: result.traceback ?? [] };
        if (result.cellId) failedCell.cellId = result.cellId;
        if (result.injected) failedCell.inInjectedParameters = true;
        finished = true;
        return { ok: false, executedPath, failedCell, durationMs: Date.now() - started };
      }
      default:
        throw new NotebookExecutionError('processDied', `The notebook runner reported an unknown status '${String((result as { status: unknown }).status)}'.`);
    }
  } finally {
    // The executed notebook stays when it was written into our temp folder (the default) and a run finished.
    await removeExcept(work, finished ? executedPath : undefined);
  }
}

async function removeExcept(work: string, keep: string | undefined): Promise<void> {
  if (keep !== undefined && path.dirname(keep) === work) {
    for (const name of ['labbook_execute.py', 'args.json', 'result.json']) await rm(path.join(work, name), { force: true });
  } else await rm(work, { recursive: true, force: true });
}

function tail(text: string): string {
  const trimmed = text.trim();
  return trimmed ? `\n${trimmed.split('\n').slice(-15).join('\n')}` : '';
}

interface DriverExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  cancelled: boolean;
}

function runDriver(options: ExecuteOptions, args: string[]): Promise<DriverExit> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, PYTHONUNBUFFERED: '1', ...options.env })) if (v !== undefined) env[k] = v;
    // Its own process group, so a cancel reaches the kernel it starts as well.
    const child = spawn(options.python, ['-u', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    let stderr = '';
    let cancelled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, signal);
        else child.kill(signal);
      } catch {
        // already gone
      }
    };
    const onAbort = () => {
      cancelled = true;
      // SIGINT lets the driver stop its kernel and save what ran; then the whole group goes.
      child.kill('SIGINT');
      killTimer = setTimeout(() => killGroup('SIGKILL'), CANCEL_GRACE_MS);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (text: string) => options.onOutput?.(text, 'stdout'));
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-20_000);
      options.onOutput?.(text, 'stderr');
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      reject(err.code === 'ENOENT' ? new NotebookExecutionError('pythonNotFound', `Python interpreter not found: ${options.python}`) : err);
    });
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      // Whatever the kernel left behind in the group goes with the driver.
      killGroup('SIGKILL');
      resolve({ code, signal, stderr, cancelled });
    });
  });
}
