// Which GPUs the queue hands out, one per running item, and how many workers run by default.
import { runCommand } from '../launch/processes.ts';

/**
 * The GPU ids the queue may give to items. CUDA_VISIBLE_DEVICES, when set, is the user's choice
 * and wins: '' or '-1' means no GPU, "0,1" means those two. As in CUDA, the list stops at the
 * first invalid entry ("0,-1,1" is just GPU 0). When unset, `detected` (e.g. nvidia-smi's ids).
 */
export function gpuSlots(env: NodeJS.ProcessEnv, detected: readonly string[] = []): string[] {
  const visible = env['CUDA_VISIBLE_DEVICES'];
  if (visible === undefined) return unique(detected.map((id) => id.trim()).filter((id) => id !== ''));
  const ids: string[] = [];
  for (const part of visible.split(',')) {
    const id = part.trim();
    if (id === '' || id.startsWith('-')) break;
    ids.push(id);
  }
  return unique(ids);
}

/** The GPU indexes in `nvidia-smi --query-gpu=index --format=csv,noheader` output. */
export function parseNvidiaSmiIndexes(stdout: string): string[] {
  return unique(
    stdout
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => /^\d+$/.test(line)),
  );
}

/**
 * The GPUs a worker hands out: CUDA_VISIBLE_DEVICES when set, else nvidia-smi's indexes (bounded
 * in time; no nvidia-smi, a failure or a timeout means no GPU). Counting is per worker: two
 * processes on one machine may both give out GPU 0.
 */
export async function detectGpuSlots(env: NodeJS.ProcessEnv, timeoutMs = 5000): Promise<string[]> {
  if (env['CUDA_VISIBLE_DEVICES'] !== undefined) return gpuSlots(env);
  const result = await runCommand('nvidia-smi', ['--query-gpu=index', '--format=csv,noheader'], { env, timeoutMs, maxBytes: 64 * 1024 });
  return gpuSlots(env, result.code === 0 ? parseNvidiaSmiIndexes(result.stdout.toString('utf8')) : []);
}

/** Workers when the user sets none: the cores minus one (one left for the editor), at least one. */
export function defaultWorkers(cpus: number): number {
  if (!Number.isFinite(cpus)) return 1;
  return Math.max(1, Math.floor(cpus) - 1);
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
