// What the table lays out line by line: the view's runs (flat), or one line per group of the view
// followed, when expanded, by that group's runs. Each run source is paged on its own; a line's
// place is found by binary search over the groups' start lines, so nothing here is per-run work.
import type { Cell, GroupRow, TableRow } from '../../src/protocol/runsTable.ts';
import type { PagedRows } from './rowCache.ts';

export type Line =
  | { readonly kind: 'run'; readonly index: number; readonly group: number; readonly row: TableRow | undefined }
  | { readonly kind: 'group'; readonly group: number; readonly data: GroupRow; readonly expanded: boolean };

/** A group's identity across reloads: its key values as JSON. */
export function groupId(key: readonly Cell[]): string {
  return JSON.stringify(key);
}

export class Lines {
  private flat: PagedRows | undefined;
  private groupRows: readonly GroupRow[] = [];
  private readonly expanded = new Set<string>();
  private readonly sources = new Map<string, PagedRows>();
  /** The metric columns whose group aggregates came (or were asked for): the rest show as pending. */
  private readonly groupMetrics = new Set<string>();
  /** Counts the views shown (flat or grouped): an answer for an older one is dropped. */
  private shown = 0;
  private starts: number[] = [];
  private lineCount = 0;
  private readonly makeSource: (group: readonly Cell[], total: number) => PagedRows;

  constructor(makeSource: (group: readonly Cell[], total: number) => PagedRows) {
    this.makeSource = makeSource;
  }

  get grouped(): boolean {
    return this.flat === undefined;
  }

  get groups(): readonly GroupRow[] {
    return this.groupRows;
  }

  get expandedIds(): readonly string[] {
    return [...this.expanded];
  }

  /** Drops every loaded row (another view) and shows `source` flat. */
  showFlat(source: PagedRows): void {
    this.dispose();
    this.shown++;
    this.flat = source;
    this.groupRows = [];
  }

  /** Shows `groups`, which hold the aggregates of `metricColumns`, with the `expanded` ones open. */
  showGroups(groups: readonly GroupRow[], expanded: readonly string[], metricColumns: readonly string[]): void {
    this.dispose();
    this.shown++;
    this.flat = undefined;
    this.groupRows = groups;
    this.groupMetrics.clear();
    for (const id of metricColumns) this.groupMetrics.add(id);
    const known = new Set(groups.map((g) => groupId(g.key)));
    this.expanded.clear();
    for (const id of expanded) if (known.has(id)) this.expanded.add(id);
    this.layout();
  }

  /** Which view is shown: it changes with each showFlat and showGroups. */
  get generation(): number {
    return this.shown;
  }

  /** Whether the groups' aggregates of metric column `id` came (or were asked for). */
  hasGroupMetric(id: string): boolean {
    return this.groupMetrics.has(id);
  }

  /** Of `ids` (metric columns), those whose group aggregates were never asked for, now marked asked. */
  claimGroupMetrics(ids: readonly string[]): string[] {
    const missing = ids.filter((id) => !this.groupMetrics.has(id));
    for (const id of missing) this.groupMetrics.add(id);
    return missing;
  }

  /** A claim that failed: its columns may be asked for again. */
  releaseGroupMetrics(ids: readonly string[]): void {
    for (const id of ids) this.groupMetrics.delete(id);
  }

  /** More columns' aggregates for the groups shown (matched by key; the lines stay as they are). */
  mergeGroupMetrics(groups: readonly GroupRow[]): void {
    const byId = new Map(groups.map((g) => [groupId(g.key), g]));
    this.groupRows = this.groupRows.map((g) => {
      const more = byId.get(groupId(g.key));
      return more ? { ...g, metrics: { ...g.metrics, ...more.metrics } } : g;
    });
  }

  private dispose(): void {
    this.flat?.dispose();
    for (const source of this.sources.values()) source.dispose();
    this.sources.clear();
  }

  private layout(): void {
    this.starts = [];
    let at = 0;
    for (const g of this.groupRows) {
      this.starts.push(at);
      at += 1 + (this.expanded.has(groupId(g.key)) ? g.count : 0);
    }
    this.lineCount = at;
  }

  get count(): number {
    return this.flat ? this.flat.count : this.lineCount;
  }

  /** The flat source, when not grouped. */
  get flatSource(): PagedRows | undefined {
    return this.flat;
  }

  private source(group: number): PagedRows | undefined {
    const g = this.groupRows[group];
    if (!g) return undefined;
    const id = groupId(g.key);
    if (!this.expanded.has(id)) return undefined;
    let source = this.sources.get(id);
    if (!source) {
      source = this.makeSource(g.key, g.count);
      this.sources.set(id, source);
    }
    return source;
  }

  /** The group whose lines hold line `index` (binary search over the start lines). */
  private groupAt(index: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  at(index: number): Line | undefined {
    if (index < 0 || index >= this.count) return undefined;
    if (this.flat) return { kind: 'run', index, group: -1, row: this.flat.get(index) };
    const g = this.groupAt(index);
    const data = this.groupRows[g] as GroupRow;
    const offset = index - (this.starts[g] as number);
    if (offset === 0) return { kind: 'group', group: g, data, expanded: this.expanded.has(groupId(data.key)) };
    return { kind: 'run', index: offset - 1, group: g, row: this.source(g)?.get(offset - 1) };
  }

  /** The line of group `g`'s header. */
  groupLine(g: number): number {
    return this.starts[g] ?? 0;
  }

  toggle(g: number): boolean {
    const data = this.groupRows[g];
    if (!data) return false;
    const id = groupId(data.key);
    if (this.expanded.has(id)) {
      this.expanded.delete(id);
      this.sources.get(id)?.dispose();
      this.sources.delete(id);
    } else {
      this.expanded.add(id);
    }
    this.layout();
    return this.expanded.has(id);
  }

  /** Asks each source for the rows of lines [from, to), with `columns`. */
  ensure(from: number, to: number, columns: readonly string[]): void {
    if (this.flat) {
      this.flat.ensure(from, to, columns);
      return;
    }
    if (this.groupRows.length === 0) return;
    for (let g = this.groupAt(Math.max(0, from)); g < this.groupRows.length && (this.starts[g] as number) < to; g++) {
      const source = this.source(g);
      if (!source) continue;
      const first = (this.starts[g] as number) + 1;
      source.ensure(Math.max(0, from - first), to - first, columns);
    }
  }

  /** The page source of group `g` (expanded or not), for selecting a whole group. */
  sourceOf(g: number): PagedRows | undefined {
    return g < 0 ? this.flat : this.source(g);
  }

  /** Drops a column's loaded values everywhere (its metric value changed). */
  forget(columnId: string): void {
    this.flat?.forget(columnId);
    for (const source of this.sources.values()) source.forget(columnId);
    // The groups' aggregates of the column too: asked for again when it is drawn.
    this.groupMetrics.delete(columnId);
  }

  /** Patches `row` wherever it is loaded; returns the lines it sits on. */
  patch(row: TableRow): number[] {
    if (this.flat) {
      const i = this.flat.patch(row);
      return i === undefined ? [] : [i];
    }
    const out: number[] = [];
    this.groupRows.forEach((g, index) => {
      const source = this.sources.get(groupId(g.key));
      const i = source?.patch(row);
      if (i !== undefined) out.push((this.starts[index] as number) + 1 + i);
    });
    return out;
  }
}
