import * as vscode from 'vscode';
import { ModelsModel } from './modelsModel.ts';
import { RefreshableTreeProvider } from './refreshableTree.ts';
import { escapeMarkdown } from './runFormat.ts';
import type { StoreChangeEvent, Subscription } from '../stores/storeChanges.ts';
import type { StoreRoot } from '../stores/storeRoot.ts';
import { modelsNodeId, storeNodeText, type ModelsNode } from './treeNodes.ts';

export type { ModelsNode, VersionNode } from './treeNodes.ts';

/** The Models view: store roots → registered models → versions (newest first), read by a ModelsModel and mapped to TreeItems here. */
export class ModelsTreeProvider extends RefreshableTreeProvider<ModelsNode> {
  private readonly model: ModelsModel;
  private readonly subscription: Subscription;

  constructor(roots: () => readonly StoreRoot[], onDidChangeStore: StoreChangeEvent) {
    super();
    this.model = new ModelsModel(roots);
    // Models are read in one go per store, nothing is kept: any store change redraws the view.
    this.subscription = onDidChangeStore(() => this.refresh());
  }

  getChildren(node?: ModelsNode): Promise<ModelsNode[]> {
    return this.model.children(node);
  }

  override dispose(): void {
    this.subscription.dispose();
    super.dispose();
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'store': {
        const item = new vscode.TreeItem(node.root.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = modelsNodeId(node);
        const text = storeNodeText(node.root);
        item.description = text.description;
        if (text.tooltip) item.tooltip = text.tooltip;
        item.iconPath = new vscode.ThemeIcon(node.root.icon);
        return item;
      }
      case 'model': {
        const { model } = node;
        const item = new vscode.TreeItem(model.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = modelsNodeId(node);
        const latest = model.latestVersions[0]?.version;
        item.description = [latest ? `v${latest}` : 'no versions', ...model.aliases.map((a) => `@${a.alias} → v${a.version}`)].join(' · ');
        const tooltip = new vscode.MarkdownString(
          [`**${escapeMarkdown(model.name)}**`, model.description ? escapeMarkdown(model.description) : '', ...model.tags.map((t) => `${escapeMarkdown(t.key)}: ${escapeMarkdown(t.value)}`)]
            .filter(Boolean)
            .join('  \n'),
        );
        item.tooltip = tooltip;
        item.iconPath = new vscode.ThemeIcon('package');
        item.contextValue = 'labbook.model';
        return item;
      }
      case 'version': {
        const { version } = node;
        const item = new vscode.TreeItem(`Version ${version.version}`, vscode.TreeItemCollapsibleState.None);
        item.id = modelsNodeId(node);
        item.description = [...version.aliases.map((a) => `@${a}`), version.status === 'READY' ? '' : version.status.toLowerCase()].filter(Boolean).join(' ');
        item.tooltip = new vscode.MarkdownString(
          [
            `**${escapeMarkdown(version.name)}** version ${version.version}`,
            `Source: \`${version.source}\``,
            version.runId ? `Run: \`${version.runId}\`` : '',
            `Registered: ${new Date(version.creationTimestamp).toISOString().replace('T', ' ').slice(0, 19)} UTC`,
            ...version.tags.map((t) => `${escapeMarkdown(t.key)}: ${escapeMarkdown(t.value)}`),
          ]
            .filter(Boolean)
            .join('  \n'),
        );
        item.iconPath = new vscode.ThemeIcon(version.aliases.length ? 'tag' : 'versions');
        item.contextValue = version.aliases.length ? 'labbook.modelVersion.aliased' : 'labbook.modelVersion';
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = modelsNodeId(node);
        item.iconPath = new vscode.ThemeIcon(node.error ? 'warning' : 'info');
        return item;
      }
    }
  }
}
