// Image artifacts of the compared runs, grouped by path so equal paths show side by side.
import type { ReadableStore } from '../store/trackingStore.ts';
import type { FileInfo } from '../store/types.ts';
import type { ArtifactListing, ImageArtifact, ImageContent } from './types.ts';
import { IMAGE_TYPES } from '../store/imageTypes.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

export function imageMimeType(path: string): string | undefined {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return ext ? IMAGE_TYPES[ext] : undefined;
}

export interface ArtifactWalkLimits {
  /** Folders below the artifact root that are opened (0: the root only). */
  readonly maxDepth: number;
  /** Entries looked at per run, files and folders together. */
  readonly maxEntries: number;
}

export const DEFAULT_WALK_LIMITS: ArtifactWalkLimits = { maxDepth: 4, maxEntries: 2000 };

/** The image files of one run, walking its artifacts breadth-first within the limits. */
export async function runImages(store: ReadableStore, runId: string, limits: ArtifactWalkLimits = DEFAULT_WALK_LIMITS): Promise<{ paths: string[]; truncated: boolean }> {
  const paths: string[] = [];
  let seen = 0;
  let truncated = false;
  let level: string[] = [''];
  for (let depth = 0; level.length && !truncated; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      let entries: readonly FileInfo[];
      try {
        entries = await store.listArtifacts(runId, dir || undefined);
      } catch {
        continue; // a folder that vanished meanwhile: show what the others have
      }
      for (const entry of entries) {
        if (++seen > limits.maxEntries) {
          truncated = true;
          break;
        }
        if (entry.isDir) {
          if (depth < limits.maxDepth) next.push(entry.path);
          else truncated = true;
        } else if (imageMimeType(entry.path)) paths.push(entry.path);
      }
      if (truncated) break;
    }
    level = next;
  }
  return { paths, truncated };
}

/** Every image path of any run, with the runs that have it; sorted by path. */
export async function listComparedImages(store: ReadableStore, runIds: readonly string[], limits: ArtifactWalkLimits = DEFAULT_WALK_LIMITS): Promise<ArtifactListing> {
  const perRun = await Promise.all(runIds.map((id) => runImages(store, id, limits)));
  const byPath = new Map<string, string[]>();
  perRun.forEach(({ paths }, i) => {
    for (const p of paths) {
      const list = byPath.get(p) ?? [];
      list.push(runIds[i] as string);
      byPath.set(p, list);
    }
  });
  const images: ImageArtifact[] = [...byPath.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, ids]) => ({ path, runIds: ids }));
  return { images, truncated: perRun.some((r) => r.truncated) };
}

/** Above this an image is not sent to the webview (it travels as a data: URI). */
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;

export async function readImage(store: ReadableStore, runId: string, path: string, maxBytes = MAX_IMAGE_BYTES): Promise<ImageContent> {
  const mime = imageMimeType(path);
  if (!mime) return { kind: 'missing', message: `${path} is not an image.` };
  let bytes: Uint8Array;
  try {
    bytes = await store.readArtifact(runId, path);
  } catch (err) {
    return { kind: 'missing', message: errorMessage(err) };
  }
  if (bytes.byteLength > maxBytes) return { kind: 'tooLarge', bytes: bytes.byteLength };
  return { kind: 'image', bytes: bytes.byteLength, dataUri: `data:${mime};base64,${Buffer.from(bytes).toString('base64')}` };
}
