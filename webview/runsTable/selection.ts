// Which runs are selected, and the run ids of line ranges (shift-click, Ctrl/Cmd-A), fetched as
// ids only (no cells) in pages of the protocol's maximum, so selecting 10k runs moves ids, not data.
import { MAX_ACTION_RUNS, MAX_PAGE_ROWS, type Cell, type RowPage } from '../../src/protocol/runsTable.ts';
import type { Lines } from './lines.ts';

export type FetchIds = (offset: number, limit: number, group: readonly Cell[] | undefined) => Promise<RowPage>;

export class Selection {
  private readonly ids = new Set<string>();
  /** Where ids fetched for a range sit in the flat view, so Copy can load their rows. */
  readonly knownIndex = new Map<string, number>();
  anchor: number | undefined;

  has(runId: string): boolean {
    return this.ids.has(runId);
  }
  get size(): number {
    return this.ids.size;
  }
  get list(): string[] {
    return [...this.ids];
  }
  clear(): void {
    this.ids.clear();
  }
  set(ids: readonly string[]): void {
    this.ids.clear();
    for (const id of ids.slice(0, MAX_ACTION_RUNS)) this.ids.add(id);
  }
  toggle(runId: string): void {
    if (this.ids.has(runId)) this.ids.delete(runId);
    else if (this.ids.size < MAX_ACTION_RUNS) this.ids.add(runId);
  }
  add(ids: Iterable<string>): void {
    for (const id of ids) {
      if (this.ids.size >= MAX_ACTION_RUNS) return;
      this.ids.add(id);
    }
  }
  /** Drops ids that are no longer in the view (after the host says the runs changed). */
  retain(keep: (runId: string) => boolean): void {
    for (const id of this.ids) if (!keep(id)) this.ids.delete(id);
  }
}

/** The run ids of flat rows [from, to), in order. */
export async function idsOfRange(fetchIds: FetchIds, from: number, to: number, known: Map<string, number>, group?: readonly Cell[]): Promise<string[]> {
  const out: string[] = [];
  const end = Math.min(to, from + MAX_ACTION_RUNS);
  for (let offset = from, guard = 0; offset < end && guard < 100; guard++) {
    const page = await fetchIds(offset, Math.min(MAX_PAGE_ROWS, end - offset), group);
    page.rows.forEach((row, i) => {
      out.push(row.runId);
      if (!group) known.set(row.runId, page.offset + i);
    });
    if (page.rows.length === 0) break;
    offset += page.rows.length;
  }
  return out;
}

/** The run ids on lines [from, to] of a grouped table: each group's slice, fetched per group. */
export async function idsOfLines(lines: Lines, fetchIds: FetchIds, from: number, to: number, known: Map<string, number>): Promise<string[]> {
  const lo = Math.min(from, to);
  const hi = Math.max(from, to);
  if (!lines.grouped) return idsOfRange(fetchIds, lo, hi + 1, known);
  const out: string[] = [];
  for (let g = 0; g < lines.groups.length && out.length < MAX_ACTION_RUNS; g++) {
    const group = lines.groups[g];
    const start = lines.groupLine(g);
    const first = lines.at(start);
    if (!group || first?.kind !== 'group' || start > hi) continue;
    const end = first.expanded ? start + group.count : start;
    if (end < lo) continue;
    // A group header inside the range stands for its whole group.
    const a = start >= lo ? 0 : lo - start - 1;
    const b = end <= hi ? group.count : hi - start;
    if (b > a) out.push(...(await idsOfRange(fetchIds, a, b, known, group.key)));
  }
  return out;
}
