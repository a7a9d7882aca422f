// A worker over the durable queue: polls it, claims items while this worker has free slots (run-now
// items whatever the slots), launches each with a GPU of its own when there are GPUs, records how
// it ended, and stops the items whose stop was asked for in the store (from any window or CLI).
import { errorMessage } from '../../shared/errorMessage.ts';
import { isProcessAlive } from '../launch/processes.ts';
import type { QueueStore } from './queueStore.ts';
import type { ClaimOptions, ItemFence, ItemOutcome, LaunchedItem, QueueItem, QueueWorker } from './types.ts';

export interface QueueRunnerOptions {
  readonly queue: QueueStore;
  readonly worker: QueueWorker;
  /** The pools whose items this worker claims (default ['']: the editor windows' shared pool). */
  readonly pools?: readonly string[];
  /** When given, only items of these sweeps are claimed (read at every poll). */
  readonly sweepIds?: () => readonly string[];
  /** How many items this worker runs at once; read at every poll, so a settings change applies. */
  readonly slots: () => number;
  /** GPU ids (gpuSlots.ts); when non-empty each item gets one and slots are at most their count. */
  readonly gpus?: readonly string[];
  readonly launch: (item: QueueItem, extraEnv: Readonly<Record<string, string>>) => Promise<LaunchedItem>;
  readonly pollMs?: number;
  readonly onChange?: () => void;
  readonly onItemEnded?: (item: QueueItem) => void | Promise<void>;
  readonly log?: (line: string) => void;
  /** How often other workers' dead items are recovered (ms); 0 turns it off. */
  readonly recoverEveryMs?: number;
  readonly isAlive?: (pid: number) => boolean;
}

function fenceOf(item: QueueItem): ItemFence {
  return { workerId: item.workerId ?? '', attempts: item.attempts };
}

interface Slot {
  item: QueueItem;
  readonly gpu: string | undefined;
  launched?: LaunchedItem;
  stopReason?: 'cancelled' | 'pruned';
  stopCalled: boolean;
}

/** At most this many claims per poll, so a poll stays short whatever the slots. */
const MAX_CLAIMS_PER_POLL = 64;

export class QueueRunner {
  private readonly options: QueueRunnerOptions;
  private readonly pollMs: number;
  private readonly slotsById = new Map<number, Slot>();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private disposed = false;
  /** Ended items whose onItemEnded has not returned yet (a sweep may still enqueue its next trial). */
  private pendingEnds = 0;
  private idleWaiters: (() => void)[] = [];
  private lastRecovery = 0;

  constructor(options: QueueRunnerOptions) {
    this.options = options;
    this.pollMs = Math.max(10, options.pollMs ?? 500);
  }

  start(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    this.schedule(0);
  }

  /** Polls now (after an enqueue, a resume, a move) instead of at the next tick. */
  kick(): void {
    if (this.started && !this.disposed) this.schedule(0);
  }

  /** The items this worker runs now. */
  running(): readonly QueueItem[] {
    return [...this.slotsById.values()].map((slot) => slot.item);
  }

  /**
   * Stops an item: a queued one ends at once; a running one is marked in the store and, when it
   * is this worker's, stopped now (another worker stops its own at its next poll).
   */
  async stopItem(itemId: number, reason: 'cancelled' | 'pruned'): Promise<void> {
    this.options.queue.requestStop(itemId, reason);
    this.changed();
    const slot = this.slotsById.get(itemId);
    if (slot) await this.stopSlot(slot, reason);
    this.kick();
  }

  /** Resolves when this worker runs nothing and nothing is claimable (or it is disposed). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.refTimer();
    });
  }

  /** Stops polling. Running items go on; their ends are still recorded while the store is open. */
  dispose(): Promise<void> {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.resolveIdle();
    return Promise.resolve();
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poll(), ms);
    this.refTimer();
  }

  /**
   * A pending poll keeps the process alive only while someone awaits idle() (a CLI's `sweep run`
   * between one run's exit and the next claim); otherwise it never holds a process (or a test) open.
   */
  private refTimer(): void {
    if (this.idleWaiters.length > 0) this.timer?.ref();
    else this.timer?.unref();
  }

  private poll(): void {
    this.timer = undefined;
    if (this.disposed) return;
    try {
      this.recoverDeadWorkers();
      this.stopRequested();
      this.claimWhileFree();
    } catch (err) {
      this.log(`queue poll failed: ${errorMessage(err)}`);
    }
    if (this.isIdle()) this.resolveIdle();
    if (!this.disposed && this.timer === undefined) this.schedule(this.pollMs);
  }

  private claimWhileFree(): void {
    const queue = this.options.queue;
    for (let i = 0; i < MAX_CLAIMS_PER_POLL; i++) {
      const scope = this.scope(this.slotsById.size >= this.capacity());
      // A read first: most polls find nothing, and should not take the write lock to learn it.
      if (!queue.hasClaimable(scope)) return;
      const item = queue.claim(this.options.worker, scope);
      if (!item) return;
      this.begin(item);
    }
  }

  private begin(item: QueueItem): void {
    const gpu = this.pickGpu();
    const slot: Slot = { item, gpu, stopCalled: false };
    this.slotsById.set(item.itemId, slot);
    this.changed();
    this.run(slot, gpu === undefined ? {} : { CUDA_VISIBLE_DEVICES: gpu }).catch((err: unknown) => this.log(`queue item ${item.itemId}: ${errorMessage(err)}`));
  }

  private async run(slot: Slot, extraEnv: Readonly<Record<string, string>>): Promise<void> {
    const itemId = slot.item.itemId;
    let launched: LaunchedItem;
    try {
      launched = await this.options.launch(slot.item, extraEnv);
    } catch (err) {
      await this.end(slot, { state: 'failed', error: `Could not start: ${errorMessage(err)}` });
      return;
    }
    slot.launched = launched;
    try {
      if (this.options.queue.started(itemId, launched.runId, launched.pid, slot.gpu, fenceOf(slot.item))) {
        slot.item = this.options.queue.get(itemId) ?? slot.item;
      } else {
        // Recovered (wrongly judged dead) or claimed again meanwhile: the item is no longer ours,
        // so its run must not go on beside the other one.
        this.log(`queue item ${itemId} is no longer this worker's claim; stopping its run ${launched.runId}`);
        slot.stopReason ??= 'cancelled';
      }
    } catch (err) {
      this.log(`queue item ${itemId}: could not record its run ${launched.runId}: ${errorMessage(err)}`);
    }
    this.changed();
    // A stop asked for while it was launching.
    if (slot.stopReason) void this.stopSlot(slot, slot.stopReason);
    let result: { status: 'FINISHED' | 'FAILED' | 'KILLED'; error?: string };
    try {
      result = await launched.done;
    } catch (err) {
      result = { status: 'FAILED', error: errorMessage(err) };
    }
    const state: ItemOutcome['state'] =
      result.status === 'FINISHED' ? 'finished' : (slot.stopReason ?? (result.status === 'FAILED' ? 'failed' : 'killed'));
    await this.end(slot, { state, ...(result.error ? { error: result.error } : {}) });
  }

  private async end(slot: Slot, outcome: ItemOutcome): Promise<void> {
    const itemId = slot.item.itemId;
    this.pendingEnds++;
    try {
      this.slotsById.delete(itemId);
      let ended: QueueItem | undefined;
      try {
        ended = this.options.queue.finish(itemId, outcome, fenceOf(slot.item));
        if (!ended) this.log(`queue item ${itemId}: not recorded as ${outcome.state}, it is no longer this worker's claim`);
      } catch (err) {
        this.log(`queue item ${itemId}: could not record its end (${outcome.state}): ${errorMessage(err)}`);
      }
      this.changed();
      this.kick();
      if (ended) await this.itemEnded(ended);
    } finally {
      this.pendingEnds--;
    }
    this.kick();
  }

  private async itemEnded(item: QueueItem): Promise<void> {
    try {
      await this.options.onItemEnded?.(item);
    } catch (err) {
      this.log(`queue item ${item.itemId}: its end handler failed: ${errorMessage(err)}`);
    }
  }

  /** Stops this worker's items that someone (another window, the CLI, a pruner) asked to stop. */
  private stopRequested(): void {
    for (const slot of this.slotsById.values()) {
      if (slot.stopCalled || !slot.launched) continue;
      const current = this.options.queue.get(slot.item.itemId);
      if (current?.stopRequested) void this.stopSlot(slot, current.stopRequested);
    }
  }

  private async stopSlot(slot: Slot, reason: 'cancelled' | 'pruned'): Promise<void> {
    slot.stopReason ??= reason;
    // Not launched yet: run() stops it as soon as it is.
    if (!slot.launched || slot.stopCalled) return;
    slot.stopCalled = true;
    try {
      await slot.launched.stop();
    } catch (err) {
      this.log(`queue item ${slot.item.itemId}: could not stop its run: ${errorMessage(err)}`);
    }
  }

  /** Other workers' items whose process died: ended as killed, and passed on as any ended item. */
  private recoverDeadWorkers(): void {
    const every = this.options.recoverEveryMs ?? 5000;
    const now = Date.now();
    if (every <= 0 || now - this.lastRecovery < every) return;
    this.lastRecovery = now;
    const recovered = this.options.queue.recoverDeadWorkers(this.options.isAlive ?? isProcessAlive, this.options.worker.host ? { host: this.options.worker.host } : {});
    if (recovered.length === 0) return;
    this.changed();
    for (const item of recovered) {
      this.log(`queue item ${item.itemId} (${item.label}): ${item.error ?? 'its worker died'}`);
      this.pendingEnds++;
      void this.itemEnded(item).finally(() => {
        this.pendingEnds--;
        this.kick();
      });
    }
  }

  /** What this worker may claim: its pools and sweeps. */
  private scope(runNowOnly: boolean): ClaimOptions {
    let sweepIds: readonly string[] | undefined;
    try {
      sweepIds = this.options.sweepIds?.();
    } catch {
      sweepIds = [];
    }
    return { runNowOnly, ...(this.options.pools ? { pools: this.options.pools } : {}), ...(sweepIds ? { sweepIds } : {}) };
  }

  private capacity(): number {
    let slots: number;
    try {
      slots = this.options.slots();
    } catch {
      slots = 1;
    }
    slots = Number.isFinite(slots) ? Math.max(0, Math.floor(slots)) : 1;
    const gpus = this.options.gpus ?? [];
    return gpus.length > 0 ? Math.min(slots, gpus.length) : slots;
  }

  /** A free GPU, else (a run-now item past the slots) the least used one. */
  private pickGpu(): string | undefined {
    const gpus = this.options.gpus ?? [];
    if (gpus.length === 0) return undefined;
    const use = new Map(gpus.map((id) => [id, 0]));
    for (const slot of this.slotsById.values()) if (slot.gpu !== undefined) use.set(slot.gpu, (use.get(slot.gpu) ?? 0) + 1);
    let best = gpus[0];
    for (const id of gpus) if ((use.get(id) ?? 0) < (use.get(best ?? '') ?? 0)) best = id;
    return best;
  }

  private isIdle(): boolean {
    if (this.disposed) return true;
    if (this.slotsById.size > 0 || this.pendingEnds > 0) return false;
    try {
      return !this.options.queue.hasClaimable(this.scope(this.capacity() === 0));
    } catch {
      return true;
    }
  }

  private resolveIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    this.refTimer();
    for (const resolve of waiters) resolve();
  }

  private changed(): void {
    try {
      this.options.onChange?.();
    } catch (err) {
      this.log(`queue change listener failed: ${errorMessage(err)}`);
    }
  }

  private log(line: string): void {
    try {
      this.options.log?.(line);
    } catch {
      // Logging must never break the loop.
    }
  }
}
