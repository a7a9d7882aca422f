import * as vscode from 'vscode';
import { RefreshableTreeProvider } from './refreshableTree.ts';
import { escapeMarkdown } from './runFormat.ts';
import { describeSkipped, modelsErrorRow, modelsNodeId, type ModelsNode, type StoreRoot } from './treeNodes.ts';

export type { ModelsNode, VersionNode } from './treeNodes.ts';

/** The Models view: store roots → registered models → versions (newest first). */
export class ModelsTreeProvider extends RefreshableTreeProvider<ModelsNode> {
  private readonly roots: () => readonly StoreRoot[];

  constructor(roots: () => readonly StoreRoot[]) {
    super();
    this.roots = roots;
  }

  async getChildren(node?: ModelsNode): Promise<ModelsNode[]> {
    if (!node) return this.roots().map((root) => ({ kind: 'store', root }));
    try {
      const store = node.kind === 'store' || node.kind === 'model' ? await node.root.open() : undefined;
      if (!store) return [];
      if (node.kind === 'store') {
        const models = await store.searchRegisteredModels({ maxResults: 1000 });
        if (models.items.length === 0) return [{ kind: 'message', id: `${node.root.id}/none`, text: 'No registered models yet.', error: false }];
        return models.items.map((model) => ({ kind: 'model', root: node.root, model }));
      }
      if (node.kind === 'model') {
        const name = node.model.name.replace(/'/g, "\\'");
        const versions = await store.searchModelVersions({ filter: `name = '${name}'` });
        return [...versions.items]
          .sort((a, b) => Number(b.version) - Number(a.version))
          .map((version) => ({ kind: 'version', root: node.root, version }));
      }
    } catch (err) {
      return [modelsErrorRow(node, err)];
    }
    return [];
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'store': {
        const item = new vscode.TreeItem(node.root.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = modelsNodeId(node);
        const skipped = describeSkipped(node.root.warnings?.() ?? []);
        item.description = [node.root.description, skipped?.note].filter(Boolean).join(' · ') || undefined;
        if (skipped) item.tooltip = `${node.root.label}\n${skipped.tooltip}`;
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
