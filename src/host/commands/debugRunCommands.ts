// Debug Run: a run re-launched under the Python debugger (ms-python.debugpy) as a new tracked
// run, at the recorded commit (Reproduce's worktree, with the workspace's breakpoints copied onto
// it) or on the current code. The pure parts (configuration, path mapping, the run's start and
// end) are in src/core/launch/debugLaunch.ts; Reproduce's preparation is shared (reproduceFlow.ts).
import os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  assertDebuggable, createDebugRun, debugConfiguration, disposeWorktree, endDebugRun, LaunchError, mapBreakpoints, readRecipe,
  type DebugCode, type DebugpyConfiguration, type LaunchRecipe,
} from '../../core/launch/index.ts';
import { currentUserName } from '../../core/system/currentUser.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import type { LaunchService } from '../launch/launchService.ts';
import { requireTrust } from '../launch/requireTrust.ts';
import { prepareReproduceLaunch } from '../launch/reproduceFlow.ts';
import type { StoreRoot } from '../stores/storeRoot.ts';
import type { ExplorerNode } from '../trees/experimentsTree.ts';
import { runIdOf, type RunRef } from './launchCommands.ts';

export const DEBUGPY_EXTENSION = 'ms-python.debugpy';
export const MISSING_DEBUGGER_MESSAGE =
  `Debug Run needs the Python Debugger extension (${DEBUGPY_EXTENSION}), which runs the program under debugpy. Install it, then choose Debug Run again.`;

interface Deps {
  readonly launches: LaunchService;
  readonly view: vscode.TreeView<ExplorerNode>;
  readonly roots: () => readonly StoreRoot[];
  readonly worktreeRoot: string;
  readonly log: vscode.LogOutputChannel;
}

/** How the command is called from a menu (a run node) or a test (`{ rootId, runId }`, options). */
export interface DebugRunOptions {
  /** Skip the QuickPick. */
  readonly code?: DebugCode;
  /** false: go ahead when the data differs, without asking. */
  readonly confirm?: boolean;
  /**
   * false: prepare everything (worktree, run, configuration, breakpoints), return it, then end
   * the run KILLED and clean up without starting the debugger (tests: the debugger is not
   * installable there).
   */
  readonly start?: boolean;
}

export type DebugRunResult =
  | { readonly runId: string; readonly rootId: string; readonly config: DebugpyConfiguration; readonly breakpoints: readonly { readonly file: string; readonly line: number }[]; readonly started: boolean }
  | { readonly refused: 'NO_DEBUGGER' | 'NOT_DEBUGGABLE'; readonly message: string };

const CODE_PICKS: readonly (vscode.QuickPickItem & { code: DebugCode })[] = [
  { label: 'At the recorded commit (worktree)', detail: 'The code as it ran: a git worktree at the run\'s commit with its patch; your breakpoints are copied onto it.', code: 'worktree' },
  { label: 'On the current code', detail: 'The files in your workspace as they are now, with your breakpoints.', code: 'current' },
];

async function chooseCode(recipe: LaunchRecipe): Promise<DebugCode | undefined> {
  // Nothing to check out without a recorded commit: the current code is all there is.
  if (recipe.rootKind !== 'git' || !recipe.git.commit) return 'current';
  const picked = await vscode.window.showQuickPick(
    CODE_PICKS.map((p) => (p.code === 'worktree' ? { ...p, description: `${recipe.git.commit?.slice(0, 8) ?? ''}${recipe.git.patch ? ' + patch' : ''}` } : p)),
    { title: `Debug Run ${recipe.runName}: which code?` },
  );
  return picked?.code;
}

/** Copies the workspace's breakpoints under `root` onto the worktree; returns the copies (removed when the session ends). */
function copyBreakpoints(root: string, worktree: string): vscode.SourceBreakpoint[] {
  const sources = vscode.debug.breakpoints.filter((bp): bp is vscode.SourceBreakpoint => bp instanceof vscode.SourceBreakpoint && bp.location.uri.scheme === 'file');
  const mapped = mapBreakpoints(sources.map((bp) => ({ file: bp.location.uri.fsPath, bp })), root, worktree);
  const copies = mapped.map(({ file, bp }) => new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(file), bp.location.range), bp.enabled, bp.condition, bp.hitCondition, bp.logMessage));
  if (copies.length > 0) vscode.debug.addBreakpoints(copies);
  return copies;
}

export function registerDebugRunCommands(deps: Deps): vscode.Disposable[] {
  const { launches, view, roots, log } = deps;
  /** Exit codes the debug adapter reported, by session id (its `exited` event). */
  const exitCodes = new Map<string, number>();
  /** The Labbook run each debug session logs into, and what to do when it ends. */
  const pending = new Map<string, (exitCode: number | null) => Promise<void>>();
  /** Top-level sessions of Labbook's debug runs, by session id → run id (child sessions of subprocesses are left alone). */
  const sessions = new Map<string, string>();

  const refuse = (refused: 'NO_DEBUGGER' | 'NOT_DEBUGGABLE', message: string, ...actions: { title: string; run: () => Thenable<unknown> }[]): DebugRunResult => {
    void vscode.window.showErrorMessage(message, ...actions.map((a) => a.title)).then((choice) => actions.find((a) => a.title === choice)?.run());
    return { refused, message };
  };

  const debugRun = async (ref?: RunRef, options: DebugRunOptions = {}): Promise<DebugRunResult | undefined> => {
    const target = runIdOf(ref, view);
    if (!target) return undefined;
    if (!requireTrust('debug runs')) return undefined;
    const start = options.start !== false;
    let worktree: string | undefined;
    try {
      const store = await roots().find((r) => r.id === target.rootId)?.open();
      if (!store) throw new Error(`The tracking store ${target.rootId} is not open.`);
      const recipe = await readRecipe(store, target.runId);
      try {
        assertDebuggable(recipe, target.runId);
      } catch (err) {
        if (!(err instanceof LaunchError)) throw err;
        const notebook = vscode.Uri.file(path.join(recipe.root, recipe.file));
        return refuse('NOT_DEBUGGABLE', err.message, { title: 'Open Notebook', run: () => vscode.commands.executeCommand('vscode.open', notebook) });
      }
      // Checked before anything is made (worktree, run); a notebook run is refused first, as installing would not help it.
      if (start && !vscode.extensions.getExtension(DEBUGPY_EXTENSION)) {
        return refuse('NO_DEBUGGER', MISSING_DEBUGGER_MESSAGE, { title: 'Install', run: () => vscode.commands.executeCommand('workbench.extensions.search', `@id:${DEBUGPY_EXTENSION}`) });
      }
      const code = options.code ?? (await chooseCode(recipe));
      if (!code) return undefined;
      const prepared = await prepareReproduceLaunch(store, target.runId, {
        worktreeRoot: deps.worktreeRoot, atCommit: code === 'worktree', verb: 'Debug', log, ...(options.confirm === false ? { confirm: false } : {}),
      });
      if (!prepared) return undefined;
      const { plan } = prepared;
      worktree = plan.worktree;
      const into = await launches.target();
      const run = await createDebugRun(into.store, { launch: plan.launch, owner: launches.owner, user: currentUserName(), host: os.hostname() });
      const config = debugConfiguration({
        launch: plan.launch, envValues: prepared.env, targetEnv: into.env, trackingUri: into.trackingUri,
        ...(into.token !== undefined ? { trackingToken: into.token } : {}), run, ...(prepared.python ? { python: prepared.python } : {}),
      });
      const copies = worktree ? copyBreakpoints(plan.recipe.root, worktree) : [];
      const used = worktree;
      worktree = undefined; // from here on, the session's end disposes it
      let ended = false;
      const end = async (exitCode: number | null): Promise<void> => {
        if (ended) return;
        ended = true;
        pending.delete(run.runId);
        if (copies.length > 0) vscode.debug.removeBreakpoints(copies);
        const result = await endDebugRun(into.store, run.runId, { exitCode, args: config.args, startTime: run.startTime });
        log.info(`Debug run ${run.runId} (${run.runName}) ended ${result.status}`);
        for (const note of result.notes) log.info(`  ${note}`);
        if (used) await disposeWorktree(used).catch(() => undefined);
      };
      pending.set(run.runId, end);
      const breakpoints = copies.map((bp) => ({ file: bp.location.uri.fsPath, line: bp.location.range.start.line }));
      log.info(`Debug Run ${target.runId} → run ${run.runId}: ${config.program} ${config.args.join(' ')} in ${config.cwd}${used ? ' (worktree)' : ''}`);
      if (!start) {
        await end(null);
        return { runId: run.runId, rootId: into.rootId, config, breakpoints, started: false };
      }
      const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(path.join(plan.recipe.root, plan.recipe.file))) ?? vscode.workspace.workspaceFolders?.[0];
      // startDebugging can reject as well as answer false: either way the run, the worktree and the
      // copied breakpoints must not outlive the attempt.
      const started = await vscode.debug.startDebugging(folder, config).then(
        (ok) => ok,
        async (err: unknown) => {
          await end(null);
          throw err;
        },
      );
      if (!started) {
        await end(null);
        void vscode.window.showErrorMessage(`The Python debugger did not start run ${run.runName}; the run is marked KILLED. See the Debug Console and Labbook's log.`);
      }
      return { runId: run.runId, rootId: into.rootId, config, breakpoints, started };
    } catch (err) {
      if (worktree) await disposeWorktree(worktree).catch(() => undefined);
      log.error(`Debug Run failed: ${errorMessage(err)}`);
      void vscode.window.showErrorMessage(`Labbook could not debug the run: ${errorMessage(err)}`);
      return undefined;
    }
  };

  const runIdOfSession = (session: vscode.DebugSession): string | undefined => {
    const id: unknown = (session.configuration as { labbookRunId?: unknown }).labbookRunId;
    return typeof id === 'string' ? id : undefined;
  };

  return [
    vscode.commands.registerCommand('labbook.debugRun', debugRun),
    vscode.debug.registerDebugAdapterTrackerFactory('debugpy', {
      createDebugAdapterTracker(session) {
        if (!runIdOfSession(session)) return undefined;
        return {
          onDidSendMessage(message: { type?: string; event?: string; body?: { exitCode?: unknown } }) {
            if (message.type === 'event' && message.event === 'exited' && typeof message.body?.exitCode === 'number') exitCodes.set(session.id, message.body.exitCode);
          },
        };
      },
    }),
    vscode.debug.onDidStartDebugSession((session) => {
      const runId = runIdOfSession(session);
      if (runId && !session.parentSession && pending.has(runId)) sessions.set(session.id, runId);
    }),
    vscode.debug.onDidTerminateDebugSession((session) => {
      const runId = sessions.get(session.id);
      if (!runId) return;
      sessions.delete(session.id);
      const exitCode = exitCodes.get(session.id) ?? null;
      exitCodes.delete(session.id);
      void pending.get(runId)?.(exitCode).catch((err: unknown) => log.error(`Debug run ${runId}: not ended (${errorMessage(err)})`));
    }),
    {
      dispose: () => {
        // The window closes mid-session: end what is still open (recovery would mark it FAILED otherwise).
        for (const end of pending.values()) void end(null).catch(() => undefined);
      },
    },
  ];
}
