import type * as vscode from 'vscode';
import { RefreshableTreeProvider } from './refreshableTree.ts';

/** A node of the Experiments view; experiments and runs arrive with the tracking store. */
export type ExperimentsNode = never;

/**
 * The Experiments view. Until a tracking store is wired in it has no nodes, and VS Code shows the
 * view's welcome content (package.json `viewsWelcome`) with the way forward.
 */
export class ExperimentsTreeProvider extends RefreshableTreeProvider<ExperimentsNode> {
  getTreeItem(node: ExperimentsNode): vscode.TreeItem {
    return node;
  }

  getChildren(): ExperimentsNode[] {
    return [];
  }
}
