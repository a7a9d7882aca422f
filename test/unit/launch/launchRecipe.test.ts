import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { GitState } from '../../../src/core/launch/captureGit.ts';
import { ARTIFACTS } from '../../../src/core/launch/conventions.ts';
import { launchLocation, launchRecipe, relativeInside, type LaunchRecipeInput } from '../../../src/core/launch/launchRecipe.ts';
import { readRecipe } from '../../../src/core/launch/reproduce.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';

const git: GitState = { root: '/work/repo', commit: 'a'.repeat(40), branch: 'main', repoUrl: 'https://example.com/repo.git', dirty: true };

function input(overrides: Partial<LaunchRecipeInput> = {}): LaunchRecipeInput {
  return {
    kind: 'script',
    location: launchLocation('/work/repo/src', '/work/repo/src/train.py', git),
    cwd: '/work/repo/src',
    git,
    args: ['--epochs', '3', '--config', 'config.yaml'],
    parameters: {},
    userEnv: { SEED: '42', API_KEY: 'never-recorded' },
    dataPaths: ['data/train.csv', '/abs/data'],
    configFiles: ['config.yaml'],
    python: '/usr/bin/python3',
    experimentName: 'churn',
    runName: 'bright-fox',
    reproduces: undefined,
    ...overrides,
  };
}

describe('core/launch: where a launch is recorded, and its recipe', () => {
  it('records a file relative to the git root, or to the working directory outside git', () => {
    assert.deepEqual(launchLocation('/work/repo/src', '/work/repo/src/models/train.py', git), { root: '/work/repo', relativeFile: 'src/models/train.py' });
    assert.deepEqual(launchLocation('/work/nb', '/work/nb/explore.ipynb', undefined), { root: '/work/nb', relativeFile: 'explore.ipynb' });
  });

  it('records a file outside its root by its name, and says so', () => {
    const outside = launchLocation('/work/repo', '/elsewhere/tools/train.py', git);
    assert.equal(outside.root, '/work/repo');
    assert.equal(outside.relativeFile, 'train.py');
    assert.equal(outside.note, 'code snapshot: /elsewhere/tools/train.py is outside /work/repo; recorded as train.py.');
    // A sibling whose name starts with the root's is outside too.
    assert.equal(relativeInside('/work/repo', '/work/repo-old/train.py'), undefined);
    assert.equal(relativeInside('/work/repo', '/work/repo'), '');
  });

  it('writes what Reproduce needs: paths relative to the root, the git state with no patch yet, env names only', () => {
    assert.deepEqual(launchRecipe(input()), {
      version: 1,
      kind: 'script',
      file: 'src/train.py',
      cwd: 'src',
      root: '/work/repo',
      rootKind: 'git',
      args: ['--epochs', '3', '--config', 'config.yaml'],
      parameters: {},
      envNames: ['API_KEY', 'SEED'],
      dataPaths: ['data/train.csv', '/abs/data'],
      configFiles: ['config.yaml'],
      python: '/usr/bin/python3',
      experimentName: 'churn',
      runName: 'bright-fox',
      git: { commit: 'a'.repeat(40), branch: 'main', repoUrl: 'https://example.com/repo.git', dirty: true, patch: null },
      reproduces: null,
    });
    assert.equal(JSON.stringify(launchRecipe(input())).includes('never-recorded'), false);
  });

  it('keeps notebook parameters (never a script’s), and records a launch outside git against its working directory', () => {
    const notebook = launchRecipe(
      input({ kind: 'notebook', location: launchLocation('/work/nb', '/work/nb/explore.ipynb', undefined), cwd: '/work/nb', git: undefined, args: [], parameters: { alpha: 0.5 }, reproduces: 'r'.repeat(32) }),
    );
    assert.equal(notebook.rootKind, 'cwd');
    assert.equal(notebook.cwd, '');
    assert.deepEqual(notebook.parameters, { alpha: 0.5 });
    assert.deepEqual(notebook.git, { commit: null, branch: null, repoUrl: null, dirty: false, patch: null });
    assert.equal(notebook.reproduces, 'r'.repeat(32));
    assert.deepEqual(launchRecipe(input({ parameters: { alpha: 0.5 } })).parameters, {});
  });

  it('is read back by Reproduce from a real store as it was written', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-recipe-'));
    const store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    try {
      const experimentId = await store.createExperiment('churn');
      const runId = (await store.createRun({ experimentId, runName: 'bright-fox', startTime: 1 })).info.runId;
      const recipe = launchRecipe(input());
      await store.writeArtifact(runId, ARTIFACTS.recipe, new TextEncoder().encode(JSON.stringify(recipe)));
      assert.deepEqual(await readRecipe(store, runId), recipe);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
