import * as vscode from 'vscode';
import { AUDIT_TAG_PREFIX, isRetired } from '../../core/lifecycle/lifecycle.ts';
import type { Tag } from '../../core/store/types.ts';
import { auditText } from './auditFormat.ts';
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

  private retiredShown = false;

  constructor(roots: () => readonly StoreRoot[], onDidChangeStore: StoreChangeEvent) {
    super();
    this.model = new ModelsModel(roots, () => this.retiredShown);
    // Models are read in one go per store, nothing is kept: any store change redraws the view.
    this.subscription = onDidChangeStore(() => this.refresh());
  }

  /** Whether retired (archived) versions are listed; they are hidden until asked for. */
  get showRetired(): boolean {
    return this.retiredShown;
  }

  set showRetired(show: boolean) {
    this.retiredShown = show;
    this.refresh();
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
          [`**${escapeMarkdown(model.name)}**`, model.description ? escapeMarkdown(model.description) : '', ...tagLines(model.tags)]
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
        const retired = isRetired(version);
        item.description = [...version.aliases.map((a) => `@${a}`), retired ? 'retired' : '', version.status === 'READY' ? '' : version.status.toLowerCase()].filter(Boolean).join(' ');
        item.tooltip = new vscode.MarkdownString(
          [
            `**${escapeMarkdown(version.name)}** version ${version.version}`,
            `Source: \`${version.source}\``,
            version.runId ? `Run: \`${version.runId}\`` : '',
            `Registered: ${new Date(version.creationTimestamp).toISOString().replace('T', ' ').slice(0, 19)} UTC`,
            ...tagLines(version.tags),
          ]
            .filter(Boolean)
            .join('  \n'),
        );
        item.iconPath = retired ? new vscode.ThemeIcon('archive', new vscode.ThemeColor('disabledForeground')) : new vscode.ThemeIcon(version.aliases.length ? 'tag' : 'versions');
        item.contextValue = retired ? 'labbook.modelVersion.retired' : version.aliases.length ? 'labbook.modelVersion.aliased' : 'labbook.modelVersion';
        return item;
      }
      case 'history': {
        const item = new vscode.TreeItem('History', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = modelsNodeId(node);
        const n = node.entries.length;
        item.description = `${n} ${n === 1 ? 'change' : 'changes'}`;
        item.tooltip = 'Promotions, overrides, demotions and archives of this model, newest first (kept as registered-model tags)';
        item.iconPath = new vscode.ThemeIcon('history');
        item.contextValue = 'labbook.modelHistory';
        return item;
      }
      case 'audit': {
        const text = auditText(node.entry);
        const item = new vscode.TreeItem(text.label, vscode.TreeItemCollapsibleState.None);
        item.id = modelsNodeId(node);
        item.description = text.description;
        item.tooltip = new vscode.MarkdownString(text.details.map(escapeMarkdown).join('  \n'));
        const warn = node.entry.action === 'override' || (node.entry.gate !== undefined && !node.entry.gate.passed);
        item.iconPath = new vscode.ThemeIcon(text.icon, warn ? new vscode.ThemeColor('list.warningForeground') : undefined);
        item.contextValue = 'labbook.modelAudit';
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = modelsNodeId(node);
        item.iconPath = new vscode.ThemeIcon(node.error ? 'warning' : 'info');
        if (node.command) item.command = { command: node.command.id, title: node.command.title };
        return item;
      }
    }
  }
}

/** A tooltip's tag lines; audit entries are left out (the History shows them, as JSON they would swamp it). */
function tagLines(tags: readonly Tag[]): string[] {
  return tags.filter((t) => !t.key.startsWith(AUDIT_TAG_PREFIX)).map((t) => `${escapeMarkdown(t.key)}: ${escapeMarkdown(t.value)}`);
}
