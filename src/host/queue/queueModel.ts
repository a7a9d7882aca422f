// What the Queue view shows, as plain data: sweeps (running first) with their items as children,
// then the single queued runs; each node's label, description (progress, ETA, queue position),
// icon and context value. Plain functions (no `vscode`), unit-tested in Node; queueTree.ts only
// turns these into TreeItems.
import type { QueueItem, QueueItemState } from '../../core/queue/types.ts';
import type { SweepRecord, SweepState, TrialRecord } from '../../core/sweep/types.ts';
import { formatDuration, formatNumber } from '../../shared/format.ts';

export interface SweepSummary {
  readonly sweep: SweepRecord;
  readonly trials: readonly TrialRecord[];
  readonly items: readonly QueueItem[];
  /** Trials the budget allows, when known (a grid's size, or budget.trials). */
  readonly total: number | undefined;
}

export type QueueNode =
  | { readonly kind: 'sweep'; readonly summary: SweepSummary }
  | { readonly kind: 'item'; readonly item: QueueItem; readonly sweep?: SweepRecord };

export interface NodeLook {
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  /** A codicon id (`loading~spin` spins). */
  readonly icon: string;
  /** A theme color id for the icon, when the state has one. */
  readonly color?: string;
  readonly contextValue: string;
  readonly collapsible: boolean;
}

/** Ended sweeps shown below the running ones; single runs that ended, shown below the queued ones. */
export const ENDED_SWEEPS_SHOWN = 10;
export const ENDED_ITEMS_SHOWN = 20;

const ITEM_ICONS: Readonly<Record<QueueItemState, { icon: string; color?: string }>> = {
  queued: { icon: 'clock' },
  running: { icon: 'loading~spin' },
  finished: { icon: 'pass', color: 'testing.iconPassed' },
  failed: { icon: 'error', color: 'testing.iconFailed' },
  cancelled: { icon: 'circle-slash' },
  killed: { icon: 'debug-stop', color: 'testing.iconErrored' },
  pruned: { icon: 'filter', color: 'testing.iconSkipped' },
};

const SWEEP_ICONS: Readonly<Record<SweepState, { icon: string; color?: string }>> = {
  running: { icon: 'loading~spin' },
  paused: { icon: 'debug-pause' },
  finished: { icon: 'pass', color: 'testing.iconPassed' },
  stopped: { icon: 'debug-stop' },
  failed: { icon: 'error', color: 'testing.iconFailed' },
};

const ENDED_ITEM: ReadonlySet<QueueItemState> = new Set(['finished', 'failed', 'killed', 'pruned', 'cancelled']);

/** The best finished trial by the sweep's goal, if any has a value. */
export function bestTrial(sweep: SweepRecord, trials: readonly TrialRecord[]): TrialRecord | undefined {
  const sign = sweep.spec.objective.goal === 'minimize' ? 1 : -1;
  let best: TrialRecord | undefined;
  for (const trial of trials) {
    if (trial.state !== 'finished' || trial.value === undefined || !Number.isFinite(trial.value)) continue;
    if (!best || sign * (trial.value - (best.value ?? 0)) < 0) best = trial;
  }
  return best;
}

/** Root nodes: running and paused sweeps (newest first), the last ended ones, then single runs (queued by position, running, recent ended). */
export function queueRoots(sweeps: readonly SweepSummary[], singles: readonly QueueItem[]): QueueNode[] {
  const live = sweeps.filter((s) => s.sweep.state === 'running' || s.sweep.state === 'paused');
  const ended = sweeps.filter((s) => s.sweep.state !== 'running' && s.sweep.state !== 'paused');
  const byNewest = (a: SweepSummary, b: SweepSummary) => b.sweep.createdAt - a.sweep.createdAt;
  const order: Record<QueueItemState, number> = { running: 0, queued: 1, finished: 2, failed: 2, killed: 2, pruned: 2, cancelled: 2 };
  const items = [...singles].sort((a, b) => order[a.state] - order[b.state] || (a.state === 'queued' ? a.position - b.position : (b.endedAt ?? b.startedAt ?? b.createdAt) - (a.endedAt ?? a.startedAt ?? a.createdAt)));
  const endedItems = items.filter((i) => ENDED_ITEM.has(i.state)).slice(0, ENDED_ITEMS_SHOWN);
  return [
    ...[...live].sort(byNewest).map((summary): QueueNode => ({ kind: 'sweep', summary })),
    ...[...ended].sort(byNewest).slice(0, ENDED_SWEEPS_SHOWN).map((summary): QueueNode => ({ kind: 'sweep', summary })),
    ...items.filter((i) => !ENDED_ITEM.has(i.state)).map((item): QueueNode => ({ kind: 'item', item })),
    ...endedItems.map((item): QueueNode => ({ kind: 'item', item })),
  ];
}

/** A sweep's items: running, then queued by position, then ended by trial number. */
export function sweepChildren(summary: SweepSummary): QueueNode[] {
  const rank = (i: QueueItem) => (i.state === 'running' ? 0 : i.state === 'queued' ? 1 : 2);
  return [...summary.items]
    .sort((a, b) => rank(a) - rank(b) || (a.state === 'queued' ? a.position - b.position : (a.trialNumber ?? a.itemId) - (b.trialNumber ?? b.itemId) || a.itemId - b.itemId))
    .map((item) => ({ kind: 'item', item, sweep: summary.sweep }));
}

/** Mean run time of a sweep's finished items, in ms (undefined before the first). */
export function meanFinishedMs(items: readonly QueueItem[]): number | undefined {
  const durations = items.filter((i) => i.state === 'finished' && i.startedAt !== undefined && i.endedAt !== undefined).map((i) => (i.endedAt ?? 0) - (i.startedAt ?? 0));
  return durations.length > 0 ? durations.reduce((a, b) => a + b, 0) / durations.length : undefined;
}

/** `7/20 · best 0.123` (ended trials over the budget). */
export function sweepDescription(summary: SweepSummary): string {
  const { sweep, trials, total } = summary;
  const ended = trials.filter((t) => t.state !== 'queued' && t.state !== 'running').length;
  const best = bestTrial(sweep, trials);
  const parts = [`${ended}/${total ?? trials.length}`];
  if (best?.value !== undefined) parts.push(`best ${formatNumber(best.value)}`);
  if (sweep.state !== 'running') parts.push(sweep.state);
  return parts.join(' · ');
}

/**
 * An item's description: running → elapsed and, within a sweep with finished items, the ETA from
 * their mean duration; queued → its place among all queued items (1-based); ended → how long it took.
 */
export function itemDescription(item: QueueItem, now: number, context: { readonly queuedAhead?: number; readonly meanMs?: number; readonly paused?: boolean }): string {
  if (item.state === 'running') {
    const elapsed = item.startedAt === undefined ? 0 : Math.max(0, now - item.startedAt);
    const parts = [`running ${formatDuration(elapsed) ?? ''}`.trim()];
    if (item.stopRequested) parts.push(`stopping (${item.stopRequested})`);
    else if (context.meanMs !== undefined) parts.push(elapsed < context.meanMs ? `ETA ${formatDuration(context.meanMs - elapsed) ?? ''}` : 'ETA soon');
    if (item.gpu) parts.push(`GPU ${item.gpu}`);
    return parts.join(' · ');
  }
  if (item.state === 'queued') {
    const place = context.queuedAhead === undefined ? 'queued' : `#${context.queuedAhead + 1} in queue`;
    return [place, item.runNow ? 'run now' : '', context.paused && !item.runNow ? 'paused' : ''].filter(Boolean).join(' · ');
  }
  const took = item.startedAt !== undefined && item.endedAt !== undefined ? formatDuration(item.endedAt - item.startedAt) : null;
  return [item.state, took].filter(Boolean).join(' · ');
}

function itemLabel(item: QueueItem): string {
  if (item.trialNumber !== undefined) return `trial ${item.trialNumber}${item.seed !== undefined ? ` (seed ${item.seed})` : ''}`;
  return item.label;
}

/** How a node looks; `queuedOrder` maps a queued item's id to how many queued items are ahead of it. */
export function nodeLook(node: QueueNode, now: number, context: { readonly queuedOrder: ReadonlyMap<number, number>; readonly paused: boolean; readonly meanMs?: (sweepId: string) => number | undefined }): NodeLook {
  if (node.kind === 'sweep') {
    const { sweep } = node.summary;
    const look = SWEEP_ICONS[sweep.state];
    const best = bestTrial(sweep, node.summary.trials);
    const counts = new Map<string, number>();
    for (const t of node.summary.trials) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
    const tooltip = [
      `Sweep ${sweep.name} (${sweep.spec.method}, ${sweep.state})`,
      `${sweep.spec.objective.goal} ${sweep.spec.objective.metric}`,
      [...counts].map(([state, n]) => `${n} ${state}`).join(', '),
      best?.value !== undefined ? `best ${formatNumber(best.value)} (trial ${best.number})` : '',
      sweep.note,
    ].filter(Boolean).join('\n');
    return { label: sweep.name, description: sweepDescription(node.summary), tooltip, icon: look.icon, ...(look.color ? { color: look.color } : {}), contextValue: `labbook.sweep.${sweep.state}`, collapsible: true };
  }
  const { item } = node;
  const look = ITEM_ICONS[item.state];
  const queuedAhead = context.queuedOrder.get(item.itemId);
  const meanMs = item.sweepId ? context.meanMs?.(item.sweepId) : undefined;
  const description = itemDescription(item, now, { ...(queuedAhead === undefined ? {} : { queuedAhead }), ...(meanMs === undefined ? {} : { meanMs }), paused: context.paused });
  const params = item.sweepId ? paramsText(item) : '';
  const tooltip = [item.label, params, `${item.launch.kind} ${item.launch.file}`, item.runId ? `run ${item.runId}` : '', item.attempts > 1 ? `attempt ${item.attempts}` : '', item.error ?? ''].filter(Boolean).join('\n');
  return {
    label: itemLabel(item),
    description: params && item.state !== 'running' ? `${description} · ${params}` : description,
    tooltip,
    icon: look.icon,
    ...(look.color ? { color: look.color } : {}),
    contextValue: `labbook.queueItem.${item.state}${item.runId ? '.run' : ''}`,
    collapsible: false,
  };
}

/** A trial's params in one short line (from the run's LABBOOK_TRIAL_PARAMS), or ''. */
function paramsText(item: QueueItem): string {
  const raw = item.launch.env?.LABBOOK_TRIAL_PARAMS;
  if (!raw) return '';
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return '';
    return Object.entries(parsed as Record<string, unknown>)
      .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : String(v)}`)
      .join(' ');
  } catch {
    return '';
  }
}

/** Each queued item's id → how many queued items are ahead of it (items come in the store's queued order). */
export function queuedOrder(queued: readonly QueueItem[]): Map<number, number> {
  const order = [...queued].filter((i) => i.state === 'queued').sort((a, b) => Number(b.runNow) - Number(a.runNow) || a.position - b.position);
  return new Map(order.map((item, index) => [item.itemId, index]));
}
