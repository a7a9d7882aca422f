// A run's final status never waits for a capture: with an interpreter whose `pip freeze` is held
// at a gate the test opens (a real slow capture, no timer race), the run is FINISHED while the
// freeze still waits, and the capture is attached to the finished run once it is let through. A
// capture that fails is noted in the run's log and leaves the status alone.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ARTIFACTS, TAGS } from '../../../src/core/launch/conventions.ts';
import { launchTrackedRun, type TrackedRun } from '../../../src/core/launch/launchTrackedRun.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { QUIET_PYTHON_ENV, testPython } from '../../support/python.ts';

const fixtures = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'launch');
const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

describe('core/launch: captures attach after the final status', function () {
  this.timeout(120_000);
  let dir: string;
  let project: string;
  let store: SqliteTrackingStore;
  let gate: string;

  /** An interpreter whose `-m pip` waits (bounded) until the gate file exists, then runs pip, or fails when `failPip`. */
  function gatedPython(failPip: boolean): string {
    const file = path.join(dir, failPip ? 'python-pip-fails' : 'python-gated');
    const pip = failPip ? 'echo "pip: broken on purpose" >&2; exit 1' : `exec ${quote(testPython())} "$@"`;
    writeFileSync(
      file,
      [
        '#!/bin/sh',
        'if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then',
        `  i=0; while [ ! -e ${quote(gate)} ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done`,
        `  ${pip}`,
        'fi',
        `exec ${quote(testPython())} "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(file, 0o755);
    return file;
  }

  const launch = (python: string): Promise<TrackedRun> =>
    launchTrackedRun({
      store, python, trackingUri: 'http://127.0.0.1:9', experimentName: 'captures', owner: 'test', cwd: project, env: QUIET_PYTHON_ENV,
      spoolDir: path.join(dir, 'spool'), captureTimeoutMs: 90_000,
      program: { kind: 'script', file: 'printed_metrics.py', args: ['--lr', '0.5', '--epochs', '2'] },
    });
  const artifact = (runId: string, name: string) => store.readArtifact(runId, name).then((b) => new TextDecoder().decode(b), () => undefined);

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-captures-'));
    gate = path.join(dir, 'gate');
    project = path.join(dir, 'project');
    mkdirSync(project);
    copyFileSync(path.join(fixtures, 'printed_metrics.py'), path.join(project, 'printed_metrics.py'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: project, stdio: 'ignore' });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', 'commit', '-qm', 'first');
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
  });
  afterEach(async () => {
    writeFileSync(gate, ''); // whatever happened, nothing stays held
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is FINISHED while pip freeze is still held, and gets requirements.txt attached after', async () => {
    const run = await launch(gatedPython(false));
    let capturedYet = false;
    void run.captured.then(() => (capturedYet = true));
    const outcome = await run.done;
    assert.equal(outcome.status, 'FINISHED', outcome.notes.join('\n'));
    const ended = await store.getRun(run.runId);
    assert.equal(ended.info.status, 'FINISHED', 'the status is in the store');
    assert.equal(await artifact(run.runId, ARTIFACTS.requirements), undefined, 'the freeze is still held at the gate');
    assert.equal(capturedYet, false);
    // Captures that did not wait for pip are there already or come on their own.
    writeFileSync(gate, '');
    const late = await run.captured;
    assert.deepEqual(late, []);
    assert.match((await artifact(run.runId, ARTIFACTS.requirements)) ?? '', /^mlflow==/m, 'attached to the finished run');
    assert.ok(await artifact(run.runId, ARTIFACTS.environment));
    assert.ok(await artifact(run.runId, ARTIFACTS.recipe));
    const after = await store.getRun(run.runId);
    assert.equal(after.info.status, 'FINISHED');
    assert.equal(after.info.endTime, ended.info.endTime, 'the end stays where the process ended');
    assert.match(after.data.tags.find((t) => t.key === TAGS.pythonVersion)?.value ?? '', /^3\.\d+\.\d+$/);
    assert.equal(after.data.tags.find((t) => t.key === TAGS.gitDirty)?.value, 'false', 'the git state, read after the spawn');
  });

  it('notes a capture that fails after the status in the log, and the run stays FINISHED', async () => {
    const run = await launch(gatedPython(true));
    const outcome = await run.done;
    assert.equal(outcome.status, 'FINISHED');
    assert.equal(outcome.notes.some((n) => /pip freeze/.test(n)), false, 'the status did not wait for the freeze');
    writeFileSync(gate, '');
    const late = await run.captured;
    assert.ok(late.some((n) => /^environment: pip freeze failed \(pip: broken on purpose\); no requirements\.txt\.$/.test(n)), late.join('\n'));
    assert.match((await artifact(run.runId, ARTIFACTS.outputLog)) ?? '', /\[labbook\] environment: pip freeze failed \(pip: broken on purpose\)/);
    assert.equal(await artifact(run.runId, ARTIFACTS.requirements), undefined);
    assert.ok(await artifact(run.runId, ARTIFACTS.environment), 'the rest of the environment is recorded');
    assert.equal((await store.getRun(run.runId)).info.status, 'FINISHED');
  });
});
