// How cells read in the Runs Table: numbers and durations through the shared formatter (the same
// as the explorer), times as in Run Details, missing values as a dash.
import type { Cell, ColumnValueType, MetricAggregates } from '../../src/protocol/runsTable.ts';
import { formatDuration, formatNumber } from '../../src/shared/format.ts';
import { formatTime } from '../runDetails/format.ts';

export const MISSING = '—';

export function formatCell(value: Cell | undefined, type: ColumnValueType): string {
  if (value === null || value === undefined || value === '') return MISSING;
  if (typeof value === 'string') return value;
  switch (type) {
    case 'time':
      return Number.isFinite(value) ? formatTime(new Date(value).toISOString()) : MISSING;
    case 'duration':
      return formatDuration(value) ?? MISSING;
    default:
      return formatNumber(value);
  }
}

/** A group's metric cell: `mean ± std`, with the range as the second part. */
export function formatAggregate(a: MetricAggregates): { main: string; range: string; title: string } {
  const main = a.n > 1 ? `${formatNumber(a.mean)} ± ${formatNumber(a.std)}` : formatNumber(a.mean);
  const range = a.n > 1 ? `${formatNumber(a.min)} – ${formatNumber(a.max)}` : '';
  const title = `mean ${formatNumber(a.mean)}, std ${formatNumber(a.std)}, min ${formatNumber(a.min)}, max ${formatNumber(a.max)} over ${a.n} run${a.n === 1 ? '' : 's'}`;
  return { main, range, title };
}

/** A cell's value as copied (TSV) — unformatted numbers, no tabs or newlines inside. */
export function plainCell(value: Cell | undefined): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[\t\r\n]+/g, ' ');
}

/** The label of a group key: `lr=0.01 · optimizer=adam`. */
export function groupLabel(keys: readonly string[], values: readonly Cell[]): string {
  return keys.map((k, i) => `${k}=${values[i] === null || values[i] === undefined ? MISSING : String(values[i])}`).join(' · ');
}
