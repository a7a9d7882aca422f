import { spawn } from 'node:child_process';

/** The interpreter of the test venv (requirements-test.txt); the test runner sets it. */
export function testPython(): string {
  const python = process.env.LABBOOK_TEST_PYTHON;
  if (!python) throw new Error('LABBOOK_TEST_PYTHON is not set: run these tests through `npm test` (or `npm run test:interop`), which creates the Python venv.');
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
export function runPython(args: readonly string[], env: Record<string, string>, timeoutMs = 120_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(testPython(), [...args], { env: { ...process.env, ...QUIET_PYTHON_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
