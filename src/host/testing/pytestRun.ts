// One pytest process for the chosen tests of one test file (a module-scoped fixture, such as the
// generated pipeline run, then runs once), read back through its JUnit XML report. No VS Code here:
// unit tests run it with real Python.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCommand } from '../../core/launch/processes.ts';
import { parseJunitXml, type JunitCase } from './junitReport.ts';

export interface PytestRequest {
  readonly python: string;
  /** The folder pytest runs in (the exported package: tests/conftest.py puts it on sys.path). */
  readonly cwd: string;
  /** The test file, absolute. */
  readonly file: string;
  /** pytest ids within the file (`test_x`, `TestC::test_x`); empty runs the whole file. */
  readonly ids: readonly string[];
  readonly signal?: AbortSignal;
  readonly onOutput?: (text: string) => void;
  readonly timeoutMs?: number;
}

export type PytestOutcome =
  | { readonly kind: 'ran'; readonly cases: JunitCase[]; readonly exitCode: number | null }
  | { readonly kind: 'cancelled' }
  /** pytest could not run at all: no interpreter, no pytest, no report; `message` is for the user. */
  | { readonly kind: 'failed'; readonly message: string };

/** 30 minutes: a smoke test that takes longer is not one; the bound keeps a hung test from running forever. */
const DEFAULT_TIMEOUT_MS = 30 * 60_000;

export async function runPytest(request: PytestRequest): Promise<PytestOutcome> {
  const work = await mkdtemp(path.join(tmpdir(), 'labbook-pytest-'));
  const report = path.join(work, 'report.xml');
  const relative = path.relative(request.cwd, request.file) || request.file;
  const targets = request.ids.length ? request.ids.map((id) => `${relative}::${id}`) : [relative];
  // No .pytest_cache in the user's package; the package is the rootdir whatever ini files sit above it.
  const args = ['-m', 'pytest', ...targets, '-q', '-p', 'no:cacheprovider', '--rootdir', request.cwd, `--junitxml=${report}`];
  request.onOutput?.(`$ ${request.python} ${args.join(' ')}\n`);
  try {
    const result = await runCommand(request.python, args, {
      cwd: request.cwd,
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
      timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxBytes: 8 * 1024 * 1024,
      ...(request.signal ? { signal: request.signal } : {}),
      onOutput: (_stream, chunk) => request.onOutput?.(chunk.toString('utf8')),
    });
    if (result.failure === 'cancelled') return { kind: 'cancelled' };
    if (result.failure === 'ENOENT' || result.failure === 'EACCES') {
      return { kind: 'failed', message: `The Python interpreter ${request.python} was not found (${result.failure}). Select one with the Python extension or set labbook.python.path.` };
    }
    const stderr = result.stderr.toString('utf8');
    if (/No module named pytest\b/.test(stderr)) {
      return { kind: 'failed', message: `pytest is not installed in ${request.python}. Install it with:\n  ${request.python} -m pip install pytest` };
    }
    let xml: string;
    try {
      xml = await readFile(report, 'utf8');
    } catch {
      const why = result.failure ?? `exit code ${String(result.code)}`;
      const tail = stderr.trim().split('\n').slice(-10).join('\n');
      return { kind: 'failed', message: `pytest wrote no report (${why}).${tail ? `\n${tail}` : ''}` };
    }
    return { kind: 'ran', cases: parseJunitXml(xml), exitCode: result.code };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
