// The first code of compare.js: main.ts imports it before anything else. It takes what the page's
// boot script (boot.ts, inlined in the HTML) started — the VS Code API, the RPC client and the
// comparison and first chart already asked for — or starts it now if the page had no boot.
import type { CompareModel } from '../../src/protocol/compare.ts';
import { OPENING_KEY, openCompare, type CompareOpening, type FirstChart } from './opening.ts';

const opening: CompareOpening = ((window as unknown as Record<string, unknown>)[OPENING_KEY] as CompareOpening | undefined) ?? openCompare();

/**
 * Use this `api`: the boot script took the VS Code API through its own copy of vscodeApi(), so a
 * call to vscodeApi() in compare.js would ask VS Code a second time, which it refuses.
 */
export const { api, rpc, initialState } = opening;

/** The comparison asked at start, once (later loads ask again). */
export function takeComparison(): Promise<CompareModel> | undefined {
  const taken = opening.comparison;
  opening.comparison = undefined;
  return taken;
}

/** The first chart asked at start, once, if it was asked at `buckets` buckets. */
export function takeFirstChart(buckets: number): Promise<FirstChart> | undefined {
  if (buckets !== opening.firstBuckets) return undefined;
  const taken = opening.firstChart;
  opening.firstChart = undefined;
  return taken;
}
