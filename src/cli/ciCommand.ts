// `labbook ci init [PIPELINE_DIR]`: writes the CI files (GitHub Actions workflow, GitLab CI jobs) for
// an exported pipeline, then prints what it wrote and the secrets to set. Nothing is written when
// a file it would write exists, unless --force (a user's .gitlab-ci.yml is never rewritten).
// Exit 0: written; 1: a file exists (nothing written) or the folder is not a pipeline; 2: usage.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ciOptions, CiOptionsError } from '../core/ci/ciModel.ts';
import { planCiFiles, readPipeline, secretsToSet, writeCiFiles } from '../core/ci/ciFiles.ts';
import { defaultBranch } from '../core/ci/gitBranch.ts';
import { findPipelines, repositoryRoot } from '../core/ci/pipelineFolders.ts';
import type { CommandIo } from './exportCommand.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

export const CI_USAGE = `  ci      Write CI workflows for an exported pipeline (data checks, drift, smoke tests, the
          pipeline, the gate and the promotion; exit 1 when a file exists, nothing written).
          labbook ci init [PIPELINE_DIR] --model NAME [options]
          --model NAME      the registered model the pipeline trains (gate and promotion)
          --github          a GitHub Actions workflow (.github/workflows/labbook-<pipeline>.yml)
          --gitlab          GitLab CI jobs (ci/labbook-<pipeline>.gitlab-ci.yml, included from
                            .gitlab-ci.yml); neither flag: both
          --schedule CRON   when it runs besides pushes, UTC (default "0 6 * * *": daily)
          --data PATH       a data file the pipeline trains on: checked, compared for drift
                            with the champion's training data (repeatable)
          --rule RULE       a gate rule (repeatable; default "data not stale")
          --branch NAME     the branch whose pushes run it (repeatable; default: the
                            repository's default branch from git, else main)
          --force           overwrite files written before
`;

const CI_OPTIONS = {
  model: { type: 'string' },
  github: { type: 'boolean' },
  gitlab: { type: 'boolean' },
  schedule: { type: 'string' },
  data: { type: 'string', multiple: true },
  rule: { type: 'string', multiple: true },
  branch: { type: 'string', multiple: true },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A bad --model, --schedule or --data is a usage error (exit 2), like any other bad option. */
function optionsOrUsage<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof CiOptionsError) throw new UsageError(err.message);
    throw err;
  }
}

export async function ciCommand(args: readonly string[], io: CommandIo & { cwd: string }): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === undefined || sub === '-h' || sub === '--help') {
      io.stdout.write(CI_USAGE);
      return sub === undefined ? 2 : 0;
    }
    if (sub !== 'init') throw new UsageError(`unknown ci subcommand '${sub}' (expected: init)`);
    const { values, positionals } = parseCommandArgs(rest, CI_OPTIONS);
    if (values.help) {
      io.stdout.write(CI_USAGE);
      return 0;
    }
    if (positionals.length > 1) throw new UsageError('give one pipeline folder');
    if (!values.model) throw new UsageError('--model NAME is needed: the registered model the pipeline trains and the gate promotes');
    const root = repositoryRoot(io.cwd);
    let dir = positionals[0] ? path.resolve(io.cwd, positionals[0]) : undefined;
    if (!dir) {
      const found = findPipelines(root);
      if (found.length !== 1) {
        throw new UsageError(found.length === 0 ? `no exported pipeline under ${root}: give PIPELINE_DIR (export one with labbook export NOTEBOOK.ipynb --out DIR)` : `several exported pipelines: give one of ${found.map((f) => path.relative(io.cwd, f)).join(', ')}`);
      }
      dir = found[0] ?? root;
    }
    const pipeline = readPipeline(root, dir);
    const model = values.model;
    const options = optionsOrUsage(() => ciOptions({
      model,
      ...(values.schedule !== undefined ? { schedule: values.schedule } : {}),
      ...(values.rule ? { rules: values.rule } : {}),
      branches: values.branch ?? [defaultBranch(root)],
      dataPaths: (values.data ?? []).map((p) => path.relative(root, path.resolve(io.cwd, p)).split(path.sep).join('/')),
    }));
    for (const p of options.dataPaths) if (!existsSync(path.join(root, p))) io.stderr.write(`labbook ci: note: ${p} is not there yet (the workflow reads it in the checkout).\n`);
    const targets = values.github || values.gitlab ? { github: !!values.github, gitlab: !!values.gitlab } : { github: true, gitlab: true };
    const plan = planCiFiles(pipeline, options, targets, (rel) => existsSync(path.join(root, rel)), !!values.force);
    const kept = plan.files.filter((f) => f.action === 'keep');
    if (kept.length > 0) {
      io.stderr.write(`labbook: not written, these files exist (--force overwrites them):\n${kept.map((f) => `  ${f.path}\n`).join('')}`);
      return 1;
    }
    const written = await writeCiFiles(root, plan);
    io.stdout.write(`Wrote, in ${root}:\n${plan.files.filter((f) => written.includes(f.path)).map((f) => `  ${f.path}  (${f.what}${f.action === 'overwrite' ? ', overwritten' : ''})\n`).join('')}`);
    for (const hint of plan.hints) io.stdout.write(`\n${hint}\n`);
    io.stdout.write(`\nSecrets to set:\n${secretsToSet(targets).join('\n')}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`labbook ci: ${err.message}\n\n${CI_USAGE}`);
      return 2;
    }
    if (err instanceof CiOptionsError) {
      io.stderr.write(`labbook ci: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
