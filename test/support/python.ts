import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The test venv's interpreter (requirements-test.txt), or a clear error: tests that need it fail, never skip. */
export function testPython(): string {
  const python = process.env.LABBOOK_TEST_PYTHON;
  if (!python) {
    throw new Error(
      'LABBOOK_TEST_PYTHON is not set: it must name the python of the test venv (`npm test`, `npm run test:unit` or ' +
        '`npm run test:interop` set it up; by hand: LABBOOK_TEST_PYTHON=~/.cache/labbook/venv-*/bin/python).',
    );
  }
  if (!existsSync(python)) throw new Error(`LABBOOK_TEST_PYTHON is ${python}, which does not exist.`);
  return python;
}

/** Python and the network-facing libraries it loads stay quiet and offline. */
export const QUIET_PYTHON_ENV = {
  MLFLOW_DISABLE_TELEMETRY: 'true',
  DO_NOT_TRACK: '1',
  MLFLOW_ENABLE_ASYNC_LOGGING: 'false',
  PYTHONUNBUFFERED: '1',
  GIT_PYTHON_REFRESH: 'quiet',
};

/** Runs a Python script to completion (bounded by `timeoutMs`); resolves with its output. */
export function runPython(args: readonly string[], env: Record<string, string>, timeoutMs = 120_000, cwd?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(testPython(), [...args], { ...(cwd ? { cwd } : {}), env: { ...process.env, ...QUIET_PYTHON_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
