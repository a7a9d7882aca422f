// The first code the Compare page runs: main.ts imports it before anything else, so it is evaluated
// before uPlot, the table and the rest of the page. It asks the host for the comparison and for the
// first chart's histories at once, and their answers cross while the rest is compiled and built.
import type { CompareEvent, CompareModel, CompareRequests, CompareState, MetricSeries } from '../../src/protocol/compare.ts';
import { RpcClient } from '../shared/rpcClient.ts';
import { vscodeApi } from '../shared/vscodeApi.ts';
import { bucketsForWidth, unlaidChartWidth } from './chartBuckets.ts';
import { readState } from './state.ts';

type FirstChart = { readonly key: string | null; readonly series: readonly MetricSeries[] };

export const api = vscodeApi<CompareState>();
export const rpc = new RpcClient<CompareRequests, CompareEvent>(api, window, 60_000);
export const initialState: CompareState = readState(api.getState());

rpc.ready();
let comparison: Promise<CompareModel> | undefined = rpc.request('getComparison', { directions: initialState.directions });
const saved = initialState.chartMetrics;
const firstBuckets = bucketsForWidth(Math.max(200, unlaidChartWidth()));
let firstChart: Promise<FirstChart> | undefined = rpc.request('getFirstChart', saved ? { chartMetrics: saved, buckets: firstBuckets } : { buckets: firstBuckets });
// Nobody may take an answer (the saved tab's code fails first): a rejection is then not unhandled.
comparison.catch(() => undefined);
firstChart.catch(() => undefined);

/** The comparison asked at start, once (later loads ask again). */
export function takeComparison(): Promise<CompareModel> | undefined {
  const taken = comparison;
  comparison = undefined;
  return taken;
}

/** The first chart asked at start, once, if it was asked at `buckets` buckets. */
export function takeFirstChart(buckets: number): Promise<FirstChart> | undefined {
  if (buckets !== firstBuckets) return undefined;
  const taken = firstChart;
  firstChart = undefined;
  return taken;
}
