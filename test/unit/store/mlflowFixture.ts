/**
 * Runs the real MLflow Python client (test/fixtures/mlflowReaders/logMlflowData.py) to write an
 * MLflow store, and reads back the manifest of what MLflow itself says it holds.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { LoggedModel, Metric, RunInfo, RunInputs, RunOutputs, Tag } from '../../../src/core/store/types.ts';
export { testPython } from '../../support/python.ts';

const SCRIPT = fileURLToPath(new URL('../../fixtures/mlflowReaders/logMlflowData.py', import.meta.url));

export interface ManifestRun {
  readonly info: RunInfo;
  readonly params: Record<string, string>;
  readonly tags: Record<string, string>;
  readonly latest: Record<string, number>;
  readonly history: Record<string, Metric[]>;
  /** Artifact path → base64 content. */
  readonly artifacts: Record<string, string>;
}

export interface ManifestVersion {
  readonly name: string;
  readonly version: string;
  readonly source: string;
  readonly runId: string;
  readonly status: string;
  readonly description: string;
  readonly tags: Record<string, string>;
  readonly aliases: string[];
  readonly creationTimestamp: number;
  readonly lastUpdatedTimestamp: number;
}

export interface Manifest {
  readonly experiments: {
    readonly experimentId: string;
    readonly name: string;
    readonly artifactLocation: string;
    readonly lifecycleStage: string;
    readonly creationTime: number;
    readonly lastUpdateTime: number;
    readonly tags: Record<string, string>;
  }[];
  readonly runs: ManifestRun[];
  readonly models: {
    readonly name: string;
    readonly description: string;
    readonly tags: Record<string, string>;
    readonly aliases: Record<string, string>;
    readonly creationTimestamp: number;
    readonly lastUpdatedTimestamp: number;
    readonly versions: ManifestVersion[];
  }[];
}

/** Logs the fixture data into `trackingUri` with MLflow, running in `workDir`, and returns the manifest. */
export async function logWithMlflow(python: string, trackingUri: string, workDir: string, manifestFile: string): Promise<Manifest> {
  try {
    await promisify(execFile)(python, [SCRIPT, manifestFile, workDir], {
      cwd: workDir,
      env: {
        ...process.env,
        MLFLOW_TRACKING_URI: trackingUri,
        // MLflow 3.17 refuses file stores ("maintenance mode") unless this opts back in.
        MLFLOW_ALLOW_FILE_STORE: 'true',
        MLFLOW_DISABLE_TELEMETRY: 'true',
        DO_NOT_TRACK: '1',
      },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`logging with MLflow (${trackingUri}) failed: ${e.message}\n${e.stderr ?? ''}`, { cause: err });
  }
  return JSON.parse(readFileSync(manifestFile, 'utf8'), (_key, value: unknown) => decodeNumber(value)) as Manifest;
}

/** The script writes non-finite metric values as these strings (JSON has no NaN); no other value in the fixture is one. */
function decodeNumber(value: unknown): unknown {
  return value === 'NaN' || value === 'Infinity' || value === '-Infinity' ? Number(value) : value;
}

export function asRecord(tags: readonly Tag[]): Record<string, string> {
  return Object.fromEntries(tags.map((t) => [t.key, t.value]));
}

/** The latest point of a history as MLflow defines it: highest step, then time, then value. */
export function latestOf(history: readonly Metric[]): Metric {
  const sorted = [...history].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp || a.value - b.value);
  const last = sorted[sorted.length - 1];
  if (last === undefined) throw new Error('empty history');
  return last;
}

const RUN_IO_SCRIPT = fileURLToPath(new URL('../../fixtures/mlflowReaders/logRunIo.py', import.meta.url));

/** What logRunIo.py writes: MLflow 3 run inputs/outputs and logged models as the client reads them. */
export interface RunIoManifest {
  readonly experimentId: string;
  readonly runs: { readonly runId: string; readonly inputs: RunInputs; readonly outputs: RunOutputs; readonly history: Record<string, Metric[]> }[];
  readonly loggedModels: LoggedModel[];
  readonly accuracyAbove09: string[];
}

/** Logs run inputs, outputs and logged models with MLflow into `trackingUri` (extra env: e.g. a token). */
export async function logRunIoWithMlflow(python: string, trackingUri: string, workDir: string, manifestFile: string, env: Record<string, string> = {}): Promise<RunIoManifest> {
  try {
    await promisify(execFile)(python, [RUN_IO_SCRIPT, manifestFile, workDir], {
      cwd: workDir,
      env: { ...process.env, MLFLOW_TRACKING_URI: trackingUri, MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: '1', GIT_PYTHON_REFRESH: 'quiet', ...env },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 240_000,
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`logging run inputs with MLflow (${trackingUri}) failed: ${e.message}\n${e.stderr ?? ''}`, { cause: err });
  }
  return JSON.parse(readFileSync(manifestFile, 'utf8')) as RunIoManifest;
}
