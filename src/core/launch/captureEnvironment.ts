// The software and machine a run used: `pip freeze` (or `conda list --export` when the
// interpreter is the active conda env) and a JSON summary of Python, OS, CPU, memory and GPUs.
// Never throws: a step that fails leaves its field empty and a note.
import os from 'node:os';
import path from 'node:path';
import { runCommand } from './processes.ts';

export interface EnvironmentInfo {
  readonly python: { readonly executable: string; readonly version: string | null; readonly implementation: string | null; readonly prefix: string | null };
  readonly platform: { readonly os: string; readonly release: string; readonly arch: string; readonly description: string | null };
  readonly cpu: { readonly model: string | null; readonly count: number };
  readonly memory: { readonly totalBytes: number };
  /** From nvidia-smi; empty when there is none (or it failed). */
  readonly gpus: readonly { readonly name: string; readonly memory: string }[];
  readonly hostname: string;
  /** Which tool wrote requirements.txt. */
  readonly packagesFrom: 'pip freeze' | 'conda list --export' | null;
}

export interface EnvironmentCapture {
  readonly info: EnvironmentInfo;
  /** The requirements.txt text; undefined when neither pip nor conda answered. */
  readonly requirements?: string;
  readonly notes: string[];
}

export interface EnvironmentCaptureOptions {
  readonly timeoutMs?: number;
  /** The environment the run gets (for CONDA_PREFIX, PATH); process.env by default. */
  readonly env?: NodeJS.ProcessEnv;
}

const PROBE = [
  'import json, platform, sys',
  'print(json.dumps({"executable": sys.executable, "version": platform.python_version(),',
  ' "implementation": platform.python_implementation(), "prefix": sys.prefix, "platform": platform.platform()}))',
].join('\n');

interface Probe {
  executable: string;
  version: string;
  implementation: string;
  prefix: string;
  platform: string;
}

export async function captureEnvironment(python: string, options: EnvironmentCaptureOptions = {}): Promise<EnvironmentCapture> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), PIP_DISABLE_PIP_VERSION_CHECK: '1' };
  const notes: string[] = [];
  const [probeResult, gpus] = await Promise.all([runCommand(python, ['-c', PROBE], { env, timeoutMs }), nvidiaGpus(timeoutMs)]);
  let probe: Probe | undefined;
  try {
    if (probeResult.code === 0) probe = JSON.parse(probeResult.stdout.toString('utf8').trim().split('\n').at(-1) ?? '') as Probe;
  } catch {
    probe = undefined;
  }
  if (!probe) notes.push(`environment: ${python} did not report its version (${probeResult.failure ?? probeResult.stderr.toString('utf8').trim().split('\n').at(-1) ?? ''}).`);

  const condaPrefix = env['CONDA_PREFIX'];
  const useConda = Boolean(condaPrefix && probe && path.resolve(probe.prefix) === path.resolve(condaPrefix));
  let requirements: string | undefined;
  let packagesFrom: EnvironmentInfo['packagesFrom'] = null;
  if (useConda) {
    const conda = env['CONDA_EXE'] || 'conda';
    const listed = await runCommand(conda, ['list', '--export', '-p', condaPrefix ?? ''], { env, timeoutMs });
    if (listed.code === 0) {
      requirements = listed.stdout.toString('utf8');
      packagesFrom = 'conda list --export';
    } else {
      notes.push(`environment: conda list --export failed (${listed.failure ?? listed.stderr.toString('utf8').trim().slice(0, 200)}); trying pip freeze.`);
    }
  }
  if (requirements === undefined) {
    const frozen = await runCommand(python, ['-m', 'pip', 'freeze'], { env, timeoutMs });
    if (frozen.code === 0) {
      requirements = frozen.stdout.toString('utf8');
      packagesFrom = 'pip freeze';
    } else {
      notes.push(`environment: pip freeze failed (${frozen.failure ?? frozen.stderr.toString('utf8').trim().split('\n').at(-1) ?? ''}); no requirements.txt.`);
    }
  }
  const cpus = os.cpus();
  const info: EnvironmentInfo = {
    python: { executable: probe?.executable ?? python, version: probe?.version ?? null, implementation: probe?.implementation ?? null, prefix: probe?.prefix ?? null },
    platform: { os: os.type(), release: os.release(), arch: os.arch(), description: probe?.platform ?? null },
    cpu: { model: cpus[0]?.model?.trim() || null, count: os.availableParallelism?.() ?? cpus.length },
    memory: { totalBytes: os.totalmem() },
    gpus,
    hostname: os.hostname(),
    packagesFrom,
  };
  return { info, ...(requirements === undefined ? {} : { requirements }), notes };
}

async function nvidiaGpus(timeoutMs: number): Promise<{ name: string; memory: string }[]> {
  const result = await runCommand('nvidia-smi', ['--query-gpu=name,memory.total', '--format=csv,noheader'], { timeoutMs: Math.min(timeoutMs, 15_000) });
  if (result.code !== 0) return [];
  return result.stdout
    .toString('utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const comma = line.lastIndexOf(',');
      return comma < 0 ? { name: line, memory: '' } : { name: line.slice(0, comma).trim(), memory: line.slice(comma + 1).trim() };
    });
}
