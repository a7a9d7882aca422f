// The process behind a launched run, script or notebook, behind one small interface: its pid, its
// exit, and a way to signal it. Scripts are spawned here; notebooks go through an injected
// executor (src/core/notebook/execute.ts plugs in through `NotebookExecutor`).
import { spawn } from 'node:child_process';
import { killGroup } from './processes.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

export interface ProgramExit {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why the program never ran or could not finish (spawn failure, executor error). */
  readonly error?: string;
  /** Notebooks: the executed notebook, saved as `labbook/notebook/<name>.ipynb`. */
  readonly executedNotebook?: Uint8Array;
}

export interface RunningProgram {
  readonly pid: number | undefined;
  readonly exited: Promise<ProgramExit>;
  /** SIGTERM asks politely, SIGKILL ends it (and its process group). */
  signal(signal: 'SIGTERM' | 'SIGKILL'): void;
}

export interface NotebookExecutionRequest {
  /** Absolute path of the .ipynb. */
  readonly file: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly python: string;
  readonly cwd: string;
  /** The full environment for the kernel, MLFLOW_RUN_ID and friends included. */
  readonly env: Readonly<Record<string, string>>;
  /** Cell output (and the executor's own messages) as it happens. */
  readonly onOutput: (stream: 'stdout' | 'stderr', text: string) => void;
}

export interface NotebookExecution {
  /** The kernel's (or the executing process's) pid, when known: recorded for recovery and killed on stop. */
  readonly pid?: number;
  /** Resolves when execution ends; `ok: false` with `error` when a cell failed. Should not reject. */
  readonly done: Promise<{ readonly ok: boolean; readonly executedNotebook?: Uint8Array; readonly error?: string }>;
  /** Interrupts execution and shuts the kernel down. */
  stop(): Promise<void>;
}

/** Adapter point for `executeNotebook` (src/core/notebook/execute.ts). */
export type NotebookExecutor = (request: NotebookExecutionRequest) => NotebookExecution;

/** How long to wait for the output pipes to close after the process exited (grandchildren may hold them). */
const PIPE_DRAIN_MS = 2_000;

export function spawnScript(
  python: string,
  file: string,
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>>,
  onData: (stream: 'stdout' | 'stderr', bytes: Buffer) => void,
  /** A Python file that runs `file` itself (the data-observing bootstrap): `python -u <runner> <file> args…`. */
  runner?: string,
): RunningProgram {
  const child = spawn(python, ['-u', ...(runner ? [runner] : []), file, ...args], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (b: Buffer) => onData('stdout', b));
  child.stderr?.on('data', (b: Buffer) => onData('stderr', b));
  const exited = new Promise<ProgramExit>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      // Only spawn failures reach here before an exit; later errors (a failed kill) do not matter.
      if (child.pid === undefined) resolve({ exitCode: null, signal: null, error: `could not start ${python} (${err.code ?? err.message})` });
    });
    child.once('exit', (exitCode, signal) => {
      const drained = new Promise<void>((done) => child.once('close', () => done()));
      const timer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, PIPE_DRAIN_MS);
      void drained.then(() => {
        clearTimeout(timer);
        resolve({ exitCode, signal });
      });
    });
  });
  return {
    pid: child.pid,
    exited,
    signal: (signal) => void killGroup(child.pid, signal),
  };
}

export function runNotebook(executor: NotebookExecutor, request: NotebookExecutionRequest): RunningProgram {
  let execution: NotebookExecution;
  try {
    execution = executor(request);
  } catch (err) {
    return { pid: undefined, exited: Promise.resolve({ exitCode: null, signal: null, error: `the notebook executor failed to start (${errorMessage(err)})` }), signal: () => undefined };
  }
  const exited = execution.done.then(
    (r): ProgramExit => ({ exitCode: r.ok ? 0 : 1, signal: null, ...(r.error ? { error: r.error } : {}), ...(r.executedNotebook ? { executedNotebook: r.executedNotebook } : {}) }),
    (err: unknown): ProgramExit => ({ exitCode: 1, signal: null, error: `notebook execution failed (${errorMessage(err)})` }),
  );
  return {
    pid: execution.pid,
    exited,
    signal: (signal) => {
      if (signal === 'SIGTERM') void execution.stop().catch(() => undefined);
      else killGroup(execution.pid, 'SIGKILL');
    },
  };
}
