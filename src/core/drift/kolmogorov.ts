// The distributions behind the two-sample Kolmogorov–Smirnov p-value, as scipy.stats.ks_2samp
// computes it with method='auto' (what Evidently calls): the exact probability for samples of at
// most 10,000 values (Hodges' lattice-path counting, in Viehmann's stable form), otherwise the
// one-sample distribution kstwo.sf(d, round(n·m/(n+m))), chosen among exact and approximate
// algorithms by the same regions as Simard & L'Ecuyer (2011). No npm package offers these; each
// branch is tested against scipy in test/unit/drift/statistics.test.ts.

const SCALE = 2 ** 128;
const UNSCALE = 2 ** -128;

/** x · 2^e without overflowing the power on the way. */
function ldexp(x: number, e: number): number {
  let v = x;
  let rest = e;
  while (rest > 1000) { v *= 2 ** 1000; rest -= 1000; }
  while (rest < -1000) { v *= 2 ** -1000; rest += 1000; }
  return v * 2 ** rest;
}

/** numpy's round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const clip01 = (p: number): number => (p < 0 ? 0 : p > 1 ? 1 : p);

/** Pr(D_n ≤ d) exactly, by Durbin's matrix (Marsaglia, Tsang & Wang 2003): cost grows with n·d. */
function durbinCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  v[m - 1] = (1 + Math.max(2 * h - 1, 0) ** m - 2 * h ** m) * fac;
  let H: Float64Array = new Float64Array(m * m);
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - i + 1] ?? 0;
  for (let r = 0; r < m; r++) H[r * m] = v[r] ?? 0;
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c] ?? 0;
  let P: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) P[i * m + i] = 1;
  const mul = (a: Float64Array, b: Float64Array): Float64Array => {
    const out = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let l = 0; l < m; l++) {
        const ail = a[i * m + l] ?? 0;
        if (ail === 0) continue;
        for (let j = 0; j < m; j++) out[i * m + j] = (out[i * m + j] ?? 0) + ail * (b[l * m + j] ?? 0);
      }
    }
    return out;
  };
  let nn = n;
  let expnt = 0;
  let hExpnt = 0;
  while (nn > 0) {
    if (nn % 2) { P = mul(P, H); expnt += hExpnt; }
    H = mul(H, H);
    hExpnt *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)] ?? 0) > SCALE) {
      for (let i = 0; i < H.length; i++) H[i] = (H[i] ?? 0) / SCALE;
      hExpnt += 128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = P[(k - 1) * m + (k - 1)] ?? 0;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < UNSCALE) { p *= SCALE; expnt -= 128; }
  }
  return clip01(ldexp(p, expnt));
}

/** Pelz & Good's (1976) approximation of Pr(D_n ≤ x), for large n. */
function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
  const pi2 = Math.PI ** 2, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
  const qlog = -pi2 / 8 / z2;
  if (qlog < -708) return 0;
  const q = Math.exp(qlog);
  const k1a = -z2, k1b = pi2 / 4;
  const k2a = 6 * z6 + 2 * z4, k2b = ((2 * z4 - 5 * z2) * pi2) / 4, k2c = (pi4 * (1 - 2 * z2)) / 16;
  const k3d = (pi6 * (5 - 30 * z2)) / 64, k3c = (pi4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (pi2 * (135 * z4 - 96 * z6)) / 4, k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  // Horner over the odd terms q^((2k-1)^2).
  for (let k = maxk; k >= 1; k--) {
    const m = 2 * k - 1, m2 = m * m, m4 = m2 * m2, m6 = m4 * m2;
    const qp = q ** (8 * k);
    const c = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = (K[i] ?? 0) * qp + (c[i] ?? 0);
  }
  const sqrt2pi = Math.sqrt(2 * Math.PI);
  const div = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = ((K[i] ?? 0) * q * sqrt2pi) / (div[i] ?? 1);
  const q2 = Math.exp(-pi2 / 2 / z2);
  let k2extra = 0, k3extra = 0;
  const s3z = Math.sqrt(3) * z;
  for (let k = maxk; k >= 1; k--) {
    const kk = k * k, qp = q2 ** kk, kpi = Math.PI * k;
    k2extra += kk * qp;
    k3extra += (s3z + kpi) * (s3z - kpi) * kk * qp;
  }
  K[2] = (K[2] ?? 0) + (k2extra * pi2 * sqrt2pi) / (-36 * z3);
  K[3] = (K[3] ?? 0) + (k3extra * pi2 * sqrt2pi) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += (K[i] ?? 0) / n ** (i / 2);
  return sum;
}

/**
 * Pr(D+_n ≥ x), the one-sided Smirnov statistic, by Birnbaum & Tingey's sum (positive terms,
 * each taken in logs so that large n neither overflows nor underflows).
 */
export function smirnovSf(n: number, x: number): number {
  if (!(x > 0)) return 1;
  if (x >= 1) return 0;
  const last = Math.floor(n * (1 - x));
  let logBinom = 0;
  let sum = 0;
  for (let j = 0; j <= last; j++) {
    if (j > 0) logBinom += Math.log((n - j + 1) / j);
    const lo = 1 - x - j / n;
    const hi = x + j / n;
    if (lo <= 0) continue;
    sum += Math.exp(logBinom + Math.log(x) + (j - 1) * Math.log(hi) + (n - j) * Math.log(lo));
  }
  return clip01(sum);
}

/** log(n!/n^n) by Stirling's series, free of the n·log n cancellation. */
function logFactorialOverPower(n: number): number {
  // Bernoulli numbers B_2j / (2j (2j − 1)), j = 8 … 1 (as doubles).
  const c = [-3617 / 122400, 1 / 156, -691 / 360360, 1 / 1188, -1 / 1680, 1 / 1260, -1 / 360, 1 / 12];
  const r = 1 / n;
  let poly = 0;
  for (const ci of c) poly = poly * (r / n) + ci;
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + r * poly;
}

/** Pr(D_n > x): the survival function of the one-sample two-sided statistic (scipy's kstwo.sf). */
export function kolmogorovSf(n: number, x: number): number {
  if (!Number.isInteger(n) || n <= 0) return Number.NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    const cdf = n <= 140 ? Array.from({ length: n }, (_, i) => ((i + 1) / n) * (2 * t - 1)).reduce((a, b) => a * b, 1) : Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    return clip01(1 - cdf);
  }
  if (t >= n - 1) return clip01(2 * (1 - x) ** n);
  if (x >= 0.5) return clip01(2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    // scipy uses Pomeranz's recursion for 0.754693 < n·x² ≤ 4; Durbin's matrix is exact there too.
    if (nx2 <= 4) return clip01(1 - durbinCdf(n, x));
    return clip01(2 * smirnovSf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip01(2 * smirnovSf(n, x));
  const cdf = nx2 >= 18 ? 1 : n <= 100_000 && n * x ** 1.5 <= 1.4 ? durbinCdf(n, x) : pelzGoodCdf(n, x);
  return clip01(1 - cdf);
}

/** Pr(D_{n,n} ≥ h/n) for equal sample sizes, by the alternating binomial sum in Horner form. */
function outsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * The share of lattice paths from (0,0) to (m,n) that leave the band |x/m − y/n| < h/lcm(m,n):
 * Pr(D_{m,n} ≥ d). Viehmann's (2021) recursion computes it as 1 − inside directly, one column
 * at a time over a sliding window, so no huge binomial appears.
 */
function outsideBand(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const A = new Float64Array(Math.min(2 * maxj + 2, n + 1) + 2).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = ((A[jj + minj - lastminj] ?? 1) * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, curlen, curlen + (lastlen - curlen));
  }
  return A[maxj - minj - 1] ?? Number.NaN;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

export interface KsResult {
  readonly statistic: number;
  readonly pValue: number;
  readonly method: 'exact' | 'asymp';
}

/** Samples up to this size get the exact p-value (scipy's MAX_AUTO_N). */
const MAX_EXACT_N = 10_000;

/** Two-sided p-value for the statistic d of samples sized n1 and n2, as ks_2samp(method='auto'). */
export function ksPValue(d: number, n1: number, n2: number): KsResult {
  let stat = d;
  if (Math.max(n1, n2) <= MAX_EXACT_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    stat = h / lcm;
    if (h === 0) return { statistic: stat, pValue: 1, method: 'exact' };
    const p = n1 === n2 ? outsideSquare(n1, h) : outsideBand(n1, n2, g, h);
    if (p >= 0 && p <= 1) return { statistic: stat, pValue: p, method: 'exact' };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  return { statistic: stat, pValue: clip01(kolmogorovSf(roundHalfEven(en), stat)), method: 'asymp' };
}

/** The largest gap between the two empirical CDFs; `a` and `b` sorted ascending, non-empty. */
export function ksStatistic(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0, j = 0, d = 0;
  while (i < n1 || j < n2) {
    const va = i < n1 ? (a[i] ?? 0) : Number.POSITIVE_INFINITY;
    const vb = j < n2 ? (b[j] ?? 0) : Number.POSITIVE_INFINITY;
    const v = va <= vb ? va : vb;
    while (i < n1 && a[i] === v) i++;
    while (j < n2 && b[j] === v) j++;
    const diff = Math.abs(i / n1 - j / n2);
    if (diff > d) d = diff;
  }
  return d;
}

/** ks_2samp(a, b): statistic and two-sided p-value; inputs sorted ascending, non-empty. */
export function ks2Samp(a: Float64Array, b: Float64Array): KsResult {
  return ksPValue(ksStatistic(a, b), a.length, b.length);
}
