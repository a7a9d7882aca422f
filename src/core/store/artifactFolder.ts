import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { invalidParameter, notFound } from './errors.ts';
import type { FileInfo } from './types.ts';

const SCHEME = 'mlflow-artifacts:/';
/** Linux's NAME_MAX and PATH_MAX (macOS and Windows allow less, never more). */
const MAX_NAME_BYTES = 255;
const MAX_PATH_BYTES = 4095;

/**
 * Artifacts of the local store live in a folder beside the database, addressed the way an MLflow
 * server with proxied artifacts addresses them: `mlflow-artifacts:/<experiment>/<run>/artifacts`.
 * Every path is checked to stay inside the folder.
 */
export class ArtifactFolder {
  readonly root: string;
  constructor(root: string) {
    this.root = path.resolve(root);
  }

  static experimentUri(experimentId: string): string {
    return `${SCHEME}${experimentId}`;
  }

  static runUri(experimentId: string, runId: string): string {
    return `${SCHEME}${experimentId}/${runId}/artifacts`;
  }

  /** The file for `relPath` under `uri` (a mlflow-artifacts URI or a path relative to the root). */
  resolve(uri: string, relPath = ''): string {
    const base = uri.startsWith(SCHEME) ? uri.slice(SCHEME.length) : uri;
    const joined = [base, relPath].filter((p) => p !== '').join('/');
    const parts = joined.split('/').filter((p) => p !== '' && p !== '.');
    // A backslash separates folders on Windows (a '..' behind one would leave the folder there), so
    // it is refused on every OS, as the REST store's artifactPathSegments does; the joined file is
    // checked to be inside the folder too.
    const file = path.join(this.root, ...parts);
    const inside = path.relative(this.root, file);
    const escapes = inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside);
    if (parts.some((p) => p === '..' || p.includes('\\')) || joined.includes('\0') || path.isAbsolute(relPath) || path.win32.isAbsolute(relPath) || escapes) {
      throw invalidParameter(`Invalid artifact path: '${relPath}'. Artifact paths may not leave the run's artifact folder.`);
    }
    // What the file system would refuse with ENAMETOOLONG is the caller's error, said as such.
    if (parts.some((p) => Buffer.byteLength(p) > MAX_NAME_BYTES) || Buffer.byteLength(file) > MAX_PATH_BYTES) {
      throw invalidParameter(`Invalid artifact path: '${relPath.slice(0, 100)}…' is longer than a file system allows.`);
    }
    return file;
  }

  async list(uri: string, relPath = ''): Promise<FileInfo[]> {
    const dir = this.resolve(uri, relPath);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw err;
    }
    const prefix = relPath.split('/').filter((p) => p !== '' && p !== '.').join('/');
    const infos = await Promise.all(
      entries
        .filter((e) => !e.name.startsWith('.labbook-tmp-'))
        .map(async (e): Promise<FileInfo> => {
          const rel = prefix ? `${prefix}/${e.name}` : e.name;
          if (e.isDirectory()) return { path: rel, isDir: true };
          return { path: rel, isDir: false, fileSize: (await stat(path.join(dir, e.name))).size };
        }),
    );
    return infos.sort((a, b) => a.path.localeCompare(b.path));
  }

  async read(uri: string, relPath: string): Promise<Uint8Array> {
    const file = this.resolve(uri, relPath);
    try {
      return await readFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR') throw notFound(`No artifact at '${relPath}'.`);
      throw err;
    }
  }

  /** Writes atomically (temp file, then rename): a reader never sees half a file. */
  async write(uri: string, relPath: string, content: Uint8Array): Promise<void> {
    if (relPath.split('/').filter(Boolean).length === 0) throw invalidParameter('An artifact needs a file name.');
    const file = this.resolve(uri, relPath);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = path.join(path.dirname(file), `.labbook-tmp-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
    await writeFile(tmp, content);
    await rename(tmp, file);
  }
}
