// Reproduce: the launch recipe of an old run turned back into launch options. The code comes
// back as a detached git worktree at the recorded commit with the recorded patch applied; the
// data cannot come back, so its current fingerprints are compared with the recorded ones and the
// differences returned for the UI to warn about. Data paths inside the repository that the
// checkout does not bring (ignored or untracked data) are linked from the worktree to the
// originals, so the script finds them where it did.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ReadableStore } from '../store/trackingStore.ts';
import { ARTIFACTS, type LaunchRecipe } from './conventions.ts';
import { LaunchError } from './errors.ts';
import { errorFirstLine } from '../../shared/errorMessage.ts';
import { compareFingerprints, fingerprintData, type DataDifference, type DataFingerprint } from './fingerprintData.ts';
import type { Program } from './launchTrackedRun.ts';
import { runCommand } from './processes.ts';
import { observedDifferences, observedInputPaths, readDataRecord } from '../data/observedDifferences.ts';
import { isRecord } from '../../shared/isRecord.ts';

export interface ReproductionPlan {
  readonly recipe: LaunchRecipe;
  /** The worktree that holds the code (dispose it with disposeWorktree); undefined without git. */
  readonly worktree?: string;
  readonly differences: readonly DataDifference[];
  /** What launchTrackedRun needs from the old run; add store, trackingUri/token, owner, env values. */
  readonly launch: {
    readonly experimentName: string;
    readonly runName: string;
    readonly program: Program;
    readonly python: string;
    readonly cwd: string;
    readonly dataPaths: readonly string[];
    readonly reproduces: string;
    /** Names of the variables the original launch set; the caller supplies current values. */
    readonly envNames: readonly string[];
  };
  readonly notes: readonly string[];
}

export interface ReproductionOptions {
  /** Folder under which the worktree is made (e.g. the extension's cache folder). */
  readonly worktreeRoot: string;
  /** The repository to use when it moved since the run (default: the recorded root). */
  readonly repoRoot?: string;
  readonly timeoutMs?: number;
  /** false: run the current code in the repository instead of a worktree at the recorded commit (Debug Run's choice). Default true. */
  readonly atCommit?: boolean;
}

const GIT_ENV = { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };

async function git(cwd: string, args: readonly string[], timeoutMs: number): Promise<{ ok: boolean; out: string; err: string }> {
  const r = await runCommand('git', args, { cwd, env: GIT_ENV, timeoutMs });
  return { ok: r.code === 0, out: r.stdout.toString('utf8').trim(), err: (r.failure ?? r.stderr.toString('utf8')).trim() };
}

export async function readRecipe(store: ReadableStore, runId: string): Promise<LaunchRecipe> {
  let bytes: Uint8Array;
  try {
    bytes = await store.readArtifact(runId, ARTIFACTS.recipe);
  } catch (err) {
    throw new LaunchError('NO_RECIPE', `Run ${runId} has no ${ARTIFACTS.recipe}: it was not launched by Labbook, so it cannot be reproduced (${errorFirstLine(err)}).`);
  }
  try {
    return checkRecipe(JSON.parse(new TextDecoder().decode(bytes)) as unknown);
  } catch (err) {
    throw new LaunchError('NO_RECIPE', `Run ${runId}'s ${ARTIFACTS.recipe} is not readable (${errorFirstLine(err)}).`);
  }
}

/**
 * The recipe, if every field a reproduction reads has its type; else an Error naming the field
 * (the file may have been edited or written by something else).
 */
function checkRecipe(value: unknown): LaunchRecipe {
  const need = (ok: boolean, field: string, what: string): void => {
    if (!ok) throw new Error(`'${field}' should be ${what}`);
  };
  if (!isRecord(value)) throw new Error('it is not a JSON object');
  if (value.version !== 1) throw new Error(`unknown recipe version ${JSON.stringify(value.version) ?? 'undefined'}`);
  need(value.kind === 'script' || value.kind === 'notebook', 'kind', "'script' or 'notebook'");
  need(value.rootKind === 'git' || value.rootKind === 'cwd', 'rootKind', "'git' or 'cwd'");
  for (const key of ['file', 'cwd', 'root', 'python', 'experimentName', 'runName']) need(typeof value[key] === 'string', key, 'a string');
  for (const key of ['args', 'envNames', 'dataPaths']) {
    const list = value[key];
    need(Array.isArray(list) && list.every((item) => typeof item === 'string'), key, 'a list of strings');
  }
  need(isRecord(value.parameters), 'parameters', 'an object');
  const git = value.git;
  if (!isRecord(git)) throw new Error("'git' should be an object");
  for (const key of ['commit', 'patch']) need(git[key] === null || git[key] === undefined || typeof git[key] === 'string', `git.${key}`, 'a string or null');
  return value as unknown as LaunchRecipe;
}

export async function prepareReproduction(store: ReadableStore, runId: string, options: ReproductionOptions): Promise<ReproductionPlan> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const recipe = await readRecipe(store, runId);
  const notes: string[] = [];
  const originalRoot = options.repoRoot ?? recipe.root;
  const originalCwd = path.join(originalRoot, recipe.cwd);
  let worktree: string | undefined;
  let root = originalRoot;
  if (recipe.rootKind === 'git' && recipe.git.commit && options.atCommit !== false) {
    worktree = await makeWorktree(originalRoot, recipe.git.commit, options.worktreeRoot, runId, timeoutMs);
    root = worktree;
    if (recipe.git.patch) {
      try {
        await applyPatch(store, runId, recipe.git.patch, worktree, timeoutMs);
      } catch (err) {
        await disposeWorktree(worktree, { timeoutMs });
        throw err;
      }
    }
  } else if (recipe.rootKind === 'git' && recipe.git.commit) {
    notes.push(`The code runs from its current state, not the recorded commit ${recipe.git.commit.slice(0, 12)}${recipe.git.patch ? ' and patch' : ''}.`);
  } else {
    notes.push(recipe.rootKind === 'git'
      ? 'The run was launched in a repository without commits: the code runs from its current state, which may differ.'
      : 'The run was not launched from a git repository: the code runs from its current state, which may differ.');
  }
  const cwd = path.join(root, recipe.cwd);
  // Observed inputs (labbook/data.json) are linked and compared like the declared paths.
  const observed = await readDataRecord(store, runId, notes);
  const observedPaths = observed ? observedInputPaths(observed, recipe.dataPaths, originalCwd) : [];
  if (worktree) linkMissingData([...recipe.dataPaths, ...observedPaths], originalCwd, cwd, originalRoot, notes);
  const differences = [
    ...(await dataDifferences(store, runId, recipe.dataPaths, originalCwd, timeoutMs, notes)),
    ...(observed ? await observedDifferences(observed, recipe.dataPaths, originalCwd, timeoutMs) : []),
  ];
  const file = path.join(root, recipe.file);
  const program: Program = recipe.kind === 'script' ? { kind: 'script', file, args: recipe.args } : { kind: 'notebook', file, parameters: recipe.parameters };
  return {
    recipe,
    ...(worktree ? { worktree } : {}),
    differences,
    launch: {
      experimentName: recipe.experimentName,
      runName: `${recipe.runName}-reproduced`,
      program,
      python: recipe.python,
      cwd,
      // Same paths as the original where they reach the same data, so fingerprints compare.
      dataPaths: recipe.dataPaths.map((p) => (path.isAbsolute(p) || (worktree !== undefined && path.resolve(cwd, p) !== path.resolve(originalCwd, p) && !existsSync(path.resolve(cwd, p))) ? path.resolve(originalCwd, p) : p)),
      reproduces: runId,
      envNames: recipe.envNames,
    },
    notes,
  };
}

async function makeWorktree(repo: string, commit: string, worktreeRoot: string, runId: string, timeoutMs: number): Promise<string> {
  if (!existsSync(repo)) throw new LaunchError('NOT_A_REPOSITORY', `The repository ${repo} the run was launched from no longer exists.`);
  const top = await git(repo, ['rev-parse', '--show-toplevel'], timeoutMs);
  if (!top.ok) throw new LaunchError('NOT_A_REPOSITORY', `${repo} is not a git repository anymore (${top.err.split('\n')[0] ?? ''}).`);
  const known = await git(repo, ['cat-file', '-e', `${commit}^{commit}`], timeoutMs);
  if (!known.ok) {
    throw new LaunchError('COMMIT_NOT_FOUND', `Commit ${commit.slice(0, 12)} is not in ${repo} (was it rebased away, or never pushed here?). Fetch it, then reproduce again.`);
  }
  mkdirSync(worktreeRoot, { recursive: true });
  const dir = mkdtempSync(path.join(worktreeRoot, `reproduce-${runId.slice(0, 8)}-`));
  const added = await git(repo, ['worktree', 'add', '--detach', dir, commit], timeoutMs);
  if (!added.ok) {
    rmSync(dir, { recursive: true, force: true });
    throw new LaunchError('WORKTREE_FAILED', `Could not check out ${commit.slice(0, 12)} into ${dir}: ${added.err}`);
  }
  return dir;
}

async function applyPatch(store: ReadableStore, runId: string, artifact: string, worktree: string, timeoutMs: number): Promise<void> {
  let patch: Uint8Array;
  try {
    patch = await store.readArtifact(runId, artifact);
  } catch (err) {
    throw new LaunchError('PATCH_FAILED', `The run's uncommitted changes (${artifact}) could not be read (${errorFirstLine(err)}).`);
  }
  const file = path.join(worktree, '.git-labbook-reproduce.patch');
  writeFileSync(file, patch);
  try {
    const applied = await git(worktree, ['apply', '--binary', '--whitespace=nowarn', file], timeoutMs);
    if (!applied.ok) throw new LaunchError('PATCH_FAILED', `The run's uncommitted changes do not apply to its commit: ${applied.err.split('\n').slice(0, 5).join(' ')}`);
  } finally {
    rmSync(file, { force: true });
  }
}

function linkMissingData(dataPaths: readonly string[], originalCwd: string, cwd: string, originalRoot: string, notes: string[]): void {
  for (const p of dataPaths) {
    if (path.isAbsolute(p)) continue;
    const original = path.resolve(originalCwd, p);
    const inWorktree = path.resolve(cwd, p);
    if (path.relative(originalRoot, original).startsWith('..') || existsSync(inWorktree) || !existsSync(original)) continue;
    try {
      mkdirSync(path.dirname(inWorktree), { recursive: true });
      symlinkSync(original, inWorktree);
      notes.push(`data ${p}: not in the commit; linked from the worktree to ${original}.`);
    } catch (err) {
      notes.push(`data ${p}: could not be linked into the worktree (${errorFirstLine(err)}).`);
    }
  }
}

async function dataDifferences(store: ReadableStore, runId: string, dataPaths: readonly string[], cwd: string, timeoutMs: number, notes: string[]): Promise<DataDifference[]> {
  if (dataPaths.length === 0) return [];
  let recorded: DataFingerprint[];
  try {
    recorded = (JSON.parse(new TextDecoder().decode(await store.readArtifact(runId, ARTIFACTS.fingerprints))) as { entries: DataFingerprint[] }).entries;
  } catch (err) {
    notes.push(`data: the run's fingerprints could not be read (${errorFirstLine(err)}); data changes are not checked.`);
    return [];
  }
  const current = await fingerprintData(dataPaths, cwd, { timeoutMs });
  return compareFingerprints(recorded, current.entries);
}

/** Removes a worktree made by prepareReproduction (and git's record of it). Never throws. */
export async function disposeWorktree(dir: string, options: { timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const common = await git(dir, ['rev-parse', '--path-format=absolute', '--git-common-dir'], timeoutMs);
  if (common.ok) {
    const removed = await git(path.dirname(dir), ['--git-dir', common.out, 'worktree', 'remove', '--force', dir], timeoutMs);
    if (removed.ok) return;
  }
  rmSync(dir, { recursive: true, force: true });
  if (common.ok) await git(path.dirname(dir), ['--git-dir', common.out, 'worktree', 'prune'], timeoutMs);
}
