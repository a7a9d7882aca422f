// What a generated CI workflow is made of: the exported pipeline it runs, the model it promotes
// and the choices (schedule, gate rules, branches). Pure: the generators (githubWorkflow.ts,
// gitlabCi.ts) and the file plan (ciFiles.ts) read these; nothing here touches the disk.

/** An exported pipeline package, as seen from the repository root ('/'-separated paths). */
export interface CiPipeline {
  /** Its folder relative to the repository root, e.g. `pipelines/churn` (no leading `./`). */
  readonly dir: string;
  /** A name for files and jobs: the folder's base name, made safe (see `pipelineSlug`). */
  readonly slug: string;
  /** The notebook it was exported from, relative to the repository root, when the manifest says. */
  readonly notebook?: string;
  readonly hasRequirements: boolean;
  readonly hasTests: boolean;
}

export interface CiOptions {
  /** The registered model the pipeline trains and the gate promotes. */
  readonly model: string;
  /** Five-field cron (UTC). Default: daily at 06:00. */
  readonly schedule: string;
  /** Rules for `labbook gate` (each one `--rule`). Default: `data not stale`. */
  readonly rules: readonly string[];
  /** The alias the gate compares with and promotes to. Default `champion`. */
  readonly alias: string;
  /** Data files the pipeline trains on, relative to the repository root: checked and compared for drift. */
  readonly dataPaths: readonly string[];
  /** Branches whose pushes run the workflow (GitHub `on.push.branches`; GitLab: the default branch). */
  readonly branches: readonly string[];
  /** The data checks file, run when it exists in the checkout. */
  readonly checksFile: string;
  /** Fail the job when `labbook drift` finds drift (default: report it and carry on retraining). */
  readonly failOnDrift: boolean;
  /** The experiment the pipeline's runs go to. Default: `ci-<pipeline>`. */
  readonly experiment?: string;
  readonly pythonVersion: string;
  readonly nodeVersion: string;
}

export const DEFAULT_SCHEDULE = '0 6 * * *';
export const DEFAULT_RULES: readonly string[] = ['data not stale'];
export const DEFAULT_CHECKS_FILE = '.labbook/checks.yaml';
/** Where every job writes its reports (uploaded as artifacts). */
export const REPORTS_DIR = 'labbook-reports';
/** Where the workflow expects the Labbook CLI, as the README's "Promotion gates" example runs it. */
export const CLI = 'node labbook/dist/cli.js';

/** The secrets (GitHub) / CI/CD variables (GitLab) the workflow reads; the first is required. */
export const CI_SECRETS: readonly { readonly name: string; readonly required: boolean; readonly what: string }[] = [
  { name: 'MLFLOW_TRACKING_URI', required: true, what: "the team's MLflow server, e.g. https://mlflow.example.com" },
  { name: 'MLFLOW_TRACKING_TOKEN', required: false, what: 'a bearer token, when the server takes one' },
  { name: 'MLFLOW_TRACKING_USERNAME', required: false, what: 'basic-auth user, instead of a token' },
  { name: 'MLFLOW_TRACKING_PASSWORD', required: false, what: 'basic-auth password, with the user' },
];
/** A repository variable (not secret): where to download the Labbook VSIX when `labbook/dist/cli.js` is not in the repository. */
export const CLI_URL_VARIABLE = 'LABBOOK_VSIX_URL';

export class CiOptionsError extends Error {
  override readonly name = 'CiOptionsError';
}

const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;
const CRON_NAMES = /^[A-Za-z]{3}(-[A-Za-z]{3})?(,[A-Za-z]{3}(-[A-Za-z]{3})?)*$/;

/** Five whitespace-separated cron fields (numbers, ranges, steps, lists, month/day names); no `@daily`. */
export function isCron(text: string): boolean {
  const fields = text.trim().split(/\s+/);
  return fields.length === 5 && fields.every((f, i) => CRON_FIELD.test(f) || (i >= 3 && CRON_NAMES.test(f)));
}

/** A folder name made safe for file names and job ids: lower case, `[a-z0-9-]`. */
export function pipelineSlug(dir: string): string {
  const base = dir.split('/').filter(Boolean).pop() ?? 'pipeline';
  const slug = base.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return slug || 'pipeline';
}

/** The options with defaults filled in; a CiOptionsError names the first bad one. */
export function ciOptions(input: Partial<CiOptions> & { readonly model: string }): CiOptions {
  const model = input.model.trim();
  if (!model) throw new CiOptionsError('a model name is needed: the registered model the pipeline trains and the gate promotes (--model NAME).');
  if (/[\r\n]/.test(model)) throw new CiOptionsError('the model name must be one line.');
  const schedule = (input.schedule ?? DEFAULT_SCHEDULE).trim().replace(/\s+/g, ' ');
  if (!isCron(schedule)) throw new CiOptionsError(`'${schedule}' is not a five-field cron schedule (minute hour day month weekday, UTC), e.g. '${DEFAULT_SCHEDULE}' for daily at 06:00.`);
  const rules = (input.rules ?? DEFAULT_RULES).map((r) => r.trim()).filter(Boolean);
  const alias = (input.alias ?? 'champion').replace(/^@/, '').trim();
  if (!/^[\w-]+$/.test(alias)) throw new CiOptionsError(`'${alias}' is not an alias name.`);
  for (const p of input.dataPaths ?? []) if (/[\r\n]/.test(p) || p.startsWith('/')) throw new CiOptionsError(`data path '${p}' must be relative to the repository root.`);
  const branches = (input.branches ?? ['main']).map((b) => b.trim()).filter(Boolean);
  return {
    model,
    schedule,
    rules,
    alias,
    dataPaths: [...new Set(input.dataPaths ?? [])],
    branches: branches.length > 0 ? branches : ['main'],
    checksFile: input.checksFile ?? DEFAULT_CHECKS_FILE,
    failOnDrift: input.failOnDrift ?? false,
    ...(input.experiment ? { experiment: input.experiment } : {}),
    pythonVersion: input.pythonVersion ?? '3.12',
    nodeVersion: input.nodeVersion ?? '22',
  };
}

/** One shell word: bare when safe, else single-quoted (`'` written as `'\''`). POSIX sh and bash. */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A report's file name for a data path: `drift-data-train-csv.json`. */
export function reportName(prefix: string, dataPath: string): string {
  return `${prefix}-${dataPath.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'data'}.json`;
}
