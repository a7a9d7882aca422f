// The pipeline's stderr (which may hold a server URI with user:password) is kept outside the
// uploaded reports folder: the generated pipeline and candidate steps run for real in sh, with a
// stand-in CLI that prints like `labbook run` and a loopback server answering MLflow's search.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { ciOptions, type CiPipeline } from '../../../src/core/ci/ciModel.ts';
import { githubWorkflow } from '../../../src/core/ci/githubWorkflow.ts';
import { testPython } from '../../support/python.ts';

const pipeline: CiPipeline = { dir: 'pipe', slug: 'pipe', hasRequirements: false, hasTests: false };

function sh(script: string, cwd: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-e', '-c', script], { cwd, env, timeout: 60_000 });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('ci: the pipeline log stays out of the artifacts', function () {
  this.timeout(120_000);
  let dir: string;
  let server: Server;
  let searched = '';
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-ci-log-'));
    server = createServer((req, res) => {
      searched = req.url ?? '';
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ model_versions: [{ version: '2' }, { version: '7' }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('GitHub: the log goes to RUNNER_TEMP, the candidate step reads it there, labbook-reports/ has no log', async () => {
    const steps = (parse(githubWorkflow(pipeline, ciOptions({ model: 'm' }))) as { jobs: { train: { steps: { name?: string; run?: string }[] } } }).jobs.train.steps;
    const run = (name: string) => steps.find((s) => s.name === name)?.run ?? '';
    const repo = path.join(dir, 'repo');
    const runnerTemp = path.join(dir, 'runner-temp');
    mkdirSync(path.join(repo, 'labbook', 'dist'), { recursive: true });
    mkdirSync(runnerTemp);
    // Stands in for `labbook run`: the run id line, and an error quoting a URI with credentials.
    writeFileSync(path.join(repo, 'labbook', 'dist', 'cli.js'), "process.stderr.write('[labbook] run abc123 started\\nMlflowException: https://bob:hunter2@mlflow.example\\n');\n");
    const port = (server.address() as AddressInfo).port;
    const env = { PATH: `${path.dirname(testPython())}:${process.env.PATH ?? ''}`, RUNNER_TEMP: runnerTemp, LABBOOK_MODEL: 'm', LABBOOK_EXPERIMENT: 'e', MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}` };

    const piped = await sh(run('Run the pipeline (tracked)'), repo, env);
    assert.equal(piped.code, 0, piped.out);
    assert.match(piped.out, /hunter2/, 'the log is still shown in the job log (masked there by GitHub)');
    assert.deepEqual(readdirSync(path.join(repo, 'labbook-reports')), [], 'nothing of the log in the uploaded folder');
    assert.match(readFileSync(path.join(runnerTemp, 'labbook-pipeline-0.log'), 'utf8'), /\[labbook\] run abc123 /);

    const candidate = await sh(run('Find the candidate version'), repo, env);
    assert.equal(candidate.code, 0, candidate.out);
    assert.match(decodeURIComponent(searched), /run_id='abc123'/);
    assert.equal(readFileSync(path.join(repo, 'labbook-reports', 'candidate.txt'), 'utf8'), '7');
    assert.ok(!existsSync(path.join(runnerTemp, 'labbook-pipeline-0.log')), 'the log is removed once read');
    assert.ok(!readdirSync(path.join(repo, 'labbook-reports')).some((f) => f.endsWith('.log')));
  });
});
