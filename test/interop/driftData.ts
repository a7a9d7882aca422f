// Shared by the drift interop test and the drift bench: tables generated with pandas (the test
// venv) with known shifts, and Evidently's DataDriftPreset run on the same files (the peers venv,
// LABBOOK_PEER_PYTHON), its per-column results read back as JSON.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runPython } from '../support/python.ts';

/** The generated columns: which ones shift between reference and current. */
export const SHIFTED = ['num_shift', 'cat_shift'] as const;
export const STABLE = ['num_same', 'num_skewed', 'cat_same', 'int_code', 'flag'] as const;
export const NUMERICAL = ['num_shift', 'num_same', 'num_skewed'] as const;
export const CATEGORICAL = ['cat_shift', 'cat_same', 'int_code', 'flag'] as const;

const GENERATE = `
import sys
import numpy as np, pandas as pd
out, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def table(rng, shift, start):
    return pd.DataFrame({
        'id': np.arange(start, start + n, dtype=np.int64),
        'ts': pd.date_range('2024-01-01', periods=n, freq='min') + pd.Timedelta(days=start // n * 40),
        'num_shift': rng.normal(0.0 + 0.6 * shift, 1.0, n).round(6),
        'num_same': rng.normal(5.0, 2.0, n).round(6),
        'num_skewed': rng.lognormal(0.0, 0.5, n).round(6),
        'cat_shift': rng.choice(['red', 'green', 'blue'], n, p=[0.5, 0.3, 0.2] if shift else [0.2, 0.3, 0.5]),
        'cat_same': rng.choice(['a', 'b', 'c', 'd'], n, p=[0.4, 0.3, 0.2, 0.1]),
        'int_code': rng.integers(0, 5, n).astype(np.int64),
        'flag': rng.random(n) < 0.3,
    })
rng = np.random.default_rng(seed)
ref, cur = table(rng, 0, 0), table(rng, 1, n)
for name, df in (('reference', ref), ('current', cur)):
    df.to_csv(f'{out}/{name}.csv', index=False)
    df.to_parquet(f'{out}/{name}.parquet', index=False)
`;

/** Writes reference/current .csv and .parquet of `rows` rows each into `dir`. */
export async function generateDriftTables(dir: string, rows: number, seed = 7): Promise<void> {
  const script = path.join(dir, 'generate.py');
  writeFileSync(script, GENERATE);
  const r = await runPython([script, dir, String(rows), String(seed)], {}, 300_000);
  if (r.code !== 0) throw new Error(`generating the tables failed: ${r.stderr}`);
}

const EVIDENTLY = `
import json, sys, time
import pandas as pd
from evidently import Report, Dataset, DataDefinition
from evidently.presets import DataDriftPreset
ref_path, cur_path, numerical, categorical = sys.argv[1], sys.argv[2], sys.argv[3].split(','), sys.argv[4].split(',')
start = time.perf_counter()
def read(p):
    return pd.read_parquet(p) if p.endswith('.parquet') else pd.read_csv(p, parse_dates=['ts'])
ref, cur = read(ref_path), read(cur_path)
dd = DataDefinition(id_column='id', timestamp='ts', numerical_columns=numerical, categorical_columns=categorical)
result = Report([DataDriftPreset()]).run(Dataset.from_pandas(cur, data_definition=dd), Dataset.from_pandas(ref, data_definition=dd)).dict()
seconds = time.perf_counter() - start
columns, dataset = {}, None
for m in result['metrics']:
    cfg = m['config']
    if cfg['type'].endswith('ValueDrift'):
        columns[cfg['column']] = {'method': cfg['method'], 'threshold': cfg['threshold'], 'score': m['value']}
    elif cfg['type'].endswith('DriftedColumnsCount'):
        dataset = m['value']
print(json.dumps({'columns': columns, 'dataset': dataset, 'seconds': seconds}))
`;

export interface EvidentlyColumn {
  readonly method: string;
  readonly threshold: number;
  readonly score: number;
}
export interface EvidentlyResult {
  readonly columns: Record<string, EvidentlyColumn>;
  readonly dataset: { count: number; share: number };
  readonly seconds: number;
}

/** The peers venv's python (Evidently 0.7), from LABBOOK_PEER_PYTHON, or a clear error. */
export function peerPython(): string {
  const python = process.env.LABBOOK_PEER_PYTHON;
  if (!python || !existsSync(python)) {
    throw new Error('LABBOOK_PEER_PYTHON must name the python of the peers venv (requirements-peers.txt; `node scripts/test.mjs interop` sets it up; by hand: ~/.cache/labbook/peers-*/bin/python).');
  }
  return python;
}

/** Evidently's DataDriftPreset on two files; also the seconds it took inside Python (reading included). */
export function runEvidently(dir: string, reference: string, current: string, timeoutMs = 600_000): Promise<EvidentlyResult> {
  const script = path.join(dir, 'evidently_drift.py');
  writeFileSync(script, EVIDENTLY);
  return new Promise((resolve, reject) => {
    const child = spawn(peerPython(), [script, reference, current, NUMERICAL.join(','), CATEGORICAL.join(',')], { env: { ...process.env, DO_NOT_TRACK: '1', EVIDENTLY_DISABLE_TELEMETRY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`Evidently failed (${code}): ${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as EvidentlyResult);
    });
  });
}

/** Evidently's decision from its score, by its own comparison per test (stattests/*.py). */
export function evidentlyDrifted(c: EvidentlyColumn): boolean {
  if (/K-S/i.test(c.method)) return c.score <= c.threshold;
  if (/p_value/i.test(c.method)) return c.score < c.threshold;
  return c.score >= c.threshold;
}

/** Evidently's method names as Labbook's test ids (undefined for a test Labbook does not have, the z-test). */
export function evidentlyTest(method: string): string | undefined {
  if (/K-S/i.test(method)) return 'ks';
  if (/chi-square/i.test(method)) return 'chisquare';
  if (/Wasserstein/i.test(method)) return 'wasserstein';
  if (/Jensen/i.test(method)) return 'jensenshannon';
  if (/PSI/i.test(method)) return 'psi';
  return undefined;
}
