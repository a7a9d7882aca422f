// How numbers and durations read, the same in the explorer trees (host) and in every webview.
// Pure and import-free so both bundles can import it.

/** A number as sent over JSON when it is not finite (see core's JsonNumber). */
export type NonFiniteText = 'NaN' | 'Infinity' | '-Infinity';

const SIGNIFICANT_DIGITS = 6;

/**
 * Numbers as people read them: at most 6 significant digits with no float noise (`0.123457`),
 * integers in full, exponents only for very small or very large values (`1.5e-7`, `2.5e+9`),
 * and `NaN`, `∞`, `-∞` for the rest.
 */
export function formatNumber(value: number | NonFiniteText): string {
  const n = typeof value === 'string' ? Number(value) : value;
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '-∞';
  const abs = Math.abs(n);
  if (Number.isInteger(n) && abs < 1e15) return String(n);
  // Rounding first, then printing the shortest form, drops trailing zeros in both notations.
  const rounded = Number(n.toPrecision(SIGNIFICANT_DIGITS));
  if (abs < 1e-4 || abs >= 1e9) return rounded.toExponential();
  return String(rounded);
}

/** A percentage change with its sign and at most two decimals: `+20%`, `-0.05%`, `+0%`. */
export function formatSignedPercent(percent: number): string {
  return `${percent >= 0 ? '+' : ''}${formatNumber(Number(percent.toFixed(2)))}%`;
}

/**
 * A duration in at most two units: `850 ms`, `3.2 s`, `42 s`, `4 min 5 s`, `2 h 10 min`,
 * `3 d 4 h`. Null when unknown (null, negative or not finite).
 */
export function formatDuration(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return null;
  // Each unit is rounded before it is split, so rounding never shows `1000 ms`, `60 s` or `60 min`.
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 100) return `${(tenths / 10).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)} min ${totalSeconds % 60} s`;
  const totalMinutes = Math.round(totalSeconds / 60);
  const hours = Math.floor(totalMinutes / 60);
  if (hours < 48) return `${hours} h ${totalMinutes % 60} min`;
  const totalHours = Math.round(totalMinutes / 60);
  return `${Math.floor(totalHours / 24)} d ${totalHours % 24} h`;
}

/** How long ago `then` was, in its largest unit: `just now`, `5 min ago`, `2 h ago`, `3 d ago`. */
export function formatAgo(then: number, now: number): string {
  const minutes = Math.floor(Math.max(0, now - then) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}
