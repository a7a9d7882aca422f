// The Source | Rendered view the user picked per markdown cell. Kept in the webview state, so it
// must survive a reload and a recomputed diff: keyed by the cell (its id, else its base/remote
// positions), not by its place in the diff list, and bounded, newest picks kept.
import type { CellDiff } from './types.ts';

/** How a markdown cell is shown: its source (or source diff), or rendered. */
export type MarkdownView = 'source' | 'rendered';
export type SavedMarkdownViews = ReadonlyArray<readonly [string, MarkdownView]>;

/** Far more picks than anyone makes in one panel; past it the oldest go, so the state stays small. */
export const MAX_MARKDOWN_VIEWS = 200;

/** The cell's key across diffs of the same pair: its id when the notebooks have ids, else its positions. */
export function markdownViewKey(cell: CellDiff): string {
  return cell.id ? `id:${cell.id}` : `at:${cell.baseIndex ?? '-'}:${cell.remoteIndex ?? '-'}`;
}

export function isMarkdownView(value: unknown): value is MarkdownView {
  return value === 'source' || value === 'rendered';
}

export class MarkdownViews {
  /** In pick order: a Map iterates in insertion order, and a new pick re-inserts its key. */
  private readonly views = new Map<string, MarkdownView>();

  /** Restores saved picks, skipping anything malformed (the state is whatever a page saved). */
  constructor(saved?: unknown) {
    if (!Array.isArray(saved)) return;
    const valid = saved.filter((e: unknown): e is [string, MarkdownView] => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && isMarkdownView(e[1]));
    for (const [key, view] of valid.slice(-MAX_MARKDOWN_VIEWS)) this.set(key, view);
  }

  get(key: string): MarkdownView | undefined {
    return this.views.get(key);
  }

  set(key: string, view: MarkdownView): void {
    this.views.delete(key);
    this.views.set(key, view);
    if (this.views.size > MAX_MARKDOWN_VIEWS) this.views.delete(this.views.keys().next().value as string);
  }

  /** Oldest first, as the constructor takes them back. */
  toSaved(): SavedMarkdownViews {
    return [...this.views];
  }
}
