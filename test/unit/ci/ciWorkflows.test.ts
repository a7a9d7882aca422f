// The generated CI files: what their jobs run (read back as YAML, not matched as text), that they
// validate against the published GitHub Actions and GitLab CI schemas (check-jsonschema from the
// test venv), that a broken workflow does not (so the validation can fail), that the shell they
// run is valid POSIX sh, and that an existing file is kept unless forced.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { ciOptions, CiOptionsError, isCron, pipelineSlug, shellQuote, type CiPipeline } from '../../../src/core/ci/ciModel.ts';
import { planCiFiles } from '../../../src/core/ci/ciFiles.ts';
import { defaultBranch } from '../../../src/core/ci/gitBranch.ts';
import { githubWorkflow } from '../../../src/core/ci/githubWorkflow.ts';
import { gitlabJobs, gitlabRootFile } from '../../../src/core/ci/gitlabCi.ts';
import { runPython } from '../../support/python.ts';

const pipeline: CiPipeline = { dir: 'pipelines/churn model', slug: 'churn-model', notebook: 'notebooks/churn.ipynb', hasRequirements: true, hasTests: true };
const options = ciOptions({ model: "churn's model", schedule: '30 2 * * 1-5', rules: ['metrics.rmse <= 1.0*champion', 'data not stale'], dataPaths: ['data/train set.csv', 'data/extra.parquet'] });

type Step = { name?: string; run?: string; uses?: string; if?: string; with?: Record<string, string>; env?: Record<string, string> };
type Workflow = { on: { push: { branches: string[] }; schedule: { cron: string }[] }; env: Record<string, string>; defaults?: { run?: { shell?: string } }; jobs: Record<string, { needs?: string; steps: Step[] }> };

async function validate(file: string, schema: string): Promise<{ code: number | null; out: string }> {
  const result = await runPython(['-m', 'check_jsonschema', '--builtin-schema', schema, file], {}, 60_000);
  return { code: result.code, out: result.stdout + result.stderr };
}

describe('ci: generated workflows', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'labbook-ci-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('GitHub: on push and the schedule, secrets from the repository, data checks → drift → smoke → pipeline → gate, reports uploaded', () => {
    const wf = parse(githubWorkflow(pipeline, options)) as Workflow;
    assert.deepEqual(wf.on.push.branches, ['main']);
    assert.deepEqual(wf.on.schedule, [{ cron: '30 2 * * 1-5' }]);
    assert.equal(wf.env.LABBOOK_MODEL, "churn's model");
    // bash with pipefail on every run: (GitHub runs an explicit `bash` as `bash --noprofile --norc -eo pipefail`).
    assert.equal(wf.defaults?.run?.shell, 'bash');
    // The secrets only on the steps that use the server: not workflow-wide, not on pip, the CLI download or actions.
    assert.deepEqual(Object.keys(wf.env).filter((k) => k.startsWith('MLFLOW_')), []);
    const withSecrets = Object.values(wf.jobs).flatMap((j) => j.steps).filter((st) => st.env?.MLFLOW_TRACKING_URI !== undefined).map((st) => st.name);
    assert.deepEqual(withSecrets, ['Check the MLflow server is configured', 'Data checks', "Drift against @champion's training data", 'Check the MLflow server is configured', 'Run the pipeline (tracked)', 'Find the candidate version', 'Gate against @champion and promote']);
    for (const st of Object.values(wf.jobs).flatMap((j) => j.steps)) {
      if (st.env) assert.deepEqual(st.env, { MLFLOW_TRACKING_URI: '${{ secrets.MLFLOW_TRACKING_URI }}', MLFLOW_TRACKING_TOKEN: '${{ secrets.MLFLOW_TRACKING_TOKEN }}', MLFLOW_TRACKING_USERNAME: '${{ secrets.MLFLOW_TRACKING_USERNAME }}', MLFLOW_TRACKING_PASSWORD: '${{ secrets.MLFLOW_TRACKING_PASSWORD }}' });
      if (st.uses || /pip install|Get the Labbook CLI|Smoke tests/.test(`${st.name ?? ''} ${st.run ?? ''}`)) assert.equal(st.env, undefined, `${st.name ?? st.uses} gets no secrets`);
    }
    assert.equal(wf.jobs.train?.needs, 'data');
    const data = wf.jobs.data?.steps ?? [];
    const train = wf.jobs.train?.steps ?? [];
    const run = (steps: Step[]) => steps.map((s) => s.run ?? '').join('\n');
    assert.match(run(data), /node labbook\/dist\/cli\.js check --checks \.labbook\/checks\.yaml --json > labbook-reports\/checks\.json/);
    assert.match(run(data), /drift "models:\/\$LABBOOK_MODEL@champion" 'data\/train set\.csv' --file 'data\/train set\.csv' --json > labbook-reports\/drift-data-train-set-csv\.json/);
    assert.match(run(data), /drift "models:\/\$LABBOOK_MODEL@champion" data\/extra\.parquet --file data\/extra\.parquet --json/);
    assert.match(run(data), /pip install -r 'pipelines\/churn model\/requirements\.txt' pytest/);
    assert.match(run(train), /python -m pytest -q 'pipelines\/churn model\/tests'/);
    assert.match(run(train), /cli\.js run --experiment "\$LABBOOK_EXPERIMENT" --name "ci-\$GITHUB_RUN_ID" --data-path 'data\/train set\.csv' --data-path data\/extra\.parquet -- python 'pipelines\/churn model\/pipeline\.py'/);
    assert.match(run(train), /gate "\$LABBOOK_MODEL" "\$candidate" --against @champion --promote @champion --rule 'metrics\.rmse <= 1\.0\*champion' --rule 'data not stale' --json > labbook-reports\/gate\.json/);
    const names = train.map((s) => s.name ?? s.uses);
    assert.ok(names.indexOf('Smoke tests') < names.indexOf('Run the pipeline (tracked)'));
    assert.ok(names.indexOf('Run the pipeline (tracked)') < names.indexOf('Gate against @champion and promote'));
    for (const steps of [data, train]) {
      const upload = steps.at(-1);
      assert.equal(upload?.uses, 'actions/upload-artifact@v4');
      assert.equal(upload?.if, 'always()');
      assert.equal(upload?.with?.path, 'labbook-reports/');
    }
  });

  it('GitHub and GitLab files validate with check-jsonschema; a broken workflow does not', async () => {
    const github = path.join(dir, 'labbook-churn.yml');
    writeFileSync(github, githubWorkflow(pipeline, options));
    const ok = await validate(github, 'vendor.github-workflows');
    assert.equal(ok.code, 0, ok.out);
    const gitlab = path.join(dir, 'labbook-churn.gitlab-ci.yml');
    writeFileSync(gitlab, gitlabJobs(pipeline, options));
    const okGitlab = await validate(gitlab, 'vendor.gitlab-ci');
    assert.equal(okGitlab.code, 0, okGitlab.out);
    const root = path.join(dir, '.gitlab-ci.yml');
    writeFileSync(root, gitlabRootFile(pipeline));
    const okRoot = await validate(root, 'vendor.gitlab-ci');
    assert.equal(okRoot.code, 0, okRoot.out);

    // The same workflow with a job that has no runs-on and a step with neither run nor uses.
    const broken = parse(githubWorkflow(pipeline, options)) as Workflow & { jobs: Record<string, Record<string, unknown>> };
    delete broken.jobs.train?.['runs-on'];
    (broken.jobs.data?.['steps'] as Step[]).push({ name: 'nothing to do' });
    const bad = path.join(dir, 'broken.yml');
    writeFileSync(bad, JSON.stringify(broken));
    const failed = await validate(bad, 'vendor.github-workflows');
    assert.equal(failed.code, 1, failed.out);
    const badGitlab = path.join(dir, 'broken.gitlab-ci.yml');
    writeFileSync(badGitlab, JSON.stringify({ job: { script: 'x', when: 'sometimes' } }));
    assert.equal((await validate(badGitlab, 'vendor.gitlab-ci')).code, 1);
  });

  it('GitLab: push to the default branch, schedules and the Run button; reports as artifacts; the train job needs the data job', () => {
    const jobs = parse(gitlabJobs(pipeline, options)) as Record<string, Record<string, unknown>>;
    const setup = jobs['.labbook-churn-model-setup'] ?? {};
    assert.deepEqual((setup.rules as { if: string }[]).map((r) => r.if), ['$CI_PIPELINE_SOURCE == "schedule"', '$CI_PIPELINE_SOURCE == "web"', '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH']);
    assert.equal(setup.image, 'python:3.12');
    const train = jobs['labbook-churn-model-train'] ?? {};
    assert.deepEqual(train.needs, ['labbook-churn-model-data']);
    assert.equal(train.stage, 'deploy');
    assert.deepEqual(train.artifacts, { name: 'labbook-churn-model-gate-report', when: 'always', paths: ['labbook-reports/'], expire_in: '30 days' });
    assert.match((train.script as string[]).join('\n'), /--actor "\$GITLAB_USER_LOGIN" --json > labbook-reports\/gate\.json/);
    // GitLab's variables reach every script: pip installs with them unset.
    assert.match((setup.before_script as string[]).join('\n'), /\(\n {2}unset MLFLOW_TRACKING_URI MLFLOW_TRACKING_TOKEN MLFLOW_TRACKING_USERNAME MLFLOW_TRACKING_PASSWORD\n {2}python -m pip install --upgrade pip\n {2}python -m pip install -r 'pipelines\/churn model\/requirements\.txt' pytest\n\)/);
  });

  it('pip runs without the server credentials (a real shell: the subshell unsets them)', () => {
    const gl = parse(gitlabJobs({ ...pipeline, hasRequirements: false, hasTests: false }, options)) as Record<string, { before_script?: string[] }>;
    const install = gl['.labbook-churn-model-setup']?.before_script?.find((b) => b.includes('pip install')) ?? '';
    // pip stood in for by a function that prints what it sees; after the subshell the variables are back.
    const script = `python() { echo "token=\${MLFLOW_TRACKING_TOKEN:-unset}"; }\n${install}\necho "after=$MLFLOW_TRACKING_TOKEN"`;
    const out = spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH, MLFLOW_TRACKING_TOKEN: 's3cret' } });
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.stdout, 'token=unset\nafter=s3cret\n');
  });

  it("the push branch: given, else the repository's default branch from git, else main", () => {
    assert.deepEqual(ciOptions({ model: 'm', branches: ['release'] }).branches, ['release']);
    const repo = path.join(dir, 'repo');
    const git = (...args: string[]) => spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
    assert.equal(defaultBranch(dir), 'main', 'not a repository: main');
    spawnSync('git', ['init', '-q', '-b', 'master', repo]);
    assert.equal(defaultBranch(repo), 'master', 'the branch checked out');
    assert.equal(git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/trunk').status, 0);
    assert.equal(defaultBranch(repo), 'trunk', "origin's default branch first");
    const wf = parse(githubWorkflow(pipeline, ciOptions({ model: 'm', branches: [defaultBranch(repo)] }))) as Workflow;
    assert.deepEqual(wf.on.push.branches, ['trunk']);
    // From a subfolder, as git -C does.
    mkdirSync(path.join(repo, 'pipelines', 'p'), { recursive: true });
    assert.equal(defaultBranch(path.join(repo, 'pipelines', 'p')), 'trunk');
    // A linked worktree (.git is a file pointing elsewhere): its own HEAD, origin/HEAD from the main repository.
    assert.equal(git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '--allow-empty', '-m', 'init').status, 0);
    const worktree = path.join(dir, 'wt');
    assert.equal(git('worktree', 'add', '-q', '-b', 'feature', worktree).status, 0);
    assert.equal(defaultBranch(worktree), 'trunk');
    assert.equal(git('symbolic-ref', '--delete', 'refs/remotes/origin/HEAD').status, 0);
    assert.equal(defaultBranch(worktree), 'feature', "the worktree's branch, not the main checkout's");
    assert.equal(defaultBranch(repo), 'master');
    // A .git file pointing nowhere, and a detached HEAD: main.
    const broken = path.join(dir, 'broken');
    mkdirSync(broken);
    writeFileSync(path.join(broken, '.git'), 'gitdir: ../missing\n');
    assert.equal(defaultBranch(broken), 'main');
    assert.equal(git('checkout', '-q', '--detach').status, 0);
    assert.equal(defaultBranch(repo), 'main');
  });

  it('every script block is valid POSIX sh (sh -n), quoting included', () => {
    const wf = parse(githubWorkflow(pipeline, options)) as Workflow;
    const gl = parse(gitlabJobs(pipeline, options)) as Record<string, { script?: string[]; before_script?: string[] }>;
    const blocks = [
      ...Object.values(wf.jobs).flatMap((j) => j.steps.map((s) => s.run).filter((r): r is string => !!r)),
      ...Object.values(gl).flatMap((j) => [...(j.before_script ?? []), ...(j.script ?? [])]),
    ];
    assert.ok(blocks.length >= 15);
    for (const block of blocks) {
      const check = spawnSync('sh', ['-n'], { input: block, encoding: 'utf8' });
      assert.equal(check.status, 0, `${check.stderr}\n${block}`);
    }
    // Shell quoting round-trips through a real shell.
    for (const word of ["it's", 'a b', '$HOME', 'plain', '"q"']) assert.equal(spawnSync('sh', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' }).stdout, word);
  });

  it('options: cron checked, defaults filled in, bad names refused', () => {
    assert.ok(isCron('0 6 * * *'));
    assert.ok(isCron('*/15 0-6 1,15 JAN-MAR MON-FRI'));
    assert.ok(!isCron('@daily'));
    assert.ok(!isCron('0 6 * *'));
    assert.ok(!isCron('0 6 * * * *'));
    const d = ciOptions({ model: 'm' });
    assert.equal(d.schedule, '0 6 * * *');
    assert.deepEqual(d.rules, ['data not stale']);
    assert.equal(d.alias, 'champion');
    assert.throws(() => ciOptions({ model: ' ' }), CiOptionsError);
    assert.throws(() => ciOptions({ model: 'm', schedule: 'daily' }), /not a five-field cron/);
    assert.throws(() => ciOptions({ model: 'm', dataPaths: ['/abs/data.csv'] }), /relative to the repository root/);
    assert.equal(pipelineSlug('pipelines/Churn Model_v2'), 'churn-model-v2');
  });

  it('plans: existing files are kept unless forced; an existing .gitlab-ci.yml is never rewritten, an include is suggested', () => {
    const present = new Set(['.github/workflows/labbook-churn-model.yml', '.gitlab-ci.yml']);
    const plan = planCiFiles(pipeline, options, { github: true, gitlab: true }, (p) => present.has(p), false);
    assert.deepEqual(plan.files.map((f) => [f.path, f.action]), [
      ['.github/workflows/labbook-churn-model.yml', 'keep'],
      ['ci/labbook-churn-model.gitlab-ci.yml', 'create'],
    ]);
    assert.match(plan.hints.join('\n'), /include:\n {2}- local: ci\/labbook-churn-model\.gitlab-ci\.yml/);
    const forced = planCiFiles(pipeline, options, { github: true, gitlab: false }, (p) => present.has(p), true);
    assert.deepEqual(forced.files.map((f) => f.action), ['overwrite']);
    const fresh = planCiFiles(pipeline, options, { github: false, gitlab: true }, () => false, false);
    assert.deepEqual(fresh.files.map((f) => f.path), ['ci/labbook-churn-model.gitlab-ci.yml', '.gitlab-ci.yml']);
    assert.throws(() => planCiFiles(pipeline, options, { github: false, gitlab: false }, () => false, false), /choose GitHub, GitLab or both/);
  });
});
