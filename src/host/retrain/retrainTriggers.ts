// Retraining triggers in the editor: for each recipe in .labbook/runs.json with a `retrain`, a
// FileSystemWatcher on its data (debounced), and on a change the decision of core/retrain: the
// files' sha256 against what the recipe's last run recorded, and for `drift > X` the drift share
// against that run's data. Then "Retrain" is offered in a notification, or the run is started
// when `labbook.retrain.autoStart` is on in a trusted workspace; the new run carries the
// labbook.retrain.* tags. `schedule` is pointed to CI (Add CI Workflow…).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseDataRecord } from '../../core/data/dataRecord.ts';
import { ARTIFACTS } from '../../core/launch/conventions.ts';
import { fingerprintData } from '../../core/launch/fingerprintData.ts';
import { driftFilesOf, recordedHashes, watchTargets } from '../../core/retrain/retrainData.ts';
import { dataChange, decideRetrain, RETRAIN_TAGS, type RetrainDecision } from '../../core/retrain/retrainSpec.ts';
import { readOptionalArtifact, readRunFingerprints } from '../../core/runDetails/launchFiles.ts';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import type { Run } from '../../core/store/types.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { resolveExperimentName } from '../launch/experimentName.ts';
import { parseRecipes, RECIPES_FILE, type RunRecipe } from '../../core/launch/recipes.ts';

export interface RetrainEvent {
  readonly recipe: string;
  readonly decision: RetrainDecision;
  /** offered: the notification is up; started: the run launched (runId); none: nothing to do. */
  readonly action: 'offered' | 'started' | 'none';
  readonly runId?: string;
}

export interface RetrainDeps {
  readonly log: vscode.LogOutputChannel;
  /** The store new runs go to (where the recipe's last run is); undefined when there is none yet. */
  readonly store: () => Promise<ReadableStore | undefined>;
  /** Launches the recipe with the tags (labbook.runRecipe). */
  readonly runRecipe: (name: string, tags: Readonly<Record<string, string>>) => Promise<{ runId: string } | undefined>;
  /** The dataset drift share of `file` (absolute) against the data the run recorded for it; undefined when it cannot be measured. */
  readonly driftShare: (store: ReadableStore, runId: string, file: string, recordedPath: string, cwd: string) => Promise<number | undefined>;
}

const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export class RetrainTriggers implements vscode.Disposable {
  private readonly decided = new vscode.EventEmitter<RetrainEvent>();
  /** Fires after every decision (for tests and the log). */
  readonly onDidDecide = this.decided.event;
  private watchers: vscode.Disposable[] = [];
  /** What the watchers watch (recipe, folder, glob), so a reload that changes nothing keeps them. */
  private watchKey = '';
  private readonly recipesWatcher: vscode.FileSystemWatcher | undefined;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** What was last offered per recipe (its changed paths and hashes): the same change is not offered twice. */
  private readonly offered = new Map<string, string>();
  private readonly scheduleNoted = new Set<string>();
  private recipes: readonly RunRecipe[] = [];

  constructor(private readonly deps: RetrainDeps) {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return;
    this.recipesWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, RECIPES_FILE));
    for (const event of [this.recipesWatcher.onDidCreate, this.recipesWatcher.onDidChange, this.recipesWatcher.onDidDelete]) event(() => this.reload());
    this.reload();
  }

  private get folder(): string | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  }

  /** Reads the recipes again and watches the data of those with a `retrain`. */
  reload(): void {
    const folder = this.folder;
    if (!folder) return this.unwatch();
    let text: string;
    try {
      text = readFileSync(path.join(folder, RECIPES_FILE), 'utf8');
    } catch {
      this.recipes = [];
      return this.unwatch();
    }
    this.recipes = parseRecipes(text).recipes.filter((r) => r.retrain);
    const watched = this.recipes.filter((r) => r.retrain?.when.kind !== 'schedule').map((r) => [r.name, path.resolve(folder, r.cwd ?? '.'), ...this.watchedPaths(r)]);
    // Replacing a watcher opens a window in which a change is seen by neither: keep them when the
    // recipes file changed in ways that do not touch what is watched.
    const key = JSON.stringify(watched);
    const rewatch = key !== this.watchKey;
    if (rewatch) {
      this.unwatch();
      this.watchKey = key;
    }
    for (const recipe of this.recipes) {
      if (recipe.retrain?.when.kind === 'schedule') {
        this.noteSchedule(recipe);
        continue;
      }
      const paths = this.watchedPaths(recipe);
      if (!rewatch) continue;
      if (paths.length === 0) this.deps.log.warn(`Retraining trigger of "${recipe.name}": no data to watch (give "dataPaths" or "retrain.paths").`);
      const cwd = path.resolve(folder, recipe.cwd ?? '.');
      for (const p of paths) {
        // The path itself (a file) and everything under it (a folder), from its resolved location:
        // absolute and '../' paths lie outside cwd, where a pattern relative to cwd matches nothing.
        for (const { base, pattern } of watchTargets(cwd, p)) {
          const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(base), pattern));
          const changed = () => this.debounce(recipe.name);
          watcher.onDidChange(changed);
          watcher.onDidCreate(changed);
          this.watchers.push(watcher);
        }
      }
    }
    this.deps.log.info(`Retraining triggers: ${this.recipes.map((r) => `${r.name} (${r.retrain?.text ?? ''})`).join(', ') || 'none'}.`);
  }

  private unwatch(): void {
    for (const w of this.watchers.splice(0)) w.dispose();
    this.watchKey = '';
  }

  private watchedPaths(recipe: RunRecipe): readonly string[] {
    return recipe.retrain?.paths ?? recipe.dataPaths;
  }

  private noteSchedule(recipe: RunRecipe): void {
    if (this.scheduleNoted.has(recipe.name)) return;
    this.scheduleNoted.add(recipe.name);
    void vscode.window
      .showInformationMessage(`Recipe "${recipe.name}" retrains on a schedule${recipe.retrain?.schedule ? ` (${recipe.retrain.schedule})` : ''}. Schedules run in CI, not in the editor: add a CI workflow for the exported pipeline.`, 'Add CI Workflow…')
      .then((choice) => (choice ? vscode.commands.executeCommand('labbook.addCiWorkflow') : undefined));
  }

  private debounce(name: string): void {
    const delay = vscode.workspace.getConfiguration('labbook.retrain').get<number>('debounceSeconds', 5) * 1000;
    const pending = this.timers.get(name);
    if (pending) clearTimeout(pending);
    // A file written in several chunks, or several files, settle into one check.
    this.timers.set(
      name,
      setTimeout(() => {
        this.timers.delete(name);
        void this.check(name, { start: false }).catch((err: unknown) => this.deps.log.error(`Retraining trigger of "${name}" failed`, err));
      }, delay),
    );
  }

  /** Decides for one recipe (or all with a trigger); `start` launches at once (the Retrain button, or a test). */
  async check(name: string | undefined, options: { start: boolean }): Promise<RetrainEvent[]> {
    const recipes = this.recipes.filter((r) => name === undefined || r.name === name);
    if (name !== undefined && recipes.length === 0) throw new Error(`No recipe named "${name}" with a "retrain" trigger in ${RECIPES_FILE}.`);
    const events: RetrainEvent[] = [];
    for (const recipe of recipes) events.push(await this.checkOne(recipe, options.start));
    return events;
  }

  private async lastRun(store: ReadableStore, recipe: RunRecipe): Promise<Run | undefined> {
    const experimentName = resolveExperimentName({ requested: recipe.experiment, setting: vscode.workspace.getConfiguration('labbook.launch').get<string>('experiment', ''), environment: process.env.MLFLOW_EXPERIMENT_NAME });
    const experiment = await store.getExperimentByName(experimentName);
    if (!experiment) return undefined;
    // Runs a recipe launched carry its name; older ones are found by run name.
    for (const filter of [`tags.\`${RETRAIN_TAGS.recipe}\` = ${quote(recipe.name)}`, `attributes.run_name = ${quote(recipe.runName ?? recipe.name)}`]) {
      const page = await store.searchRuns({ experimentIds: [experiment.experimentId], filter, orderBy: ['attributes.start_time DESC'], maxResults: 1 });
      if (page.items[0]) return page.items[0];
    }
    return undefined;
  }

  private async checkOne(recipe: RunRecipe, start: boolean): Promise<RetrainEvent> {
    const spec = recipe.retrain;
    const none = (reason: string): RetrainEvent => this.emit({ recipe: recipe.name, decision: { retrain: false, reason }, action: 'none' });
    if (!spec) return none(`"${recipe.name}" has no retrain trigger.`);
    const folder = this.folder ?? '';
    const cwd = path.resolve(folder, recipe.cwd ?? '.');
    const store = await this.deps.store();
    if (!store) return none(`"${recipe.name}" has no run yet to compare its data with (no tracking store).`);
    const previous = await this.lastRun(store, recipe);
    if (!previous) return none(`"${recipe.name}" has no run yet to compare its data with.`);
    if (previous.info.status === 'RUNNING') return none(`A run of "${recipe.name}" is in progress.`);
    const [read, recordBytes] = await Promise.all([readRunFingerprints(store, previous.info.runId), readOptionalArtifact(store, previous.info.runId, ARTIFACTS.dataRecord)]);
    const record = recordBytes === null ? undefined : parseDataRecord(new TextDecoder().decode(recordBytes));
    const current = await fingerprintData(this.watchedPaths(recipe), cwd);
    const change = dataChange(recordedHashes(read.fingerprints, record), current.entries);
    let driftShare: number | undefined;
    if (spec.when.kind === 'drift') {
      for (const changed of change.changed) {
        // A folder stands for its tabular files that changed: drift is measured file by file.
        const { files, truncated } = await driftFilesOf(changed, cwd, record);
        if (truncated) this.deps.log.warn(`Retraining trigger of "${recipe.name}": drift of ${changed} measured on its first ${files.length} changed data files only.`);
        for (const file of files) {
          const share = await this.deps.driftShare(store, previous.info.runId, path.resolve(cwd, file), file, cwd).catch((err: unknown) => {
            this.deps.log.warn(`Retraining trigger of "${recipe.name}": drift of ${file} not measured (${errorMessage(err)}).`);
            return undefined;
          });
          if (share !== undefined) driftShare = Math.max(driftShare ?? 0, share);
        }
      }
    }
    const decision = decideRetrain(spec, { recipe: recipe.name, previousRunId: previous.info.runId, change, ...(driftShare !== undefined ? { driftShare } : {}) });
    if (!decision.retrain) return this.emit({ recipe: recipe.name, decision, action: 'none' });
    const key = `${previous.info.runId}:${current.combined}`;
    const autoStart = vscode.workspace.getConfiguration('labbook.retrain').get<boolean>('autoStart', false) && vscode.workspace.isTrusted;
    if (start || autoStart) return this.retrain(recipe.name, decision, key);
    if (this.offered.get(recipe.name) !== key) {
      this.offered.set(recipe.name, key);
      void vscode.window.showInformationMessage(`${decision.reason} Retrain with "${recipe.name}"?`, 'Retrain', 'Not Now').then((choice) => {
        if (choice === 'Retrain') this.retrain(recipe.name, decision, key).catch((err: unknown) => this.deps.log.error(`Retraining "${recipe.name}" failed`, err));
      });
    }
    return this.emit({ recipe: recipe.name, decision, action: 'offered' });
  }

  private async retrain(name: string, decision: RetrainDecision & { retrain: true }, key: string): Promise<RetrainEvent> {
    this.offered.set(name, key);
    this.deps.log.info(`Retraining "${name}": ${decision.reason}`);
    const launched = await this.deps.runRecipe(name, decision.tags);
    return this.emit({ recipe: name, decision, action: launched ? 'started' : 'none', ...(launched ? { runId: launched.runId } : {}) });
  }

  private emit(event: RetrainEvent): RetrainEvent {
    this.deps.log.info(`Retraining trigger of "${event.recipe}": ${event.action} — ${event.decision.reason}`);
    this.decided.fire(event);
    return event;
  }

  dispose(): void {
    for (const w of this.watchers.splice(0)) w.dispose();
    for (const t of this.timers.values()) clearTimeout(t);
    this.recipesWatcher?.dispose();
    this.decided.dispose();
  }
}
