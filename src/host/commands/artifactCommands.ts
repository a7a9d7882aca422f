import * as path from 'node:path';
import * as vscode from 'vscode';
import { canWrite, type ReadableStore } from '../../core/store/trackingStore.ts';
import type { Run } from '../../core/store/types.ts';
import { artifactUri, walkArtifacts } from '../stores/artifactFileSystem.ts';
import type { StoreChanges } from '../stores/storeChanges.ts';
import type { ExplorerNode, RunNode } from '../trees/experimentsTree.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

/** The tag naming the artifact that holds the launched file's snapshot (see src/core/launch). */
export const SNAPSHOT_TAG = 'labbook.source.snapshot';

async function storeOf(node: RunNode): Promise<ReadableStore> {
  const store = await node.root.open();
  if (!store) throw new Error(`${node.root.label} is not open`);
  return store;
}

function runOf(node: RunNode | undefined, view: vscode.TreeView<ExplorerNode>): RunNode | undefined {
  if (node?.kind === 'run') return node;
  const selected = view.selection.find((n): n is RunNode => n.kind === 'run');
  return selected;
}

/** Opens an artifact with VS Code's own editor for it (notebooks as notebooks, images as images). */
export async function openArtifact(rootId: string, runId: string, artifactPath: string): Promise<void> {
  await vscode.commands.executeCommand('vscode.open', artifactUri(rootId, runId, artifactPath), { preview: true });
}

/** Folders that hold an MLflow model (an `MLmodel` file), else every folder, for "Register Model". */
export function modelFolders(files: readonly { path: string; isDir: boolean }[]): { path: string; isModel: boolean }[] {
  const models = new Set(files.filter((f) => !f.isDir && path.posix.basename(f.path) === 'MLmodel').map((f) => path.posix.dirname(f.path)));
  const dirs = files.filter((f) => f.isDir).map((f) => f.path);
  const all = [...new Set([...models, ...dirs])].filter((d) => d !== '.');
  return all.map((p) => ({ path: p, isModel: models.has(p) })).sort((a, b) => Number(b.isModel) - Number(a.isModel) || a.path.localeCompare(b.path));
}

/** Open Artifacts, Reveal Snapshot, Register Model: what the Experiments view does with artifacts. */
export function registerArtifactCommands(view: vscode.TreeView<ExplorerNode>, changes: StoreChanges): vscode.Disposable[] {
  const fail = (what: string, err: unknown) => void vscode.window.showErrorMessage(`Labbook could not ${what}: ${errorMessage(err)}`);
  return [
    vscode.commands.registerCommand('labbook.openRunArtifacts', async (node?: RunNode, _selected?: unknown, artifactPath?: string) => {
      const target = runOf(node, view);
      if (!target) return false;
      try {
        const store = await storeOf(target);
        let chosen = artifactPath;
        if (chosen === undefined) {
          const files = (await walkArtifacts(store, target.run.info.runId)).filter((f) => !f.isDir);
          if (files.length === 0) {
            void vscode.window.showInformationMessage(`The run '${target.run.info.runName}' has no artifacts.`);
            return false;
          }
          const picked = await vscode.window.showQuickPick(
            files.map((f) => ({ label: path.posix.basename(f.path), description: path.posix.dirname(f.path) === '.' ? '' : path.posix.dirname(f.path), detail: f.fileSize === undefined ? undefined : `${f.fileSize.toLocaleString()} bytes`, artifactPath: f.path })),
            { title: `Artifacts of ${target.run.info.runName}`, matchOnDescription: true },
          );
          if (!picked) return false;
          chosen = picked.artifactPath;
        }
        await openArtifact(target.root.id, target.run.info.runId, chosen);
        return true;
      } catch (err) {
        fail('open the artifacts', err);
        return false;
      }
    }),
    vscode.commands.registerCommand('labbook.revealRunSnapshot', async (node?: RunNode) => {
      const target = runOf(node, view);
      if (!target) return false;
      const snapshot = snapshotPath(target.run);
      if (!snapshot) {
        void vscode.window.showInformationMessage(`The run '${target.run.info.runName}' has no code snapshot: only runs launched with Labbook keep one.`);
        return false;
      }
      try {
        await openArtifact(target.root.id, target.run.info.runId, snapshot);
        return true;
      } catch (err) {
        fail('open the snapshot', err);
        return false;
      }
    }),
    vscode.commands.registerCommand('labbook.registerModel', async (node?: RunNode, _selected?: unknown, given?: { artifactPath: string; name: string }) => {
      const target = runOf(node, view);
      if (!target) return undefined;
      try {
        const store = await storeOf(target);
        if (!canWrite(store)) throw new Error(`${store.description} is read-only`);
        let choice = given;
        if (!choice) {
          const folders = modelFolders(await walkArtifacts(store, target.run.info.runId));
          if (folders.length === 0) {
            void vscode.window.showInformationMessage(`The run '${target.run.info.runName}' has no artifact folder to register as a model.`);
            return undefined;
          }
          const folder = await vscode.window.showQuickPick(
            folders.map((f) => ({ label: f.path, description: f.isModel ? 'MLflow model' : undefined, iconPath: new vscode.ThemeIcon(f.isModel ? 'package' : 'folder') })),
            { title: 'Register Model: choose the artifact folder' },
          );
          if (!folder) return undefined;
          const existing = (await store.searchRegisteredModels({ maxResults: 200 })).items.map((m) => m.name);
          const name = await pickModelName(existing, path.posix.basename(folder.label));
          if (!name) return undefined;
          choice = { artifactPath: folder.label, name };
        }
        const name = choice.name;
        const exists = await store.getRegisteredModel(name).then(
          () => true,
          () => false,
        );
        if (!exists) await store.createRegisteredModel(name);
        const version = await store.createModelVersion(choice.name, `runs:/${target.run.info.runId}/${choice.artifactPath}`, target.run.info.runId);
        changes.publish({ kind: 'data', rootId: target.root.id });
        vscode.window.setStatusBarMessage(`Registered ${choice.name} version ${version.version}`, 4000);
        return version.version;
      } catch (err) {
        fail('register the model', err);
        return undefined;
      }
    }),
  ];
}

function snapshotPath(run: Run): string | undefined {
  return run.data.tags.find((t) => t.key === SNAPSHOT_TAG)?.value;
}

async function pickModelName(existing: readonly string[], suggestion: string): Promise<string | undefined> {
  const NEW = '$(add) New registered model…';
  if (existing.length > 0) {
    const picked = await vscode.window.showQuickPick([NEW, ...existing], { title: 'Register Model: add a version to' });
    if (!picked) return undefined;
    if (picked !== NEW) return picked;
  }
  const name = await vscode.window.showInputBox({
    title: 'Register Model: name',
    value: suggestion,
    validateInput: (v) => (v.trim() ? undefined : 'A registered model needs a name.'),
  });
  return name?.trim() || undefined;
}
