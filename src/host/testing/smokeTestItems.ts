// The Testing view's items: each exported pipeline's tests/test_smoke.py (a file item with one child
// per test function) and each notebook to smoke-test (listed in `labbook.smoke.notebooks`, or
// tagged `metadata.labbook.smoke: true`). Found with findFiles, kept current by file watchers.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { initPythonParser, type PythonWasmPaths } from '../../core/pipeline/pythonParser.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { isSmokeTagged, pytestFunctions } from './smokeDiscovery.ts';

/** Folders never searched: environments, dependencies, checkpoints. */
const EXCLUDE = '**/{node_modules,.git,.venv,venv,site-packages,.ipynb_checkpoints,.labbook}/**';
const MAX_FILES = 2000;
/** A notebook bigger than this is not read to look for the tag (a listed one is still a test). */
const MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024;

/** What an item stands for; kept beside the item because a TestItem carries no data of ours. */
export type SmokeItemData =
  | { readonly kind: 'pytestFile'; readonly file: string; readonly packageDir: string }
  | { readonly kind: 'pytestFunction'; readonly file: string; readonly packageDir: string; readonly pytestId: string }
  | { readonly kind: 'notebook'; readonly file: string };

export const PYTEST_TAG = new vscode.TestTag('labbook.pytest');
export const NOTEBOOK_TAG = new vscode.TestTag('labbook.notebook');

export class SmokeTestItems implements vscode.Disposable {
  private readonly data = new WeakMap<vscode.TestItem, SmokeItemData>();
  private readonly disposables: vscode.Disposable[] = [];
  private watching = false;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** What each notebook's tag was at a size and time (bounded by the notebooks listed). */
  private readonly tags = new Map<string, { mtime: number; size: number; tagged: boolean }>();
  private refreshing: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly controller: vscode.TestController,
    private readonly wasmPaths: PythonWasmPaths,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  dataOf(item: vscode.TestItem): SmokeItemData | undefined {
    return this.data.get(item);
  }

  /** Finds every smoke test again; concurrent calls share one pass (and one more if asked meanwhile). */
  refresh(): Promise<void> {
    this.watch();
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    const pass = async (): Promise<void> => {
      do {
        this.again = false;
        await this.discover();
      } while (this.again);
    };
    this.refreshing = pass()
      .catch((err: unknown) => this.log.error('Smoke tests: discovery failed', err))
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private watch(): void {
    if (this.watching) return;
    this.watching = true;
    const later = () => {
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => void this.refresh(), 300);
    };
    for (const glob of ['**/tests/test_smoke.py', '**/pipeline.py', '**/*.ipynb']) {
      const watcher = vscode.workspace.createFileSystemWatcher(glob);
      this.disposables.push(watcher, watcher.onDidCreate(later), watcher.onDidChange(later), watcher.onDidDelete(later));
    }
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('labbook.smoke.notebooks')) later();
      }),
    );
  }

  private async discover(): Promise<void> {
    const [pytestItems, notebookItems] = await Promise.all([this.discoverPytest(), this.discoverNotebooks()]);
    this.controller.items.replace([...pytestItems, ...notebookItems]);
  }

  private async discoverPytest(): Promise<vscode.TestItem[]> {
    const files = await vscode.workspace.findFiles('**/tests/test_smoke.py', EXCLUDE, MAX_FILES);
    const parser = await initPythonParser(this.wasmPaths);
    const items: vscode.TestItem[] = [];
    for (const uri of files.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
      const packageDir = path.dirname(path.dirname(uri.fsPath));
      // Only exported pipeline packages (a pipeline.py beside tests/); other projects' tests are the Python extension's.
      if (!(await exists(vscode.Uri.file(path.join(packageDir, 'pipeline.py'))))) continue;
      let source: string;
      try {
        source = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      } catch (err) {
        this.log.warn(`Smoke tests: cannot read ${uri.fsPath}: ${errorMessage(err)}`);
        continue;
      }
      const id = `pytest:${uri.toString()}`;
      const item = this.controller.items.get(id) ?? this.controller.createTestItem(id, `${path.basename(packageDir)} smoke tests`, uri);
      item.description = vscode.workspace.asRelativePath(uri);
      item.tags = [PYTEST_TAG];
      this.data.set(item, { kind: 'pytestFile', file: uri.fsPath, packageDir });
      const children = pytestFunctions(source, parser).map((fn) => {
        const childId = `${id}::${fn.id}`;
        const child = item.children.get(childId) ?? this.controller.createTestItem(childId, fn.id.replace('::', '.'), uri);
        child.range = new vscode.Range(fn.line, 0, fn.endLine, 0);
        child.tags = [PYTEST_TAG];
        this.data.set(child, { kind: 'pytestFunction', file: uri.fsPath, packageDir, pytestId: fn.id });
        return child;
      });
      item.children.replace(children);
      items.push(item);
    }
    return items;
  }

  private async discoverNotebooks(): Promise<vscode.TestItem[]> {
    const found = new Map<string, vscode.Uri>();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const globs = vscode.workspace.getConfiguration('labbook.smoke', folder.uri).get<unknown>('notebooks', []);
      for (const glob of Array.isArray(globs) ? globs : []) {
        if (typeof glob !== 'string' || !glob.trim()) continue;
        for (const uri of await vscode.workspace.findFiles(new vscode.RelativePattern(folder, glob), EXCLUDE, MAX_FILES)) {
          if (uri.fsPath.toLowerCase().endsWith('.ipynb')) found.set(uri.toString(), uri);
        }
      }
    }
    for (const uri of await vscode.workspace.findFiles('**/*.ipynb', EXCLUDE, MAX_FILES)) {
      if (found.has(uri.toString()) || !(await this.tagged(uri))) continue;
      found.set(uri.toString(), uri);
    }
    return [...found.values()]
      .sort((a, b) => a.fsPath.localeCompare(b.fsPath))
      .map((uri) => {
        const id = `notebook:${uri.toString()}`;
        const item = this.controller.items.get(id) ?? this.controller.createTestItem(id, path.basename(uri.fsPath), uri);
        item.description = `notebook · ${vscode.workspace.asRelativePath(uri)}`;
        item.tags = [NOTEBOOK_TAG];
        this.data.set(item, { kind: 'notebook', file: uri.fsPath });
        return item;
      });
  }

  /** Whether the notebook carries the tag; read again only when its size or time changed (a save re-lists them all). */
  private async tagged(uri: vscode.Uri): Promise<boolean> {
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_NOTEBOOK_BYTES) return false;
      const key = uri.toString();
      const known = this.tags.get(key);
      if (known && known.mtime === stat.mtime && known.size === stat.size) return known.tagged;
      const tagged = isSmokeTagged(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
      this.tags.set(key, { mtime: stat.mtime, size: stat.size, tagged });
      return tagged;
    } catch {
      return false;
    }
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
