// The software and machine a run used: `pip freeze` (or `conda list --export` when the
// interpreter is the active conda env) and a JSON summary of Python, OS, CPU, memory and GPUs.
// The package list comes from the freeze cache (freezeCache.ts) while nothing on the interpreter's
// sys.path changed. Never throws: a step that fails leaves its field empty and a note.
import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freezeKey, readCachedFreeze, writeCachedFreeze, type FreezeKey, type FreezeTool } from './freezeCache.ts';
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
  /** The requirements came from the freeze cache (nothing on sys.path changed since it was frozen). */
  readonly requirementsCached: boolean;
  readonly notes: string[];
}

export interface EnvironmentCaptureOptions {
  readonly timeoutMs?: number;
  /** The environment the run gets (for CONDA_PREFIX, PATH); process.env by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** Where package lists are cached between launches (freezeCache.ts); nothing is cached without it. */
  readonly cacheDir?: string;
}

const PROBE = [
  'import json, platform, sys',
  'print(json.dumps({"executable": sys.executable, "version": platform.python_version(),',
  ' "implementation": platform.python_implementation(), "prefix": sys.prefix, "platform": platform.platform(),',
  ' "path": [p for p in sys.path if p]}))',
].join('\n');

interface Probe {
  executable: string;
  version: string;
  implementation: string;
  prefix: string;
  platform: string;
  /** sys.path without the script folder: where pip freeze looks for distributions. */
  path: string[];
}

/** A capture this process made, with the sys.path stamps it stands on (taken before it froze). */
interface Remembered {
  readonly capture: EnvironmentCapture;
  readonly stamps: FreezeKey['paths'];
}

/** Kept per interpreter and the variables that shape its sys.path; a few interpreters at most. */
const remembered = new Map<string, Remembered>();
const inFlight = new Map<string, Promise<EnvironmentCapture>>();
const REMEMBERED_MAX = 16;

/** What a capture depends on besides sys.path's folders: the interpreter, the variables that move sys.path, the cache. */
function captureKey(python: string, env: NodeJS.ProcessEnv, cacheDir: string): string {
  return JSON.stringify([python, cacheDir, ...['PATH', 'PYTHONPATH', 'PYTHONHOME', 'PYTHONUSERBASE', 'VIRTUAL_ENV', 'CONDA_PREFIX'].map((name) => env[name] ?? '')]);
}

/**
 * With a cache folder, launches in one process share their captures: launches at the same time
 * (a sweep's trials) wait for one capture, and a later one reuses it while nothing on sys.path
 * changed (a stat per folder instead of three processes: the probe, nvidia-smi and the freeze).
 */
export async function captureEnvironment(python: string, options: EnvironmentCaptureOptions = {}): Promise<EnvironmentCapture> {
  if (!options.cacheDir) return captureFresh(python, options);
  const key = captureKey(python, options.env ?? process.env, options.cacheDir);
  const pending = inFlight.get(key);
  if (pending) return pending.then((capture) => ({ ...capture, requirementsCached: capture.requirements !== undefined, notes: [...capture.notes] }));
  const last = remembered.get(key);
  if (last) {
    const now = await stampPaths(last.stamps.map((s) => s.path));
    if (now.every((s, i) => s.mtimeMs === last.stamps[i]?.mtimeMs)) return { ...last.capture, requirementsCached: true, notes: [] };
    remembered.delete(key);
  }
  const fresh = captureFresh(python, options, (stamps, capture) => {
    if (remembered.size >= REMEMBERED_MAX) remembered.delete(remembered.keys().next().value ?? '');
    remembered.set(key, { capture, stamps });
  });
  inFlight.set(key, fresh);
  try {
    return await fresh;
  } finally {
    inFlight.delete(key);
  }
}

async function stampPaths(paths: readonly string[]): Promise<FreezeKey['paths']> {
  return Promise.all(paths.map(async (p) => ({ path: p, mtimeMs: await stat(p).then((s) => s.mtimeMs, () => null) })));
}

async function captureFresh(python: string, options: EnvironmentCaptureOptions, remember?: (stamps: FreezeKey['paths'], capture: EnvironmentCapture) => void): Promise<EnvironmentCapture> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), PIP_DISABLE_PIP_VERSION_CHECK: '1' };
  const notes: string[] = [];
  let stampsBefore: FreezeKey['paths'] | undefined;
  const [probeResult, gpus] = await Promise.all([runCommand(python, ['-c', PROBE], { env, timeoutMs }), nvidiaGpus(timeoutMs)]);
  let probe: Probe | undefined;
  try {
    if (probeResult.code === 0) probe = JSON.parse(probeResult.stdout.toString('utf8').trim().split('\n').at(-1) ?? '') as Probe;
    if (probe && !(Array.isArray(probe.path) && probe.path.every((p) => typeof p === 'string'))) probe = { ...probe, path: [] };
  } catch {
    probe = undefined;
  }
  if (!probe) notes.push(`environment: ${python} did not report its version (${probeResult.failure ?? probeResult.stderr.toString('utf8').trim().split('\n').at(-1) ?? ''}).`);

  const condaPrefix = env['CONDA_PREFIX'];
  const useConda = Boolean(condaPrefix && probe && path.resolve(probe.prefix) === path.resolve(condaPrefix));
  let requirements: string | undefined;
  let requirementsCached = false;
  let packagesFrom: EnvironmentInfo['packagesFrom'] = null;
  /** The package list from `tool`: cached while sys.path (and conda-meta) is unchanged, else run and cached. */
  const packages = async (tool: FreezeTool, run: () => Promise<string | undefined>): Promise<string | undefined> => {
    // Without the probe's sys.path there is nothing to key on: freeze, cache nothing.
    if (!options.cacheDir || !probe) return run();
    const watched = tool === 'conda list --export' ? [...probe.path, path.join(condaPrefix ?? '', 'conda-meta')] : probe.path;
    const key = await freezeKey(python, probe.executable, tool, watched);
    stampsBefore = key.paths;
    const cached = await readCachedFreeze(options.cacheDir, key);
    if (cached !== undefined) {
      requirementsCached = true;
      return cached;
    }
    const fresh = await run();
    if (fresh !== undefined) {
      const note = await writeCachedFreeze(options.cacheDir, key, fresh);
      if (note) notes.push(note);
    }
    return fresh;
  };
  if (useConda) {
    const conda = env['CONDA_EXE'] || 'conda';
    requirements = await packages('conda list --export', async () => {
      const listed = await runCommand(conda, ['list', '--export', '-p', condaPrefix ?? ''], { env, timeoutMs });
      if (listed.code === 0) return listed.stdout.toString('utf8');
      notes.push(`environment: conda list --export failed (${listed.failure ?? listed.stderr.toString('utf8').trim().slice(0, 200)}); trying pip freeze.`);
      return undefined;
    });
    if (requirements !== undefined) packagesFrom = 'conda list --export';
  }
  if (requirements === undefined) {
    requirements = await packages('pip freeze', async () => {
      const frozen = await runCommand(python, ['-m', 'pip', 'freeze'], { env, timeoutMs });
      if (frozen.code === 0) return frozen.stdout.toString('utf8');
      notes.push(`environment: pip freeze failed (${frozen.failure ?? frozen.stderr.toString('utf8').trim().split('\n').at(-1) ?? ''}); no requirements.txt.`);
      return undefined;
    });
    if (requirements !== undefined) packagesFrom = 'pip freeze';
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
  const capture: EnvironmentCapture = { info, ...(requirements === undefined ? {} : { requirements }), requirementsCached, notes };
  // Only a complete capture is reused: a failed probe or freeze is tried again next launch.
  if (remember && stampsBefore && requirements !== undefined && notes.length === 0) remember(stampsBefore, { ...capture, notes: [] });
  return capture;
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
