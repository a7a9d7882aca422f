// Which sweeps a window tells the user have ended. The window whose engine ends a sweep knows at
// once; the others (another window drove it, or `labbook sweep run` in a terminal) only see its
// state change in the store. Each window tells once per end, whichever way it learns of it first.
import type { SweepRecord } from './types.ts';

const watching = (sweep: SweepRecord) => sweep.state === 'running' || sweep.state === 'paused';

export class SweepEndWatch {
  /** Sweeps seen running or paused in the last look. */
  private readonly live = new Set<string>();
  /** Sweeps whose end was told (by the engine's callback or by a look). */
  private readonly told = new Set<string>();

  /**
   * A fresh look at the store's sweeps: those seen running before and ended now, not told yet
   * (they are now). A sweep never seen running (ended before this window looked) is not told.
   */
  look(sweeps: readonly SweepRecord[]): SweepRecord[] {
    const ended: SweepRecord[] = [];
    const seen = new Set<string>();
    for (const sweep of sweeps) {
      seen.add(sweep.sweepId);
      if (watching(sweep)) {
        // Resumed after an end: its next end is told again.
        this.told.delete(sweep.sweepId);
        this.live.add(sweep.sweepId);
      } else if (this.live.delete(sweep.sweepId) && this.claim(sweep.sweepId)) {
        ended.push(sweep);
      }
    }
    for (const id of [...this.live]) if (!seen.has(id)) this.live.delete(id);
    return ended;
  }

  /** True the first time a sweep's end is to be told (the engine's own callback asks this too). */
  claim(sweepId: string): boolean {
    if (this.told.has(sweepId)) return false;
    this.told.add(sweepId);
    this.live.delete(sweepId);
    return true;
  }
}
