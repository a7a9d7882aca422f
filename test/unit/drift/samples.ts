// Fixed samples for the drift statistics' tests: a seeded generator, so the samples (and the
// scipy reference values computed from them) are the same on every run.

/** mulberry32: a small seeded uniform generator on [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Normal samples (Box–Muller), rounded to 6 decimals so that JSON carries them exactly. */
export function normals(seed: number, n: number, mean = 0, sd = 1): number[] {
  const u = seeded(seed);
  const out: number[] = [];
  while (out.length < n) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const t = 2 * Math.PI * u();
    out.push(Math.round((mean + sd * r * Math.cos(t)) * 1e6) / 1e6);
  }
  return out;
}

/** Integers in [0, k), for samples full of ties. */
export function integers(seed: number, n: number, k: number): number[] {
  const u = seeded(seed);
  return Array.from({ length: n }, () => Math.floor(u() * k));
}

export const sorted = (xs: readonly number[]): Float64Array => Float64Array.from(xs).sort();
