// The launch files a user or an old run hands Labbook: `.labbook/runs.json` (run recipes), a run's
// `labbook/launch.json` (what Reproduce reads) and `labbook/data/fingerprints.json`. Damaged, each
// is read into well-typed values, or refused with a message naming the file and the field.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LaunchError } from '../../../src/core/launch/errors.ts';
import { readRecipe } from '../../../src/core/launch/reproduce.ts';
import { parseFingerprints } from '../../../src/core/runDetails/launchFiles.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { parseRecipes, RECIPES_FILE, starterRecipes } from '../../../src/core/launch/recipes.ts';
import { checkAsyncProperty, checkProperty, fuzzRuns, fuzzTitle, mutatedDocument, parsesOrThrowsOwnAsync, renderMutated, type Json } from './fuzzing.ts';

const RUNS_JSON: Json[] = [
  JSON.parse(starterRecipes('src/train.py', ['--lr', '0.1'])) as Json,
  {
    recipes: [
      { name: 'fast', program: 'train.py', args: ['--lr', '0.1'], dataPaths: ['data/'], env: { SEED: '1' }, experiment: 'churn', cwd: 'src', runName: 'r' },
      { name: 'sweep', program: 'nb/explore.ipynb', parameters: { alpha: 0.5, layers: [1, 2] } },
    ],
  },
];
const RUNS_FIELDS = ['recipes', 'name', 'program', 'args', 'dataPaths', 'env', 'experiment', 'cwd', 'runName', 'parameters', 'SEED'];

// As launchTrackedRun writes it.
const LAUNCH_JSON: Json[] = [
  {
    version: 1, kind: 'script', file: 'src/train.py', cwd: 'src', root: '/work/repo', rootKind: 'git', args: ['--epochs', '3'], parameters: {},
    envNames: ['SEED'], dataPaths: ['data/train.csv', '/abs/data'], configFiles: ['config.yaml'], python: '/usr/bin/python3',
    experimentName: 'churn', runName: 'bright-fox', git: { commit: 'a'.repeat(40), branch: 'main', repoUrl: null, dirty: true, patch: 'labbook/code/git.patch' },
    reproduces: null,
  },
  {
    version: 1, kind: 'notebook', file: 'explore.ipynb', cwd: '', root: '/work/nb', rootKind: 'cwd', args: [], parameters: { alpha: 0.5 },
    envNames: [], dataPaths: [], configFiles: [], python: 'python', experimentName: 'Default', runName: 'nb',
    git: { commit: null, branch: null, repoUrl: null, dirty: false, patch: null }, reproduces: 'abc',
  },
];
const LAUNCH_FIELDS = ['version', 'kind', 'file', 'cwd', 'root', 'rootKind', 'args', 'parameters', 'envNames', 'dataPaths', 'python', 'experimentName', 'runName', 'git', 'commit', 'patch'];

const FINGERPRINTS_JSON: Json[] = [
  {
    combined: 'f'.repeat(64),
    entries: [
      { path: 'data/train.csv', kind: 'file', size: 1024, mtime: 1795605125.5, sha256: 'e'.repeat(64) },
      { path: 'data/raw', kind: 'folder', size: null, mtime: '2026-11-25T10:00:00Z', dvc: { outs: [{ md5: 'd'.repeat(32) }] } },
    ],
  },
];
const FINGERPRINT_FIELDS = ['combined', 'entries', 'path', 'kind', 'size', 'mtime', 'sha256', 'dvc', 'outs', 'md5', 'dvcMd5'];

const isStringList = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');

describe('fuzz: run recipes and launch files', function () {
  this.timeout(120_000);

  const runs = fuzzRuns(1500);
  it(fuzzTitle(`reads damaged ${RECIPES_FILE} into well-typed recipes, each problem naming the file or the recipe`, runs), () => {
    checkProperty(mutatedDocument(RUNS_JSON), runs, (pick) => {
      const { recipes, problems } = parseRecipes(renderMutated(RUNS_JSON, pick, { fields: RUNS_FIELDS }));
      for (const problem of problems) assert.match(problem, /^(\.labbook\/runs\.json |recipe \d+|"[^"]*"[: ])/, problem);
      for (const r of recipes) {
        assert.ok(typeof r.name === 'string' && r.name !== '' && typeof r.program === 'string');
        assert.ok(r.kind === 'script' || r.kind === 'notebook');
        assert.ok(isStringList(r.args) && isStringList(r.dataPaths));
        assert.ok(Object.values(r.env).every((v) => typeof v === 'string'));
        assert.ok(typeof r.parameters === 'object' && r.parameters !== null && !Array.isArray(r.parameters));
      }
    });
  });

  const fingerprintRuns = fuzzRuns(1000);
  it(fuzzTitle('reads damaged fingerprints.json into entries and problems, never throwing', fingerprintRuns), () => {
    checkProperty(mutatedDocument(FINGERPRINTS_JSON), fingerprintRuns, (pick) => {
      const { fingerprints, problems } = parseFingerprints(renderMutated(FINGERPRINTS_JSON, pick, { fields: FINGERPRINT_FIELDS }));
      for (const problem of problems) assert.match(problem, /fingerprints\.json/);
      for (const f of fingerprints) assert.ok(typeof f.path === 'string' && (f.mtime === null || typeof f.mtime === 'string'));
    });
  });

  const launchRuns = fuzzRuns(300);
  it(fuzzTitle('Reproduce reads a damaged launch.json into a recipe it can use, or refuses it naming the run and file', launchRuns), async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-fuzz-recipe-'));
    const store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    try {
      const run = await store.createRun({ experimentId: await store.createExperiment('fuzz') });
      const runId = run.info.runId;
      await checkAsyncProperty(mutatedDocument(LAUNCH_JSON), launchRuns, async (pick) => {
        await store.writeArtifact(runId, 'labbook/launch.json', new TextEncoder().encode(renderMutated(LAUNCH_JSON, pick, { fields: LAUNCH_FIELDS })));
        const recipe = await parsesOrThrowsOwnAsync(
          () => readRecipe(store, runId),
          (err) => err instanceof LaunchError && err.code === 'NO_RECIPE',
          (message) => message.includes(runId) && message.includes('labbook/launch.json'),
        );
        if (recipe === undefined) return;
        // What prepareReproduction does with it.
        path.join(recipe.root, recipe.cwd, recipe.file);
        assert.ok(recipe.git.commit === null || recipe.git.commit === undefined || typeof recipe.git.commit === 'string');
        assert.ok(recipe.dataPaths.every((p) => typeof path.isAbsolute(p) === 'boolean'));
        assert.ok(isStringList(recipe.args) && isStringList(recipe.envNames));
        assert.equal(typeof `${recipe.runName}-reproduced`, 'string');
        assert.ok(recipe.kind === 'script' || recipe.kind === 'notebook');
      });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
