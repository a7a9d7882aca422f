// The rows of one source (the whole view, or one group of it) fetched page by page as the user
// scrolls, and column by column as the user scrolls sideways: a page is asked for the columns on
// screen (plus overscan), and later only for the columns it lacks, so 500 columns cost what the
// ~15 on screen cost. Pages are asked for once; a disposed source (another view) drops answers.
// The count grows as pages arrive when the store cannot say how many runs match (total null).
import type { Cell, RowPage, TableRow } from '../../src/protocol/runsTable.ts';

export const PAGE_ROWS = 50;
/** The most pages in flight at once; the rest wait for the next render. */
const MAX_IN_FLIGHT = 6;

export type FetchPage = (offset: number, limit: number, columnIds: readonly string[]) => Promise<RowPage>;

export class PagedRows {
  /** Loaded rows; a column the page was asked for and the run lacks is null, a column not asked yet is absent. */
  private readonly rows = new Map<number, TableRow>();
  private readonly indexByRun = new Map<string, number>();
  /** The columns each page was asked for. */
  private readonly have = new Map<number, Set<string>>();
  private readonly pending = new Set<number>();
  /** Pages whose request failed: not asked again until the view changes (no retry storm). */
  private readonly failed = new Set<number>();
  private total: number | null;
  /** Highest index known to exist + 1, for stores that give no total. */
  private known = 0;
  private exhausted = false;
  private disposed = false;
  private readonly fetchPage: FetchPage;
  private readonly onLoaded: (from: number, to: number) => void;
  private readonly onError: (error: unknown) => void;

  constructor(fetchPage: FetchPage, total: number | null, onLoaded: (from: number, to: number) => void, onError: (error: unknown) => void) {
    this.fetchPage = fetchPage;
    this.total = total;
    this.onLoaded = onLoaded;
    this.onError = onError;
  }

  /** How many lines to lay out: the total, or what is known plus one page while more may come. */
  get count(): number {
    if (this.total !== null) return this.total;
    return this.exhausted ? this.known : this.known + PAGE_ROWS;
  }

  get totalKnown(): number | null {
    return this.total;
  }

  get(index: number): TableRow | undefined {
    return this.rows.get(index);
  }

  indexOf(runId: string): number | undefined {
    return this.indexByRun.get(runId);
  }

  /** Stops delivering answers (the view changed). */
  dispose(): void {
    this.disposed = true;
  }

  /** Asks for the pages that cover [from, to), or for the `columns` they lack. */
  ensure(from: number, to: number, columns: readonly string[]): void {
    const end = Math.min(to, this.count);
    for (let page = Math.floor(Math.max(0, from) / PAGE_ROWS); page * PAGE_ROWS < end; page++) {
      if (this.pending.size >= MAX_IN_FLIGHT) return;
      if (this.pending.has(page) || this.failed.has(page)) continue;
      const have = this.have.get(page);
      const missing = have ? columns.filter((c) => !have.has(c)) : columns;
      if (have && missing.length === 0) continue;
      void this.load(page, missing);
    }
  }

  /** Takes a page that came with the view's answer (setView), as if this cache had asked for it. */
  seed(answer: RowPage, columns: readonly string[]): void {
    if (answer.offset % PAGE_ROWS !== 0 || answer.rows.length > PAGE_ROWS) return;
    this.accept(answer, columns);
    this.have.set(answer.offset / PAGE_ROWS, new Set(columns));
    if (answer.total === null && answer.rows.length < PAGE_ROWS) this.exhausted = true;
  }

  /** Drops one column's values (its metric value changed): pages ask for it again. */
  forget(columnId: string): void {
    for (const set of this.have.values()) set.delete(columnId);
    for (const [index, row] of this.rows) {
      if (!(columnId in row.cells)) continue;
      const cells: Record<string, Cell> = { ...row.cells };
      delete cells[columnId];
      this.rows.set(index, { ...row, cells });
    }
  }

  /** Patches a loaded row's cells in place; returns its index, or undefined when not loaded. */
  patch(row: TableRow): number | undefined {
    const index = this.indexByRun.get(row.runId);
    if (index === undefined) return undefined;
    const old = this.rows.get(index);
    if (!old) return undefined;
    this.rows.set(index, { ...old, cells: { ...old.cells, ...row.cells } });
    return index;
  }

  private async load(page: number, columns: readonly string[]): Promise<void> {
    this.pending.add(page);
    try {
      const answer = await this.fetchPage(page * PAGE_ROWS, PAGE_ROWS, columns);
      if (this.disposed) return;
      this.accept(answer, columns);
      const have = this.have.get(page) ?? new Set<string>();
      for (const c of columns) have.add(c);
      this.have.set(page, have);
      if (answer.total === null && answer.rows.length < PAGE_ROWS) this.exhausted = true;
      this.onLoaded(answer.offset, answer.offset + answer.rows.length);
    } catch (err) {
      this.failed.add(page);
      if (!this.disposed) this.onError(err);
    } finally {
      this.pending.delete(page);
    }
  }

  private accept(page: RowPage, columns: readonly string[]): void {
    page.rows.forEach((row, i) => {
      const index = page.offset + i;
      const old = this.rows.get(index);
      const cells: Record<string, Cell> = old?.runId === row.runId ? { ...old.cells } : {};
      for (const c of columns) cells[c] = row.cells[c] ?? null;
      this.rows.set(index, { ...row, cells });
      this.indexByRun.set(row.runId, index);
    });
    if (page.total !== null) this.total = page.total;
    this.known = Math.max(this.known, page.offset + page.rows.length);
  }
}
