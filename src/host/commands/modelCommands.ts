import * as vscode from 'vscode';
import { demote, promote } from '../../core/lifecycle/lifecycle.ts';
import { requireWriter } from '../../core/store/trackingStore.ts';
import { currentUserName } from '../../core/system/currentUser.ts';
import type { StoreChanges } from '../stores/storeChanges.ts';
import type { VersionNode } from '../trees/modelsTree.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { validAlias } from './lifecycleCommands.ts';

/**
 * Set/remove an alias on a model version (a change of its store, published; recorded in the model's
 * audit trail as a promotion or demotion without a gate), copy its URI: the Models view's commands.
 */
export function registerModelCommands(changes: StoreChanges): vscode.Disposable[] {
  const failed = (what: string) => (err: unknown) => void vscode.window.showErrorMessage(`Labbook could not ${what}: ${errorMessage(err)}`);
  return [
    vscode.commands.registerCommand('labbook.setModelAlias', async (node: VersionNode, alias?: string) => {
      const chosen =
        alias ??
        (await vscode.window.showInputBox({
          title: `Set Alias on ${node.version.name} v${node.version.version}`,
          prompt: 'An alias such as champion or staging (moves it from any other version)',
          validateInput: validAlias,
        }));
      if (!chosen) return false;
      const store = await node.root.open();
      if (!store) return false;
      try {
        const writer = requireWriter(store, `set alias '${chosen}' of model '${node.version.name}'`);
        await promote(writer, { name: node.version.name, version: node.version.version, alias: chosen, actor: currentUserName() });
      } catch (err) {
        failed(`set the alias ${chosen}`)(err);
        return false;
      }
      changes.publish({ kind: 'data', rootId: node.root.id });
      return true;
    }),
    vscode.commands.registerCommand('labbook.removeModelAlias', async (node: VersionNode, alias?: string) => {
      const chosen = alias ?? (node.version.aliases.length === 1 ? node.version.aliases[0] : await vscode.window.showQuickPick([...node.version.aliases], { title: 'Remove Alias' }));
      if (!chosen) return false;
      const store = await node.root.open();
      if (!store) return false;
      try {
        await demote(requireWriter(store, `delete alias '${chosen}' of model '${node.version.name}'`), { name: node.version.name, alias: chosen, actor: currentUserName() });
      } catch (err) {
        failed(`remove the alias ${chosen}`)(err);
        return false;
      }
      changes.publish({ kind: 'data', rootId: node.root.id });
      return true;
    }),
    vscode.commands.registerCommand('labbook.openModelSourceRun', async (node: VersionNode) => {
      if (!node.version.runId) {
        void vscode.window.showInformationMessage(`Version ${node.version.version} of ${node.version.name} was not registered from a run.`);
        return undefined;
      }
      return vscode.commands.executeCommand('labbook.openRunDetails', { rootId: node.root.id, runId: node.version.runId });
    }),
    vscode.commands.registerCommand('labbook.copyModelUri', async (node: VersionNode) => {
      await vscode.env.clipboard.writeText(`models:/${node.version.name}/${node.version.version}`);
      vscode.window.setStatusBarMessage('Copied the model URI', 3000);
    }),
  ];
}
