import type * as vscode from 'vscode';
import { RefreshableTreeProvider } from './refreshableTree.ts';

/** A node of the Models view; registered models and versions arrive with the model registry. */
export type ModelsNode = never;

/** The Models view; empty (showing its welcome content) until the registry is wired in. */
export class ModelsTreeProvider extends RefreshableTreeProvider<ModelsNode> {
  getTreeItem(node: ModelsNode): vscode.TreeItem {
    return node;
  }

  getChildren(): ModelsNode[] {
    return [];
  }
}
