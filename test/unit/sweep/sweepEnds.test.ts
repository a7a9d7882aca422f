// The end notification in every window that watched a sweep, once: a sweep ended by another
// process is told when a look sees it go from running to ended; the window whose engine ended it
// (its callback claims first) does not tell it twice; a resumed sweep's next end is told again.
import assert from 'node:assert/strict';
import { SweepEndWatch } from '../../../src/core/sweep/sweepEnds.ts';
import type { SweepRecord, SweepState } from '../../../src/core/sweep/types.ts';

const sweep = (sweepId: string, state: SweepState) => ({ sweepId, state }) as SweepRecord;

describe('sweep: end notifications (SweepEndWatch)', () => {
  it('tells a sweep another process ended, once, only when this window saw it running', () => {
    const watch = new SweepEndWatch();
    assert.deepEqual(watch.look([sweep('a', 'running'), sweep('old', 'finished')]), [], 'an old ended sweep is not told');
    assert.deepEqual(watch.look([sweep('a', 'paused'), sweep('old', 'finished')]), [], 'paused is not an end');
    assert.deepEqual(watch.look([sweep('a', 'finished')]).map((s) => s.sweepId), ['a']);
    assert.deepEqual(watch.look([sweep('a', 'finished')]), [], 'told once');
    assert.equal(watch.claim('a'), false, 'a late engine callback does not tell it again');
  });

  it('the driving window: the engine claims first, the next look tells nothing; a resumed sweep is told again', () => {
    const watch = new SweepEndWatch();
    watch.look([sweep('b', 'running'), sweep('c', 'running')]);
    assert.equal(watch.claim('b'), true, "the engine's callback tells it");
    assert.deepEqual(watch.look([sweep('b', 'stopped'), sweep('c', 'failed')]).map((s) => s.sweepId), ['c']);
    watch.look([sweep('b', 'running')]);
    assert.deepEqual(watch.look([sweep('b', 'finished')]).map((s) => s.sweepId), ['b']);
    assert.equal(watch.claim('b'), false);
  });
});
