// What the sweep panel reads: the sweep and its trials (SweepStore), their queue items
// (QueueStore), and each trial's early-stopping metric history (the tracking store its runs log
// to), folded by core's buildSweepView. No `vscode` here, so Node tests can drive it.
import type { QueueItem } from '../../core/queue/types.ts';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import { buildSweepView, trialItems, type CurvePoint } from '../../core/sweep/sweepView.ts';
import type { SweepRecord, TrialRecord } from '../../core/sweep/types.ts';
import type { SweepView } from '../../protocol/sweepTypes.ts';

/** The part of SweepStore the panel reads. */
export interface SweepReader {
  get(sweepId: string): SweepRecord | undefined;
  list(): SweepRecord[];
  trials(sweepId: string): TrialRecord[];
}

/** The part of QueueStore the panel reads. */
export interface QueueReader {
  list(filter?: { readonly sweepId?: string }): QueueItem[];
}

export interface SweepSources {
  /** Undefined while the workspace has no local store (QueueServices' sweeps()). */
  readonly sweeps: () => SweepReader | undefined;
  readonly queue: () => QueueReader | undefined;
  /** An explorer root's store by id (the host's openRoot). */
  readonly stores: (rootId: string) => Promise<ReadableStore | undefined>;
}

/** The explorer root a sweep's runs are in: its target, or the local store's ('local') for ''. */
export function sweepRootId(sweep: Pick<SweepRecord, 'target'>): string {
  return sweep.target === '' ? 'local' : sweep.target;
}

/** Metric histories read at once, so a sweep of hundreds of trials does not open hundreds of reads together. */
const CURVE_BATCH = 16;
/** Trials whose curves are read at most (the newest); the rest draw without one. */
const MAX_CURVES = 1000;

export class SweepNotFoundError extends Error {
  override readonly name = 'SweepNotFoundError';
}

/** The curves of the early-stopping metric (the objective when there is no rule), by run id. */
async function readCurves(store: ReadableStore | undefined, metric: string, runIds: readonly string[], onError: (message: string) => void): Promise<Map<string, readonly CurvePoint[]>> {
  const curves = new Map<string, readonly CurvePoint[]>();
  if (!store) return curves;
  for (let i = 0; i < runIds.length; i += CURVE_BATCH) {
    const batch = runIds.slice(i, i + CURVE_BATCH);
    const read = await Promise.all(
      batch.map(async (runId) => {
        try {
          return (await store.getMetricHistory(runId, metric)).map((m) => ({ step: m.step, value: m.value }));
        } catch (err) {
          // A run deleted or not yet synced: its trial draws without a curve.
          onError(`sweep panel: no history of ${metric} for run ${runId}: ${err instanceof Error ? err.message : String(err)}`);
          return [];
        }
      }),
    );
    batch.forEach((runId, j) => curves.set(runId, (read[j] ?? []).filter((p) => Number.isFinite(p.value))));
  }
  return curves;
}

/** The sweep's view as the panel draws it; throws SweepNotFoundError when the store has no such sweep. */
export async function loadSweepView(sources: SweepSources, sweepId: string, options: { readonly now?: number; readonly log?: (line: string) => void } = {}): Promise<SweepView> {
  const sweeps = sources.sweeps();
  const sweep = sweeps?.get(sweepId);
  if (!sweeps || !sweep) throw new SweepNotFoundError(`There is no sweep '${sweepId}' in this workspace's store.`);
  const trials = sweeps.trials(sweepId);
  const items = sources.queue()?.list({ sweepId }) ?? [];
  const rootId = sweepRootId(sweep);
  const metric = sweep.spec.earlyStopping?.metric ?? sweep.spec.objective.metric;
  // A trial's curve is its first seed's run (buildSweepView picks the same one); the newest trials first.
  const numbers = [...new Set(items.map((i) => i.trialNumber).filter((n): n is number => n !== undefined))].sort((a, b) => b - a).slice(0, MAX_CURVES);
  const runIds = numbers.map((n) => trialItems(items, n).find((i) => i.runId)?.runId).filter((id): id is string => typeof id === 'string' && id !== '');
  let store: ReadableStore | undefined;
  try {
    store = runIds.length > 0 ? await sources.stores(rootId) : undefined;
  } catch (err) {
    options.log?.(`sweep panel: the store '${rootId}' could not be opened: ${err instanceof Error ? err.message : String(err)}`);
  }
  const curves = await readCurves(store, metric, runIds, options.log ?? (() => undefined));
  return buildSweepView({ sweep, trials, items, curves, store: rootId, now: options.now ?? Date.now() });
}
