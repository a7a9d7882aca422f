// What the Compare page does before anything else: takes the VS Code API, reads the saved state and
// asks the host for the comparison and the first chart's histories at once. boot.ts runs it from
// the page's HTML, as the HTML is parsed (before compare.js is fetched and compiled), and leaves
// it on the window for startup.ts; a page without the boot runs it from startup.ts.
import type { CompareEvent, CompareModel, CompareRequests, CompareState, MetricSeries } from '../../src/protocol/compare.ts';
import { RpcClient } from '../shared/rpcClient.ts';
import { vscodeApi, type VsCodeApi } from '../shared/vscodeApi.ts';
import { bucketsForWidth, unlaidChartWidth } from './chartBuckets.ts';
import { readState } from './state.ts';

export type FirstChart = { readonly key: string | null; readonly series: readonly MetricSeries[] };

export interface CompareOpening {
  readonly api: VsCodeApi<CompareState>;
  readonly rpc: RpcClient<CompareRequests, CompareEvent>;
  readonly initialState: CompareState;
  /** Asked at once; taken once by the page (later loads ask again). */
  comparison: Promise<CompareModel> | undefined;
  firstChart: Promise<FirstChart> | undefined;
  /** The bucket count the first chart was asked at. */
  readonly firstBuckets: number;
}

/** Where boot.ts leaves the opening for startup.ts. */
export const OPENING_KEY = '__labbookCompareOpening';

export function openCompare(): CompareOpening {
  const api = vscodeApi<CompareState>();
  const rpc = new RpcClient<CompareRequests, CompareEvent>(api, window, 60_000);
  const initialState = readState(api.getState());
  rpc.ready();
  const comparison = rpc.request('getComparison', { directions: initialState.directions });
  const saved = initialState.chartMetrics;
  const firstBuckets = bucketsForWidth(Math.max(200, unlaidChartWidth()));
  const firstChart = rpc.request('getFirstChart', saved ? { chartMetrics: saved, buckets: firstBuckets } : { buckets: firstBuckets });
  // Nobody may take an answer (the saved tab's code fails first): a rejection is then not unhandled.
  comparison.catch(() => undefined);
  firstChart.catch(() => undefined);
  return { api, rpc, initialState, comparison, firstChart, firstBuckets };
}
