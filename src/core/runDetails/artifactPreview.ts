// Previews of a run's artifacts: the kind from the file name (checked against the bytes), each
// bounded so that a large artifact costs at most a few MB in the host and in the webview.
import { TrackingError } from '../store/errors.ts';
import type { ReadableStore } from '../store/trackingStore.ts';
import type { FileInfo } from '../store/types.ts';
import { decodeHead, looksBinary } from './boundedText.ts';
import { guessDelimiter, parseCsv } from './csv.ts';
import type { ArtifactEntry, ArtifactPreview, PreviewKind } from './model.ts';
import { IMAGE_TYPES } from '../store/imageTypes.ts';

export interface PreviewLimits {
  /** Text, JSON and CSV: bytes shown. */
  readonly textBytes: number;
  /** CSV: rows shown, after the header. */
  readonly csvRows: number;
  /** Images: larger ones are not inlined (a data: URI of this size is posted to the webview). */
  readonly imageBytes: number;
  /** Nothing larger is read at all for a preview. */
  readonly readBytes: number;
}

export const PREVIEW_LIMITS: PreviewLimits = { textBytes: 1024 * 1024, csvRows: 500, imageBytes: 5 * 1024 * 1024, readBytes: 64 * 1024 * 1024 };

const TEXT_EXTENSIONS = new Set([
  'txt', 'log', 'md', 'py', 'ipynb', 'r', 'sql', 'sh', 'yaml', 'yml', 'toml', 'ini', 'cfg', 'conf', 'xml', 'html', 'js', 'ts',
  'patch', 'diff', 'rst', 'tex', 'properties', 'mlmodel', 'mlproject', 'in', 'lock', 'env',
]);
const TEXT_NAMES = new Set(['MLmodel', 'MLproject', 'Dockerfile', 'Makefile', 'LICENSE', 'README', 'requirements.txt', 'conda.yaml']);

function extensionOf(path: string): string {
  const name = baseName(path);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The preview kind a name suggests; unknown names are sniffed ('text' unless the bytes look binary). */
export function classifyArtifact(path: string): PreviewKind | 'unknown' {
  const ext = extensionOf(path);
  if (ext in IMAGE_TYPES) return 'image';
  if (ext === 'json' || ext === 'geojson') return 'json';
  if (ext === 'csv' || ext === 'tsv' || ext === 'tab') return 'csv';
  if (TEXT_EXTENSIONS.has(ext) || TEXT_NAMES.has(baseName(path))) return 'text';
  if (['pkl', 'pickle', 'pt', 'pth', 'bin', 'npy', 'npz', 'parquet', 'onnx', 'h5', 'zip', 'gz', 'tar', 'whl', 'so', 'joblib', 'safetensors'].includes(ext)) return 'binary';
  return 'unknown';
}

export function imageMime(path: string): string | undefined {
  return IMAGE_TYPES[extensionOf(path)];
}

/** The preview of an artifact's bytes. `size` is the artifact's full size (bytes may be all of it). */
export function previewBytes(path: string, bytes: Uint8Array, limits: PreviewLimits = PREVIEW_LIMITS): ArtifactPreview {
  const size = bytes.length;
  const kind = classifyArtifact(path);
  if (kind === 'image') {
    if (size > limits.imageBytes) return { kind: 'tooLarge', path, size, limit: limits.imageBytes, what: 'image' };
    const mime = imageMime(path) as string;
    return { kind: 'image', path, size, mime, dataUri: `data:${mime};base64,${Buffer.from(bytes).toString('base64')}` };
  }
  if (kind === 'binary' || looksBinary(bytes)) return { kind: 'binary', path, size };
  const { text, truncated } = decodeHead(bytes, limits.textBytes);
  if (kind === 'json') {
    if (!truncated) {
      try {
        return { kind: 'json', path, size, text: JSON.stringify(JSON.parse(text), null, 2), truncated: false };
      } catch {
        // Not valid JSON: shown as the text it is.
      }
    }
    return { kind: 'text', path, size, text, truncated, language: 'plain' };
  }
  if (kind === 'csv') {
    const table = parseCsv(text, { delimiter: guessDelimiter(path, text), maxRows: limits.csvRows + 1 });
    const [header = [], ...rows] = table.rows;
    return { kind: 'csv', path, size, header, rows, truncated: truncated || table.truncated };
  }
  const ext = extensionOf(path);
  return { kind: 'text', path, size, text, truncated, language: ext === 'patch' || ext === 'diff' ? 'diff' : 'plain' };
}

/** The entries of one artifact folder ('' is the root), folders first, then by name. */
export async function listArtifactFolder(store: ReadableStore, runId: string, folder: string): Promise<ArtifactEntry[]> {
  const infos = await store.listArtifacts(runId, folder === '' ? undefined : folder);
  return infos.map(toEntry).sort((a, b) => (a.isDir === b.isDir ? a.name.localeCompare(b.name) : a.isDir ? -1 : 1));
}

function toEntry(info: FileInfo): ArtifactEntry {
  return { path: info.path, name: baseName(info.path), isDir: info.isDir, size: info.isDir ? null : (info.fileSize ?? null) };
}

/** The size the store lists for an artifact, or undefined when its folder does not list it. */
export async function artifactSize(store: ReadableStore, runId: string, path: string): Promise<number | undefined> {
  const slash = path.lastIndexOf('/');
  const folder = slash === -1 ? '' : path.slice(0, slash);
  const infos = await store.listArtifacts(runId, folder === '' ? undefined : folder);
  return infos.find((i) => i.path === path && !i.isDir)?.fileSize;
}

/** Reads and previews one artifact; a missing one is a 'missing' preview, not an error. */
export async function previewArtifact(store: ReadableStore, runId: string, path: string, limits: PreviewLimits = PREVIEW_LIMITS): Promise<ArtifactPreview> {
  const listed = await artifactSize(store, runId, path);
  if (listed !== undefined && listed > limits.readBytes) return { kind: 'tooLarge', path, size: listed, limit: limits.readBytes, what: 'file' };
  try {
    return previewBytes(path, await store.readArtifact(runId, path), limits);
  } catch (err) {
    if (err instanceof TrackingError && err.code === 'RESOURCE_DOES_NOT_EXIST') return { kind: 'missing', path, message: `This run has no artifact ${path}.` };
    throw err;
  }
}
