// The Runs Table's state and queries (issue 14): one method per request of the panel's protocol
// (src/protocol/runsTable.ts), so the host panel and the webview tests' fake host call the same
// code over a real store. No `vscode` here: Node tests drive it against SQLite and a REST server.
import { errorMessage } from '../../shared/errorMessage.ts';
import { answersRunTableQueries, type TrackingReader } from '../store/trackingStore.ts';
import { mapLimited } from '../../shared/mapLimited.ts';
import { constantInStore, groupsInStore, READ_CONCURRENCY, readExtremes } from './storeReads.ts';
import type { Run, SearchRunsQuery } from '../store/types.ts';
import { ConstantColumns, GroupAggregator } from './aggregates.ts';
import { GroupAnswers } from './groupAnswers.ts';
import { cellOf, discoverColumns, indexRun, keysOfColumns, keysOfRuns, rowOf, type ExtremesLookup, type IndexedRun } from './columns.ts';
import { csvLine } from '../compare/csv.ts';
import { RunPager } from './runPager.ts';
import type { Cell, ColumnDef, ColumnId, GroupRow, MetricValue, RowPage, TableExperiment, TableRow, TableSchema, TableView, ViewResult } from './types.ts';
import { checkGroupBy, groupClauses, RunsTableViewError, viewFilter, viewOrderBy } from './viewQuery.ts';
import { defaultView, hiddenByKeyPreset, reconcileView } from './views.ts';

export interface RunsTableOptions {
  /** The store's explorer root id (`local`, `remote:<url>`). */
  readonly storeId: string;
  /** What the header names the store by (the explorer root's label). */
  readonly storeLabel: string;
  /** The explorer's key metrics (labbook.explorer.keyMetrics): the "key metrics" preset. */
  readonly keyMetrics?: readonly string[];
  /** Runs per search page read from the store; default 1000 (MLflow's default page). */
  readonly pageSize?: number;
  /** A view saved earlier (workspace state), brought up to date with the columns runs have now. */
  readonly savedView?: TableView;
  readonly now?: () => number;
}

export interface RowsRequest {
  readonly offset: number;
  readonly limit: number;
  readonly columnIds: readonly ColumnId[];
  /** One group's values of view.groupBy: only that group's runs. */
  readonly group?: readonly Cell[];
}

/** Running runs whose rows are patched in place; beyond this many the table re-reads instead. */
const MAX_LIVE_RUNS = 500;
/** Searches (the view's, and its groups') whose page tokens are kept. */
const CACHED_SEARCHES = 16;


export class RunsTableModel {
  private readonly store: TrackingReader;
  readonly experimentIds: readonly string[];
  private readonly options: RunsTableOptions;
  private readonly pageSize: number;
  private readonly now: () => number;
  private columnsCache: ColumnDef[] | undefined;
  private current: TableView | undefined;
  private readonly pagers = new Map<string, RunPager>();
  /** Run counts by filter, shared by the pagers (a sort does not change the count); dropped with them. */
  private readonly counts = new Map<string, Promise<number>>();
  private hiddenCache: { readonly key: string; readonly hidden: readonly ColumnId[] } | undefined;
  private readonly groupAnswers = new GroupAnswers();
  /** Running runs the page was last sent, and the columns it asked for: patched by liveRows(). */
  private readonly live = new Set<string>();
  private liveColumns: readonly ColumnId[] = [];
  /** The metric columns shown as min or max under a view (the others show their last value). */
  private metricValues: { readonly view: TableView; readonly values: ReadonlyMap<ColumnId, MetricValue> } | undefined;

  constructor(store: TrackingReader, experimentIds: readonly string[], options: RunsTableOptions) {
    if (experimentIds.length === 0) throw new RunsTableViewError('A runs table needs at least one experiment.');
    this.store = store;
    this.experimentIds = [...new Set(experimentIds)];
    this.options = options;
    this.pageSize = Math.max(1, Math.min(50_000, Math.floor(options.pageSize ?? 1000)));
    this.now = options.now ?? Date.now;
  }

  /** The view in force (the default until a view is set). */
  get view(): TableView {
    return this.current ?? defaultView(this.columnsCache ?? []);
  }

  /** The columns the experiments' runs have (discovered once; refresh() discovers again). */
  async columns(): Promise<readonly ColumnDef[]> {
    this.columnsCache ??= discoverColumns(await this.discoverKeys());
    return this.columnsCache;
  }

  /** What the page needs first. The view in force (else the saved one) is adopted when it searches; else its error is reported and the default kept. */
  async schema(): Promise<TableSchema> {
    // The page asks for the schema when it (re)loads or was told the runs changed: read afresh.
    this.dropCaches();
    return this.schemaOfCaches();
  }

  /** The schema from the columns and count as cached now (read where missing). */
  private async schemaOfCaches(): Promise<TableSchema> {
    const columns = await this.columns();
    let error: string | undefined;
    const wanted = this.current ?? this.options.savedView;
    if (wanted) {
      const result = await this.setView(wanted);
      error = result.error;
    }
    this.current ??= defaultView(columns);
    return { store: this.options.storeId, storeLabel: this.options.storeLabel, experiments: await this.experiments(), columns, view: this.view, total: await this.total(), ...(error ? { error } : {}) };
  }

  /** Adopts a view when the store can search it; else keeps the view in force and says why. */
  async setView(view: TableView): Promise<ViewResult> {
    const columns = await this.columns();
    const next = reconcileView(view, columns);
    try {
      this.query(next);
    } catch (err) {
      if (!(err instanceof RunsTableViewError) && !(err instanceof Error && err.name === 'SearchSyntaxError')) throw err;
      this.current ??= defaultView(columns);
      return { total: await this.total(), error: errorMessage(err), hiddenByPreset: await this.hiddenByPreset() };
    }
    this.current = next;
    return { total: await this.total(), hiddenByPreset: await this.hiddenByPreset() };
  }

  /** setView, and with `rows` the new view's rows in the same answer (a flat view's; a grouped view shows groups). */
  async setViewWithRows(view: TableView, rows?: RowsRequest): Promise<ViewResult & { readonly page?: RowPage }> {
    const result = await this.setView(view);
    if (result.error || !rows || this.view.groupBy.length > 0) return result;
    return { ...result, page: await this.rows(rows) };
  }

  /** Rows [offset, offset + limit) of the view's runs (or of one group), sorted and filtered by the store. */
  async rows(request: RowsRequest): Promise<RowPage> {
    const pager = await this.pager(request.group);
    const runs = await pager.range(request.offset, request.limit, keysOfColumns(request.columnIds));
    const extremes = await this.extremes(runs, request.columnIds);
    const rows = runs.map((run) => this.rowOf(indexRun(run), request.columnIds, extremes));
    for (const run of runs) {
      if (run.info.status === 'RUNNING' && this.live.size < MAX_LIVE_RUNS) this.live.add(run.info.runId);
    }
    this.liveColumns = [...new Set([...this.liveColumns, ...request.columnIds])].slice(-5000);
    return { offset: request.offset, rows, total: await pager.total() };
  }

  /**
   * The view's groups (by view.groupBy) over all its runs, each with the aggregates of its shown
   * metric columns: of those among `only` when given (the page asks for the columns on screen, and
   * for more as they scroll into view), else of all of them.
   */
  async groups(only?: readonly ColumnId[]): Promise<GroupRow[]> {
    const view = this.view;
    if (view.groupBy.length === 0) return [];
    // Only the columns the table shows: each aggregated column costs a pass over every run's value.
    const hidden = new Set(await this.hiddenByPreset());
    const metrics = new Set((await this.columns()).filter((c) => c.kind === 'metric').map((c) => c.id));
    const asked = only ? new Set(only) : undefined;
    const metricColumns = view.columns.filter((c) => c.visible && metrics.has(c.id) && !hidden.has(c.id) && (!asked || asked.has(c.id))).map((c) => c.id);
    // Kept per column until the filter, the grouping or the store changes (groupAnswers.ts).
    const query = this.query(view);
    const base = JSON.stringify([query.filter ?? '', view.groupBy]);
    return this.groupAnswers.get(base, metricColumns, (id) => `${this.metricValueOf(id)}:${id}`, (columns) => this.computeGroups(view, query, columns));
  }

  private async computeGroups(view: TableView, query: SearchRunsQuery, metricColumns: readonly ColumnId[]): Promise<GroupRow[]> {
    if (answersRunTableQueries(this.store)) return groupsInStore(this.store, query, view.groupBy, metricColumns, this.metricValue);
    const aggregator = new GroupAggregator(metricColumns);
    for await (const page of (await this.pager()).all()) {
      const extremes = await this.extremes(page, metricColumns);
      for (const run of page) {
        const indexed = indexRun(run);
        aggregator.add(
          view.groupBy.map((id) => cellOf(indexed, id, this.now())),
          (id) => cellOf(indexed, id, this.now(), this.metricValueOf(id), extremes),
        );
      }
    }
    return aggregator.result();
  }

  /** A metric's history per run, downsampled to at most `points` values (non-finite ones left out). */
  async sparklines(runIds: readonly string[], metric: string, points: number): Promise<Record<string, number[]>> {
    const out: Record<string, number[]> = {};
    const buckets = Math.max(1, Math.min(1000, Math.floor(points)));
    await mapLimited([...new Set(runIds)], READ_CONCURRENCY, async (runId) => {
      const history = await this.store.getMetricHistoryDownsampled(runId, metric, buckets);
      Object.defineProperty(out, runId, { value: history.map((b) => b.last).filter(Number.isFinite), enumerable: true, writable: true, configurable: true });
    });
    return out;
  }

  /**
   * The visible table as CSV: the run id, then the visible columns in order (column ids as the
   * header), every run matching the filter in the view's order. Start times are ISO 8601, durations seconds.
   */
  async csv(): Promise<string> {
    const view = this.view;
    const hidden = new Set(await this.hiddenByPreset());
    const ids = view.columns.filter((c) => c.visible && !hidden.has(c.id)).map((c) => c.id);
    const header = ['run_id', ...ids.map((id) => (id === 'attributes.duration' ? 'attributes.duration_s' : id))];
    const lines = [csvLine(header)];
    for await (const page of (await this.pager()).all()) {
      const extremes = await this.extremes(page, ids);
      for (const run of page) {
        const row = this.rowOf(indexRun(run), ids, extremes);
        lines.push(csvLine([run.info.runId, ...ids.map((id) => csvCell(id, row.cells[id] ?? null))]));
      }
    }
    return `${lines.join('\r\n')}\r\n`;
  }

  /** The running runs last sent to the page, read again: their rows patched in place. */
  async liveRows(): Promise<TableRow[]> {
    const runs: Run[] = [];
    await mapLimited([...this.live], READ_CONCURRENCY, async (runId) => {
      try {
        runs.push(await this.store.getRun(runId));
      } catch {
        this.live.delete(runId);
      }
    });
    const extremes = await this.extremes(runs, this.liveColumns);
    for (const run of runs) if (run.info.status !== 'RUNNING') this.live.delete(run.info.runId);
    return runs.map((run) => this.rowOf(indexRun(run), this.liveColumns, extremes));
  }

  /**
   * The store changed: cached pages are dropped and the columns and count read again. Returns the
   * new schema when runs came or went or columns appeared (the page re-asks), undefined when only
   * values changed (liveRows() patches those).
   */
  async refresh(): Promise<TableSchema | undefined> {
    const before = { columns: this.columnsCache?.map((c) => c.id).join('\n'), runs: await this.runsSignature().catch(() => undefined) };
    this.dropCaches();
    const columns = await this.columns();
    if (this.current) this.current = reconcileView(this.current, columns);
    const runs = await this.runsSignature();
    if (before.columns === columns.map((c) => c.id).join('\n') && before.runs === runs) return undefined;
    // Columns and count were just read: the schema reuses them.
    return this.schemaOfCaches();
  }

  /**
   * What tells that runs came or went: their count where the store counts in one query, else the
   * first page's runs (a paged store's count is known only after a walk, so it would be compared
   * with a first page's ids after the caches are dropped, and always differ).
   */
  private async runsSignature(): Promise<string> {
    const pager = await this.pager();
    if (answersRunTableQueries(this.store)) return String(await pager.total());
    return (await pager.range(0, this.pageSize)).map((r) => r.info.runId).join(',');
  }

  /** The runs an action names, read from the store; refuses a run of another experiment than the table's. */
  async runsOf(runIds: readonly string[]): Promise<Run[]> {
    const runs = await mapLimited([...new Set(runIds)], READ_CONCURRENCY, (runId) => this.store.getRun(runId));
    const stray = runs.find((run) => !this.experimentIds.includes(run.info.experimentId));
    if (stray) throw new RunsTableViewError(`The run ${stray.info.runId} is not in this table's experiments.`);
    return runs;
  }

  /** Runs split by the view's group-by columns, labelled `lr=0.1, depth=3`, for the compare panel's group bands. */
  groupsOfRuns(runs: readonly Run[]): { label: string; runIds: string[] }[] {
    const view = this.view;
    if (view.groupBy.length === 0) return [];
    const columns = this.columnMap();
    const groups = new Map<string, { label: string; runIds: string[] }>();
    for (const run of runs) {
      const indexed = indexRun(run);
      const key = view.groupBy.map((id) => cellOf(indexed, id, this.now()));
      const label = view.groupBy.map((id, i) => `${columns.get(id)?.key ?? id}=${key[i] ?? '(none)'}`).join(', ');
      let group = groups.get(label);
      if (!group) groups.set(label, (group = { label, runIds: [] }));
      group.runIds.push(run.info.runId);
    }
    return [...groups.values()];
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────

  /** Forgets cached pages, counts, columns and preset answers: the next request reads the store. */
  private dropCaches(): void {
    this.pagers.clear();
    this.counts.clear();
    this.hiddenCache = undefined;
    this.groupAnswers.clear();
    this.columnsCache = undefined;
  }

  /** metricValueOf, bound, for the store reads. */
  private readonly metricValue = (id: ColumnId): MetricValue => this.metricValueOf(id);

  private extremes(runs: readonly Run[], columnIds: readonly ColumnId[]): Promise<ExtremesLookup | undefined> {
    return readExtremes(this.store, runs, columnIds, this.metricValue);
  }

  private metricValueOf(id: ColumnId): MetricValue {
    // Asked once per cell (a page is 100 rows × 500 columns): looked up in a map built once per view.
    const view = this.view;
    if (this.metricValues?.view !== view) {
      this.metricValues = { view, values: new Map(view.columns.flatMap((c) => (c.metricValue && c.metricValue !== 'last' ? [[c.id, c.metricValue] as const] : []))) };
    }
    return this.metricValues.values.get(id) ?? 'last';
  }

  private rowOf(indexed: IndexedRun, columnIds: readonly ColumnId[], extremes: ExtremesLookup | undefined): TableRow {
    return rowOf(indexed, columnIds, this.now(), (id) => this.metricValueOf(id), extremes);
  }

  private columnMap(): ReadonlyMap<ColumnId, ColumnDef> {
    return new Map((this.columnsCache ?? []).map((c) => [c.id, c]));
  }

  /** The view as a search (throws RunsTableViewError when the store cannot search it). */
  private query(view: TableView, group?: readonly Cell[]): SearchRunsQuery {
    const columns = this.columnMap();
    checkGroupBy(view, columns);
    const extra = group ? groupClauses(view.groupBy, group, columns) : [];
    const filter = viewFilter(view, columns, extra);
    const orderBy = viewOrderBy(view.sort, view, columns);
    return { experimentIds: this.experimentIds, viewType: 'ACTIVE_ONLY', ...(filter ? { filter } : {}), ...(orderBy.length ? { orderBy } : {}) };
  }

  private async pager(group?: readonly Cell[]): Promise<RunPager> {
    await this.columns();
    const query = this.query(this.view, group);
    const key = JSON.stringify([query.filter ?? '', query.orderBy ?? []]);
    let pager = this.pagers.get(key);
    if (!pager) {
      if (this.pagers.size >= CACHED_SEARCHES) this.pagers.delete(this.pagers.keys().next().value as string);
      this.pagers.set(key, (pager = new RunPager(this.store, query, this.pageSize, this.counts)));
    }
    return pager;
  }

  private async total(): Promise<number | null> {
    return (await this.pager()).total();
  }

  private async experiments(): Promise<TableExperiment[]> {
    return Promise.all(
      this.experimentIds.map(async (experimentId) => {
        try {
          return { experimentId, name: (await this.store.getExperiment(experimentId)).name };
        } catch {
          return { experimentId, name: experimentId };
        }
      }),
    );
  }

  /** Every param, metric and tag key: one SQL query for the local store, else read from the runs' pages. */
  private async discoverKeys(): Promise<{ params: readonly string[]; metrics: readonly string[]; tags: readonly string[] }> {
    if (answersRunTableQueries(this.store)) return this.store.runKeys(this.experimentIds);
    const keys = { params: new Set<string>(), metrics: new Set<string>(), tags: new Set<string>() };
    const pager = new RunPager(this.store, { experimentIds: this.experimentIds, viewType: 'ACTIVE_ONLY' }, this.pageSize);
    for await (const page of pager.all()) keysOfRuns(page, keys);
    const sorted = (set: Set<string>) => [...set].sort();
    return { params: sorted(keys.params), metrics: sorted(keys.metrics), tags: sorted(keys.tags) };
  }

  /** The columns "differing only" or "key metrics" hide under the view in force. */
  private async hiddenByPreset(): Promise<readonly ColumnId[]> {
    const view = this.view;
    const columns = await this.columns();
    if (view.preset === 'all') return [];
    if (view.preset === 'key') return hiddenByKeyPreset(view, columns, this.options.keyMetrics ?? []);
    const query = this.query(view);
    const cacheKey = JSON.stringify([query.filter ?? '', view.columns.map((c) => [c.id, c.metricValue ?? 'last'])]);
    if (this.hiddenCache?.key === cacheKey) return this.hiddenCache.hidden;
    // The run name names the row; it is never hidden.
    const ids = columns.map((c) => c.id).filter((id) => id !== 'attributes.run_name');
    if (answersRunTableQueries(this.store)) {
      const hidden = await constantInStore(this.store, query, ids, this.metricValue);
      this.hiddenCache = { key: cacheKey, hidden };
      return hidden;
    }
    const constant = new ConstantColumns(ids);
    for await (const page of (await this.pager()).all()) {
      const extremes = await this.extremes(page, ids);
      for (const run of page) {
        const indexed = indexRun(run);
        constant.add((id) => cellOf(indexed, id, this.now(), this.metricValueOf(id), extremes));
      }
      if (constant.settled) break;
    }
    const hidden = constant.constant();
    this.hiddenCache = { key: cacheKey, hidden };
    return hidden;
  }

}

/** A cell as CSV writes it: times as ISO 8601, durations in seconds. */
function csvCell(id: ColumnId, cell: Cell): Cell {
  if (typeof cell !== 'number') return cell;
  if (id === 'attributes.start_time') return new Date(cell).toISOString();
  if (id === 'attributes.duration') return cell / 1000;
  return cell;
}
