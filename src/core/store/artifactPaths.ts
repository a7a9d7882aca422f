/** Artifact paths for the MLflow REST store: checking callers' paths, finding proxied routes. */
import { invalidParameter, TrackingError } from './errors.ts';

/**
 * A path relative to a run's artifact root, '/'-separated, with no way out of the root. Returns
 * its segments. `allowRoot` accepts '' (the root itself, for listing).
 */
export function artifactPathSegments(relativePath: string, allowRoot = false): string[] {
  const path = relativePath.replace(/\/+$/, '');
  if (path === '') {
    if (allowRoot) return [];
    throw invalidParameter('An artifact path must name a file, not the run\'s artifact root.');
  }
  const bad = (why: string): TrackingError => invalidParameter(`The artifact path "${relativePath}" ${why}.`);
  if (path.startsWith('/')) throw bad('must be relative to the run\'s artifact root');
  if (path.includes('\\')) throw bad('must use / between folders');
  if (path.includes('\0')) throw bad('contains a NUL character');
  // MLflow refuses '#' and URL-decodes paths (repeatedly), so 'a%20b' would be stored as 'a b'.
  if (path.includes('#') || path.includes('%')) throw bad('contains "#" or "%", which MLflow servers refuse or rewrite');
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) throw bad('must not contain empty, "." or ".." parts');
  return segments;
}

/**
 * The part of an `mlflow-artifacts:` URI that follows the server's proxied artifact route, e.g.
 * `mlflow-artifacts:/1/abc/artifacts` → ['1', 'abc', 'artifacts'] (the `//host:port` form too).
 * Undefined for other schemes (s3:, file:, …), whose files the server does not proxy.
 */
export function proxiedArtifactRoot(artifactUri: string): string[] | undefined {
  const match = /^mlflow-artifacts:(.*)$/.exec(artifactUri);
  if (!match) return undefined;
  let rest = match[1] ?? '';
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    rest = slash === -1 ? '' : rest.slice(slash);
  }
  return rest.split('/').filter((s) => s !== '');
}

/** `/api/2.0/mlflow-artifacts/artifacts/<root>/<path>`, each segment URL-encoded. */
export function proxiedArtifactRoute(root: readonly string[], segments: readonly string[]): string {
  return `/api/2.0/mlflow-artifacts/artifacts/${[...root, ...segments].map(encodeURIComponent).join('/')}`;
}
