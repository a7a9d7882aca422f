// The comparison table as CSV (RFC 4180), in the layout and with the filters the user sees.
import { rowValues, visibleRows } from './comparison.ts';
import type { CompareModel, CompareValue, TableView } from './types.ts';

/**
 * One CSV field: quoted when it holds a comma, quote, line break or edge spaces. Text that a
 * spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe; numbers stay numbers.
 */
export function csvField(value: CompareValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(fields: readonly CompareValue[]): string {
  return fields.map(csvField).join(',');
}

/**
 * Rows are keys (kind, key, one column per run) or, transposed, runs (run, run id, one column per
 * key as `kind:key`). Metric values follow the view's aggregate.
 */
export function comparisonCsv(model: CompareModel, view: TableView): string {
  const rows = visibleRows(model, view);
  const lines: string[] = [];
  if (!view.transposed) {
    lines.push(csvLine(['kind', 'key', ...model.runs.map((r) => r.label)]));
    for (const row of rows) lines.push(csvLine([row.kind, row.key, ...rowValues(row, view.aggregate)]));
  } else {
    lines.push(csvLine(['run', 'run id', ...rows.map((r) => `${r.kind}:${r.key}`)]));
    model.runs.forEach((run, i) => {
      lines.push(csvLine([run.label, run.runId, ...rows.map((row) => rowValues(row, view.aggregate)[i] ?? null)]));
    });
  }
  return `${lines.join('\r\n')}\r\n`;
}
