// The GitLab CI jobs for an exported pipeline, in their own file (`ci/labbook-<pipeline>.gitlab-ci.yml`)
// that the project's `.gitlab-ci.yml` includes: a user's `.gitlab-ci.yml` is never rewritten, only
// created (holding just the `include:`) when there is none. GitLab keeps cron schedules in the
// project's settings, not in the file: the jobs run on pushes to the default branch, on a
// pipeline schedule and from the Run pipeline button. Stages `test` and `deploy` are GitLab's
// defaults, so the include works without a `stages:` list.
import { Document } from 'yaml';
import { CI_SECRETS, REPORTS_DIR, type CiOptions, type CiPipeline } from './ciModel.ts';
import { candidateScript, checksScript, driftScript, gateScript, getCliScript, headerComment, installScript, pipelineScript, requireServerScript, smokeScript } from './ciScripts.ts';

export const GITLAB_ROOT_FILE = '.gitlab-ci.yml';

export function gitlabJobsPath(pipeline: CiPipeline): string {
  return `ci/labbook-${pipeline.slug}.gitlab-ci.yml`;
}

/** The `include:` entry the project's .gitlab-ci.yml needs (printed when that file exists already). */
export function gitlabIncludeHint(pipeline: CiPipeline): string {
  return `include:\n  - local: ${gitlabJobsPath(pipeline)}\n`;
}

/** Node for the CLI, in the Python image: the newest release of the major version, from nodejs.org. */
function nodeScript(options: CiOptions): string {
  const base = `https://nodejs.org/dist/latest-v${options.nodeVersion.split('.')[0] ?? '22'}.x`;
  return [
    'if ! command -v node > /dev/null; then',
    `  tarball=$(curl -fsSL ${base}/SHASUMS256.txt | grep -o 'node-v[0-9.]*-linux-x64.tar.xz' | head -n 1)`,
    `  curl -fsSL "${base}/$tarball" | tar -xJ -C /usr/local --strip-components=1`,
    'fi',
    'node --version',
  ].join('\n');
}

export function gitlabJobs(pipeline: CiPipeline, options: CiOptions): string {
  const setup = `.labbook-${pipeline.slug}-setup`;
  const dataJob = `labbook-${pipeline.slug}-data`;
  const artifacts = (name: string) => ({ name, when: 'always', paths: [`${REPORTS_DIR}/`], expire_in: '30 days' });
  const jobs = {
    [setup]: {
      image: `python:${options.pythonVersion}`,
      variables: { LABBOOK_MODEL: options.model, LABBOOK_EXPERIMENT: options.experiment ?? `ci-${pipeline.slug}` },
      rules: [
        { if: '$CI_PIPELINE_SOURCE == "schedule"' },
        { if: '$CI_PIPELINE_SOURCE == "web"' },
        { if: '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' },
      ],
      before_script: [nodeScript(options), installScript(pipeline), getCliScript(), requireServerScript()],
    },
    [dataJob]: {
      extends: setup,
      stage: 'test',
      script: [checksScript(options), driftScript('gitlab', options)],
      artifacts: artifacts(`labbook-${pipeline.slug}-data-reports`),
    },
    [`labbook-${pipeline.slug}-train`]: {
      extends: setup,
      stage: 'deploy',
      needs: [dataJob],
      // One training and promotion at a time: two pipelines racing would both move the alias.
      resource_group: `labbook-${pipeline.slug}`,
      timeout: '6h',
      script: [smokeScript(pipeline), pipelineScript('gitlab', pipeline, options), candidateScript(), gateScript('gitlab', options)],
      artifacts: artifacts(`labbook-${pipeline.slug}-gate-report`),
    },
  };
  const doc = new Document(jobs);
  doc.commentBefore = headerComment('gitlab', pipeline, options);
  return doc.toString({ lineWidth: 0 });
}

/** A new .gitlab-ci.yml holding only the include of the Labbook jobs. */
export function gitlabRootFile(pipeline: CiPipeline): string {
  const doc = new Document({ include: [{ local: gitlabJobsPath(pipeline) }] });
  doc.commentBefore = ` Created by Labbook: includes the jobs of ${pipeline.dir}. Add your own jobs below.\n Secrets: ${CI_SECRETS.map((s) => s.name).join(', ')} as masked CI/CD variables.`;
  return doc.toString({ lineWidth: 0 });
}
