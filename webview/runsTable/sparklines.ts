// The sparkline column's histories: asked for the runs on screen only, and only after the frame
// that shows their rows (a history read never holds back the first rows); kept per run until the
// view changes or the run's row is patched.
import type { RunsTableEvent, RunsTableRequests } from '../../src/protocol/runsTable.ts';
import type { RpcClient } from '../shared/rpcClient.ts';
import type { Lines } from './lines.ts';

export const SPARK_POINTS = 40;

export interface SparklineHooks {
  readonly rpc: RpcClient<RunsTableRequests, RunsTableEvent>;
  readonly lines: Lines;
  /** The metric the sparkline column shows, if any. */
  metric(): string | undefined;
  paint(runId: string): void;
  onError(err: unknown): void;
}

export class Sparklines {
  private readonly values = new Map<string, readonly number[]>();
  private readonly pending = new Set<string>();
  private readonly hooks: SparklineHooks;
  private window: { from: number; to: number } | undefined;
  private queued = false;

  constructor(hooks: SparklineHooks) {
    this.hooks = hooks;
  }

  get(runId: string): readonly number[] | undefined {
    return this.values.get(runId);
  }

  /** Drops every history (another view). */
  clear(): void {
    this.values.clear();
  }

  /** Drops one run's history (its row was patched): it is asked for again when drawn. */
  forget(runId: string): void {
    this.values.delete(runId);
  }

  /** Lines [from, to) are on screen: their histories are asked for after the next frame. */
  request(from: number, to: number): void {
    if (!this.hooks.metric()) return;
    this.window = { from, to };
    if (this.queued) return;
    this.queued = true;
    // After the frame is painted: a rAF callback runs before it, the timeout after it.
    requestAnimationFrame(() => setTimeout(() => {
      this.queued = false;
      if (this.window) this.fetch(this.window.from, this.window.to);
    }, 0));
  }

  private fetch(from: number, to: number): void {
    const metric = this.hooks.metric();
    if (!metric) return;
    const runIds: string[] = [];
    for (let i = from; i < to; i++) {
      const line = this.hooks.lines.at(i);
      if (line?.kind === 'run' && line.row && !this.values.has(line.row.runId) && !this.pending.has(line.row.runId)) runIds.push(line.row.runId);
    }
    if (runIds.length === 0) return;
    for (const id of runIds) this.pending.add(id);
    this.hooks.rpc.request('getSparklines', { runIds, metric, points: SPARK_POINTS })
      .then((answer) => {
        if (this.hooks.metric() !== metric) return;
        for (const id of runIds) {
          this.values.set(id, answer[id] ?? []);
          this.hooks.paint(id);
        }
      })
      .catch((err: unknown) => this.hooks.onError(err))
      .finally(() => runIds.forEach((id) => this.pending.delete(id)));
  }
}
