// The shell the generated jobs run, shared by the GitHub and GitLab generators so both do the
// same thing. POSIX sh (GitLab's images may not have bash), each block safe under `set -e`: a
// command whose exit status matters is run as `cmd || status=$?`, its report kept, then judged.
import { CI_SECRETS, CLI, CLI_URL_VARIABLE, REPORTS_DIR, reportName, shellQuote, type CiOptions, type CiPipeline } from './ciModel.ts';

export type CiPlatform = 'github' | 'gitlab';

/** A warning the CI page shows as one: an annotation on GitHub, a plain line on GitLab. */
function warn(platform: CiPlatform, text: string): string {
  return platform === 'github' ? `echo ${shellQuote(`::warning::${text}`)}` : `echo ${shellQuote(`WARNING: ${text}`)}`;
}

/** Fails early, with what to do, when the MLflow server is not configured. */
export function requireServerScript(): string {
  return [
    'if [ -z "${MLFLOW_TRACKING_URI:-}" ]; then',
    `  echo 'MLFLOW_TRACKING_URI is not set: add it as a repository secret (GitHub) or a CI/CD variable (GitLab) naming the team'"'"'s MLflow server.' >&2`,
    '  exit 1',
    'fi',
  ].join('\n');
}

/** Labbook's CLI at labbook/dist/cli.js: kept when the repository has it, else unpacked from a VSIX. */
export function getCliScript(): string {
  return [
    'if [ ! -f labbook/dist/cli.js ]; then',
    `  if [ -z "\${${CLI_URL_VARIABLE}:-}" ]; then`,
    `    echo 'The Labbook CLI is not in the repository (labbook/dist/cli.js) and ${CLI_URL_VARIABLE} is not set: set it to the URL of a Labbook VSIX for linux-x64.' >&2`,
    '    exit 1',
    '  fi',
    `  curl -fsSL "$${CLI_URL_VARIABLE}" -o labbook.vsix`,
    '  python -m zipfile -e labbook.vsix labbook-vsix',
    '  mkdir -p labbook',
    '  mv labbook-vsix/extension/dist labbook/dist',
    '  rm -rf labbook.vsix labbook-vsix',
    'fi',
    `${CLI} --help > /dev/null`,
  ].join('\n');
}

/**
 * pip with the server's credentials unset (in a subshell): installing runs packages' build code.
 * On GitHub the secrets are only on the steps that need them; GitLab's CI/CD variables reach every
 * script of a job, so they are taken away here.
 */
export function installScript(pipeline: CiPipeline): string {
  const lines = [`(`, `  unset ${CI_SECRETS.map((s) => s.name).join(' ')}`, '  python -m pip install --upgrade pip'];
  const packages = [...(pipeline.hasRequirements ? ['-r', `${pipeline.dir}/requirements.txt`] : []), ...(pipeline.hasTests ? ['pytest'] : [])];
  if (packages.length > 0) lines.push(`  python -m pip install ${packages.map(shellQuote).join(' ')}`);
  lines.push(')');
  return lines.join('\n');
}

/** `labbook check` when the checks file exists: a failed check fails the job (after keeping the report). */
export function checksScript(options: CiOptions): string {
  const file = shellQuote(options.checksFile);
  const report = `${REPORTS_DIR}/checks.json`;
  return [
    `mkdir -p ${REPORTS_DIR}`,
    `if [ -f ${file} ]; then`,
    '  status=0',
    `  ${CLI} check --checks ${file} --json > ${report} || status=$?`,
    `  cat ${report}`,
    '  if [ "$status" -ne 0 ]; then echo "The data checks failed (exit $status)." >&2; exit "$status"; fi',
    'else',
    `  echo ${shellQuote(`No ${options.checksFile} in the repository: no data checks to run.`)}`,
    'fi',
  ].join('\n');
}

/** `labbook drift` of each data file against the training data of the model's alias holder. */
export function driftScript(platform: CiPlatform, options: CiOptions): string {
  const lines = [`mkdir -p ${REPORTS_DIR}`];
  if (options.dataPaths.length === 0) {
    lines.push(warn(platform, 'No data paths were given to `labbook ci init` (--data): no drift report. Add them to this step.'));
    return lines.join('\n');
  }
  const reference = `"models:/$LABBOOK_MODEL@${options.alias}"`;
  for (const dataPath of options.dataPaths) {
    const report = `${REPORTS_DIR}/${reportName('drift', dataPath)}`;
    lines.push(
      'status=0',
      // --file: the same file among the champion's inputs (it may have trained on several).
      `${CLI} drift ${reference} ${shellQuote(dataPath)} --file ${shellQuote(dataPath)} --json > ${report} || status=$?`,
      'case "$status" in',
      `  0) echo ${shellQuote(`${dataPath}: no drift against the training data of @${options.alias}.`)} ;;`,
      `  1) ${warn(platform, `${dataPath} drifted from the training data of @${options.alias}: see ${report}.`)}${options.failOnDrift ? '; exit 1' : ''} ;;`,
      `  *) ${warn(platform, `${dataPath} was not compared with @${options.alias} (no holder yet, or its data is unknown): see the log.`)} ;;`,
      'esac',
    );
  }
  return lines.join('\n');
}

export function smokeScript(pipeline: CiPipeline): string {
  return pipeline.hasTests ? `python -m pytest -q ${shellQuote(`${pipeline.dir}/tests`)}` : `echo ${shellQuote(`${pipeline.dir} has no tests/ folder: no smoke tests to run.`)}`;
}

/**
 * Where the pipeline's stderr is kept for the candidate step: outside REPORTS_DIR, which is uploaded
 * as an artifact. That stderr may hold a server URI with user:password in an MLflow error; GitHub
 * masks secrets in the job log but not in artifacts. RUNNER_TEMP (GitHub) is per job and emptied
 * after it; elsewhere the temp folder, named by GitLab's job id so concurrent jobs do not collide.
 * The candidate script computes the same path in Python (same environment, same fallbacks).
 */
export const PIPELINE_LOG_SHELL = '"${RUNNER_TEMP:-${TMPDIR:-/tmp}}/labbook-pipeline-${CI_JOB_ID:-0}.log"';

/** The pipeline as a tracked run on the team's server; its [labbook] lines (with the run id) kept for the next step. */
export function pipelineScript(platform: CiPlatform, pipeline: CiPipeline, options: CiOptions): string {
  const runName = platform === 'github' ? '"ci-$GITHUB_RUN_ID"' : '"ci-$CI_PIPELINE_ID"';
  const data = options.dataPaths.map((p) => `--data-path ${shellQuote(p)}`).join(' ');
  return [
    `mkdir -p ${REPORTS_DIR}`,
    `log=${PIPELINE_LOG_SHELL}`,
    // Readable by this user only: a shared runner's temp folder is seen by other jobs.
    '(umask 077 && : > "$log")',
    'status=0',
    `${CLI} run --experiment "$LABBOOK_EXPERIMENT" --name ${runName}${data ? ` ${data}` : ''} -- python ${shellQuote(`${pipeline.dir}/pipeline.py`)} 2> "$log" || status=$?`,
    'cat "$log" >&2',
    'if [ "$status" -ne 0 ]; then echo "The pipeline failed (exit $status)." >&2; exit "$status"; fi',
  ].join('\n');
}

/**
 * The candidate: the newest version of the model registered by the pipeline's run, found through
 * MLflow's REST API with the same credentials (Python's standard library only, so the pipeline's
 * requirements need not include mlflow).
 */
export function candidateScript(): string {
  return [
    "python - <<'PY'",
    'import base64, json, os, pathlib, re, sys, urllib.parse, urllib.request',
    `reports = pathlib.Path(${JSON.stringify(REPORTS_DIR)})`,
    // The log outside the reports (see PIPELINE_LOG_SHELL), removed once read.
    "log = pathlib.Path(os.environ.get('RUNNER_TEMP') or os.environ.get('TMPDIR') or '/tmp') / f\"labbook-pipeline-{os.environ.get('CI_JOB_ID') or '0'}.log\"",
    "found = re.search(r'^\\[labbook\\] run (\\S+) ', log.read_text(errors='replace'), re.M)",
    'log.unlink()',
    'if not found:',
    "    sys.exit('No run id in the pipeline log: did `labbook run` start?')",
    "run_id, model = found.group(1), os.environ['LABBOOK_MODEL']",
    "query = urllib.parse.urlencode({'filter': f\"name='{model}' and run_id='{run_id}'\", 'max_results': 100})",
    "request = urllib.request.Request(os.environ['MLFLOW_TRACKING_URI'].rstrip('/') + '/api/2.0/mlflow/model-versions/search?' + query)",
    "token, user = os.environ.get('MLFLOW_TRACKING_TOKEN'), os.environ.get('MLFLOW_TRACKING_USERNAME')",
    'if token:',
    "    request.add_header('Authorization', 'Bearer ' + token)",
    'elif user:',
    "    secret = base64.b64encode(f\"{user}:{os.environ.get('MLFLOW_TRACKING_PASSWORD', '')}\".encode()).decode()",
    "    request.add_header('Authorization', 'Basic ' + secret)",
    'with urllib.request.urlopen(request, timeout=60) as response:',
    "    versions = json.load(response).get('model_versions', [])",
    'if not versions:',
    "    sys.exit(f\"Run {run_id} registered no version of the model '{model}': register it in the notebook, e.g. log_model(..., registered_model_name='{model}').\")",
    "candidate = max(int(v['version']) for v in versions)",
    "(reports / 'candidate.txt').write_text(str(candidate))",
    "print(f\"Candidate: {model} version {candidate} (run {run_id})\")",
    'PY',
  ].join('\n');
}

/** `labbook gate` against the alias and, when it passes, the promotion; the JSON result kept as a report. */
export function gateScript(platform: CiPlatform, options: CiOptions): string {
  const report = `${REPORTS_DIR}/gate.json`;
  const rules = options.rules.map((r) => `--rule ${shellQuote(r)}`).join(' ');
  const actor = platform === 'gitlab' ? ' --actor "$GITLAB_USER_LOGIN"' : '';
  return [
    `candidate=$(cat ${REPORTS_DIR}/candidate.txt)`,
    'status=0',
    `${CLI} gate "$LABBOOK_MODEL" "$candidate" --against @${options.alias} --promote @${options.alias}${rules ? ` ${rules}` : ''}${actor} --json > ${report} || status=$?`,
    `cat ${report}`,
    `if [ "$status" -ne 0 ]; then echo "The gate did not pass (exit $status): @${options.alias} was not moved." >&2; exit "$status"; fi`,
  ].join('\n');
}

/** The header comment of a generated file: what it does and what it needs. */
export function headerComment(platform: CiPlatform, pipeline: CiPipeline, options: CiOptions): string {
  const where = platform === 'github' ? 'repository secrets (Settings → Secrets and variables → Actions)' : 'CI/CD variables (Settings → CI/CD → Variables; masked)';
  return [
    ` Generated by Labbook (labbook ci init / Add CI Workflow…) for the pipeline ${pipeline.dir}${pipeline.notebook ? `, exported from ${pipeline.notebook}` : ''}.`,
    ` On ${platform === 'github' ? `push to ${options.branches.join(', ')} and on the schedule '${options.schedule}' (UTC)` : `push to the default branch and on a pipeline schedule (CI/CD → Schedules, e.g. '${options.schedule}')`}:`,
    ' data checks and drift against the training data of',
    ` models:/${options.model}@${options.alias}, the smoke tests, the pipeline as a tracked run, then`,
    ` labbook gate, which promotes the new version to @${options.alias} when it passes. Reports: ${REPORTS_DIR}/.`,
    ` Needs ${where}: MLFLOW_TRACKING_URI, and MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD;`,
    ` and the Labbook CLI at labbook/dist/cli.js, or the variable ${CLI_URL_VARIABLE}. Edit freely: Labbook does not overwrite it without --force.`,
  ].join('\n');
}
