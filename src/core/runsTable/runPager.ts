// Paging through one search of the store by offset. A store that answers RunTableQueries (the
// local SQLite store) is read at any offset and counted in SQL. Any other store (an MLflow
// server) is walked forward through its page tokens, page by page, with the token chain and a few
// pages cached: its count is unknown (null) until the last page has been seen.
import { answersRunTableQueries, type RunKeys, type TrackingReader } from '../store/trackingStore.ts';
import type { Run, SearchRunsQuery } from '../store/types.ts';

/** The most runs a table reads through a token chain: a bound, so a server that never ends cannot hang it. */
export const MAX_WALKED_RUNS = 1_000_000;
/** Pages of a token chain kept in memory (each up to pageSize runs). */
const CACHED_PAGES = 8;

export class RunPager {
  private readonly tokens: (string | undefined)[] = [undefined];
  private readonly pages = new Map<number, readonly Run[]>();
  /** Pages being read: requests for the same page at once (the page's windows in flight) share one search. */
  private readonly fetching = new Map<number, Promise<readonly Run[] | undefined>>();
  private knownTotal: number | null = null;
  private readonly store: TrackingReader;
  private readonly query: SearchRunsQuery;
  private readonly pageSize: number;

  private readonly counts: Map<string, Promise<number>> | undefined;

  /**
   * `query` without paging (its maxResults and pageToken are ignored). `counts`: counts shared by
   * pagers of the same store state, by filter: a new sort of the same runs is not counted again.
   */
  constructor(store: TrackingReader, query: SearchRunsQuery, pageSize: number, counts?: Map<string, Promise<number>>) {
    this.store = store;
    this.query = query;
    this.pageSize = pageSize;
    this.counts = counts;
  }

  /** Runs matching the search: exact for the local store, null until a remote search has been walked to its end. */
  async total(): Promise<number | null> {
    if (this.knownTotal === null && answersRunTableQueries(this.store)) {
      const store = this.store;
      const { experimentIds, viewType, filter } = this.query;
      const key = JSON.stringify([experimentIds, viewType ?? '', filter ?? '']);
      let count = this.counts?.get(key);
      if (!count) {
        count = store.countRuns(this.query);
        this.counts?.set(key, count);
        // A failed count is not kept: the next ask tries again.
        count.catch(() => this.counts?.delete(key));
      }
      this.knownTotal = await count;
    }
    return this.knownTotal;
  }

  /** Runs [offset, offset + limit), fewer at the end; `only` lets a store read just those keys. */
  async range(offset: number, limit: number, only?: RunKeys): Promise<readonly Run[]> {
    if (limit <= 0) return [];
    if (answersRunTableQueries(this.store)) return this.store.searchRunsAt(this.query, offset, limit, only);
    const out: Run[] = [];
    const first = Math.floor(offset / this.pageSize);
    const last = Math.floor((offset + limit - 1) / this.pageSize);
    for (let index = first; index <= last; index++) {
      const page = await this.page(index);
      if (page === undefined) break;
      const start = index === first ? offset - index * this.pageSize : 0;
      out.push(...page.slice(start, start + limit - out.length));
      if (page.length < this.pageSize) break;
    }
    return out;
  }

  /** Every matching run, a page at a time, in the search's order (bounded by MAX_WALKED_RUNS). */
  async *all(): AsyncGenerator<readonly Run[]> {
    for (let index = 0; index * this.pageSize < MAX_WALKED_RUNS; index++) {
      const page = answersRunTableQueries(this.store) ? await this.store.searchRunsAt(this.query, index * this.pageSize, this.pageSize) : await this.page(index, false);
      if (page === undefined || page.length === 0) return;
      yield page;
      if (page.length < this.pageSize) return;
    }
  }

  /** Page `index` of the token chain, walking forward from the last known token; undefined past the end. */
  private async page(index: number, keep = true): Promise<readonly Run[] | undefined> {
    const cached = this.pages.get(index);
    if (cached) return cached;
    if (index * this.pageSize >= MAX_WALKED_RUNS) return undefined;
    // Walk from the last page whose token is known; each page read yields the next one's token.
    for (let known = Math.min(index, this.tokens.length - 1); known < index; known++) {
      const items = await this.fetch(known, false);
      if (items === undefined || this.tokens.length <= known + 1) return undefined;
    }
    return this.fetch(index, keep);
  }

  private async fetch(index: number, keep: boolean): Promise<readonly Run[] | undefined> {
    let under = this.fetching.get(index);
    if (!under) {
      under = this.search(index).finally(() => this.fetching.delete(index));
      this.fetching.set(index, under);
    }
    const items = await under;
    if (keep && items) {
      this.pages.set(index, items);
      if (this.pages.size > CACHED_PAGES) this.pages.delete(this.pages.keys().next().value as number);
    }
    return items;
  }

  private async search(index: number): Promise<readonly Run[] | undefined> {
    if (index >= this.tokens.length) return undefined;
    const token = this.tokens[index];
    if (index > 0 && token === undefined) return undefined;
    const { pageToken: _p, maxResults: _m, ...query } = this.query;
    const page = await this.store.searchRuns({ ...query, maxResults: this.pageSize, ...(token === undefined ? {} : { pageToken: token }) });
    if (page.nextPageToken) {
      this.tokens[index + 1] = page.nextPageToken;
    } else {
      // The end: no token after this page, and now the count is known.
      this.tokens.length = index + 1;
      this.knownTotal = index * this.pageSize + page.items.length;
    }
    return page.items;
  }
}
