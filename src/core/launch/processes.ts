// Short helper processes (git, pip, nvidia-smi): always bounded in time and output, never
// throwing, so a capture step that fails becomes a note instead of a failed launch.
import { spawn } from 'node:child_process';
import { errorMessage } from '../../shared/errorMessage.ts';

export interface CommandResult {
  /** null when the process did not exit normally (spawn error, signal, timeout). */
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** Why there is no normal exit: 'ENOENT', 'timed out after 30 s', a signal name… */
  readonly failure?: string;
}

export interface CommandOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  /** Output beyond this many bytes per stream is dropped (and `failure` says so). */
  readonly maxBytes?: number;
  readonly input?: Buffer;
  /** Aborting kills the process group (SIGTERM, then SIGKILL after 3 s); `failure` is then 'cancelled'. */
  readonly signal?: AbortSignal;
  /** Each chunk of output as it arrives (it is collected in the result as well). */
  readonly onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
}

export function runCommand(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(command, [...args], {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (err) {
      resolve({ code: null, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), failure: errorMessage(err) });
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let failure: string | undefined;
    child.stdout?.on('data', (chunk: Buffer) => {
      options.onOutput?.('stdout', chunk);
      if (outBytes + chunk.length > maxBytes) failure ??= `output exceeded ${maxBytes} bytes`;
      else out.push(chunk);
      outBytes += chunk.length;
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      options.onOutput?.('stderr', chunk);
      if (errBytes + chunk.length <= maxBytes) err.push(chunk);
      errBytes += chunk.length;
    });
    const timer = setTimeout(() => {
      failure = `timed out after ${Math.round(timeoutMs / 1000)} s`;
      killGroup(child.pid, 'SIGKILL');
    }, timeoutMs);
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      failure ??= 'cancelled';
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 3000);
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e: NodeJS.ErrnoException) => {
      failure ??= e.code ?? e.message;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      if (signal && !failure) failure = `killed by ${signal}`;
      resolve({ code: failure ? null : code, stdout: Buffer.concat(out), stderr: Buffer.concat(err), ...(failure ? { failure } : {}) });
    });
    if (options.input && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

/** Sends `signal` to the process group led by `pid` (processes started detached lead one). */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/** Whether a process with this pid exists on this host (EPERM means it exists, owned by someone else). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
