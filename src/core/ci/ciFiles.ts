// Which CI files to write for a pipeline, and writing them: an exported pipeline read from its
// folder (pipeline.py, requirements.txt, tests/, the export manifest naming the notebook), the
// generated files planned against what is on disk (an existing file is kept unless forced), then
// written. `labbook ci init` and the editor's Add CI Workflow… share all of it.
import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { notebookOfPipeline } from './pipelineFolders.ts';
import { CI_SECRETS, CLI_URL_VARIABLE, CiOptionsError, pipelineSlug, type CiOptions, type CiPipeline } from './ciModel.ts';
import { githubWorkflow, githubWorkflowPath } from './githubWorkflow.ts';
import { GITLAB_ROOT_FILE, gitlabIncludeHint, gitlabJobs, gitlabJobsPath, gitlabRootFile } from './gitlabCi.ts';

const toPosix = (p: string) => p.split(path.sep).join('/');

/** An exported pipeline folder (absolute) seen from the repository root; a CiOptionsError when it is not one. */
export function readPipeline(root: string, dir: string): CiPipeline {
  const folder = path.resolve(root, dir);
  const rel = toPosix(path.relative(root, folder));
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new CiOptionsError(`${folder} is outside the repository ${root}.`);
  if (!existsSync(path.join(folder, 'pipeline.py'))) throw new CiOptionsError(`${rel || '.'} is not an exported pipeline: it has no pipeline.py (export a notebook first: labbook export NOTEBOOK.ipynb --out DIR).`);
  // No manifest (an older export, or written by hand): the notebook is only named in comments.
  const manifestNotebook = notebookOfPipeline(folder);
  const nb = manifestNotebook ? toPosix(path.relative(root, manifestNotebook)) : undefined;
  const notebook = nb && !nb.startsWith('..') ? nb : undefined;
  const tests = path.join(folder, 'tests');
  return {
    dir: rel || '.',
    slug: pipelineSlug(rel || path.basename(root)),
    ...(notebook ? { notebook } : {}),
    hasRequirements: existsSync(path.join(folder, 'requirements.txt')),
    hasTests: existsSync(tests) && statSync(tests).isDirectory(),
  };
}

export interface CiTargets {
  readonly github: boolean;
  readonly gitlab: boolean;
}

export interface PlannedCiFile {
  /** Relative to the repository root, '/'-separated. */
  readonly path: string;
  readonly content: string;
  /** create: new; overwrite: exists, forced; keep: exists, left alone (not forced, or never touched). */
  readonly action: 'create' | 'overwrite' | 'keep';
  readonly what: string;
}

export interface CiPlan {
  readonly files: readonly PlannedCiFile[];
  /** What the user must do by hand: the include line for an existing .gitlab-ci.yml, the schedule on GitLab. */
  readonly hints: readonly string[];
}

/** The files for the chosen platforms, each checked against `exists` (relative path → on disk?). */
export function planCiFiles(pipeline: CiPipeline, options: CiOptions, targets: CiTargets, exists: (rel: string) => boolean, force: boolean): CiPlan {
  if (!targets.github && !targets.gitlab) throw new CiOptionsError('choose GitHub, GitLab or both (--github, --gitlab).');
  const files: PlannedCiFile[] = [];
  const hints: string[] = [];
  const add = (rel: string, content: string, what: string) => files.push({ path: rel, content, what, action: !exists(rel) ? 'create' : force ? 'overwrite' : 'keep' });
  if (targets.github) add(githubWorkflowPath(pipeline), githubWorkflow(pipeline, options), 'GitHub Actions workflow');
  if (targets.gitlab) {
    add(gitlabJobsPath(pipeline), gitlabJobs(pipeline, options), 'GitLab CI jobs');
    // The project's own pipeline file is never rewritten, even with --force: only created.
    if (exists(GITLAB_ROOT_FILE)) hints.push(`${GITLAB_ROOT_FILE} exists and was left as it is: add\n${gitlabIncludeHint(pipeline)}to it.`);
    else files.push({ path: GITLAB_ROOT_FILE, content: gitlabRootFile(pipeline), what: 'GitLab CI file including the jobs', action: 'create' });
    hints.push(`GitLab runs schedules from the project's settings: Build → Pipeline schedules → New schedule, interval '${options.schedule}' (UTC), target branch the default one.`);
  }
  return { files, hints };
}

/** Writes the planned files that are not kept; returns the paths written. */
export async function writeCiFiles(root: string, plan: CiPlan): Promise<string[]> {
  const written: string[] = [];
  for (const file of plan.files) {
    if (file.action === 'keep') continue;
    const full = path.join(root, file.path);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, file.content, 'utf8');
    written.push(file.path);
  }
  return written;
}

/** The secrets to set, as lines for a terminal or a notification's detail. */
export function secretsToSet(targets: CiTargets): string[] {
  const lines: string[] = [];
  const list = CI_SECRETS.map((s) => `  ${s.name}${s.required ? ' (required)' : ''}: ${s.what}`);
  if (targets.github) {
    lines.push('GitHub: Settings → Secrets and variables → Actions → New repository secret (or `gh secret set NAME`):', ...list);
    lines.push(`  and, unless labbook/dist/cli.js is committed, the variable ${CLI_URL_VARIABLE} (Variables tab, or \`gh variable set ${CLI_URL_VARIABLE}\`): the URL of a Labbook VSIX for linux-x64.`);
  }
  if (targets.gitlab) {
    lines.push('GitLab: Settings → CI/CD → Variables → Add variable (Masked; Protected if only protected branches train):', ...list);
    lines.push(`  and, unless labbook/dist/cli.js is committed, ${CLI_URL_VARIABLE}: the URL of a Labbook VSIX for linux-x64.`);
  }
  return lines;
}

export type { CiOptions, CiPipeline };
