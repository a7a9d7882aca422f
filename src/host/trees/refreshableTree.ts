import * as vscode from 'vscode';

/** The change-event plumbing every Labbook tree shares; subclasses say what the nodes are. */
export abstract class RefreshableTreeProvider<T> implements vscode.TreeDataProvider<T>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<T | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  /** Re-reads `node`'s children, or the whole tree without one. */
  refresh(node?: T): void {
    this.changed.fire(node);
  }

  abstract getTreeItem(node: T): vscode.TreeItem;
  abstract getChildren(node?: T): vscode.ProviderResult<T[]>;

  dispose(): void {
    this.changed.dispose();
  }
}
