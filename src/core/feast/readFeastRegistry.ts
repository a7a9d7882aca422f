// Reads a Feast repository's registry through Feast, in the user's interpreter: the driver
// (feastDriverSource.ts) runs once, bounded by a timeout, and its one JSON answer is checked
// (feastRegistry.ts). A registry kept in a local file is read first by the quick reader
// (feastQuickSource.ts: Feast's protobuf schema without importing Feast, ~0.2 s instead of the
// seconds Feast's import takes); whatever it declines, and any answer of its that is not right, goes
// to the driver. The Feature Store view shows the quick listing at once and takes Feast's own read,
// which follows, as the last word (`onQuick`). Every way it can go wrong ends in a FeastReadFailure
// with a reason a user can act on: Feast missing (with the exact pip line), a repository Feast
// refuses (with Feast's own message), an interpreter that does not exist, a read that hangs, an
// answer that is not JSON.
import { execFile } from 'node:child_process';
import { errorMessage } from '../../shared/errorMessage.ts';
import { pythonScript } from '../system/pythonScript.ts';
import { FEAST_DRIVER_SOURCE } from './feastDriverSource.ts';
import { FEAST_QUICK_SOURCE } from './feastQuickSource.ts';
import { parseRegistryAnswer, type FeastRegistry } from './feastRegistry.ts';

export type FeastFailureKind = 'missing' | 'repo' | 'python' | 'timeout' | 'answer' | 'input' | 'declined';

export interface FeastReadFailure {
  readonly ok: false;
  readonly kind: FeastFailureKind;
  /** What went wrong and what to do, in a sentence or two. */
  readonly message: string;
  /** For `missing`: the command line that installs Feast into the interpreter. */
  readonly install?: string;
}

export type FeastReadResult = { readonly ok: true; readonly registry: FeastRegistry } | FeastReadFailure;

/** Importing Feast alone takes seconds on a busy machine; a registry on a remote backend more. */
export const FEAST_READ_TIMEOUT_MS = 120_000;

/** The exact line that installs Feast into `python`. */
export function feastInstallLine(python: string): string {
  return `"${python}" -m pip install feast`;
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

/**
 * Runs the driver in `mode` for the repository in `repo` (the folder of its feature_store.yaml),
 * in `python`, and builds the result from its answer with `build` (which throws FeastAnswerError
 * on a bad answer).
 */
export function runFeastDriver<T>(python: string, repo: string, mode: 'registry' | 'plan', build: (answer: unknown) => T, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<{ readonly ok: true; readonly value: T } | FeastReadFailure> {
  const what = mode === 'plan' ? 'Planning the Feast repository' : 'Reading the Feast registry';
  return runFeastScript(python, repo, { source: FEAST_DRIVER_SOURCE, stem: 'feast_registry', args: [mode], what }, build, options);
}

/** A shipped Feast script (`source`, written as `<stem>_<hash>.py`) run as `python script <repo> ...args`, its one-line JSON answer built by `build`; `what` names it in messages. */
export function runFeastScript<T>(
  python: string,
  repo: string,
  script: { readonly source: string; readonly stem: string; readonly args: readonly string[]; readonly what: string },
  build: (answer: unknown) => T,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<{ readonly ok: true; readonly value: T } | FeastReadFailure> {
  const timeoutMs = options.timeoutMs ?? FEAST_READ_TIMEOUT_MS;
  const { what } = script;
  let file: string;
  try {
    file = pythonScript(script.source, 'feast', script.stem);
  } catch (err) {
    return Promise.resolve({ ok: false, kind: 'python', message: `Labbook could not write its Feast script: ${errorMessage(err)}` });
  }
  return new Promise((resolve) => {
    execFile(
      python,
      [file, repo, ...script.args],
      { cwd: repo, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, windowsHide: true, env: { ...process.env, PYTHONUNBUFFERED: '1', FEAST_USAGE: 'False' }, ...(options.signal ? { signal: options.signal } : {}) },
      (err, stdout, stderr) => {
        const failed = err as (NodeJS.ErrnoException & { killed?: boolean }) | null;
        if (failed?.code === 'ENOENT') {
          resolve({ ok: false, kind: 'python', message: `The Python interpreter ${python} was not found. Select one with "Python: Select Interpreter" or set labbook.python.path.` });
          return;
        }
        if (failed?.name === 'AbortError') {
          resolve({ ok: false, kind: 'timeout', message: `${what} was cancelled.` });
          return;
        }
        if (failed?.killed) {
          resolve({ ok: false, kind: 'timeout', message: `${what} in ${repo} did not finish within ${Number((timeoutMs / 1000).toFixed(1))} s.` });
          return;
        }
        const detail = lastLine(String(stderr));
        let answer: unknown;
        try {
          answer = JSON.parse(lastLine(String(stdout)));
        } catch {
          resolve({ ok: false, kind: 'answer', message: `Feast could not be run in ${python}${detail ? `: ${detail}` : failed ? `: ${errorMessage(failed)}` : '.'}` });
          return;
        }
        const head = answer !== null && typeof answer === 'object' ? (answer as { ok?: unknown; kind?: unknown; error?: unknown }) : {};
        if (head.ok === false) {
          const error = typeof head.error === 'string' ? head.error : 'no reason given';
          if (head.kind === 'declined') {
            resolve({ ok: false, kind: 'declined', message: `${what} needs Feast itself: ${error}.` });
          } else if (head.kind === 'input') {
            resolve({ ok: false, kind: 'input', message: `${what} failed: ${error}.` });
          } else if (head.kind === 'missing') {
            const install = feastInstallLine(python);
            resolve({ ok: false, kind: 'missing', install, message: `Feast is not installed in ${python} (${error}). Labbook reads Feast repositories through Feast; install it with: ${install}` });
          } else {
            resolve({ ok: false, kind: 'repo', message: `Feast could not read the repository in ${repo}: ${error}. Check feature_store.yaml and the definitions, then run "feast apply" there.` });
          }
          return;
        }
        try {
          resolve({ ok: true, value: build(answer) });
        } catch (buildError) {
          resolve({ ok: false, kind: 'answer', message: errorMessage(buildError) });
        }
      },
    );
  });
}

export interface ReadRegistryOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** false: Feast itself only, no quick reader. */
  readonly quick?: boolean;
  /**
   * Given the quick reader's listing as soon as it has one; Feast itself then reads the registry
   * too, and its answer (or its refusal: a feature_store.yaml it rejects) is the result. Without
   * it, a quick listing is the result.
   */
  readonly onQuick?: (registry: FeastRegistry) => void;
}

/** The registry of the Feast repository in `repo` (the folder of its feature_store.yaml), read in `python`. */
export async function readFeastRegistry(python: string, repo: string, options: ReadRegistryOptions = {}): Promise<FeastReadResult> {
  const { timeoutMs, signal } = options;
  const limits = { ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(signal ? { signal } : {}) };
  if (options.quick !== false) {
    const quick = await readQuickly(python, repo, limits);
    if (quick.ok) {
      if (!options.onQuick) return quick;
      options.onQuick(quick.registry);
    } else if (quick.kind !== 'declined' && quick.kind !== 'answer') {
      // No interpreter, no Feast, a hang, a cancel: the driver would meet the same.
      return quick;
    }
  }
  const result = await runFeastDriver(python, repo, 'registry', parseRegistryAnswer, limits);
  return result.ok ? { ok: true, registry: result.value } : result;
}

/** The quick reader's answer alone: a listing, or `declined` with the reason it leaves the read to Feast. */
export async function readQuickly(python: string, repo: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<FeastReadResult> {
  const script = { source: FEAST_QUICK_SOURCE, stem: 'feast_quick', args: [], what: 'Reading the Feast registry' };
  const result = await runFeastScript(python, repo, script, parseRegistryAnswer, options);
  return result.ok ? { ok: true, registry: result.value } : result;
}
