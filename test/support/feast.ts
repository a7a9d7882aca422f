// The feature store's tests: the Feast venv's interpreter (requirements-feast.txt), and a copy of
// the churn fixture repository (test/fixtures/feast/churn_repo) with its data written and its
// registry made by a real `feast apply`.
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { QUIET_PYTHON_ENV } from './python.ts';

export const FEAST_FIXTURE = path.join(import.meta.dirname, '..', 'fixtures', 'feast', 'churn_repo');

/** The Feast venv's python, or a clear error: the tests that need it fail, never skip. */
export function feastPython(): string {
  const python = process.env.LABBOOK_FEAST_PYTHON;
  if (!python) {
    throw new Error('LABBOOK_FEAST_PYTHON must name the python of the Feast venv (requirements-feast.txt; `node scripts/test.mjs interop` sets it up; by hand: ~/.cache/labbook/feast-*/bin/python).');
  }
  if (!existsSync(python)) throw new Error(`LABBOOK_FEAST_PYTHON is ${python}, which does not exist.`);
  return python;
}

function run(file: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { cwd, timeout: timeoutMs, env: { ...process.env, ...QUIET_PYTHON_ENV, FEAST_USAGE: 'False' } }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${errorTail(err, stderr)}`));
      else resolve();
    });
  });
}

function errorTail(err: Error, stderr: string | Buffer): string {
  return `${err.message}\n${String(stderr).slice(-2000)}`;
}

/** Copies the churn repository into `dir` (made) and writes its Parquet files, not applied; returns the repo folder. */
export async function churnRepoWithData(dir: string): Promise<string> {
  const repo = path.join(dir, 'churn_repo');
  cpSync(FEAST_FIXTURE, repo, { recursive: true });
  await run(feastPython(), ['make_data.py'], repo, 120_000);
  return repo;
}

/** A real `feast apply` in `repo`. */
export function feastApply(repo: string): Promise<void> {
  return run(path.join(path.dirname(feastPython()), 'feast'), ['apply'], repo, 300_000);
}

/** The churn repository with its data, applied by a real `feast apply`; returns the repo folder. */
export async function appliedChurnRepo(dir: string): Promise<string> {
  const repo = await churnRepoWithData(dir);
  await feastApply(repo);
  return repo;
}

const cli = path.resolve(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

/** `labbook ARGS` from source in `cwd` (Feast's telemetry off), with what it printed. */
export function runLabbookCli(args: readonly string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, FEAST_USAGE: 'False' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`labbook ${args.join(' ')} did not finish in time`));
    }, 200_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
