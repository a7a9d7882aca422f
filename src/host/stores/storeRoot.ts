// What the views, panels and commands know a tracking store by: a root with a stable id. Plain
// types and functions (no `vscode`), so the tree models and their Node tests use them as they are.
import type { ReadableStore } from '../../core/store/trackingStore.ts';

/** A tracking store shown as a root: the local one, a remote MLflow server, or a store opened read-only. */
export interface StoreRoot {
  readonly id: string;
  readonly label: string;
  readonly description?: string;
  readonly icon: 'database' | 'cloud' | 'archive';
  open(): Promise<ReadableStore | undefined>;
  /** Damaged entries the store skipped while reading (stores opened read-only); none when absent. */
  warnings?(): readonly string[];
}

/** The root id of the workspace's local store. */
export const LOCAL_ROOT_ID = 'local';

/** The root id of a configured MLflow tracking server. */
export function remoteRootId(url: string): string {
  return `remote:${url}`;
}

/** The server URL of a remote root id; undefined for any other root. */
export function remoteUrlOf(rootId: string): string | undefined {
  return rootId.startsWith('remote:') ? rootId.slice('remote:'.length) : undefined;
}
