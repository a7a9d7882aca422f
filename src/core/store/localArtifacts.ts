import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactFolder } from './artifactFolder.ts';
import { TrackingError } from './errors.ts';
import type { FileInfo } from './types.ts';

/**
 * Artifacts of runs another MLflow wrote, read where they lie. MLflow records an artifact URI per
 * run: a local path or `file://` URI we can read, or remote storage (`s3://`, `mlflow-artifacts:/`
 * behind a server) we cannot, which the caller hears about with the URI in the message.
 */
export interface ArtifactLocation {
  readonly runId: string;
  readonly artifactUri: string;
  /** The local folder the URI names, or undefined when it names remote storage. */
  readonly dir: string | undefined;
  /** Where the folder may be instead (the data was moved, or a server proxied it); first found wins. */
  readonly guesses: readonly string[];
}

/** The local folder a URI names, or undefined for remote storage. Relative paths resolve against `baseDir`. */
export function localPathOfUri(uri: string, baseDir: string): string | undefined {
  // No URI is no location, not "the base folder".
  if (uri === '') return undefined;
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(new URL(uri));
    } catch {
      return undefined;
    }
  }
  // A scheme is two or more letters before ':' (one letter is a Windows drive).
  if (/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(uri)) return undefined;
  return path.resolve(baseDir, uri);
}

/**
 * Where `mlflow server` keeps proxied artifacts by default: `./mlartifacts/<path>` beside where it
 * ran, which is usually beside its database. Lets a db from `mlflow server` show its artifacts.
 */
export function proxiedArtifactPath(uri: string, serverDir: string): string | undefined {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/(.*)$/.exec(uri);
  return m === null ? undefined : path.join(serverDir, 'mlartifacts', ...(m[1] ?? '').split('/').filter((p) => p !== ''));
}

export async function listLocalArtifacts(location: ArtifactLocation, relPath: string | undefined): Promise<readonly FileInfo[]> {
  const folder = artifactFolder(location);
  // A run that never logged an artifact has no folder: that is an empty listing, as in MLflow.
  return folder === undefined ? [] : folder.list('', relPath ?? '');
}

export async function readLocalArtifact(location: ArtifactLocation, relPath: string): Promise<Uint8Array> {
  const folder = artifactFolder(location);
  if (folder === undefined) {
    throw new TrackingError('RESOURCE_DOES_NOT_EXIST', `Run ${location.runId} has no artifact '${relPath}': its artifact folder ${location.dir ?? location.artifactUri} does not exist.`);
  }
  return folder.read('', relPath);
}

function artifactFolder(location: ArtifactLocation): ArtifactFolder | undefined {
  const found = [location.dir, ...location.guesses].find((dir) => dir !== undefined && existsSync(dir));
  if (found !== undefined) return new ArtifactFolder(found);
  if (location.dir !== undefined) return undefined;
  if (location.artifactUri === '') throw new TrackingError('INVALID_STATE', `Run ${location.runId} has no artifact location recorded.`);
  const looked = location.guesses.length > 0 ? ` (looked for a copy in ${location.guesses.join(', ')})` : '';
  throw new TrackingError(
    'INVALID_STATE',
    `The artifacts of run ${location.runId} are stored at ${location.artifactUri}, which is not on this machine${looked}. Open them through MLflow or a connection to that MLflow server.`,
  );
}
