// Bayesian search through Optuna's ask-and-tell API, in the interpreter the user selected: a small
// Python driver (optunaDriverSource.ts) run as a child process, JSON lines over stdin/stdout. Every
// request has an id and a timeout; a driver that dies fails what is pending with its exit status
// and the end of its stderr. The driver keeps nothing: `start` replays the trials the tracking
// store holds, so the study resumes after a reload or a crash without repeating finished trials.
import { spawn, execFile, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { pythonScript } from '../system/pythonScript.ts';
import { OPTUNA_DRIVER_SOURCE } from './optunaDriverSource.ts';
import { optunaDistributions } from './space.ts';
import type { EarlyStopping, ParamValue, SweepSpec } from './types.ts';

/** One parameter as the driver asks it, in the sweep file's order. */
export interface DriverParam {
  readonly name: string;
  readonly type: 'float' | 'int' | 'categorical';
  readonly low?: number;
  readonly high?: number;
  readonly step?: number;
  readonly log?: boolean;
  readonly choices?: readonly ParamValue[];
  readonly when?: { readonly param: string; readonly in: readonly ParamValue[] };
}

/** A trial the store has, replayed into the new study. `key` is the sweep's trial number. */
export interface ReplayTrial {
  readonly key: number;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly state: 'complete' | 'pruned' | 'fail' | 'running';
  readonly value?: number;
  /** Intermediate values by step (what the pruner compares against). */
  readonly intermediate?: Readonly<Record<string, number>>;
}

export interface DriverInit {
  readonly direction: 'minimize' | 'maximize';
  readonly sampler: SweepSpec['sampler'];
  readonly seed: number;
  readonly pruner?: EarlyStopping;
  readonly params: readonly DriverParam[];
  readonly trials: readonly ReplayTrial[];
}

export type CheckOptunaResult = { ok: true; version: string } | { ok: false; message: string; install: string };

const INIT_TIMEOUT_MS = 120_000;
const REQUEST_TIMEOUT_MS = 60_000;

/** The exact line that installs Optuna into `python`. */
export function optunaInstallLine(python: string): string {
  return `"${python}" -m pip install optuna`;
}

/** Whether `python` can import Optuna (bounded by `timeoutMs`); if not, what to run to fix it. */
export function checkOptuna(python: string, timeoutMs = 60_000): Promise<CheckOptunaResult> {
  const install = optunaInstallLine(python);
  return new Promise((resolve) => {
    execFile(python, ['-c', 'import optuna; print(optuna.__version__)'], { timeout: timeoutMs, windowsHide: true }, (err, stdout, stderr) => {
      const version = String(stdout).trim();
      if (!err && version) return resolve({ ok: true, version });
      const detail = String(stderr).trim().split('\n').pop() ?? '';
      const reason =
        (err as NodeJS.ErrnoException | null)?.code === 'ENOENT'
          ? `The Python interpreter ${python} was not found.`
          : /ModuleNotFoundError|No module named/.test(String(stderr))
            ? `Optuna is not installed in ${python}.`
            : err?.killed
              ? `Importing Optuna in ${python} did not finish within ${Math.round(timeoutMs / 1000)} s.`
              : `Optuna could not be imported in ${python}${detail ? ` (${detail})` : ''}.`;
      resolve({ ok: false, message: `${reason} Bayesian search and parameter importance use Optuna; install it with: ${install}`, install });
    });
  });
}

interface Pending {
  resolve(result: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class OptunaDriverError extends Error {
  override readonly name = 'OptunaDriverError';
}

export class OptunaDriver {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffer = '';
  private stderrTail = '';
  private exited: string | undefined;
  /** The Optuna version the driver runs, once started. */
  version = '';
  /** The replayed trials' new Optuna numbers, by the sweep's trial number. */
  numbers: ReadonlyMap<number, number> = new Map();
  /** Replayed trials the study could not take (the space changed), with why. */
  skipped: readonly { key: number; error: string }[] = [];

  private readonly python: string;
  private readonly child: ChildProcessWithoutNullStreams;

  private constructor(python: string, child: ChildProcessWithoutNullStreams) {
    this.python = python;
    this.child = child;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onData(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (this.stderrTail = (this.stderrTail + chunk).slice(-4000)));
    child.stdin.on('error', () => undefined); // a dead driver's EPIPE; the exit handler says why
    child.on('error', (err) => this.fail(`could not be started (${err.message})`));
    child.on('close', (code, signal) => this.fail(signal ? `was ended by ${signal}` : `exited with status ${code}`));
  }

  /** Starts the driver in `python` and replays `init.trials` into a fresh study. */
  static async start(python: string, init: DriverInit): Promise<OptunaDriver> {
    const child = spawn(python, ['-u', pythonScript(OPTUNA_DRIVER_SOURCE, 'optuna', 'optuna_driver')], { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true, env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    const driver = new OptunaDriver(python, child);
    try {
      // The driver says it is ready (id 0) once Optuna is imported.
      await driver.await(0, INIT_TIMEOUT_MS);
      const result = (await driver.request('init', init, INIT_TIMEOUT_MS)) as { version: string; numbers: Record<string, number>; skipped: { key: number; error: string }[] };
      driver.version = result.version;
      driver.numbers = new Map(Object.entries(result.numbers).map(([key, number]) => [Number(key), number]));
      driver.skipped = result.skipped;
      return driver;
    } catch (err) {
      await driver.close();
      throw err;
    }
  }

  async ask(): Promise<{ optunaNumber: number; params: Record<string, ParamValue> }> {
    const result = (await this.request('ask', {})) as { number: number; params: Record<string, ParamValue> };
    return { optunaNumber: result.number, params: result.params };
  }

  async tell(optunaNumber: number, result: { value?: number; state: 'complete' | 'pruned' | 'fail' }): Promise<void> {
    if (result.state === 'complete' && (result.value === undefined || !Number.isFinite(result.value))) {
      throw new OptunaDriverError(`Optuna trial ${optunaNumber}: a complete trial needs a finite objective value.`);
    }
    await this.request('tell', { number: optunaNumber, state: result.state, ...(result.state === 'complete' ? { value: result.value } : {}) });
  }

  /** Reports an intermediate value; the study's pruner says whether to stop the trial. */
  async report(optunaNumber: number, step: number, value: number): Promise<{ prune: boolean }> {
    return (await this.request('report', { number: optunaNumber, step, value })) as { prune: boolean };
  }

  /** fANOVA importances (Optuna's FanovaImportanceEvaluator, seed 0) over the complete trials. */
  async importance(): Promise<{ values: { param: string; importance: number }[]; trials: number }> {
    return (await this.request('importance', {}, INIT_TIMEOUT_MS)) as { values: { param: string; importance: number }[]; trials: number };
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  /** Ends the driver (stdin closed; killed if it lingers). */
  async close(): Promise<void> {
    if (this.exited !== undefined) return;
    const ended = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await ended;
    clearTimeout(timer);
  }

  private request(op: string, body: object, timeoutMs = REQUEST_TIMEOUT_MS): Promise<unknown> {
    const id = this.nextId++;
    const reply = this.await(id, timeoutMs, op);
    if (this.exited === undefined) this.child.stdin.write(`${JSON.stringify({ ...body, id, op })}\n`);
    return reply;
  }

  private await(id: number, timeoutMs: number, op = 'start'): Promise<unknown> {
    if (this.exited !== undefined) return Promise.reject(new OptunaDriverError(this.deadMessage()));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new OptunaDriverError(`The Optuna driver (${this.python}) did not answer '${op}' within ${Math.round(timeoutMs / 1000)} s.`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let newline = this.buffer.indexOf('\n');
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      newline = this.buffer.indexOf('\n');
      if (!line) continue;
      let message: { id?: number; ok?: boolean; result?: unknown; error?: string };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        continue; // not ours: the driver sends its own output to stderr, so this is noise
      }
      const pending = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!pending || message.id === undefined) continue;
      this.pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.ok) pending.resolve(message.result);
      else pending.reject(new OptunaDriverError(this.errorText(message.error ?? 'unknown error')));
    }
  }

  private errorText(error: string): string {
    if (/^ImportError|ModuleNotFoundError/.test(error)) return `${error}. Install Optuna with: ${optunaInstallLine(this.python)}`;
    return `Optuna: ${error}`;
  }

  private fail(why: string): void {
    if (this.exited !== undefined) return;
    this.exited = why;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new OptunaDriverError(this.deadMessage()));
      this.pending.delete(id);
    }
  }

  private deadMessage(): string {
    const tail = this.stderrTail.trim().split('\n').slice(-5).join('\n');
    return `The Optuna driver (${this.python}) ${this.exited ?? 'ended'}${tail ? `:\n${tail}` : '.'}`;
  }
}

/** The sweep's parameters as the driver asks them (the file's order: a conditional one after its parent). */
export function driverParams(spec: SweepSpec): DriverParam[] {
  return Object.entries(optunaDistributions(spec)).map(([name, d]): DriverParam => ({ name, ...d }));
}
