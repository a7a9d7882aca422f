// The local file an MLflow dataset input points at. `mlflow.log_input` of a local source records
// `{"uri": "file:///…"}` (percent-encoded: spaces, non-ASCII) or a bare path; launch profiling and
// drift both read it, through here, so that both find the same file on every platform.
import { fileURLToPath } from 'node:url';

/** The path a dataset source's JSON names, decoded; undefined for remote URIs and bad JSON. */
export function localDatasetPath(source: string): string | undefined {
  let uri: unknown;
  try {
    uri = (JSON.parse(source) as { uri?: unknown } | null)?.uri;
  } catch {
    return undefined;
  }
  if (typeof uri !== 'string' || uri === '') return undefined;
  if (/^file:/i.test(uri)) {
    try {
      // fileURLToPath decodes %20 and UTF-8, and gives C:\… on Windows (URL.pathname gives /C:/…).
      return fileURLToPath(uri);
    } catch {
      return undefined;
    }
  }
  // A Windows drive path (C:\data.csv) is a path, not a URI with the scheme `c`.
  return /^[a-z][a-z0-9+.-]*:/i.test(uri) && !/^[a-z]:[\\/]/i.test(uri) ? undefined : uri;
}
