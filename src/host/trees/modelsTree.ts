import * as vscode from 'vscode';
import type { ModelVersion, RegisteredModel } from '../../core/store/types.ts';
import type { StoreRoot } from './experimentsTree.ts';
import { RefreshableTreeProvider } from './refreshableTree.ts';
import { escapeMarkdown } from './runFormat.ts';

export type ModelsNode =
  | { readonly kind: 'store'; readonly root: StoreRoot }
  | { readonly kind: 'model'; readonly root: StoreRoot; readonly model: RegisteredModel }
  | { readonly kind: 'version'; readonly root: StoreRoot; readonly version: ModelVersion }
  | { readonly kind: 'message'; readonly id: string; readonly text: string; readonly error: boolean };

export type VersionNode = Extract<ModelsNode, { kind: 'version' }>;

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
      const id = node.kind === 'store' || node.kind === 'model' ? `${node.root.id}/${node.kind}` : 'x';
      return [{ kind: 'message', id: `${id}/error`, text: err instanceof Error ? err.message : String(err), error: true }];
    }
    return [];
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'store': {
        const item = new vscode.TreeItem(node.root.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `models-store:${node.root.id}`;
        item.description = node.root.description;
        item.iconPath = new vscode.ThemeIcon(node.root.icon);
        return item;
      }
      case 'model': {
        const { model } = node;
        const item = new vscode.TreeItem(model.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `model:${node.root.id}:${model.name}`;
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
        item.id = `model-version:${node.root.id}:${version.name}:${version.version}`;
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
        item.id = `models-message:${node.id}`;
        item.iconPath = new vscode.ThemeIcon(node.error ? 'warning' : 'info');
        return item;
      }
    }
  }
}
