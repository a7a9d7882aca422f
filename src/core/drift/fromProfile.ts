// A table rebuilt from a stored DataProfile, for when a run's data file changed or is gone: the
// numbers are drawn back from the 101 stored quantiles (evenly spaced probabilities, linearly
// interpolated), few-valued columns from their value counts, categories from the top values plus
// one "(other)" bucket. The scores computed on it are approximate, and the report says so.
import type { ColumnValues, TableData } from '../profile/tableData.ts';
import type { ColumnProfile, DataProfile } from '../profile/types.ts';

/** The bucket that holds the rows outside a profile's top values. */
export const OTHER = '(other)';
/** Numbers drawn back per column at most (enough for stable distances; KS keeps small sizes exact). */
export const MAX_REBUILT_VALUES = 100_000;

/** n values following the quantile function given by `q` (ascending, at p = 0, 1/(k−1), …, 1). */
export function valuesFromQuantiles(q: readonly number[], n: number): Float64Array {
  const out = new Float64Array(n);
  const k = q.length - 1;
  for (let i = 0; i < n; i++) {
    const pos = ((i + 0.5) / n) * k;
    const lo = Math.floor(pos);
    const frac = pos - lo;
    const a = q[lo] ?? q[k] ?? 0;
    const b = q[Math.min(lo + 1, k)] ?? a;
    out[i] = a + (b - a) * frac;
  }
  return out;
}

/** Counts scaled down to at most `cap` in total (largest remainders), for value-count columns. */
function scaledCounts(counts: readonly number[], cap: number): number[] {
  const total = counts.reduce((s, c) => s + c, 0);
  if (total <= cap) return [...counts];
  const exact = counts.map((c) => (c * cap) / total);
  const floors = exact.map(Math.floor);
  let left = cap - floors.reduce((s, c) => s + c, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    floors[i] = (floors[i] ?? 0) + 1;
  }
  return floors;
}

function numbersOf(c: ColumnProfile): Float64Array | undefined {
  const nonNull = c.count - c.nulls;
  const numericTop = c.topValues?.every((t) => Number.isFinite(Number(t.value))) && (c.otherCount ?? 0) === 0;
  if (c.topValues && c.topValues.length > 0 && numericTop) {
    const counts = scaledCounts(c.topValues.map((t) => t.count), MAX_REBUILT_VALUES);
    const out = new Float64Array(counts.reduce((s, x) => s + x, 0));
    let k = 0;
    c.topValues.forEach((t, i) => out.fill(Number(t.value), k, (k += counts[i] ?? 0)));
    return out;
  }
  if (c.quantiles && c.quantiles.length >= 2 && nonNull > 0) return valuesFromQuantiles(c.quantiles, Math.min(nonNull, MAX_REBUILT_VALUES));
  return undefined;
}

function categoriesOf(c: ColumnProfile): Map<string, number> | undefined {
  if (!c.topValues) return undefined;
  const counts = new Map(c.topValues.map((t) => [t.value, t.count]));
  if ((c.otherCount ?? 0) > 0) counts.set(OTHER, (counts.get(OTHER) ?? 0) + (c.otherCount ?? 0));
  return counts;
}

/** The profile as a TableData (approximate). */
export function tableFromProfile(profile: DataProfile): TableData {
  const columns = profile.columns.map((c): ColumnValues => {
    const base = { name: c.name, type: c.type, kind: c.kind, role: c.role, ...(c.roleReason ? { roleReason: c.roleReason } : {}), count: c.count, nulls: c.nulls };
    if (c.kind === 'numeric' || c.kind === 'datetime') {
      const numbers = numbersOf(c);
      return numbers ? { ...base, numbers } : { ...base, note: 'the stored profile has no quantiles for this column' };
    }
    if (c.kind === 'text') return { ...base, note: 'free text: not compared' };
    const categories = categoriesOf(c);
    return categories ? { ...base, categories } : { ...base, note: 'the stored profile has no value counts for this column' };
  });
  return { path: profile.source.path, format: profile.source.format, rows: profile.rows, columns, notes: [] };
}

/**
 * The other side's categories lumped the same way as a rebuilt side's: values outside the
 * rebuilt side's top values go to "(other)", so the rebuilt side's bucket is not read as drift.
 */
export function lumpLikeProfile(table: TableData, rebuilt: TableData): TableData {
  const byName = new Map(rebuilt.columns.map((c) => [c.name, c]));
  const columns = table.columns.map((c): ColumnValues => {
    const r = byName.get(c.name);
    if (!c.categories || !r?.categories?.has(OTHER)) return c;
    const kept = new Map<string, number>();
    for (const [value, count] of c.categories) {
      const key = r.categories.has(value) ? value : OTHER;
      kept.set(key, (kept.get(key) ?? 0) + count);
    }
    return { ...c, categories: kept };
  });
  return { ...table, columns };
}
