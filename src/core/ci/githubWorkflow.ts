// The GitHub Actions workflow for an exported pipeline: two jobs, `data` (checks and drift) and
// `train` (smoke tests, the pipeline, the gate and the promotion), on push, on a schedule and by
// hand. Built as data and written by the `yaml` package, so quoting is its business, not ours.
// The secrets are set only on the steps that talk to the MLflow server: pip installing packages,
// the CLI download and third-party actions never see the token. Every `run:` is bash with
// pipefail (`defaults.run.shell: bash` gives `bash --noprofile --norc -eo pipefail`).
import { Document } from 'yaml';
import { CI_SECRETS, CLI_URL_VARIABLE, REPORTS_DIR, type CiOptions, type CiPipeline } from './ciModel.ts';
import { candidateScript, checksScript, driftScript, gateScript, getCliScript, headerComment, installScript, pipelineScript, requireServerScript, smokeScript } from './ciScripts.ts';

export function githubWorkflowPath(pipeline: CiPipeline): string {
  return `.github/workflows/labbook-${pipeline.slug}.yml`;
}

/** The secrets, for the steps that use the MLflow server. */
function secretsEnv(): Record<string, string> {
  return Object.fromEntries(CI_SECRETS.map((secret) => [secret.name, `\${{ secrets.${secret.name} }}`]));
}

/** A step that talks to the MLflow server: it alone gets the secrets. */
const withSecrets = (step: Record<string, unknown>): Record<string, unknown> => ({ ...step, env: secretsEnv() });

/** Checkout, Python with the pipeline's requirements, Node, the CLI: what both jobs start with. */
function setupSteps(pipeline: CiPipeline, options: CiOptions): Record<string, unknown>[] {
  return [
    { uses: 'actions/checkout@v4' },
    { uses: 'actions/setup-python@v5', with: { 'python-version': options.pythonVersion } },
    { name: 'Install the pipeline requirements', run: installScript(pipeline) },
    { uses: 'actions/setup-node@v4', with: { 'node-version': options.nodeVersion } },
    { name: 'Get the Labbook CLI', run: getCliScript() },
    withSecrets({ name: 'Check the MLflow server is configured', run: requireServerScript() }),
  ];
}

function uploadStep(name: string): Record<string, unknown> {
  return {
    name: 'Upload the reports',
    if: 'always()',
    uses: 'actions/upload-artifact@v4',
    with: { name, path: `${REPORTS_DIR}/`, 'if-no-files-found': 'ignore' },
  };
}

export function githubWorkflow(pipeline: CiPipeline, options: CiOptions): string {
  const env: Record<string, string> = {
    LABBOOK_MODEL: options.model,
    LABBOOK_EXPERIMENT: options.experiment ?? `ci-${pipeline.slug}`,
    [CLI_URL_VARIABLE]: `\${{ vars.${CLI_URL_VARIABLE} }}`,
  };
  const workflow = {
    name: `Labbook: ${pipeline.slug}`,
    on: {
      push: { branches: [...options.branches] },
      schedule: [{ cron: options.schedule }],
      workflow_dispatch: {},
    },
    permissions: { contents: 'read' },
    // One training and promotion at a time: two runs racing would both move the alias.
    concurrency: { group: `labbook-${pipeline.slug}`, 'cancel-in-progress': false },
    env,
    defaults: { run: { shell: 'bash' } },
    jobs: {
      data: {
        name: 'Data checks and drift',
        'runs-on': 'ubuntu-latest',
        'timeout-minutes': 60,
        steps: [
          ...setupSteps(pipeline, options),
          // Checks may compare with a run's or an alias's data: they read the server too.
          withSecrets({ name: 'Data checks', run: checksScript(options) }),
          withSecrets({ name: `Drift against @${options.alias}'s training data`, run: driftScript('github', options) }),
          uploadStep(`labbook-${pipeline.slug}-data-reports`),
        ],
      },
      train: {
        name: 'Smoke tests, pipeline, gate',
        needs: 'data',
        'runs-on': 'ubuntu-latest',
        'timeout-minutes': 360,
        steps: [
          ...setupSteps(pipeline, options),
          { name: 'Smoke tests', run: smokeScript(pipeline) },
          withSecrets({ name: 'Run the pipeline (tracked)', run: pipelineScript('github', pipeline, options) }),
          withSecrets({ name: 'Find the candidate version', run: candidateScript() }),
          withSecrets({ name: `Gate against @${options.alias} and promote`, run: gateScript('github', options) }),
          uploadStep(`labbook-${pipeline.slug}-gate-report`),
        ],
      },
    },
  };
  const doc = new Document(workflow);
  doc.commentBefore = headerComment('github', pipeline, options);
  return doc.toString({ lineWidth: 0 });
}
