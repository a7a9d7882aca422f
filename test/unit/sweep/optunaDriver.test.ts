// The Optuna driver with the test venv's real Optuna: define-by-run asks that leave inactive
// conditional params out, trials replayed from the store (and those outside today's space left
// out, said why), the pruner deciding on reported values, errors that say what went wrong, and a
// dead driver failing clearly instead of hanging.
import assert from 'node:assert/strict';
import { checkOptuna, OptunaDriver, optunaInstallLine, type DriverInit } from '../../../src/core/sweep/optunaDriver.ts';
import { testPython } from '../../support/python.ts';

const INIT: DriverInit = {
  direction: 'minimize',
  sampler: 'tpe',
  seed: 0,
  pruner: { rule: 'median', metric: 'loss', startupTrials: 1, warmupSteps: 0, minTrials: 1 },
  params: [
    { name: 'model', type: 'categorical', choices: ['a', 'b'] },
    { name: 'x', type: 'float', low: -5, high: 5, log: false },
    { name: 'k', type: 'int', low: 1, high: 64, step: 1, log: true, when: { param: 'model', in: ['b'] } },
  ],
  trials: [
    { key: 0, params: { model: 'a', x: 1 }, state: 'complete', value: 1, intermediate: { '0': 2, '1': 1 } },
    { key: 1, params: { model: 'b', x: 2, k: 3 }, state: 'running' },
    { key: 2, params: { model: 'zz', x: 2 }, state: 'complete', value: 3 },
  ],
};

describe('sweep/optunaDriver: Optuna ask-and-tell in a child process', function () {
  this.timeout(60_000);
  let driver: OptunaDriver;
  before(async () => (driver = await OptunaDriver.start(testPython(), INIT)));
  after(() => driver.close());

  it('replays the stored trials, maps them to their new Optuna numbers, and leaves out one outside the space with why', () => {
    assert.match(driver.version, /^\d+\.\d+/);
    assert.deepEqual([...driver.numbers], [[0, 0], [1, 1]]);
    assert.equal(driver.skipped.length, 1);
    assert.equal(driver.skipped[0]?.key, 2);
    assert.match(driver.skipped[0]?.error ?? '', /zz/);
  });

  it('asks a conditional param only when its condition holds, within its bounds', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const asked = await driver.ask();
      const { model, x, k } = asked.params;
      seen.add(String(model));
      assert.ok(typeof x === 'number' && x >= -5 && x <= 5);
      if (model === 'b') assert.ok(typeof k === 'number' && Number.isInteger(k) && k >= 1 && k <= 64, JSON.stringify(asked.params));
      else assert.equal(k, undefined, 'k is only for model b');
      await driver.tell(asked.optunaNumber, { state: 'complete', value: x ** 2 });
    }
    assert.deepEqual([...seen].sort(), ['a', 'b']);
  });

  it('reports intermediate values to the median pruner, also for a trial replayed as running', async () => {
    const asked = await driver.ask();
    assert.deepEqual(await driver.report(asked.optunaNumber, 0, 100), { prune: true }, 'far worse than the completed trial at step 0');
    await driver.tell(asked.optunaNumber, { state: 'pruned' });
    assert.deepEqual(await driver.report(1, 0, 0.5), { prune: false }, 'the replayed running trial is better than the median');
    await driver.tell(1, { state: 'complete', value: 0.4 });
  });

  it('says what is wrong with a bad request, and stays usable', async () => {
    await assert.rejects(driver.tell(999, { state: 'complete', value: 1 }), /Optuna: ValueError: .*999/);
    await assert.rejects(driver.tell(0, { state: 'complete' }), /needs a finite objective value/);
    assert.ok((await driver.ask()).optunaNumber > 0);
  });

  it('a driver that ended fails its requests with a clear message', async () => {
    const short = await OptunaDriver.start(testPython(), { ...INIT, trials: [] });
    await short.close();
    assert.equal(short.alive, false);
    await assert.rejects(short.ask(), /The Optuna driver \(.*\) exited with status 0/);
  });

  it('checkOptuna: the version when installed; the reason and the exact install line when not', async () => {
    const ok = await checkOptuna(testPython());
    assert.equal(ok.ok, true);
    const missing = await checkOptuna('/no/such/python3');
    assert.equal(missing.ok, false);
    if (!missing.ok) {
      assert.equal(missing.install, '"/no/such/python3" -m pip install optuna');
      assert.equal(optunaInstallLine('/no/such/python3'), missing.install);
      assert.match(missing.message, /was not found.*install it with: "\/no\/such\/python3" -m pip install optuna/);
    }
  });
});
