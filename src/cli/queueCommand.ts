// `labbook queue list|cancel|retry`: the run queue of a local store from a terminal, the same
// queue the editor's Queue view and `labbook sweep run` work on. Cancel ends a queued item at once
// and asks a running one's worker to stop it; retry puts an ended item back at the front.
// Exit 0: done; 1: the item could not be changed (unknown, or in a state that forbids it); 2: usage.
import path from 'node:path';
import type { QueueItem } from '../core/queue/types.ts';
import type { SqliteRuntime } from '../core/sqlite/openDatabase.ts';
import { redactedLaunch } from '../core/sweep/trialLaunch.ts';
import { errorMessage } from '../shared/errorMessage.ts';
import type { RunCommandIo } from './runCommand.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

export const QUEUE_USAGE = `  queue   The run queue of the local store (sweep trials, queued launches).
          labbook queue list [--json]     queued, running, then ended items (newest first)
          labbook queue cancel ID         cancel a queued item, or stop a running one
          labbook queue retry ID          put an ended item back at the front of the queue
          --store FILE    the local store (default: .labbook/tracking.db here)
          --limit N       list: at most N ended items (default 50)
`;

const OPTIONS = {
  store: { type: 'string' },
  json: { type: 'boolean' },
  limit: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function time(ms: number | undefined): string {
  return ms === undefined ? '' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

function row(item: QueueItem): string[] {
  const sweep = item.trialNumber !== undefined ? `#${item.trialNumber}${item.seed !== undefined ? `/s${item.seed}` : ''}` : '';
  const note = item.stopRequested ? `stopping (${item.stopRequested})` : (item.error ?? '');
  return [String(item.itemId), item.state + (item.runNow ? '*' : ''), item.label, sweep, item.runId ?? '', String(item.attempts), time(item.startedAt ?? item.createdAt), note];
}

function table(items: readonly QueueItem[]): string {
  const rows = [['ID', 'STATE', 'LABEL', 'TRIAL', 'RUN', 'TRIES', 'SINCE', 'NOTE'], ...items.map(row)];
  const widths = rows[0]?.map((_, c) => Math.min(40, Math.max(...rows.map((r) => (r[c] ?? '').length)))) ?? [];
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.slice(0, widths[c]).padEnd(widths[c] ?? 0))).join('  ').trimEnd()).join('\n');
}

export async function queueCommand(args: string[], io: RunCommandIo, sqliteRuntime: SqliteRuntime = {}): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseCommandArgs(args, OPTIONS));
    if (values.help) {
      io.stdout.write(`Usage: labbook queue list|cancel|retry [options]\n\n${QUEUE_USAGE}`);
      return 0;
    }
    const [sub, id, extra] = positionals;
    if (sub !== 'list' && sub !== 'cancel' && sub !== 'retry') throw new UsageError(sub === undefined ? 'give list, cancel ID or retry ID' : `unknown subcommand '${sub}' (list, cancel, retry)`);
    if (sub === 'list' ? id !== undefined : id === undefined || extra !== undefined) throw new UsageError(sub === 'list' ? `list takes no argument (got ${id ?? ''})` : `${sub} takes one item ID`);
    if (sub !== 'list' && !/^\d+$/.test(id ?? '')) throw new UsageError(`the item ID is a number (see labbook queue list), got '${id ?? ''}'`);
    if (values.limit !== undefined && !/^\d+$/.test(values.limit)) throw new UsageError(`--limit must be a whole number, got ${values.limit}`);
  } catch (err) {
    io.stderr.write(`labbook queue: ${errorMessage(err)}\n\n${QUEUE_USAGE}`);
    return 2;
  }
  const [sub, id] = positionals;
  const file = path.resolve(io.cwd, values.store ?? path.join('.labbook', 'tracking.db'));
  const { existsSync } = await import('node:fs');
  if (!existsSync(file)) {
    io.stderr.write(`labbook queue: there is no store at ${file} (pass --store FILE)\n`);
    return 2;
  }
  const { QueueStore } = await import('../core/queue/queueStore.ts');
  const queue = QueueStore.open(file, sqliteRuntime);
  try {
    if (sub === 'list') {
      const limit = values.limit === undefined ? 50 : Number(values.limit);
      const open = queue.list({ states: ['queued', 'running'] });
      const ended = queue.list({ states: ['finished', 'failed', 'killed', 'pruned', 'cancelled'], limit });
      const items = [...open, ...ended];
      // The env's values may be secrets: their names only (the items keep them, for the processes).
      if (values.json) io.stdout.write(`${JSON.stringify({ paused: queue.isPaused(), counts: queue.counts(), items: items.map((i) => ({ ...i, launch: redactedLaunch(i.launch) })) }, null, 2)}\n`);
      else {
        if (queue.isPaused()) io.stdout.write('The queue is paused: no queued item starts until it is resumed.\n');
        io.stdout.write(items.length === 0 ? 'The queue is empty.\n' : `${table(items)}\n`);
      }
      return 0;
    }
    const itemId = Number(id);
    try {
      if (sub === 'cancel') {
        const item = queue.cancel(itemId);
        io.stdout.write(
          item.state === 'running'
            ? `Item ${itemId} (${item.label}) is running: its worker stops it${item.workerPid ? ` (pid ${item.workerPid})` : ''}.\n`
            : item.state === 'cancelled'
              ? `Item ${itemId} (${item.label}) cancelled.\n`
              : `Item ${itemId} (${item.label}) had already ended (${item.state}).\n`,
        );
      } else {
        const item = queue.retry(itemId);
        io.stdout.write(`Item ${itemId} (${item.label}) is queued again, at the front.\n`);
      }
      return 0;
    } catch (err) {
      io.stderr.write(`labbook queue: ${errorMessage(err)}\n`);
      return 1;
    }
  } finally {
    queue.close();
  }
}
