// Tracked runs launched with real Python: the mlflow client resuming Labbook's run, printed
// metric lines, crashes, kills, stop(), concurrent runs and Reproduce, against the local SQLite
// store and its MLflow-compatible endpoint.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ARTIFACTS, TAGS } from '../../src/core/launch/conventions.ts';
import { launchTrackedRun, type LaunchOptions, type TrackedRun } from '../../src/core/launch/launchTrackedRun.ts';
import type { NotebookExecutor } from '../../src/core/launch/programProcess.ts';
import { disposeWorktree, prepareReproduction } from '../../src/core/launch/reproduce.ts';
import { startLocalTrackingServer, type LocalTrackingServer } from '../../src/core/mlflow/server/localTrackingServer.ts';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Run } from '../../src/core/store/types.ts';
import { QUIET_PYTHON_ENV, testPython } from '../support/python.ts';

const fixtures = path.resolve(import.meta.dirname, '..', 'fixtures', 'launch');

function tagsOf(run: Run): Record<string, string> {
  return Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
}
function paramsOf(run: Run): Record<string, string> {
  return Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
}

describe('interop: tracked runs launched with real Python', function () {
  this.timeout(300_000);
  let dir: string;
  let store: SqliteTrackingStore;
  let server: LocalTrackingServer;
  let base: Pick<LaunchOptions, 'store' | 'trackingUri' | 'trackingToken' | 'python' | 'owner' | 'spoolDir' | 'env' | 'experimentName'>;
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });
  const text = async (runId: string, artifact: string) => new TextDecoder().decode(await store.readArtifact(runId, artifact));

  /** A git repo with `files` copied from the fixtures and committed. */
  function repoWith(name: string, files: string[]): string {
    const repo = path.join(dir, name);
    mkdirSync(repo, { recursive: true });
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'config', 'user.email', 'ada@example.com');
    git(repo, 'config', 'user.name', 'Ada');
    git(repo, 'remote', 'add', 'origin', 'https://ada:secret@example.com/lab/models.git');
    for (const f of files) copyFileSync(path.join(fixtures, f), path.join(repo, f));
    writeFileSync(path.join(repo, '.gitignore'), 'data/\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'initial');
    return repo;
  }

  async function waitForOutput(run: TrackedRun, pattern: RegExp, timeoutMs = 120_000): Promise<string> {
    let seen = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} in output within ${timeoutMs} ms:\n${seen.slice(-2000)}`)), timeoutMs);
      const off = run.onOutput((chunk) => {
        seen += chunk.text;
        if (pattern.test(seen)) {
          clearTimeout(timer);
          setImmediate(() => off());
          resolve(seen);
        }
      });
    });
  }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-launch-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    server = await startLocalTrackingServer({ store });
    base = {
      store, trackingUri: server.url, trackingToken: server.token, python: testPython(), owner: 'session-a',
      spoolDir: path.join(dir, 'spool'), env: QUIET_PYTHON_ENV, experimentName: 'launched',
    };
  });
  after(async () => {
    await server?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('(a) an mlflow client script: every point, params, tags, artifacts, git state and data fingerprint', async () => {
    const repo = repoWith('train', ['mlflow_train.py']);
    mkdirSync(path.join(repo, 'data'));
    writeFileSync(path.join(repo, 'data', 'train.csv'), Array.from({ length: 30 }, (_, i) => `${i},${i % 7},${2 * i + 1}`).join('\n'));
    writeFileSync(path.join(repo, 'mlflow_train.py'), `# an uncommitted edit\n${execFileSync('cat', [path.join(fixtures, 'mlflow_train.py')], { encoding: 'utf8' })}`);
    writeFileSync(path.join(repo, 'notes.md'), 'untracked notes\n');
    const run = await launchTrackedRun({ ...base, cwd: repo, program: { kind: 'script', file: 'mlflow_train.py', args: ['--steps', '200', '--model=Ridge'] }, dataPaths: ['data/train.csv'] });
    const outcome = await run.done;
    // The status never waits for the captures; they are attached to the run by now or just after.
    await run.captured;
    const log = await text(run.runId, ARTIFACTS.outputLog);
    assert.equal(outcome.status, 'FINISHED', log);
    const stored = await store.getRun(run.runId);
    assert.equal(stored.info.status, 'FINISHED');
    assert.ok(stored.info.endTime !== null && stored.info.endTime >= stored.info.startTime);
    const loss = await store.getMetricHistory(run.runId, 'loss');
    assert.deepEqual(loss.map((m) => [m.step, m.value]), Array.from({ length: 200 }, (_, s) => [s, 1 / (s + 1)]));
    assert.deepEqual((await store.getMetricHistory(run.runId, 'accuracy')).map((m) => m.value), [0.75]);
    assert.ok(stored.data.metrics.some((m) => m.key === 'training_score'), 'sklearn autolog logged its metrics');
    const params = paramsOf(stored);
    assert.equal(params['steps'], '200');
    assert.equal(params['model'], 'ridge', "the script's own log_param wins over the parsed --model=Ridge (and does not fail)");
    assert.match(log, /\[labbook\] param model: the script logged 'ridge'; the parsed 'Ridge' was not logged/);
    assert.equal(params['alpha'], '0.5', 'autolog params');
    const tags = tagsOf(stored);
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    assert.equal(tags[TAGS.gitCommit], head);
    assert.equal(tags[TAGS.gitBranch], 'main');
    assert.equal(tags[TAGS.gitRepoUrl], 'https://example.com/lab/models.git', 'credentials are stripped');
    assert.equal(tags[TAGS.gitDirty], 'true');
    assert.equal(tags[TAGS.sourceType], 'LOCAL');
    assert.equal(tags[TAGS.sourceName], path.join(repo, 'mlflow_train.py'));
    assert.equal(tags[TAGS.kind], 'script');
    assert.equal(tags[TAGS.owner], 'session-a');
    assert.equal(tags[TAGS.pid], String(run.pid));
    assert.equal(tags[TAGS.exitCode], '0');
    assert.match(tags[TAGS.durationMs] ?? '', /^\d+$/);
    assert.match(tags[TAGS.pythonVersion] ?? '', /^3\.\d+\.\d+$/);
    assert.match(tags[TAGS.dataFingerprint] ?? '', /^[0-9a-f]{64}$/);
    assert.ok(tags[TAGS.user]);
    assert.equal(tags[TAGS.snapshot], 'labbook/code/mlflow_train.py');
    assert.match(await text(run.runId, 'labbook/code/mlflow_train.py'), /^# an uncommitted edit/);
    const patch = await text(run.runId, ARTIFACTS.gitPatch);
    assert.match(patch, /\+# an uncommitted edit/);
    assert.match(patch, /new file mode 100644[\s\S]*\+\+\+ b\/notes\.md/);
    assert.doesNotMatch(patch, /train\.csv/, 'ignored files stay out');
    assert.equal(await text(run.runId, 'outputs/summary.txt'), 'weights: 1 2 3\n');
    assert.match(log, /trained on 30 rows/);
    assert.match(await text(run.runId, ARTIFACTS.requirements), /^mlflow==/m);
    const env = JSON.parse(await text(run.runId, ARTIFACTS.environment)) as { python: { version: string }; cpu: { count: number }; gpus: unknown[] };
    assert.equal(env.python.version, tags[TAGS.pythonVersion]);
    assert.ok(env.cpu.count >= 1);
    const prints = JSON.parse(await text(run.runId, ARTIFACTS.fingerprints)) as { combined: string; entries: { path: string; kind: string; sha256: string }[] };
    assert.equal(prints.combined, tags[TAGS.dataFingerprint]);
    assert.equal(prints.entries[0]?.kind, 'file');
    const recipe = JSON.parse(await text(run.runId, ARTIFACTS.recipe)) as { file: string; args: string[]; git: { commit: string; patch: string }; envNames: string[] };
    assert.equal(recipe.file, 'mlflow_train.py');
    assert.deepEqual(recipe.args, ['--steps', '200', '--model=Ridge']);
    assert.equal(recipe.git.commit, head);
    assert.equal(recipe.git.patch, ARTIFACTS.gitPatch);
    assert.ok(recipe.envNames.includes('MLFLOW_DISABLE_TELEMETRY'));
    assert.doesNotMatch(JSON.stringify(recipe), /"true"/, 'env values are not recorded');
  });

  it('(b) argparse and printed metric lines only: params from args, every printed point, FINISHED', async () => {
    const run = await launchTrackedRun({ ...base, cwd: fixtures, program: { kind: 'script', file: 'printed_metrics.py', args: ['--lr=0.5', '--epochs', '4', '--verbose', '--name', 'two words'] } });
    const outcome = await run.done;
    assert.equal(outcome.status, 'FINISHED', await text(run.runId, ARTIFACTS.outputLog));
    const stored = await store.getRun(run.runId);
    assert.deepEqual(paramsOf(stored), { lr: '0.5', epochs: '4', verbose: 'true', name: 'two words', optimizer: 'adam' });
    assert.deepEqual((await store.getMetricHistory(run.runId, 'loss')).map((m) => [m.step, m.value]), [[0, 5], [1, 2.5], [2, 1.666667], [3, 1.25]]);
    assert.deepEqual((await store.getMetricHistory(run.runId, 'acc')).map((m) => [m.step, m.value]), [[0, 0], [1, 0.1], [2, 0.2], [3, 0.3]]);
    assert.deepEqual((await store.getMetricHistory(run.runId, 'seen')).map((m) => [m.step, m.value]), [[0, 0], [1, 2], [2, 4], [3, 6]]);
    assert.equal(tagsOf(stored)['stage'], 'fine tune', 'a last line without a newline still counts');
    assert.equal(outcome.printed.malformedLines, 1);
    assert.equal(outcome.printed.logged, 4 * 3 + 2);
    const log = await text(run.runId, ARTIFACTS.outputLog);
    assert.match(log, /epoch 3 done/);
    assert.match(log, /\[labbook\] 1 malformed labbook: line/);
  });

  it('(c) a crash after mlflow.end_run() ends FAILED, with the traceback in the log', async () => {
    const run = await launchTrackedRun({ ...base, cwd: fixtures, program: { kind: 'script', file: 'crash.py' } });
    const outcome = await run.done;
    assert.equal(outcome.status, 'FAILED');
    assert.equal(outcome.exitCode, 1);
    const stored = await store.getRun(run.runId);
    assert.equal(stored.info.status, 'FAILED', 'Labbook\'s status wins over the client\'s FINISHED');
    assert.equal(tagsOf(stored)[TAGS.exitCode], '1');
    assert.deepEqual((await store.getMetricHistory(run.runId, 'before_crash')).map((m) => m.value), [1]);
    const log = await text(run.runId, ARTIFACTS.outputLog);
    assert.match(log, /about to fail[\s\S]*Traceback \(most recent call last\)[\s\S]*ValueError: boom/);
  });

  it('(d) killed with SIGKILL from outside: KILLED, every acknowledged point present', async () => {
    const run = await launchTrackedRun({ ...base, cwd: fixtures, program: { kind: 'script', file: 'slow_metrics.py' } });
    await waitForOutput(run, /acked 20\n/);
    process.kill(run.pid ?? 0, 'SIGKILL');
    const outcome = await run.done;
    assert.equal(outcome.status, 'KILLED');
    assert.equal(outcome.signal, 'SIGKILL');
    const log = await text(run.runId, ARTIFACTS.outputLog);
    const acked = [...log.matchAll(/^acked (\d+)$/gm)].map((m) => Number(m[1]));
    const last = Math.max(...acked);
    assert.ok(last >= 20);
    const stored = await store.getRun(run.runId);
    assert.equal(stored.info.status, 'KILLED');
    assert.equal(tagsOf(stored)[TAGS.exitCode], 'SIGKILL');
    const ackedSteps = new Set((await store.getMetricHistory(run.runId, 'acked')).map((m) => m.step));
    const printedSteps = new Set((await store.getMetricHistory(run.runId, 'printed')).map((m) => m.step));
    for (let step = 0; step <= last; step++) {
      assert.ok(ackedSteps.has(step), `acked step ${step} is in the store`);
      assert.ok(printedSteps.has(step), `printed step ${step} is in the store`);
    }
  });

  it('(e) stop() ends the process group and the run KILLED', async () => {
    const run = await launchTrackedRun({ ...base, cwd: fixtures, program: { kind: 'script', file: 'slow_metrics.py' }, stopGraceMs: 2_000 });
    await waitForOutput(run, /acked 3\n/);
    const outcome = await run.stop();
    assert.equal(outcome.status, 'KILLED');
    assert.equal((await store.getRun(run.runId)).info.status, 'KILLED');
    assert.throws(() => process.kill(run.pid ?? 0, 0), /ESRCH/, 'the process is gone');
    assert.equal((await run.stop()).status, 'KILLED', 'a second stop() is harmless');
  });

  it('(f) two runs at once keep their points apart', async () => {
    const [one, two] = await Promise.all([
      launchTrackedRun({ ...base, cwd: fixtures, program: { kind: 'script', file: 'printed_metrics.py', args: ['--lr', '0.1', '--epochs', '5'] } }),
      launchTrackedRun({ ...base, cwd: fixtures, program: { kind: 'script', file: 'printed_metrics.py', args: ['--lr', '0.2', '--epochs', '6'] } }),
    ]);
    const [a, b] = await Promise.all([one.done, two.done]);
    assert.equal(a.status, 'FINISHED');
    assert.equal(b.status, 'FINISHED');
    assert.notEqual(one.runId, two.runId);
    assert.deepEqual((await store.getMetricHistory(one.runId, 'loss')).map((m) => m.value), [1, 0.5, 0.333333, 0.25, 0.2]);
    assert.deepEqual((await store.getMetricHistory(two.runId, 'loss')).map((m) => m.value), [2, 1, 0.666667, 0.5, 0.4, 0.333333]);
  });

  it('a missing interpreter ends the run FAILED with a clear message, never a hang', async () => {
    const run = await launchTrackedRun({ ...base, python: path.join(dir, 'no-such-python'), cwd: fixtures, program: { kind: 'script', file: 'printed_metrics.py' } });
    assert.equal(run.pid, undefined);
    const outcome = await run.done;
    assert.equal(outcome.status, 'FAILED');
    assert.match(outcome.error ?? '', /could not start .*no-such-python \(ENOENT\)/);
    assert.equal((await store.getRun(run.runId)).info.status, 'FAILED');
    assert.match(await text(run.runId, ARTIFACTS.outputLog), /\[labbook\] could not start/);
  });

  it('a notebook through an injected executor: parameters, printed metrics, the executed notebook saved', async () => {
    // A real executor (nbclient + ipykernel in a child process), standing in for src/core/notebook/execute.ts.
    const executor: NotebookExecutor = (request) => {
      const out = path.join(dir, `executed-${path.basename(request.file)}`);
      const child = spawn(request.python, [path.join(fixtures, 'execute_notebook.py'), request.file, out, JSON.stringify(request.parameters)], { cwd: request.cwd, env: request.env, detached: true });
      child.stdout.on('data', (b: Buffer) => request.onOutput('stdout', b.toString('utf8')));
      child.stderr.on('data', (b: Buffer) => request.onOutput('stderr', b.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      return {
        ...(child.pid === undefined ? {} : { pid: child.pid }),
        done: new Promise((resolve) => child.on('close', (code) => {
          clearTimeout(timer);
          let executedNotebook: Uint8Array | undefined;
          try {
            executedNotebook = readFileSync(out);
          } catch {
            executedNotebook = undefined;
          }
          resolve({ ok: code === 0, ...(executedNotebook ? { executedNotebook } : {}), ...(code === 0 ? {} : { error: `exit ${code}` }) });
        })),
        stop: () => {
          child.kill('SIGTERM');
          return Promise.resolve();
        },
      };
    };
    const run = await launchTrackedRun({ ...base, cwd: fixtures, program: { kind: 'notebook', file: 'params.ipynb', parameters: { lr: 0.5, epochs: 3 } }, notebookExecutor: executor });
    const outcome = await run.done;
    assert.equal(outcome.status, 'FINISHED', await text(run.runId, ARTIFACTS.outputLog));
    const stored = await store.getRun(run.runId);
    assert.deepEqual(paramsOf(stored), { lr: '0.5', epochs: '3' });
    assert.equal(tagsOf(stored)[TAGS.kind], 'notebook');
    assert.deepEqual((await store.getMetricHistory(run.runId, 'loss')).map((m) => [m.step, m.value]), [[0, 0.5], [1, 0.25], [2, 0.5 / 3]]);
    const executed = JSON.parse(await text(run.runId, 'labbook/notebook/params.ipynb')) as { cells: { source: string | string[] }[] };
    assert.match([executed.cells[0]?.source ?? ''].flat().join(''), /lr = 0\.5/);
    const recipe = JSON.parse(await text(run.runId, ARTIFACTS.recipe)) as { kind: string; parameters: Record<string, unknown> };
    assert.deepEqual([recipe.kind, recipe.parameters], ['notebook', { lr: 0.5, epochs: 3 }]);
  });

  it('(g) reproduce: the old commit plus its patch in a worktree gives identical params and metrics', async () => {
    const repo = repoWith('repro', ['repro.py']);
    mkdirSync(path.join(repo, 'data'));
    writeFileSync(path.join(repo, 'data', 'values.txt'), '1.5 2.5\n');
    // Launched dirty: the run's code is the commit plus this edit.
    const source = execFileSync('cat', [path.join(repo, 'repro.py')], { encoding: 'utf8' });
    writeFileSync(path.join(repo, 'repro.py'), source.replace('SCALE = 1.0', 'SCALE = 3.0'));
    const original = await launchTrackedRun({ ...base, cwd: repo, program: { kind: 'script', file: 'repro.py', args: ['--seed', '7', '--data', 'data/values.txt'] }, dataPaths: ['data/values.txt'] });
    assert.equal((await original.done).status, 'FINISHED');
    await original.captured; // the recipe Reproduce reads
    // Move on: that state is no longer checked out.
    writeFileSync(path.join(repo, 'repro.py'), source.replace('SCALE = 1.0', 'SCALE = 100.0'));
    git(repo, 'commit', '-qam', 'new scale');

    const plan = await prepareReproduction(store, original.runId, { worktreeRoot: path.join(dir, 'worktrees') });
    try {
      assert.deepEqual(plan.differences, []);
      assert.ok(plan.worktree);
      const again = await launchTrackedRun({ ...base, ...plan.launch });
      const outcome = await again.done;
      await again.captured;
      assert.equal(outcome.status, 'FINISHED', await text(again.runId, ARTIFACTS.outputLog));
      const [before, after] = [await store.getRun(original.runId), await store.getRun(again.runId)];
      assert.deepEqual(paramsOf(after), paramsOf(before));
      const history = async (runId: string) => (await store.getMetricHistory(runId, 'score')).map((m) => [m.step, m.value]);
      assert.equal((await history(original.runId)).length, 20);
      assert.deepEqual(await history(again.runId), await history(original.runId));
      assert.equal(tagsOf(after)[TAGS.reproduces], original.runId);
      assert.equal(tagsOf(after)[TAGS.dataFingerprint], tagsOf(before)[TAGS.dataFingerprint]);
      assert.equal(tagsOf(after)[TAGS.gitCommit], tagsOf(before)[TAGS.gitCommit]);
    } finally {
      if (plan.worktree) await disposeWorktree(plan.worktree);
    }
    assert.doesNotMatch(git(repo, 'worktree', 'list'), /reproduce-/, 'the worktree is gone');

    // Changed data is reported; a commit that is gone is a clear error.
    writeFileSync(path.join(repo, 'data', 'values.txt'), '9\n');
    const changed = await prepareReproduction(store, original.runId, { worktreeRoot: path.join(dir, 'worktrees') });
    if (changed.worktree) await disposeWorktree(changed.worktree);
    assert.deepEqual(changed.differences.map((d) => [d.path, d.change]), [['data/values.txt', 'content']]);
    git(repo, 'reset', '-q', '--hard', 'HEAD~1');
    git(repo, 'reflog', 'expire', '--expire=now', '--all');
    git(repo, 'commit', '-q', '--amend', '-m', 'rewritten');
    git(repo, 'reflog', 'expire', '--expire=now', '--all');
    git(repo, 'gc', '-q', '--prune=now');
    await assert.rejects(prepareReproduction(store, original.runId, { worktreeRoot: path.join(dir, 'worktrees') }), /COMMIT_NOT_FOUND|is not in/);
  });
});
