// `labbook ci init` run as a process in a temp repository holding an exported pipeline: it writes
// the files (valid for check-jsonschema), refuses to overwrite them without --force, never
// rewrites a user's .gitlab-ci.yml and prints the secrets to set.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { runCli } from '../../support/cli.ts';
import { runPython } from '../../support/python.ts';

const WORKFLOW = '.github/workflows/labbook-churn.yml';
const JOBS = 'ci/labbook-churn.gitlab-ci.yml';

describe('cli: labbook ci init', function () {
  this.timeout(120_000);
  let repo: string;
  beforeEach(() => {
    repo = mkdtempSync(path.join(tmpdir(), 'labbook-cli-ci-'));
    mkdirSync(path.join(repo, '.git'));
    const pipeline = path.join(repo, 'pipelines', 'churn');
    mkdirSync(path.join(pipeline, 'tests'), { recursive: true });
    writeFileSync(path.join(pipeline, 'pipeline.py'), 'print("run")\n');
    writeFileSync(path.join(pipeline, 'requirements.txt'), 'pandas\n');
    writeFileSync(path.join(pipeline, 'tests', 'test_smoke.py'), 'def test_ok():\n    pass\n');
    writeFileSync(path.join(pipeline, '.labbook-export.json'), JSON.stringify({ generator: 'labbook', version: 1, notebook: '../../churn.ipynb', files: {} }));
    mkdirSync(path.join(repo, 'data'));
    writeFileSync(path.join(repo, 'data', 'train.csv'), 'a,b\n1,2\n');
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('writes the GitHub workflow and the GitLab jobs (valid), prints the secrets; a second run refuses, --force overwrites', async () => {
    const first = await runCli(['ci', 'init', '--model', 'churn', '--data', '../data/train.csv', '--data', '../data/later.csv', '--schedule', '0 3 * * 1'], { cwd: path.join(repo, 'pipelines') });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /\.github\/workflows\/labbook-churn\.yml {2}\(GitHub Actions workflow\)/);
    assert.match(first.stdout, /MLFLOW_TRACKING_URI \(required\)/);
    assert.match(first.stderr, /data\/later\.csv is not there yet/);
    assert.match(first.stdout, /Pipeline schedules.*'0 3 \* \* 1'/);
    const workflow = readFileSync(path.join(repo, WORKFLOW), 'utf8');
    assert.match(workflow, /exported from churn\.ipynb/);
    const parsed = parse(workflow) as { on: { schedule: { cron: string }[] } };
    assert.deepEqual(parsed.on.schedule, [{ cron: '0 3 * * 1' }]);
    assert.match(workflow, /drift "models:\/\$LABBOOK_MODEL@champion" data\/train\.csv --file data\/train\.csv --json/);
    assert.match(readFileSync(path.join(repo, '.gitlab-ci.yml'), 'utf8'), /- local: ci\/labbook-churn\.gitlab-ci\.yml/);
    for (const [file, schema] of [[WORKFLOW, 'vendor.github-workflows'], [JOBS, 'vendor.gitlab-ci'], ['.gitlab-ci.yml', 'vendor.gitlab-ci']] as const) {
      const check = await runPython(['-m', 'check_jsonschema', '--builtin-schema', schema, path.join(repo, file)], {}, 60_000);
      assert.equal(check.code, 0, check.stdout + check.stderr);
    }

    writeFileSync(path.join(repo, WORKFLOW), '# edited by the team\n');
    const again = await runCli(['ci', 'init', 'pipelines/churn', '--model', 'churn', '--github'], { cwd: repo });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /not written, these files exist \(--force overwrites them\):\n {2}\.github\/workflows\/labbook-churn\.yml/);
    assert.equal(readFileSync(path.join(repo, WORKFLOW), 'utf8'), '# edited by the team\n');

    const forced = await runCli(['ci', 'init', 'pipelines/churn', '--model', 'churn', '--github', '--force'], { cwd: repo });
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /overwritten/);
    assert.match(readFileSync(path.join(repo, WORKFLOW), 'utf8'), /name: "Labbook: churn"/);
  });

  it("keeps the project's own .gitlab-ci.yml and says what to include", async () => {
    writeFileSync(path.join(repo, '.gitlab-ci.yml'), 'build:\n  script: make\n');
    const result = await runCli(['ci', 'init', 'pipelines/churn', '--model', 'churn', '--gitlab', '--force'], { cwd: repo });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(path.join(repo, '.gitlab-ci.yml'), 'utf8'), 'build:\n  script: make\n');
    assert.match(result.stdout, /\.gitlab-ci\.yml exists and was left as it is: add\ninclude:\n {2}- local: ci\/labbook-churn\.gitlab-ci\.yml\nto it\./);
    assert.ok(existsSync(path.join(repo, JOBS)));
    assert.ok(!existsSync(path.join(repo, WORKFLOW)));
  });

  it('bad input: no model, a bad schedule (exit 2), a folder that is not a pipeline (exit 1)', async () => {
    const noModel = await runCli(['ci', 'init', 'pipelines/churn'], { cwd: repo });
    assert.equal(noModel.code, 2);
    assert.match(noModel.stderr, /--model NAME is needed/);
    const badCron = await runCli(['ci', 'init', 'pipelines/churn', '--model', 'm', '--schedule', 'daily'], { cwd: repo });
    assert.equal(badCron.code, 2);
    assert.match(badCron.stderr, /'daily' is not a five-field cron schedule/);
    const notPipeline = await runCli(['ci', 'init', 'data', '--model', 'm'], { cwd: repo });
    assert.equal(notPipeline.code, 1);
    assert.match(notPipeline.stderr, /data is not an exported pipeline: it has no pipeline\.py/);
    assert.ok(!existsSync(path.join(repo, '.github')));
  });
});
