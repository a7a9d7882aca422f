import * as vscode from 'vscode';

/**
 * A view's data provider that exists from activation on, while the real one is created on first
 * need: the first `getTreeItem`/`getChildren` calls `load` (which starts the container, see
 * extension.ts), and the real provider's change events are forwarded from then on.
 */
export class DeferredTreeDataProvider<T> implements vscode.TreeDataProvider<T>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<T | T[] | undefined | null | void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly load: () => vscode.TreeDataProvider<T>;
  private target: vscode.TreeDataProvider<T> | undefined;
  private forwarding: vscode.Disposable | undefined;

  constructor(load: () => vscode.TreeDataProvider<T>) {
    this.load = load;
  }

  private provider(): vscode.TreeDataProvider<T> {
    if (!this.target) {
      const target = this.load();
      this.forwarding = target.onDidChangeTreeData?.((e) => this.changed.fire(e));
      this.target = target;
    }
    return this.target;
  }

  getTreeItem(node: T): vscode.TreeItem | Thenable<vscode.TreeItem> {
    return this.provider().getTreeItem(node);
  }

  getChildren(node?: T): vscode.ProviderResult<T[]> {
    return this.provider().getChildren(node);
  }

  dispose(): void {
    this.forwarding?.dispose();
    this.changed.dispose();
  }
}
