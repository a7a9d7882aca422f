// Labbook's smoke tests in VS Code's Testing view: the TestController (created at activation, so the
// view can ask for its tests; see extension.ts), its items (smokeTestItems.ts) and three run
// profiles: Run (the default), Run with Tracking (notebooks, logged as tracked runs) and Debug
// (pytest under the Python debugger).
import * as vscode from 'vscode';
import type { PythonWasmPaths } from '../../core/pipeline/pythonParser.ts';
import type { SmokeDeps } from '../pipeline/smokeTest.ts';
import { NOTEBOOK_TAG, PYTEST_TAG, SmokeTestItems } from './smokeTestItems.ts';
import { runSmokeTests, type SmokeRunMode, type SmokeTestOutcome } from './smokeTestRun.ts';

export type { SmokeTestOutcome } from './smokeTestRun.ts';

export interface SmokeTestingDeps {
  readonly controller: vscode.TestController;
  readonly wasmPaths: PythonWasmPaths;
  readonly log: vscode.LogOutputChannel;
  /** What Smoke Test Notebook needs besides its output (the run's output takes its place). */
  readonly smoke: Omit<SmokeDeps, 'output'>;
}

export class SmokeTesting implements vscode.Disposable {
  private readonly items: SmokeTestItems;
  private readonly profiles: Record<SmokeRunMode, vscode.TestRunProfile>;
  private readonly finished = new vscode.EventEmitter<SmokeTestOutcome[]>();
  /** Fires with every run's outcomes, however the run was started (the Testing view, the API). */
  readonly onDidFinishRun = this.finished.event;

  constructor(private readonly deps: SmokeTestingDeps) {
    const { controller } = deps;
    this.items = new SmokeTestItems(controller, deps.wasmPaths, deps.log);
    controller.resolveHandler = (item) => (item ? Promise.resolve() : this.items.refresh());
    controller.refreshHandler = () => this.items.refresh();
    const handler = (mode: SmokeRunMode) => async (request: vscode.TestRunRequest, token: vscode.CancellationToken) => {
      await this.run(request, token, mode);
    };
    this.profiles = {
      run: controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, handler('run'), true),
      tracked: controller.createRunProfile('Run with Tracking', vscode.TestRunProfileKind.Run, handler('tracked'), false, NOTEBOOK_TAG),
      debug: controller.createRunProfile('Debug', vscode.TestRunProfileKind.Debug, handler('debug'), true, PYTEST_TAG),
    };
  }

  /** What VS Code calls for the root (undefined): finds every smoke test. */
  resolve(item: vscode.TestItem | undefined): Promise<void> {
    return item ? Promise.resolve() : this.items.refresh();
  }

  /** Finds every smoke test again and returns the controller's top-level items. */
  async refresh(): Promise<vscode.TestItem[]> {
    await this.items.refresh();
    const found: vscode.TestItem[] = [];
    this.deps.controller.items.forEach((item) => found.push(item));
    return found;
  }

  /**
   * Runs items (by id; all when none are given) through the same handler as the Testing view's
   * buttons, and resolves with their outcomes. `mode` picks the profile.
   */
  async runTests(ids?: readonly string[], mode: SmokeRunMode = 'run', token?: vscode.CancellationToken): Promise<SmokeTestOutcome[]> {
    const include = ids?.map((id) => this.find(id));
    const missing = ids?.filter((_id, i) => !include?.[i]);
    if (missing?.length) throw new Error(`No smoke test with the id ${missing.join(', ')}.`);
    const request = new vscode.TestRunRequest(include as vscode.TestItem[] | undefined, undefined, this.profiles[mode]);
    const source = token ? undefined : new vscode.CancellationTokenSource();
    try {
      return await this.run(request, token ?? (source as vscode.CancellationTokenSource).token, mode);
    } finally {
      source?.dispose();
    }
  }

  private find(id: string): vscode.TestItem | undefined {
    let found: vscode.TestItem | undefined;
    this.deps.controller.items.forEach((item) => {
      found ??= item.id === id ? item : item.children.get(id);
    });
    return found;
  }

  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken, mode: SmokeRunMode): Promise<SmokeTestOutcome[]> {
    const outcomes = await runSmokeTests({ items: this.items, smoke: this.deps.smoke, log: this.deps.log }, this.deps.controller, request, token, mode);
    this.finished.fire(outcomes);
    return outcomes;
  }

  dispose(): void {
    for (const profile of Object.values(this.profiles)) profile.dispose();
    this.items.dispose();
    this.finished.dispose();
  }
}
