// `labbook feast skew SERVICE --entities FILE`: the training–serving skew check of a Feast feature
// service for CI (src/core/feast/feastSkew.ts). Exit 0: every feature's mismatch share is within
// --threshold; 1: skew; 2: usage or any error (Feast missing, a repository Feast refuses, an
// entities file without the join keys), in one line.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkFeastSkew, renderSkew } from '../core/feast/feastSkew.ts';
import { errorMessage } from '../shared/errorMessage.ts';
import type { RunCommandIo } from './runCommand.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

export const FEAST_USAGE = `  feast   Feast feature store checks.
          labbook feast skew SERVICE --entities FILE [options]
                               training–serving skew: for a sample of the entity keys in FILE (CSV,
                               TSV, Parquet, JSON lines; with the service's join keys and any
                               request fields), the service's offline values (get_historical_features
                               at now) against its online ones (get_online_features): mismatches,
                               numeric differences, values older than the TTL, missing entities
                               (exit 0: within the threshold, 1: skew, 2: error)
          --repo DIR           the Feast repository (the folder of feature_store.yaml; default: here)
          --python PY          the interpreter with Feast (default: python3)
          --sample N           entity rows to check, sampled when the file has more (default 1000)
          --seed N             the sample's seed (default 0)
          --threshold T        the mismatch share (0..1) a feature may have (default 0)
          --json               print the report as one JSON object
`;

const SKEW_OPTIONS = {
  entities: { type: 'string' },
  repo: { type: 'string' },
  python: { type: 'string' },
  sample: { type: 'string' },
  seed: { type: 'string' },
  threshold: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface SkewRequest {
  readonly service: string;
  readonly entities: string;
  readonly repo: string;
  readonly python: string;
  readonly sample: number;
  readonly seed: number;
  readonly threshold: number;
  readonly json: boolean;
}

/** `feast skew ...` read into a request; a UsageError for anything wrong with it. */
export function parseFeastArgs(args: readonly string[], cwd: string): SkewRequest | 'help' {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '-h' || sub === '--help' || sub === 'help') return 'help';
  if (sub !== 'skew') throw new UsageError(`unknown feast command '${sub}' (expected skew)`);
  const { values, positionals } = parseCommandArgs(rest, SKEW_OPTIONS);
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new UsageError(`expected one feature service, got ${positionals.length} argument(s)`);
  if (!values.entities) throw new UsageError('--entities FILE is required: the entity keys to check');
  const entities = path.resolve(cwd, values.entities);
  if (!existsSync(entities)) throw new UsageError(`the entities file ${entities} does not exist`);
  const repo = path.resolve(cwd, values.repo ?? '.');
  if (!existsSync(path.join(repo, 'feature_store.yaml'))) throw new UsageError(`${repo} has no feature_store.yaml: give the Feast repository with --repo`);
  const int = (text: string | undefined, fallback: number, name: string, min: number) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer of at least ${min}, got '${text}'`);
    return n;
  };
  const threshold = values.threshold === undefined ? 0 : Number(values.threshold);
  if (!(threshold >= 0 && threshold <= 1)) throw new UsageError(`--threshold must be a share from 0 to 1, got '${values.threshold}'`);
  return {
    service: positionals[0] ?? '', entities, repo, python: values.python ?? 'python3',
    sample: int(values.sample, 1000, 'sample', 1), seed: int(values.seed, 0, 'seed', 0), threshold, json: values.json ?? false,
  };
}

export async function feastCommand(args: string[], io: RunCommandIo): Promise<number> {
  let request;
  try {
    request = parseFeastArgs(args, io.cwd);
  } catch (err) {
    io.stderr.write(`labbook feast: ${errorMessage(err)}\n\n${FEAST_USAGE}`);
    return 2;
  }
  if (request === 'help') {
    io.stdout.write(`Usage: labbook feast skew SERVICE --entities FILE [options]\n\n${FEAST_USAGE}`);
    return 0;
  }
  const result = await checkFeastSkew(request.python, request.repo, request.service, request.entities, { sample: request.sample, seed: request.seed, threshold: request.threshold });
  if (!result.ok) {
    io.stderr.write(`labbook feast skew: ${result.message}\n`);
    return 2;
  }
  io.stdout.write(request.json ? `${JSON.stringify(result.report)}\n` : renderSkew(result.report));
  return result.report.skewed ? 1 : 0;
}
