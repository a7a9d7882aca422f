/** What one benchmark reports to bench/run.mjs. */
export interface BenchResult {
  oursMs: number;
  peer?: string;
  peerMs?: number;
  /** The speed target in words, and whether this run met it. */
  target?: string;
  met?: boolean;
}

export interface Benchmark {
  name: string;
  run(): Promise<BenchResult>;
}

/** Median wall time of `repeat` runs after one warm-up. */
export async function medianMs(fn: () => unknown, repeat = 5): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}
