// Which file, at which commit, "Open source at this commit" opens. Labbook records the launched
// file's absolute path in mlflow.source.name, and its path relative to the git root in the snapshot
// tag (labbook.source.snapshot = labbook/code/<path from the root>), which is what git needs.
import type { Tag } from '../store/types.ts';

const SNAPSHOT_PREFIX = 'labbook/code/';

export interface SourceAtCommit {
  /** '/'-separated, relative to the repository root (as recorded; the host resolves it). */
  readonly path: string;
  readonly commit: string;
}

export function sourceAtCommit(tags: readonly Tag[]): SourceAtCommit | null {
  const tag = (key: string) => tags.find((t) => t.key === key)?.value || null;
  const commit = tag('mlflow.source.git.commit');
  if (commit === null) return null;
  const snapshot = tag('labbook.source.snapshot');
  if (snapshot !== null && snapshot.startsWith(SNAPSHOT_PREFIX) && snapshot.length > SNAPSHOT_PREFIX.length) {
    return { path: snapshot.slice(SNAPSHOT_PREFIX.length), commit };
  }
  const source = tag('mlflow.source.name');
  // An absolute path names no place in the repository; a relative one is taken as it is.
  if (source === null || source.startsWith('/') || /^[A-Za-z]:[\\/]/.test(source) || source.includes('://')) return null;
  return { path: source.replace(/\\/g, '/').replace(/^\.\//, ''), commit };
}
