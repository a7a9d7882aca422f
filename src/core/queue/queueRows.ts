// Rows of the queue_items table (migration 3) and their mapping to QueueItem, kept apart from
// QueueStore so the store reads as the queue's operations.
import path from 'node:path';
import type { QueueItem, QueueItemState, QueueLaunch } from './types.ts';

export interface QueueItemRow {
  item_id: number;
  position: number;
  state: string;
  label: string;
  launch: string;
  sweep_id: string | null;
  trial_number: number | null;
  seed: number | null;
  run_now: number;
  stop_requested: string | null;
  attempts: number;
  worker_id: string | null;
  worker_pid: number | null;
  run_id: string | null;
  run_pid: number | null;
  gpu: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  error: string | null;
  pool: string;
  worker_host: string | null;
}

export const QUEUE_ITEM_STATES: readonly QueueItemState[] = ['queued', 'running', 'finished', 'failed', 'killed', 'pruned', 'cancelled'];
export const ENDED_STATES: readonly QueueItemState[] = ['finished', 'failed', 'killed', 'pruned', 'cancelled'];

/**
 * The one query that picks the next item a worker may start: queued, of the worker's pools
 * (@pools, a JSON array) and, when @sweepIds (a JSON array) is not null, of those sweeps; not held
 * back by the pause (the editor pool's control: run-now items and other pools ignore it) nor by its
 * sweep's parallelism (counted over every worker's running items, since they all share this
 * table). Run-now items first, then by position.
 */
export const NEXT_CLAIMABLE = `
  SELECT q.item_id FROM queue_items q
  WHERE q.state = 'queued'
    AND q.pool IN (SELECT value FROM json_each(@pools))
    AND (@sweepIds IS NULL OR q.sweep_id IN (SELECT value FROM json_each(@sweepIds)))
    AND (q.run_now = 1 OR q.pool <> '' OR (SELECT paused FROM queue_state WHERE id = 1) = 0)
    AND (@runNowOnly = 0 OR q.run_now = 1)
    AND (q.sweep_id IS NULL OR
         (SELECT COUNT(*) FROM queue_items r WHERE r.sweep_id = q.sweep_id AND r.state = 'running')
           < COALESCE((SELECT s.parallelism FROM sweeps s WHERE s.sweep_id = q.sweep_id), 1))
  ORDER BY q.run_now DESC, q.position, q.item_id
  LIMIT 1`;

/** Queued items by their order, then running ones by start, then ended ones newest first. */
export const LIST_ORDER = `
  ORDER BY CASE state WHEN 'queued' THEN 0 WHEN 'running' THEN 1 ELSE 2 END,
    CASE WHEN state = 'queued' THEN -run_now ELSE 0 END,
    CASE WHEN state = 'queued' THEN position ELSE 0 END,
    CASE WHEN state = 'running' THEN started_at ELSE 0 END,
    ended_at DESC, item_id DESC`;

export function toQueueItem(row: QueueItemRow): QueueItem {
  return {
    itemId: row.item_id,
    position: row.position,
    state: toState(row.state),
    label: row.label,
    launch: parseLaunch(row.launch),
    pool: row.pool,
    runNow: row.run_now === 1,
    attempts: row.attempts,
    createdAt: row.created_at,
    ...(row.sweep_id === null ? {} : { sweepId: row.sweep_id }),
    ...(row.trial_number === null ? {} : { trialNumber: row.trial_number }),
    ...(row.seed === null ? {} : { seed: row.seed }),
    ...(row.stop_requested === 'cancelled' || row.stop_requested === 'pruned' ? { stopRequested: row.stop_requested } : {}),
    ...(row.worker_id === null ? {} : { workerId: row.worker_id }),
    ...(row.worker_pid === null ? {} : { workerPid: row.worker_pid }),
    ...(row.worker_host === null ? {} : { workerHost: row.worker_host }),
    ...(row.run_id === null ? {} : { runId: row.run_id }),
    ...(row.run_pid === null ? {} : { runPid: row.run_pid }),
    ...(row.gpu === null ? {} : { gpu: row.gpu }),
    ...(row.started_at === null ? {} : { startedAt: row.started_at }),
    ...(row.ended_at === null ? {} : { endedAt: row.ended_at }),
    ...(row.error === null ? {} : { error: row.error }),
  };
}

/** What a person sees for an item when the caller gives no label. */
export function defaultLabel(launch: QueueLaunch): string {
  return launch.runName?.trim() || path.basename(launch.file) || launch.file;
}

function toState(value: string): QueueItemState {
  // A state written by a newer Labbook reads as 'failed' rather than breaking every list.
  return (QUEUE_ITEM_STATES as readonly string[]).includes(value) ? (value as QueueItemState) : 'failed';
}

function parseLaunch(text: string): QueueLaunch {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null) return value as QueueLaunch;
  } catch {
    // Fall through: a damaged row still lists (and can be cancelled) instead of breaking the view.
  }
  return { kind: 'script', file: '', cwd: '', experimentName: '' };
}
