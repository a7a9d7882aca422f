// The generated GitHub workflow's steps run for real, as a runner runs them (the workflow sets
// `defaults.run.shell: bash`, which GitHub runs as `bash --noprofile --norc -eo pipefail`), each
// with only the secrets its own `env:` names (a step that needs the server and lacks them fails),
// in a temp repository against a real `mlflow server` standing in for the team's: the pipeline as a
// tracked run whose script (real mlflow + scikit-learn) registers a version, the candidate lookup
// over MLflow's REST API, the gate promoting it to @champion; then the data job's drift step
// against the champion's training data, quiet on the same data and warning (without failing) on
// shifted data; and a second training round promoting v2. The CLI is `labbook/dist/cli.js`, a shim
// over this checkout's source.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { readPipeline } from '../../src/core/ci/ciFiles.ts';
import { ciOptions } from '../../src/core/ci/ciModel.ts';
import { githubWorkflow } from '../../src/core/ci/githubWorkflow.ts';
import { CLI_ENTRY } from '../support/cli.ts';
import { startMlflowServer, type MlflowServer } from '../support/mlflowServer.ts';
import { QUIET_PYTHON_ENV, testPython } from '../support/python.ts';

const PIPELINE = `import os
import mlflow
import pandas as pd
from sklearn.linear_model import LinearRegression

here = os.path.dirname(os.path.abspath(__file__))
frame = pd.read_csv(os.path.join(here, "..", "..", "data", "train.csv"))
with mlflow.start_run():
    model = LinearRegression().fit(frame[["x"]], frame["y"])
    mlflow.log_metric("r2", float(model.score(frame[["x"]], frame["y"])))
    mlflow.sklearn.log_model(model, name="model", registered_model_name=os.environ["LABBOOK_MODEL"])
`;

function data(shift: number): string {
  const rows = ['x,y,c'];
  for (let i = 0; i < 300; i++) {
    const x = ((i * 37) % 101) / 10 + shift;
    rows.push(`${x},${2 * x + ((i * 13) % 7) / 10},${['a', 'b', 'c'][shift ? i % 2 : i % 3]}`);
  }
  return `${rows.join('\n')}\n`;
}

type Step = { name?: string; run?: string; env?: Record<string, string> };
type Workflow = { env: Record<string, string>; defaults?: { run?: { shell?: string } }; jobs: Record<string, { steps: Step[] }> };

describe('interop: the generated CI workflow run step by step against a real mlflow server', function () {
  this.timeout(900_000);
  let repo: string;
  let mlflow: MlflowServer;
  let workflow: Workflow;

  before(async () => {
    mlflow = await startMlflowServer();
    repo = mkdtempSync(path.join(tmpdir(), 'labbook-ci-interop-'));
    mkdirSync(path.join(repo, '.git'));
    mkdirSync(path.join(repo, 'pipelines', 'churn'), { recursive: true });
    mkdirSync(path.join(repo, 'data'));
    mkdirSync(path.join(repo, 'labbook', 'dist'), { recursive: true });
    writeFileSync(path.join(repo, 'pipelines', 'churn', 'pipeline.py'), PIPELINE);
    writeFileSync(path.join(repo, 'data', 'train.csv'), data(0));
    // Where the workflow expects the CLI: a shim over this checkout's entry (the bundle is a build away).
    writeFileSync(path.join(repo, 'labbook', 'dist', 'cli.js'), `import(${JSON.stringify(pathToFileURL(CLI_ENTRY).href)});\n`);
    const options = ciOptions({ model: 'ci-churn', dataPaths: ['data/train.csv'] });
    workflow = parse(githubWorkflow(readPipeline(repo, path.join(repo, 'pipelines', 'churn')), options)) as Workflow;
  });
  after(async () => {
    await mlflow?.dispose();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  /** One step's `run:` as GitHub's runner runs it: the workflow's env, then the step's, its secrets standing for the server. */
  function step(job: string, name: string): { code: number | null; out: string } {
    const found = workflow.jobs[job]?.steps.find((s) => s.name === name);
    const script = found?.run;
    assert.ok(script, `the ${job} job has a step "${name}"`);
    assert.equal(workflow.defaults?.run?.shell, 'bash', 'run as bash -eo pipefail');
    const secrets: Record<string, string> = { MLFLOW_TRACKING_URI: mlflow.url, MLFLOW_TRACKING_TOKEN: '', MLFLOW_TRACKING_USERNAME: '', MLFLOW_TRACKING_PASSWORD: '' };
    const secretOf = (value: string) => /^\$\{\{ secrets\.(\w+) \}\}$/.exec(value)?.[1];
    const stepEnv = Object.fromEntries(Object.entries(found?.env ?? {}).map(([k, v]) => [k, secretOf(v) === undefined ? v : (secrets[secretOf(v) ?? ''] ?? '')]));
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MLFLOW_')));
    const env: Record<string, string | undefined> = {
      ...inherited,
      ...QUIET_PYTHON_ENV,
      ...workflow.env,
      ...stepEnv,
      PATH: [path.dirname(testPython()), path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
      LABBOOK_VSIX_URL: '',
      GITHUB_RUN_ID: '42',
      GITHUB_ACTOR: 'ci-bot',
    };
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd: repo, env, encoding: 'utf8', timeout: 400_000 });
    return { code: result.status, out: `${result.stdout}${result.stderr}` };
  }
  const report = <T>(name: string) => JSON.parse(readFileSync(path.join(repo, 'labbook-reports', name), 'utf8')) as T;

  it('trains, finds the registered version, gates and promotes it; drift against @champion warns only on shifted data; v2 follows', () => {
    for (const name of ['Get the Labbook CLI', 'Check the MLflow server is configured', 'Data checks']) {
      const r = step('data', name);
      assert.equal(r.code, 0, `${name}: ${r.out}`);
    }
    // No champion yet: the drift step says it could not compare, and goes on.
    const early = step('data', "Drift against @champion's training data");
    assert.equal(early.code, 0, early.out);
    assert.match(early.out, /::warning::data\/train\.csv was not compared with @champion/);

    for (const name of ['Run the pipeline (tracked)', 'Find the candidate version', 'Gate against @champion and promote']) {
      const r = step('train', name);
      assert.equal(r.code, 0, `${name}: ${r.out}`);
    }
    assert.equal(readFileSync(path.join(repo, 'labbook-reports', 'candidate.txt'), 'utf8'), '1');
    assert.equal(report<{ promoted: boolean }>('gate.json').promoted, true);

    const same = step('data', "Drift against @champion's training data");
    assert.equal(same.code, 0, same.out);
    assert.match(same.out, /data\/train\.csv: no drift against the training data of @champion\./);
    assert.equal(report<{ dataset: { drifted: boolean } }>('drift-data-train-csv.json').dataset.drifted, false);

    writeFileSync(path.join(repo, 'data', 'train.csv'), data(5));
    const shifted = step('data', "Drift against @champion's training data");
    assert.equal(shifted.code, 0, shifted.out);
    assert.match(shifted.out, /::warning::data\/train\.csv drifted from the training data of @champion/);
    assert.equal(report<{ dataset: { drifted: boolean } }>('drift-data-train-csv.json').dataset.drifted, true);

    for (const name of ['Run the pipeline (tracked)', 'Find the candidate version', 'Gate against @champion and promote']) {
      const r = step('train', name);
      assert.equal(r.code, 0, `${name}: ${r.out}`);
    }
    assert.equal(readFileSync(path.join(repo, 'labbook-reports', 'candidate.txt'), 'utf8'), '2');
    const gate = report<{ promoted: boolean; entry: { toVersion: string; actor: string } }>('gate.json');
    assert.equal(gate.promoted, true);
    assert.equal(gate.entry.toVersion, '2');
  });
});
