// How values read in the table, legends and tooltips.
import type { CompareValue } from '../../src/protocol/compare.ts';
import { formatNumber } from '../../src/shared/format.ts';

export function formatValue(v: CompareValue | undefined): string {
  if (v === null || v === undefined) return '—';
  return typeof v === 'number' ? formatNumber(v) : v;
}

/** Ascending order for mixed cells: numbers, then text; missing values are left to the caller. */
export function compareValues(a: CompareValue, b: CompareValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b || 0;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}
