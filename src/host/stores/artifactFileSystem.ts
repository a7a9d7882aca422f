import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import type { FileInfo } from '../../core/store/types.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

/** `labbook-artifact:/<store root id>/<run id>/<artifact path>`: any run's artifacts, read-only. */
export const ARTIFACT_SCHEME = 'labbook-artifact';

export function artifactUri(rootId: string, runId: string, artifactPath = ''): vscode.Uri {
  const segments = [encodeURIComponent(rootId), encodeURIComponent(runId), ...artifactPath.split('/').filter(Boolean).map(encodeURIComponent)];
  return vscode.Uri.from({ scheme: ARTIFACT_SCHEME, path: `/${segments.join('/')}` });
}

export function parseArtifactUri(uri: vscode.Uri): { rootId: string; runId: string; artifactPath: string } {
  const [rootId, runId, ...rest] = uri.path.split('/').filter(Boolean).map(decodeURIComponent);
  if (!rootId || !runId) throw vscode.FileSystemError.FileNotFound(uri);
  return { rootId, runId, artifactPath: rest.join('/') };
}

const LISTING_TTL_MS = 2000;

/**
 * Serves run artifacts from any tracking store (local or an MLflow server) as a read-only file
 * system, so VS Code opens them with its own editors: text, images, notebooks, CSV.
 */
export class ArtifactFileSystem implements vscode.FileSystemProvider {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  private readonly resolve: (rootId: string) => Promise<ReadableStore | undefined>;
  private readonly listings = new Map<string, { at: number; items: Promise<readonly FileInfo[]> }>();

  constructor(resolve: (rootId: string) => Promise<ReadableStore | undefined>) {
    this.resolve = resolve;
  }

  private async store(uri: vscode.Uri): Promise<{ store: ReadableStore; runId: string; artifactPath: string }> {
    const { rootId, runId, artifactPath } = parseArtifactUri(uri);
    const store = await this.resolve(rootId);
    if (!store) throw vscode.FileSystemError.Unavailable(`The tracking store ${rootId} is not open.`);
    return { store, runId, artifactPath };
  }

  private list(store: ReadableStore, rootId: string, runId: string, dir: string): Promise<readonly FileInfo[]> {
    const key = `${rootId}\u0000${runId}\u0000${dir}`;
    const cached = this.listings.get(key);
    if (cached && Date.now() - cached.at < LISTING_TTL_MS) return cached.items;
    const items = store.listArtifacts(runId, dir || undefined);
    this.listings.set(key, { at: Date.now(), items });
    items.catch(() => this.listings.delete(key));
    return items;
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const { store, runId, artifactPath } = await this.store(uri);
    if (!artifactPath) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0, permissions: vscode.FilePermission.Readonly };
    const parent = path.posix.dirname(artifactPath);
    const entries = await this.list(store, parseArtifactUri(uri).rootId, runId, parent === '.' ? '' : parent);
    const entry = entries.find((e) => e.path === artifactPath);
    if (!entry) throw vscode.FileSystemError.FileNotFound(uri);
    return {
      type: entry.isDir ? vscode.FileType.Directory : vscode.FileType.File,
      ctime: 0,
      mtime: 0,
      size: entry.fileSize ?? 0,
      permissions: vscode.FilePermission.Readonly,
    };
  }

  async readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    const { store, runId, artifactPath } = await this.store(uri);
    const entries = await this.list(store, parseArtifactUri(uri).rootId, runId, artifactPath);
    return entries.map((e) => [path.posix.basename(e.path), e.isDir ? vscode.FileType.Directory : vscode.FileType.File]);
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const { store, runId, artifactPath } = await this.store(uri);
    try {
      return await store.readArtifact(runId, artifactPath);
    } catch (err) {
      throw vscode.FileSystemError.FileNotFound(`${artifactPath}: ${errorMessage(err)}`);
    }
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  writeFile(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  dispose(): void {
    this.changed.dispose();
    this.listings.clear();
  }
}

/** Every file under `dir`, breadth first, bounded (for pickers). */
export async function walkArtifacts(store: ReadableStore, runId: string, dir = '', limit = 2000): Promise<FileInfo[]> {
  const files: FileInfo[] = [];
  const queue = [dir];
  let listed = 0;
  while (queue.length > 0 && files.length < limit && listed < 500) {
    const next = queue.shift() ?? '';
    listed++;
    for (const entry of await store.listArtifacts(runId, next || undefined)) {
      if (entry.isDir) queue.push(entry.path);
      files.push(entry);
      if (files.length >= limit) break;
    }
  }
  return files;
}
