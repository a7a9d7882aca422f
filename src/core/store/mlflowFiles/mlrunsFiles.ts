/**
 * Reads the pieces of an MLflow file store (`mlruns/`) as MLflow's FileStore writes them:
 * `meta.yaml` per experiment, run, model and model version; one file per param and tag holding
 * its value; one file per metric with a `timestamp value step` line per point. Keys containing
 * '/' are sub-folders (`metrics/train/loss` is `train/loss`). Every problem is an
 * MlrunsFileError naming the file, so the store can skip that entity and say why.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseMetaYaml, YamlSyntaxError } from './metaYaml.ts';
import type { YamlMap, YamlValue } from './metaYaml.ts';
import { latestVersionPerStage } from '../registrySearch.ts';
import { latestPoint } from '../latestMetric.ts';
import type { StagedVersion } from '../registrySearch.ts';
import { RUN_STATUSES } from '../types.ts';
import type { Experiment, Metric, ModelVersion, ModelVersionStatus, RegisteredModel, Run, RunStatus, Tag } from '../types.ts';

export class MlrunsFileError extends Error {
  override readonly name = 'MlrunsFileError';
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.file = file;
  }
}

export const META_FILE = 'meta.yaml';
/** Folders inside an experiment folder that are not runs (MLflow's RESERVED_EXPERIMENT_FOLDERS). */
export const RESERVED_EXPERIMENT_FOLDERS: ReadonlySet<string> = new Set(['tags', 'datasets', 'traces', 'models']);
const RUN_NAME_TAG = 'mlflow.runName';
const DELETED_VERSION_STAGE = 'Deleted_Internal';
/** Deeper key folders than this are not something MLflow writes; stop rather than walk forever. */
const MAX_KEY_DEPTH = 32;

export async function readMeta(file: string): Promise<YamlMap> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new MlrunsFileError(file, code === 'ENOENT' ? 'missing' : `unreadable (${code ?? String(err)})`);
  }
  try {
    return parseMetaYaml(text);
  } catch (err) {
    if (err instanceof YamlSyntaxError) throw new MlrunsFileError(file, `not valid YAML (${err.message})`);
    throw err;
  }
}

/** Sub-folder names of `dir` (none when it is missing). */
export async function subfolders(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw err;
  }
}

/** `key → file` for every file under `dir`, keys '/'-joined from the sub-folders. */
export async function keyFiles(dir: string, prefix = '', depth = 0): Promise<[string, string][]> {
  if (depth > MAX_KEY_DEPTH) throw new MlrunsFileError(dir, 'key folders nested too deep');
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new MlrunsFileError(dir, `unreadable (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const out: [string, string][] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const key = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await keyFiles(file, key, depth + 1)));
    else out.push([key, file]);
  }
  return out;
}

/** Params and tags: each file's whole content is the value. */
export async function readKeyValues(dir: string): Promise<Tag[]> {
  const out: Tag[] = [];
  for (const [key, file] of await keyFiles(dir)) out.push({ key, value: await readFile(file, 'utf8') });
  return out;
}

export async function readMetricFile(file: string, key: string): Promise<Metric[]> {
  const text = await readFile(file, 'utf8');
  const points: Metric[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    // `timestamp value [step [dataset_name dataset_digest]]`; a 2-field line is from before steps.
    const fields = line.trim().split(' ');
    const [ts = '', value = '', step = '0'] = fields;
    const metric = { key, timestamp: Number(ts), value: parsePythonFloat(value), step: Number(step) };
    if (![2, 3, 5].includes(fields.length) || !Number.isSafeInteger(metric.timestamp) || !Number.isSafeInteger(metric.step) || metric.value === undefined) {
      throw new MlrunsFileError(file, `line ${i + 1} is not "timestamp value step": '${line.slice(0, 80)}'`);
    }
    points.push({ ...metric, value: metric.value });
  });
  return points;
}

export async function readExperiment(dir: string, deleted: boolean): Promise<Experiment> {
  const file = path.join(dir, META_FILE);
  const meta = await readMeta(file);
  const experimentId = text(meta, 'experiment_id', file, true);
  // MLflow ignores an experiment whose folder and meta.yaml disagree; so do we, loudly.
  if (experimentId !== path.basename(dir)) throw new MlrunsFileError(file, `records experiment id '${experimentId}' but lies in folder '${path.basename(dir)}'`);
  const creationTime = integer(meta, 'creation_time', file) ?? 0;
  return {
    experimentId,
    name: text(meta, 'name', file, true),
    artifactLocation: text(meta, 'artifact_location', file, false),
    lifecycleStage: deleted || meta['lifecycle_stage'] === 'deleted' ? 'deleted' : 'active',
    creationTime,
    lastUpdateTime: integer(meta, 'last_update_time', file) ?? creationTime,
    tags: await readKeyValues(path.join(dir, 'tags')),
  };
}

export async function readRun(runDir: string, folderExperimentId: string): Promise<Run> {
  const file = path.join(runDir, META_FILE);
  const meta = await readMeta(file);
  const runId = text(meta, meta['run_id'] === undefined ? 'run_uuid' : 'run_id', file, true);
  if (runId !== path.basename(runDir)) throw new MlrunsFileError(file, `records run id '${runId}' but lies in folder '${path.basename(runDir)}'`);
  const tags = await readKeyValues(path.join(runDir, 'tags'));
  const params = await readKeyValues(path.join(runDir, 'params'));
  const metrics: Metric[] = [];
  for (const [key, metricFile] of await keyFiles(path.join(runDir, 'metrics'))) {
    const latest = latestPoint(await readMetricFile(metricFile, key));
    if (latest !== undefined) metrics.push(latest);
  }
  const metaName = text(meta, 'run_name', file, false);
  return {
    info: {
      runId,
      runName: metaName !== '' ? metaName : (tags.find((t) => t.key === RUN_NAME_TAG)?.value ?? ''),
      experimentId: text(meta, 'experiment_id', file, false) || folderExperimentId,
      userId: text(meta, 'user_id', file, false),
      status: runStatus(meta['status'], file),
      startTime: integer(meta, 'start_time', file) ?? 0,
      endTime: integer(meta, 'end_time', file) ?? null,
      artifactUri: text(meta, 'artifact_uri', file, false),
      lifecycleStage: meta['lifecycle_stage'] === 'deleted' ? 'deleted' : 'active',
    },
    data: { metrics, params, tags },
  };
}

export async function readRegisteredModel(modelDir: string): Promise<{ model: RegisteredModel; versions: ModelVersion[] }> {
  const file = path.join(modelDir, META_FILE);
  const meta = await readMeta(file);
  const name = text(meta, 'name', file, true);
  const aliases = await readAliases(modelDir, meta, file);
  const staged: StagedVersion[] = [];
  for (const folder of await subfolders(modelDir)) {
    if (!/^version-\d+$/.test(folder)) continue;
    const version = await readModelVersion(path.join(modelDir, folder), name, aliases);
    if (version !== undefined) staged.push(version);
  }
  staged.sort((a, b) => Number(a.version.version) - Number(b.version.version));
  const creationTimestamp = integer(meta, 'creation_timestamp', file) ?? 0;
  const model: RegisteredModel = {
    name,
    creationTimestamp,
    lastUpdatedTimestamp: integer(meta, 'last_updated_timestamp', file) ?? creationTimestamp,
    description: text(meta, 'description', file, false),
    tags: await readKeyValues(path.join(modelDir, 'tags')),
    aliases: aliases.map((a) => ({ alias: a.alias, version: a.version })),
    latestVersions: latestVersionPerStage(staged),
  };
  return { model, versions: staged.map((s) => s.version) };
}

async function readModelVersion(dir: string, name: string, aliases: readonly { alias: string; version: string }[]): Promise<StagedVersion | undefined> {
  const file = path.join(dir, META_FILE);
  const meta = await readMeta(file);
  const stage = text(meta, 'current_stage', file, false) || 'None';
  if (stage === DELETED_VERSION_STAGE) return undefined;
  const version = text(meta, 'version', file, false) || path.basename(dir).slice('version-'.length);
  const creationTimestamp = integer(meta, 'creation_timestamp', file) ?? 0;
  const status = text(meta, 'status', file, false);
  return {
    stage,
    version: {
      name,
      version,
      creationTimestamp,
      lastUpdatedTimestamp: integer(meta, 'last_updated_timestamp', file) ?? creationTimestamp,
      description: text(meta, 'description', file, false),
      source: text(meta, 'source', file, false),
      runId: text(meta, 'run_id', file, false),
      status: (['PENDING_REGISTRATION', 'FAILED_REGISTRATION'].includes(status) ? status : 'READY') as ModelVersionStatus,
      tags: await readKeyValues(path.join(dir, 'tags')),
      aliases: aliases.filter((a) => a.version === version).map((a) => a.alias),
    },
  };
}

/** The `aliases/` folder is MLflow's record (one file per alias, holding the version); meta.yaml's copy is a fallback. */
async function readAliases(modelDir: string, meta: YamlMap, file: string): Promise<{ alias: string; version: string }[]> {
  const fromFolder = await readKeyValues(path.join(modelDir, 'aliases'));
  if (fromFolder.length > 0) return fromFolder.map((a) => ({ alias: a.key, version: a.value.trim() }));
  const inMeta = meta['aliases'];
  if (inMeta === null || inMeta === undefined || typeof inMeta !== 'object' || Array.isArray(inMeta)) return [];
  return Object.entries(inMeta as YamlMap)
    .map(([alias, version]) => ({ alias, version: scalarText(version, file, `aliases.${alias}`) }))
    .sort((a, b) => (a.alias < b.alias ? -1 : 1));
}

/** Python's `repr(float)`: digits, `nan`, `inf`, `-inf`. Undefined for anything else. */
export function parsePythonFloat(raw: string): number | undefined {
  const lower = raw.toLowerCase();
  if (lower === 'nan' || lower === '-nan') return NaN;
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw) ? Number(raw) : undefined;
}

function runStatus(value: YamlValue | undefined, file: string): RunStatus {
  // FileStore writes RunStatus as its protobuf number: RUNNING=1 … KILLED=5.
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= RUN_STATUSES.length) return RUN_STATUSES[value - 1] ?? 'RUNNING';
  if (typeof value === 'string' && (RUN_STATUSES as readonly string[]).includes(value)) return value as RunStatus;
  if (value === undefined || value === null) return 'RUNNING';
  throw new MlrunsFileError(file, `unknown run status '${shown(value)}'`);
}

function text(meta: YamlMap, key: string, file: string, required: boolean): string {
  const value = meta[key];
  if (value === undefined || value === null) {
    if (required) throw new MlrunsFileError(file, `has no '${key}'`);
    return '';
  }
  return scalarText(value, file, key);
}

function scalarText(value: YamlValue, file: string, key: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return '';
  throw new MlrunsFileError(file, `'${key}' should be a single value`);
}

function integer(meta: YamlMap, key: string, file: string): number | undefined {
  const value = meta[key];
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new MlrunsFileError(file, `'${key}' should be a whole number, not '${shown(value)}'`);
  return n;
}

/** A value for a message: not String(), which throws for a mapping with a `toString` key. */
function shown(value: YamlValue): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}
