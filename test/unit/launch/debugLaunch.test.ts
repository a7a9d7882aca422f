import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ARTIFACTS, TAGS, type LaunchRecipe } from '../../../src/core/launch/conventions.ts';
import {
  assertDebuggable, createDebugRun, debugConfiguration, endDebugRun, mapBreakpoints, mapPath, type DebugConfigurationInput,
} from '../../../src/core/launch/debugLaunch.ts';
import { LaunchError } from '../../../src/core/launch/errors.ts';
import { disposeWorktree, prepareReproduction, readRecipe } from '../../../src/core/launch/reproduce.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Run } from '../../../src/core/store/types.ts';

const tags = (run: Run) => Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
const params = (run: Run) => Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));

function recipe(overrides: Partial<LaunchRecipe> = {}): LaunchRecipe {
  return {
    version: 1, kind: 'script', file: 'src/train.py', cwd: 'src', root: '/work/repo', rootKind: 'git',
    args: ['--lr', '0.1', '--epochs=5', '--name', 'with space'], parameters: {}, envNames: ['SEED', 'UNSET_NOW'],
    dataPaths: [], configFiles: [], python: '/usr/bin/python3', experimentName: 'churn', runName: 'bright-fox',
    git: { commit: null, branch: null, repoUrl: null, dirty: false, patch: null }, reproduces: null,
    ...overrides,
  };
}

function input(overrides: Partial<DebugConfigurationInput> = {}): DebugConfigurationInput {
  return {
    launch: {
      experimentName: 'churn', runName: 'bright-fox-reproduced', python: '/usr/bin/python3', cwd: '/tmp/wt/src', dataPaths: [], reproduces: 'old-run', envNames: ['SEED', 'UNSET_NOW'],
      program: { kind: 'script', file: '/tmp/wt/src/train.py', args: ['--lr', '0.1', '--epochs=5', '--name', 'with space'] },
    },
    envValues: { SEED: '42', NOT_RECORDED: 'secret' },
    trackingUri: 'http://127.0.0.1:5123',
    trackingToken: 'tok',
    run: { runId: 'new-run', experimentId: '7', runName: 'bright-fox-debug' },
    ...overrides,
  };
}

describe('core/launch: Debug Run', () => {
  it('builds the debugpy launch configuration of a script run: program, exact arguments, cwd, its variables and the tracked run', () => {
    const config = debugConfiguration(input({ python: '/venv/bin/python' }));
    assert.equal(config.type, 'debugpy');
    assert.equal(config.request, 'launch');
    assert.equal(config.program, '/tmp/wt/src/train.py');
    assert.deepEqual(config.args, ['--lr', '0.1', '--epochs=5', '--name', 'with space']);
    assert.equal(config.cwd, '/tmp/wt/src');
    assert.equal(config.python, '/venv/bin/python');
    assert.equal(config.labbookRunId, 'new-run');
    assert.equal(config.justMyCode, true);
    assert.deepEqual(config.env, {
      SEED: '42', MLFLOW_TRACKING_URI: 'http://127.0.0.1:5123', MLFLOW_TRACKING_TOKEN: 'tok', MLFLOW_RUN_ID: 'new-run',
      MLFLOW_EXPERIMENT_NAME: 'churn', MLFLOW_EXPERIMENT_ID: '7', PYTHONUNBUFFERED: '1',
    }, 'only the recorded names that have a value now, and no variable the launch did not set');
  });

  it('points the program at its run even when a recorded variable or the target says otherwise; no python without a recorded one', () => {
    const config = debugConfiguration(input({ envValues: { MLFLOW_RUN_ID: 'elsewhere' }, targetEnv: { MLFLOW_TRACKING_USERNAME: 'ada' }, launch: { ...input().launch, envNames: ['MLFLOW_RUN_ID'] } }));
    assert.equal(config.env['MLFLOW_RUN_ID'], 'new-run');
    assert.equal(config.env['MLFLOW_TRACKING_USERNAME'], 'ada');
    assert.equal('python' in config, false);
  });

  it('refuses a notebook run, naming its parameters and what to do instead', () => {
    const notebook = recipe({ kind: 'notebook', file: 'explore.ipynb', args: [], parameters: { alpha: 3, name: 'x' } });
    assert.throws(() => assertDebuggable(notebook, 'run-9'), (err: unknown) => {
      assert.ok(err instanceof LaunchError);
      assert.equal(err.code, 'NOT_DEBUGGABLE');
      assert.match(err.message, /run-9 ran the notebook explore\.ipynb with parameters alpha=3 name="x"/);
      assert.match(err.message, /Debug Cell or Run by Line/);
      return true;
    });
    assert.doesNotThrow(() => assertDebuggable(recipe(), 'run-1'));
    assert.throws(() => debugConfiguration(input({ launch: { ...input().launch, program: { kind: 'notebook', file: '/x/explore.ipynb', parameters: {} } } })), /scripts only/);
  });

  it('maps a workspace path to its worktree copy and back, and leaves paths outside the repository alone', () => {
    assert.equal(mapPath('/work/repo/src/train.py', '/work/repo', '/cache/wt'), path.join('/cache/wt', 'src/train.py'));
    assert.equal(mapPath('/cache/wt/src/train.py', '/cache/wt', '/work/repo'), path.join('/work/repo', 'src/train.py'));
    assert.equal(mapPath('/work/repo2/train.py', '/work/repo', '/cache/wt'), undefined, 'a sibling sharing the prefix');
    assert.equal(mapPath('/work/other/train.py', '/work/repo', '/cache/wt'), undefined);
    assert.equal(mapPath('/work/repo', '/work/repo', '/cache/wt'), undefined, 'the root is not a file in it');
    assert.equal(mapPath('/work/repo/../repo/a.py', '/work/repo/', '/cache/wt'), path.join('/cache/wt', 'a.py'));
    const mapped = mapBreakpoints([{ file: '/work/repo/a.py', line: 3 }, { file: '/usr/lib/python3/os.py', line: 9 }], '/work/repo', '/cache/wt');
    assert.deepEqual(mapped, [{ file: path.join('/cache/wt', 'a.py'), line: 3, original: '/work/repo/a.py' }]);
  });

  describe('with a real store and git repository', () => {
    let dir: string;
    let store: SqliteTrackingStore;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'labbook-debug-'));
      store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    });
    afterEach(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('refuses a run without a recipe (not launched by Labbook), naming the run', async () => {
      const run = await store.createRun({ experimentId: await store.createExperiment('mlflow') });
      await assert.rejects(readRecipe(store, run.info.runId), (err: unknown) => err instanceof LaunchError && err.code === 'NO_RECIPE' && err.message.includes(run.info.runId));
    });

    it('debugs at the recorded commit (breakpoints map onto the worktree copy of the file) or on the current code', async () => {
      const repo = path.join(dir, 'repo');
      mkdirSync(path.join(repo, 'src'), { recursive: true });
      const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', timeout: 30_000 }).trim();
      git('init', '-q', '-b', 'main');
      git('config', 'user.email', 'ada@example.com');
      git('config', 'user.name', 'Ada');
      writeFileSync(path.join(repo, 'src', 'train.py'), 'SCALE = 1.0\n');
      git('add', '.');
      git('commit', '-qm', 'first');
      const commit = git('rev-parse', 'HEAD');
      writeFileSync(path.join(repo, 'src', 'train.py'), 'SCALE = 2.0\n'); // the code moved on
      const old = await store.createRun({ experimentId: await store.createExperiment('churn') });
      await store.writeArtifact(old.info.runId, ARTIFACTS.recipe, new TextEncoder().encode(JSON.stringify(recipe({ root: repo, git: { commit, branch: 'main', repoUrl: null, dirty: false, patch: null } }))));

      const atCommit = await prepareReproduction(store, old.info.runId, { worktreeRoot: path.join(dir, 'worktrees') });
      try {
        assert.ok(atCommit.worktree);
        const copy = mapPath(path.join(repo, 'src', 'train.py'), repo, atCommit.worktree);
        assert.equal(copy, atCommit.launch.program.file, 'the workspace file maps to the program the debugger runs');
        assert.equal(readFileSync(copy, 'utf8'), 'SCALE = 1.0\n', 'the recorded code');
        assert.equal(debugConfiguration(input({ launch: atCommit.launch })).cwd, path.join(atCommit.worktree, 'src'));
      } finally {
        await disposeWorktree(atCommit.worktree ?? '');
      }

      const current = await prepareReproduction(store, old.info.runId, { worktreeRoot: path.join(dir, 'worktrees'), atCommit: false });
      assert.equal(current.worktree, undefined);
      assert.equal(current.launch.program.file, path.join(repo, 'src', 'train.py'));
      assert.equal(readFileSync(current.launch.program.file, 'utf8'), 'SCALE = 2.0\n');
      assert.ok(current.notes.some((n) => n.includes(commit.slice(0, 12))), current.notes.join('\n'));
    });

    it('creates the debug run tagged as reproducing the old one and as a debug run, and ends it from the exit code', async () => {
      const launch = input().launch;
      const ends: [number | null, string][] = [[0, 'FINISHED'], [3, 'FAILED'], [null, 'KILLED']];
      for (const [exitCode, status] of ends) {
        const run = await createDebugRun(store, { launch, owner: 'window-1', user: 'ada', host: 'box', now: () => 1_000 });
        const started = await store.getRun(run.runId);
        assert.equal(started.info.status, 'RUNNING');
        assert.equal(run.runName, 'bright-fox-debug');
        const t = tags(started);
        assert.equal(t[TAGS.reproduces], 'old-run');
        assert.equal(t[TAGS.debug], 'true');
        assert.equal(t[TAGS.sourceName], '/tmp/wt/src/train.py');
        assert.equal(t[TAGS.owner], 'window-1');
        // The script logged one of its params itself: its value wins.
        await store.logBatch(run.runId, { params: [{ key: 'lr', value: '0.10' }] });
        const ended = await endDebugRun(store, run.runId, { exitCode, args: launch.program.kind === 'script' ? (launch.program.args ?? []) : [], startTime: run.startTime, now: () => 4_000 });
        assert.equal(ended.status, status);
        const after = await store.getRun(run.runId);
        assert.equal(after.info.status, status);
        assert.equal(after.info.endTime, 4_000);
        assert.deepEqual(params(after), { lr: '0.10', epochs: '5', name: 'with space' });
        assert.equal(tags(after)[TAGS.exitCode], exitCode === null ? 'none' : String(exitCode));
        assert.equal(tags(after)[TAGS.durationMs], '3000');
      }
    });
  });
});
