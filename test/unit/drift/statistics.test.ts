// Each drift statistic against the value scipy (the test venv's) computes on the same fixed
// samples: KS statistic and p-value (exact and asymptotic), the Kolmogorov and Smirnov
// distributions on their own, Wasserstein (plain and normed), PSI and Jensen–Shannon over
// Evidently's buckets (numpy's Sturges edges), chi-square and its survival function.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chiSquareSf } from '../../../src/core/drift/chiSquare.ts';
import { ks2Samp, kolmogorovSf, smirnovSf } from '../../../src/core/drift/kolmogorov.ts';
import { chiSquareOfCounts, jensenShannonOfNumbers, psiOfNumbers, wassersteinDistance, wassersteinNormed, jensenShannonOfCounts, psiOfCounts } from '../../../src/core/drift/statistics.ts';
import { runPython } from '../../support/python.ts';
import { integers, normals, sorted } from './samples.ts';

/** Two-sample cases: small (exact), equal sizes, ties, disjoint, large (asymptotic), small against large. */
const PAIRS: Record<string, [number[], number[]]> = {
  small: [normals(1, 50), normals(2, 60, 0.4)],
  equal: [normals(3, 100), normals(4, 100, 0.3)],
  ties: [integers(5, 300, 10), integers(6, 400, 9)],
  disjoint: [normals(7, 30), normals(8, 40, 10)],
  identical: [normals(9, 200), normals(9, 200)],
  mid: [normals(10, 3000), normals(11, 7000, 0.05)],
  large: [normals(12, 20_000), normals(13, 15_000, 0.03)],
  largeShift: [normals(14, 20_000), normals(15, 30_000, 0.5, 1.2)],
  smallVsLarge: [normals(16, 800), normals(17, 12_000, 0.1)],
};

const KSTWO_GRID: [number, number][] = [];
for (const n of [1, 2, 5, 20, 100, 140, 141, 500, 1000, 5000, 100_000, 200_000]) {
  for (const z of [0.3, 0.6, 0.9, 1.1, 1.36, 1.6, 2, 3]) KSTWO_GRID.push([n, Math.min(z / Math.sqrt(n), 0.999)]);
  KSTWO_GRID.push([n, 0.6], [n, 0.75 / n]);
}
const SMIRNOV_GRID: [number, number][] = [[1, 0.3], [5, 0.2], [20, 0.1], [100, 0.05], [1000, 0.02], [10_000, 0.012], [50_000, 0.004]];
const CHI2_GRID: [number, number][] = [[0.5, 1], [3.84, 1], [10, 3], [1, 5], [30, 20], [200, 150], [1000, 999], [5, 40], [80, 12], [0.01, 2]];
const COUNTS: Record<string, [number[], number[]]> = {
  shift: [[500, 300, 200], [400, 350, 250]],
  same: [[50, 30, 20], [100, 60, 40]],
  newCategory: [[10, 20, 0], [12, 18, 5]],
  many: [Array.from({ length: 40 }, (_, i) => 10 + i), Array.from({ length: 40 }, (_, i) => 50 - i)],
};

const PY = `
import json, sys
import numpy as np
from scipy import stats, special
from scipy.spatial import distance
data = json.load(open(sys.argv[1]))

def binned(ref, cur, fill):
    ref = np.asarray(ref, dtype=float); cur = np.asarray(cur, dtype=float)
    if len(np.unique(ref)) > 20:
        bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins='sturges')
        r = np.histogram(ref, bins)[0] / len(ref); c = np.histogram(cur, bins)[0] / len(cur)
    else:
        keys = sorted(set(ref) | set(cur))
        r = np.array([np.sum(ref == k) / len(ref) for k in keys]); c = np.array([np.sum(cur == k) / len(cur) for k in keys])
    return shares(r, c, fill)

def shares(r, c, fill):
    r = np.asarray(r, dtype=float); c = np.asarray(c, dtype=float)
    if fill:
        for a in (r, c):
            m = min(a[a != 0]); np.place(a, a == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return r, c

out = {'pairs': {}, 'kstwo': [], 'smirnov': [], 'chi2': [], 'counts': {}}
for name, (a, b) in data['pairs'].items():
    ks = stats.ks_2samp(a, b)
    r, c = binned(a, b, True)
    jr, jc = binned(a, b, False)
    out['pairs'][name] = {
        'ksStat': float(ks.statistic), 'ksP': float(ks.pvalue),
        'wd': float(stats.wasserstein_distance(a, b)),
        'wdNorm': float(stats.wasserstein_distance(a, b) / max(float(np.std(a)), 0.001)),
        'psi': float(np.sum((r - c) * np.log(r / c))),
        'js': float(distance.jensenshannon(jr, jc)),
    }
out['kstwo'] = [float(stats.kstwo.sf(x, n)) for n, x in data['kstwo']]
out['smirnov'] = [float(special.smirnov(n, x)) for n, x in data['smirnov']]
out['chi2'] = [float(stats.chi2.sf(x, df)) for x, df in data['chi2']]
for name, (ref, cur) in data['counts'].items():
    ref = np.asarray(ref, dtype=float); cur = np.asarray(cur, dtype=float)
    with np.errstate(divide='ignore', invalid='ignore'):
        chi = stats.chisquare(cur, ref * cur.sum() / ref.sum())
    r, c = shares(ref / ref.sum(), cur / cur.sum(), True)
    out['counts'][name] = {'chiP': float(chi.pvalue), 'js': float(distance.jensenshannon(ref / ref.sum(), cur / cur.sum())), 'psi': float(np.sum((r - c) * np.log(r / c)))}
print(json.dumps(out))
`;

type PairRef = { ksStat: number; ksP: number; wd: number; wdNorm: number; psi: number; js: number };
interface Reference {
  pairs: Record<string, PairRef>;
  kstwo: number[];
  smirnov: number[];
  chi2: number[];
  counts: Record<string, { chiP: number; js: number; psi: number }>;
}

/** Close in relative terms, with an absolute floor for values near 0. */
function close(actual: number, expected: number, rtol: number, what: string, atol = 1e-300): void {
  const ok = actual === expected || Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
  assert.ok(ok, `${what}: got ${actual}, scipy says ${expected} (rtol ${rtol})`);
}

describe('drift statistics against scipy', function () {
  this.timeout(120_000);
  let ref: Reference;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-drift-stats-'));
    const input = path.join(dir, 'input.json');
    const script = path.join(dir, 'reference.py');
    writeFileSync(input, JSON.stringify({ pairs: PAIRS, kstwo: KSTWO_GRID, smirnov: SMIRNOV_GRID, chi2: CHI2_GRID, counts: COUNTS }));
    writeFileSync(script, PY);
    const result = await runPython([script, input], {}, 110_000);
    assert.equal(result.code, 0, result.stderr);
    ref = JSON.parse(result.stdout) as Reference;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of Object.keys(PAIRS)) {
    it(`KS statistic and p-value (${name})`, () => {
      const [a, b] = PAIRS[name] ?? [[], []];
      const r = ks2Samp(sorted(a), sorted(b));
      const e = ref.pairs[name] as PairRef;
      close(r.statistic, e.ksStat, 1e-12, 'statistic');
      close(r.pValue, e.ksP, 1e-7, `p-value (${r.method})`, 1e-14);
    });
    it(`Wasserstein, normed Wasserstein, PSI and Jensen–Shannon (${name})`, () => {
      const [a, b] = PAIRS[name] ?? [[], []];
      const e = ref.pairs[name] as PairRef;
      close(wassersteinDistance(sorted(a), sorted(b)), e.wd, 1e-9, 'wasserstein', 1e-15);
      close(wassersteinNormed(sorted(a), sorted(b)), e.wdNorm, 1e-9, 'normed wasserstein', 1e-15);
      close(psiOfNumbers(sorted(a), sorted(b)).psi, e.psi, 1e-9, 'psi', 1e-15);
      close(jensenShannonOfNumbers(sorted(a), sorted(b)), e.js, 1e-9, 'jensen-shannon', 1e-9);
    });
  }

  it('the Kolmogorov distribution kstwo.sf over every algorithm region', () => {
    KSTWO_GRID.forEach(([n, x], i) => close(kolmogorovSf(n, x), ref.kstwo[i] ?? Number.NaN, 1e-6, `kstwo.sf(${x}, ${n})`, 1e-15));
  });

  it('the one-sided Smirnov distribution', () => {
    SMIRNOV_GRID.forEach(([n, x], i) => close(smirnovSf(n, x), ref.smirnov[i] ?? Number.NaN, 1e-9, `smirnov(${n}, ${x})`, 1e-300));
  });

  it('the chi-square survival function', () => {
    CHI2_GRID.forEach(([x, df], i) => close(chiSquareSf(x, df), ref.chi2[i] ?? Number.NaN, 1e-10, `chi2.sf(${x}, ${df})`, 1e-300));
  });

  for (const name of Object.keys(COUNTS)) {
    it(`chi-square, Jensen–Shannon and PSI of category counts (${name})`, () => {
      const [r, c] = COUNTS[name] ?? [[], []];
      const e = ref.counts[name] as { chiP: number; js: number; psi: number };
      close(chiSquareOfCounts(r, c).pValue, e.chiP, 1e-9, 'chi-square p', 1e-300);
      close(jensenShannonOfCounts(r, c), e.js, 1e-12, 'jensen-shannon', 1e-12);
      close(psiOfCounts(r, c), e.psi, 1e-9, 'psi', 1e-15);
    });
  }
});
