// A tracked launch into a real `mlflow server` (the team-scale store): the script's mlflow client
// logs straight to the server, and Labbook's own writes (printed metrics, end tags, the final
// status) go through the outbox — so a server that is down when the run ends loses nothing.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchTrackedRun } from '../../src/core/launch/index.ts';
import { Outbox } from '../../src/core/store/outbox/outbox.ts';
import { QueuedStore } from '../../src/core/store/outbox/queuedStore.ts';
import { RestTrackingStore } from '../../src/core/store/rest/restStore.ts';
import { startMlflowServer, type MlflowServer } from '../support/mlflowServer.ts';
import { QUIET_PYTHON_ENV, testPython } from '../support/python.ts';

const fixtures = path.resolve(import.meta.dirname, '..', 'fixtures', 'launch');

describe('interop: tracked launches into a real mlflow server', function () {
  this.timeout(300_000);
  let server: MlflowServer;
  let dir: string;

  before(async () => {
    server = await startMlflowServer();
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-remote-launch-'));
    for (const file of ['printed_metrics.py', 'slow_metrics.py']) copyFileSync(path.join(fixtures, file), path.join(dir, file));
  });
  after(async () => {
    await server?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const remoteStore = () => new RestTrackingStore({ baseUrl: server.url, timeoutMs: 5000, retry: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 200 } });
  const base = () => ({ trackingUri: server.url, python: testPython(), owner: 'session-r', spoolDir: path.join(dir, 'spool'), env: QUIET_PYTHON_ENV, cwd: dir, experimentName: 'team' });

  it('logs params from the arguments and printed metrics into a run on the server, FINISHED', async () => {
    const remote = remoteStore();
    const outbox = new Outbox(path.join(dir, 'outbox-a.db'), remote);
    try {
      const run = await launchTrackedRun({ ...base(), store: new QueuedStore(remote, outbox), program: { kind: 'script', file: 'printed_metrics.py', args: ['--lr', '0.5', '--epochs', '3'] } });
      const outcome = await run.done;
      assert.equal(outcome.status, 'FINISHED', outcome.notes.join('\n'));
      // The captures (git, environment, recipe) are attached after the status: wait for them too.
      await run.captured;
      const stored = await remote.getRun(run.runId);
      assert.equal(stored.info.status, 'FINISHED');
      assert.equal(stored.data.params.find((p) => p.key === 'lr')?.value, '0.5');
      assert.deepEqual((await remote.getMetricHistory(run.runId, 'loss')).map((m) => m.step), [0, 1, 2]);
      assert.ok(stored.data.tags.some((t) => t.key === 'mlflow.source.git.commit' || t.key === 'labbook.launch.kind'));
      assert.equal(outbox.state().pending, 0);
    } finally {
      outbox.close();
    }
  });

  it('keeps the end of a run in the outbox while the server is down, and ships it when the server is back', async () => {
    const remote = remoteStore();
    const outbox = new Outbox(path.join(dir, 'outbox-b.db'), remote);
    try {
      const run = await launchTrackedRun({ ...base(), store: new QueuedStore(remote, outbox), program: { kind: 'script', file: 'slow_metrics.py', args: [] }, stopGraceMs: 500 });
      // Wait for a few points the client got acknowledged, then take the server away and stop the run.
      for (let i = 0; i < 150 && (await remote.getMetricHistory(run.runId, 'acked')).length < 3; i++) await new Promise((r) => setTimeout(r, 100));
      await server.stop();
      const outcome = await run.stop();
      assert.equal(outcome.status, 'KILLED');
      assert.ok(outbox.state().pending > 0, 'the final status waits in the outbox');
      // Said as it is, not as a made-up run: the final status is queued until the server is back.
      assert.ok(outcome.notes.some((n) => /^final status: KILLED waits in the outbox \(\d+ writes? waiting: .+\); it is sent when the server is back\.$/.test(n)), outcome.notes.join('\n'));
      await run.captured;
      await server.restart();
      await outbox.flush();
      assert.equal(outbox.state().pending, 0, outbox.state().lastError ?? '');
      const stored = await remote.getRun(run.runId);
      assert.equal(stored.info.status, 'KILLED');
      assert.ok(stored.data.tags.some((t) => t.key === 'labbook.exitCode'), 'the end tags arrived');
      const printed = (await remote.getMetricHistory(run.runId, 'printed')).map((m) => m.step);
      assert.ok(printed.length >= 3, 'the printed points arrived');
      assert.deepEqual(printed, printed.map((_, i) => i), 'no hole among the printed points');
    } finally {
      outbox.close();
    }
  });
});
