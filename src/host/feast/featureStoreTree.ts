// The Feature Store view: the workspace's Feast repositories (folders with a feature_store.yaml),
// each read through Feast in the interpreter selected for it (core/feast/readFeastRegistry.ts).
// A repository shows "Reading…" at once, then its projects as the quick reader lists them (a
// fraction of a second for a local registry file); Feast's own read, which takes seconds (importing
// Feast), follows and has the last word: the view changes only if Feast's answer differs (a
// feature_store.yaml Feast refuses becomes the failure). The answer is kept until the registry or
// feature_store.yaml changes, or Refresh.
// Nothing runs in Restricted Mode: reading runs Python.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FeastRegistry } from '../../core/feast/feastRegistry.ts';
import type { FeastReadResult } from '../../core/feast/readFeastRegistry.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { RefreshableTreeProvider } from '../trees/refreshableTree.ts';
import { FEAST_REPO_EXCLUDE, FEAST_REPO_GLOB } from './feastRepoGlob.ts';
import { nodeId, nodeLook, objectChildren, projectGroups, type FeastRepo, type FeatureStoreNode } from './featureStoreModel.ts';

export const FEATURE_STORE_VIEW = 'labbook.featureStore';
const MAX_REPOS = 50;

export interface FeatureStoreDeps {
  /** Reads one repository's registry (Feast in the interpreter selected for it), giving `onQuick` the quick reader's listing first when there is one. */
  read(repo: FeastRepo, onQuick: (registry: FeastRegistry) => void): Promise<FeastReadResult>;
  log: vscode.LogOutputChannel;
}

interface RepoState {
  result?: FeastReadResult;
  pending?: Promise<void>;
  /** Bumped by every reload: an answer to an older read is dropped. */
  generation: number;
  /** The result shown is the quick listing, and Feast's own read is under way. */
  confirming?: boolean;
  watcher?: vscode.FileSystemWatcher;
}

/** The repositories of the workspace, by their feature_store.yaml (at most MAX_REPOS). */
export async function findFeastRepos(): Promise<FeastRepo[]> {
  const files = await vscode.workspace.findFiles(FEAST_REPO_GLOB, FEAST_REPO_EXCLUDE, MAX_REPOS);
  return files
    .map((file) => path.dirname(file.fsPath))
    .sort()
    .map((folder) => ({ folder, label: vscode.workspace.asRelativePath(folder, true) || path.basename(folder) }));
}

function describe(registry: FeastRegistry): string {
  const count = registry.projects.reduce((n, p) => n + p.entities.length + p.dataSources.length + p.featureViews.length + p.onDemandFeatureViews.length + p.featureServices.length, 0);
  return `${registry.projects.length} project(s), ${count} object(s)`;
}

export class FeatureStoreTreeProvider extends RefreshableTreeProvider<FeatureStoreNode> {
  private readonly deps: FeatureStoreDeps;
  private readonly repos = new Map<string, RepoState>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(deps: FeatureStoreDeps) {
    super();
    this.deps = deps;
    // feature_store.yaml edited, added or removed: read again (the repositories are found anew at the root).
    const configs = vscode.workspace.createFileSystemWatcher(FEAST_REPO_GLOB);
    this.disposables.push(
      configs,
      configs.onDidChange((uri) => this.reload(path.dirname(uri.fsPath))),
      configs.onDidCreate(() => this.refresh()),
      configs.onDidDelete((uri) => this.forget(path.dirname(uri.fsPath))),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.refresh()),
    );
  }

  async getChildren(node?: FeatureStoreNode): Promise<FeatureStoreNode[]> {
    if (!node) {
      if (!vscode.workspace.isTrusted) return [{ kind: 'untrusted' }];
      const repos = await findFeastRepos();
      for (const folder of [...this.repos.keys()]) if (!repos.some((r) => r.folder === folder)) this.forget(folder, false);
      if (repos.length === 1 && repos[0]) return this.repoChildren(repos[0]);
      return repos.map((repo) => ({ kind: 'repo', repo }));
    }
    switch (node.kind) {
      case 'repo':
        return this.repoChildren(node.repo);
      case 'project':
        return projectGroups(node.repo, node.project);
      case 'group':
        return node.objects.map((object) => ({ kind: 'object', repo: node.repo, project: node.project, object }));
      case 'object':
        return objectChildren(node.object);
      default:
        return [];
    }
  }

  getTreeItem(node: FeatureStoreNode): vscode.TreeItem {
    const look = nodeLook(node);
    const state = look.collapsible === 'none' ? vscode.TreeItemCollapsibleState.None : look.collapsible === 'expanded' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(look.label, state);
    const id = nodeId(node);
    if (id) item.id = id;
    if (look.description) item.description = look.description;
    if (look.tooltip) item.tooltip = new vscode.MarkdownString(look.tooltip);
    item.iconPath = new vscode.ThemeIcon(look.icon, look.color ? new vscode.ThemeColor(look.color) : undefined);
    item.contextValue = look.contextValue;
    if (node.kind === 'object' && node.object.location) item.command = { command: 'labbook.openFeastDefinition', title: 'Open Definition', arguments: [node] };
    else if (node.kind === 'failure') item.command = { command: 'labbook.showFeastFailure', title: 'Show Details', arguments: [node] };
    else if (node.kind === 'untrusted') item.command = { command: 'workbench.trust.manage', title: 'Manage Workspace Trust' };
    return item;
  }

  /** What the last read of `folder` gave, if it is done (for commands and tests). */
  result(folder: string): FeastReadResult | undefined {
    return this.repos.get(folder)?.result;
  }

  /** Whether `folder` shows the quick listing while Feast's own read is under way. */
  confirming(folder: string): boolean {
    return this.repos.get(folder)?.confirming === true;
  }

  /**
   * The registry of `repo` as the view has it: the last read, or a read started now (when the view
   * was never shown), waited for. Undefined when the workspace is untrusted or the repository went.
   */
  async registryOf(repo: FeastRepo): Promise<FeastReadResult | undefined> {
    if (!vscode.workspace.isTrusted) return undefined;
    this.repoChildren(repo);
    await this.settled();
    return this.result(repo.folder);
  }

  /** Resolves when no read is under way. */
  async settled(): Promise<void> {
    for (let round = 0; round < 10; round++) {
      const pending = [...this.repos.values()].map((s) => s.pending).filter((p): p is Promise<void> => p !== undefined);
      if (!pending.length) return;
      await Promise.all(pending);
    }
  }

  /** Reads `folder` again (every repository without one). */
  reload(folder?: string): void {
    for (const [key, state] of this.repos) {
      if (folder !== undefined && key !== folder) continue;
      state.generation++;
      state.result = undefined;
      state.pending = undefined;
      state.confirming = false;
    }
    this.refresh();
  }

  private forget(folder: string, refresh = true): void {
    this.repos.get(folder)?.watcher?.dispose();
    this.repos.delete(folder);
    if (refresh) this.refresh();
  }

  private repoChildren(repo: FeastRepo): FeatureStoreNode[] {
    let state = this.repos.get(repo.folder);
    if (!state) {
      state = { generation: 0 };
      this.repos.set(repo.folder, state);
    }
    const { result } = state;
    if (result) {
      if (!result.ok) return [{ kind: 'failure', repo, failure: result }];
      return result.registry.projects.map((project) => ({ kind: 'project', repo, registry: result.registry, project }));
    }
    if (!state.pending) this.startRead(repo, state);
    return [{ kind: 'loading', repo }];
  }

  private startRead(repo: FeastRepo, state: RepoState): void {
    const generation = state.generation;
    const started = performance.now();
    const current = () => this.repos.get(repo.folder) === state && state.generation === generation;
    let quick: string | undefined;
    const onQuick = (registry: FeastRegistry) => {
      if (!current()) return;
      quick = JSON.stringify(registry);
      state.result = { ok: true, registry };
      state.confirming = true;
      this.deps.log.info(`Feast registry of ${repo.folder} listed from its file: ${describe(registry)} (${Math.round(performance.now() - started)} ms); Feast itself reads it too`);
      this.watchRegistry(repo, state, registry.registry);
      this.refresh();
    };
    const read = this.deps.read(repo, onQuick).catch((err: unknown): FeastReadResult => ({ ok: false, kind: 'answer', message: `Reading the Feast registry failed: ${errorMessage(err)}` }));
    state.pending = read.then((result) => {
      if (!current()) return;
      state.pending = undefined;
      state.confirming = false;
      const ms = Math.round(performance.now() - started);
      if (result.ok && quick !== undefined && JSON.stringify(result.registry) === quick) {
        this.deps.log.info(`Feast registry of ${repo.folder}: Feast ${result.registry.feastVersion} read the same (${ms} ms)`);
        return;
      }
      state.result = result;
      if (result.ok) {
        if (quick !== undefined) this.deps.log.warn(`Feast registry of ${repo.folder}: Feast's read differs from the quick listing; Feast's is shown`);
        this.deps.log.info(`Feast registry of ${repo.folder} read: ${describe(result.registry)}, Feast ${result.registry.feastVersion} (${ms} ms)`);
        this.watchRegistry(repo, state, result.registry.registry);
      } else this.deps.log.warn(`Feast registry of ${repo.folder}: ${result.message}`);
      this.refresh();
    });
    void vscode.window.withProgress({ location: { viewId: FEATURE_STORE_VIEW } }, () => read);
  }

  /** A file registry (what `feast apply` writes): read again when it changes. */
  private watchRegistry(repo: FeastRepo, state: RepoState, registry: { type: string; path?: string }): void {
    state.watcher?.dispose();
    state.watcher = undefined;
    if (registry.type !== 'file' || !registry.path || /^[a-z][a-z0-9+.-]*:\/\//i.test(registry.path)) return;
    const file = path.resolve(repo.folder, registry.path);
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
    const again = () => this.reload(repo.folder);
    watcher.onDidChange(again);
    watcher.onDidCreate(again);
    watcher.onDidDelete(again);
    state.watcher = watcher;
  }

  override dispose(): void {
    for (const state of this.repos.values()) state.watcher?.dispose();
    this.repos.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
    super.dispose();
  }
}
