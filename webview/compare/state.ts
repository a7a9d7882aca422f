// What the Compare panel keeps across reloads (vscode getState/setState), read defensively: the
// saved state may come from an older version of the page.
import {
  isCompareSource,
  isMetricDirections,
  LINE_MODES,
  METRIC_AGGREGATES,
  X_AXIS_MODES,
  type CompareState,
  type CompareTab,
  type LineMode,
  type MetricAggregate,
  type XAxisMode,
} from '../../src/protocol/compare.ts';
import { isRecord } from '../../src/protocol/rpc.ts';

export const TABS: readonly CompareTab[] = ['table', 'charts', 'artifacts', 'code'];

export const DEFAULT_STATE: CompareState = {
  tab: 'table',
  aggregate: 'last',
  diffOnly: false,
  transposed: false,
  sort: null,
  directions: {},
  chartMetrics: null,
  xAxis: 'step',
  smoothing: 0,
  logScale: false,
  lines: 'runs',
  parallelKeys: null,
  scatter: null,
  codeRuns: null,
};

const strings = (v: unknown): readonly string[] | null => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : null);

export function readState(raw: unknown): CompareState {
  if (!isRecord(raw)) return DEFAULT_STATE;
  const d = DEFAULT_STATE;
  const sort = isRecord(raw.sort) && typeof raw.sort.column === 'string' && typeof raw.sort.desc === 'boolean' ? { column: raw.sort.column, desc: raw.sort.desc } : null;
  const scatter = isRecord(raw.scatter) && typeof raw.scatter.x === 'string' && typeof raw.scatter.y === 'string' ? { x: raw.scatter.x, y: raw.scatter.y } : null;
  const codeRuns = isRecord(raw.codeRuns) && typeof raw.codeRuns.base === 'string' && typeof raw.codeRuns.remote === 'string' ? { base: raw.codeRuns.base, remote: raw.codeRuns.remote } : null;
  const smoothing = typeof raw.smoothing === 'number' && raw.smoothing >= 0 && raw.smoothing < 1 ? raw.smoothing : d.smoothing;
  return {
    ...(isCompareSource(raw.source) ? { source: raw.source } : {}),
    tab: TABS.includes(raw.tab as CompareTab) ? (raw.tab as CompareTab) : d.tab,
    aggregate: METRIC_AGGREGATES.includes(raw.aggregate as MetricAggregate) ? (raw.aggregate as MetricAggregate) : d.aggregate,
    diffOnly: typeof raw.diffOnly === 'boolean' ? raw.diffOnly : d.diffOnly,
    transposed: typeof raw.transposed === 'boolean' ? raw.transposed : d.transposed,
    sort,
    directions: isMetricDirections(raw.directions) ? raw.directions : d.directions,
    chartMetrics: strings(raw.chartMetrics),
    xAxis: X_AXIS_MODES.includes(raw.xAxis as XAxisMode) ? (raw.xAxis as XAxisMode) : d.xAxis,
    smoothing,
    logScale: typeof raw.logScale === 'boolean' ? raw.logScale : d.logScale,
    lines: LINE_MODES.includes(raw.lines as LineMode) ? (raw.lines as LineMode) : d.lines,
    parallelKeys: strings(raw.parallelKeys),
    scatter,
    codeRuns,
  };
}
