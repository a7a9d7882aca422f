// `labbook queue list --json` prints a queued item's environment by name only: a sweep's `env`
// may hold secrets (the queue item keeps the values, for the process that runs it later).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueueStore } from '../../../src/core/queue/queueStore.ts';
import { parseSweepFile } from '../../../src/core/sweep/sweepFile.ts';
import { REDACTED, trialLaunch } from '../../../src/core/sweep/trialLaunch.ts';
import { runCli } from '../../support/cli.ts';

describe('cli: labbook queue list hides environment values', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-cli-queue-list-'));
    mkdirSync(path.join(dir, '.labbook'), { recursive: true });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the env names of a sweep trial, never their values; the item keeps them', async () => {
    const parsed = parseSweepFile('program: train.py\nmethod: grid\nobjective: { metric: loss }\nparameters: { lr: [0.1] }\nenv: { API_TOKEN: hunter2-secret }\n', 'envy.yaml');
    assert.ok(parsed.spec, JSON.stringify(parsed.problems));
    const launch = trialLaunch(parsed.spec, { number: 0, params: { lr: 0.1 } }, undefined, { cwd: dir, experimentName: 'envy', target: '', sweepId: '', parentRunId: '' });
    const queue = QueueStore.open(path.join(dir, '.labbook', 'tracking.db'));
    const item = queue.enqueue(launch, { label: 'envy #0' });
    queue.close();
    const list = await runCli(['queue', 'list', '--json'], { cwd: dir, env: process.env });
    assert.equal(list.code, 0, list.stderr);
    assert.ok(!list.stdout.includes('hunter2'), 'the value is not printed');
    const out = JSON.parse(list.stdout) as { items: { itemId: number; launch: { env: Record<string, string> } }[] };
    const printed = out.items.find((i) => i.itemId === item.itemId);
    assert.equal(printed?.launch.env['API_TOKEN'], REDACTED);
    assert.deepEqual(JSON.parse(printed?.launch.env['LABBOOK_TRIAL_PARAMS'] ?? ''), { lr: 0.1 }, 'the trial params are shown');
    const reopened = QueueStore.open(path.join(dir, '.labbook', 'tracking.db'));
    assert.equal(reopened.get(item.itemId)?.launch.env?.['API_TOKEN'], 'hunter2-secret', 'the item keeps the value for its process');
    reopened.close();
  });
});
