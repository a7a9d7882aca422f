// `labbook run`: its arguments (Labbook's options, then the program in either form), and a real
// tracked run from the command line: the program's output and exit status pass through, the run
// id is printed, the run is in the local store with its params, status and data record.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { programOf, splitRunArgs } from '../../../src/cli/runCommand.ts';
import { UsageError } from '../../../src/cli/usage.ts';
import { parseDataRecord } from '../../../src/core/data/dataRecord.ts';
import { ARTIFACTS } from '../../../src/core/launch/conventions.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { displayUri } from '../../../src/shared/displayUri.ts';
import { runCli } from '../../support/cli.ts';
import { QUIET_PYTHON_ENV, testPython } from '../../support/python.ts';

const cli = path.resolve(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.ts');

describe('cli: labbook run', function () {
  this.timeout(120_000);

  it('splits its own options from the program, with or without --', () => {
    assert.deepEqual(splitRunArgs(['--experiment', 'e', '--no-observe', '--', 'python', 'train.py', '--lr', '1']), {
      options: ['--experiment', 'e', '--no-observe'], program: ['python', 'train.py', '--lr', '1'],
    });
    assert.deepEqual(splitRunArgs(['--name', 'r1', 'train.py', '--experiment', 'x']), { options: ['--name', 'r1'], program: ['train.py', '--experiment', 'x'] });
    assert.deepEqual(programOf(['/venv/bin/python3.11', '-u', 'train.py', '--lr', '1'], 'python3'), { python: '/venv/bin/python3.11', file: 'train.py', args: ['--lr', '1'] });
    assert.deepEqual(programOf(['train.py'], 'py'), { python: 'py', file: 'train.py', args: [] });
    assert.throws(() => programOf(['python', '-m', 'pkg'], 'python3'), UsageError);
    assert.throws(() => programOf(['python'], 'python3'), UsageError);
    assert.throws(() => programOf(['notes.txt'], 'python3'), UsageError);
  });

  it('prints a tracking URI as scheme://host[:port] only: no user, password, path or query (CI keeps what it prints)', async () => {
    assert.equal(displayUri('https://ci-user:s3cret@mlflow.example.com:8443/api/?token=abc#x'), 'https://mlflow.example.com:8443');
    assert.equal(displayUri('http://127.0.0.1:5000'), 'http://127.0.0.1:5000');
    assert.equal(displayUri('databricks://profile:tok@workspace'), 'databricks://workspace');
    assert.doesNotMatch(displayUri('not a uri s3cret'), /s3cret/);
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-cli-run-uri-'));
    try {
      const result = await runCli(['run', '--', testPython(), 'job.py'], { cwd: dir, env: { MLFLOW_TRACKING_URI: 'sftp://ci-user:s3cret@127.0.0.1:2222/x?token=abc' } });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /sftp:\/\/127\.0\.0\.1:2222\) is not an http\(s\) server/);
      assert.doesNotMatch(result.stderr, /s3cret|ci-user|token=abc/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs a script as a tracked run: output and exit status through, run id printed, run recorded with its data', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-cli-run-'));
    try {
      mkdirSync(path.join(dir, 'data'));
      writeFileSync(path.join(dir, 'data', 'in.txt'), 'hello\n');
      writeFileSync(
        path.join(dir, 'job.py'),
        'import sys\ntext = open(sys.argv[2]).read()\nprint("read", len(text))\nprint("labbook: metric size=%d step=0" % len(text))\nopen("out.txt", "w").write(text)\nsys.exit(int(sys.argv[4]))\n',
      );
      const env: Record<string, string> = { ...(process.env as Record<string, string>), ...QUIET_PYTHON_ENV };
      delete env['MLFLOW_TRACKING_URI'];
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [cli, 'run', '--experiment', 'cli', '--name', 'first', '--', testPython(), 'job.py', '--in', 'data/in.txt', '--code', '3'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
        child.on('error', reject);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      });
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stdout, /^read 6$/m);
      const runId = /\[labbook\] run ([0-9a-f]{32}) \(first\)/.exec(result.stderr)?.[1];
      assert.ok(runId, result.stderr);
      assert.match(result.stderr, new RegExp(`run ${runId} FAILED \\(exit 3\\)`));

      const store = new SqliteTrackingStore(path.join(dir, '.labbook', 'tracking.db'));
      try {
        const run = await store.getRun(runId);
        assert.equal(run.info.status, 'FAILED');
        assert.equal(run.data.params.find((p) => p.key === 'in')?.value, 'data/in.txt');
        assert.equal(run.data.metrics.find((m) => m.key === 'size')?.value, 6);
        const data = parseDataRecord(new TextDecoder().decode(await store.readArtifact(runId, ARTIFACTS.dataRecord)));
        assert.deepEqual(data?.inputs.map((e) => e.path), ['data/in.txt']);
        assert.deepEqual(data?.outputs.map((e) => e.path), ['out.txt']);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
