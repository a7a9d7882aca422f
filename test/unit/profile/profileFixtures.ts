// Data files for the profiler's tests, written by pandas in the test venv, and the reference
// statistics pandas/numpy compute from the same files: the profiler is checked against an
// independent implementation, not against numbers written into the test.
import { runPython } from '../../support/python.ts';

export type FixtureFormat = 'csv' | 'tsv' | 'parquet' | 'jsonl';

/** Columns: row (0..n-1), id (unique ints), code (short unique strings), x (normal, ~5% NaN), k (0..4), cat (6 labels, nulls), flag (bool), ts (datetimes), note (free text). */
const WRITE = String.raw`
import sys, numpy as np, pandas as pd
out, fmt, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = np.random.default_rng(7)
x = rng.normal(50, 12, n); x[rng.random(n) < 0.05] = np.nan
cat = rng.choice(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow'], n, p=[.4, .2, .15, .1, .1, .05]).astype(object)
cat[rng.random(n) < 0.03] = None
df = pd.DataFrame({
    'row': np.arange(n),
    'id': rng.permutation(n) * 7 + 1000,
    'code': ['K%05d' % i for i in rng.permutation(n)],
    'x': x,
    'k': rng.integers(0, 5, n),
    'cat': cat,
    'flag': rng.random(n) < 0.3,
    'ts': pd.Timestamp('2024-01-01') + pd.to_timedelta(rng.integers(0, 86400 * 365, n), unit='s'),
    'note': ['free text number %d with words' % i for i in range(n)],
})
if fmt == 'csv': df.to_csv(out, index=False)
elif fmt == 'tsv': df.to_csv(out, index=False, sep='\t')
elif fmt == 'parquet': df.to_parquet(out, index=False)
else: df.to_json(out, orient='records', lines=True, date_format='iso')
`;

const REFERENCE = String.raw`
import sys, json, numpy as np, pandas as pd
path, fmt = sys.argv[1], sys.argv[2]
if fmt == 'csv': df = pd.read_csv(path)
elif fmt == 'tsv': df = pd.read_csv(path, sep='\t')
elif fmt == 'parquet': df = pd.read_parquet(path)
else: df = pd.read_json(path, lines=True)
ps = np.linspace(0, 1, 101)
out = {'rows': len(df), 'columns': {}}
for name in df.columns:
    s = df[name]
    col = {'nulls': int(s.isna().sum()), 'distinct': int(s.nunique())}
    if name in ('row', 'id', 'x', 'k'):
        v = s.dropna().astype(float)
        col.update(min=float(v.min()), max=float(v.max()), mean=float(v.mean()), std=float(v.std(ddof=1)),
                   quantiles=[float(q) for q in np.quantile(v.to_numpy(), ps)])
    if name in ('k', 'cat', 'flag'):
        col['counts'] = {str(k).lower() if isinstance(k, (bool, np.bool_)) else str(k): int(c) for k, c in s.value_counts().items()}
    if name == 'ts':
        t = pd.to_datetime(s)
        col.update(min=t.min().strftime('%Y-%m-%dT%H:%M:%S.000Z'), max=t.max().strftime('%Y-%m-%dT%H:%M:%S.000Z'))
    out['columns'][name] = col
print(json.dumps(out))
`;

export interface ReferenceColumn {
  readonly nulls: number;
  readonly distinct: number;
  readonly min?: number | string;
  readonly max?: number | string;
  readonly mean?: number;
  readonly std?: number;
  readonly quantiles?: number[];
  readonly counts?: Record<string, number>;
}

export interface Reference {
  readonly rows: number;
  readonly columns: Record<string, ReferenceColumn>;
}

export async function writeFixture(file: string, format: FixtureFormat, rows: number): Promise<void> {
  const result = await runPython(['-c', WRITE, file, format, String(rows)], {});
  if (result.code !== 0) throw new Error(`writing the ${format} fixture failed: ${result.stderr}`);
}

export async function pandasReference(file: string, format: FixtureFormat): Promise<Reference> {
  const result = await runPython(['-c', REFERENCE, file, format], {});
  if (result.code !== 0) throw new Error(`the pandas reference failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Reference;
}

/** |a - b| within `rel` of the larger magnitude (or of 1 near zero). */
export function close(actual: number | undefined, expected: number | undefined, rel = 1e-9): boolean {
  if (actual === undefined || expected === undefined) return false;
  return Math.abs(actual - expected) <= rel * Math.max(1, Math.abs(actual), Math.abs(expected));
}
