// What the Compare panel's host reads for its page, shared by ComparePanel and the benchmark that
// plays it: the comparison (the latest one built also names the first chart's metric), metric
// histories through the store's SeriesCache, and the first chart read ahead.
//
// The first chart is the first paint's longest read. The page asks for it with the comparison,
// before it knows the metrics (getFirstChart), and the host may read it ahead as soon as the panel
// opens, while the page loads: at the bucket count the last page asked for (a page's width rarely
// changes between two comparisons), so that a guess that misses costs one read and nothing else.
import { chartMetrics } from '../../shared/chartMetrics.ts';
import type { ReadableStore } from '../store/trackingStore.ts';
import { buildComparison } from './comparison.ts';
import { groupSeries } from './groupSeries.ts';
import { bucketCount, metricSeries, shareSteps } from './series.ts';
import type { SeriesCache } from './seriesCache.ts';
import type { CompareGroup, CompareModel, CompareSource, GroupSeries, MetricDirection, MetricSeries, XAxisMode } from './types.ts';

type Directions = Readonly<Record<string, MetricDirection>>;

export interface FirstChart {
  /** The metric of the first chart; null when there is nothing to chart. */
  readonly key: string | null;
  readonly series: readonly MetricSeries[];
}

interface ModelEntry {
  readonly directions: string;
  readonly promise: Promise<CompareModel>;
  served: boolean;
}

export class CompareReader {
  /** The bucket count the last page asked its first chart at: the guess for reading ahead. */
  private static lastBuckets: number | undefined;
  private readonly store: () => Promise<ReadableStore>;
  private readonly source: CompareSource;
  private readonly cache: SeriesCache;
  /** The latest comparison built; `served` once a getComparison answered with it. */
  private model: ModelEntry | undefined;
  private readAhead: Promise<unknown> | undefined;

  constructor(store: () => Promise<ReadableStore>, source: CompareSource, cache: SeriesCache) {
    this.store = store;
    this.source = source;
    this.cache = cache;
  }

  /** Forgets the bucket count remembered from earlier pages (for tests and benchmarks). */
  static forgetBuckets(): void {
    CompareReader.lastBuckets = undefined;
  }

  /** The store changed: nothing built before is served, cached histories are checked before use. */
  changed(): void {
    this.model = undefined;
    this.cache.markStale();
  }

  /**
   * The comparison with these direction overrides, built for this request: only one built ahead
   * (by readFirstChartAhead, while the page loaded) is served instead, once.
   */
  comparison(directions: Directions): Promise<CompareModel> {
    const key = JSON.stringify(directions);
    const ahead = this.model;
    if (ahead && !ahead.served && ahead.directions === key) {
      ahead.served = true;
      return ahead.promise;
    }
    return this.build(directions, true).promise;
  }

  private build(directions: Directions, served: boolean): ModelEntry {
    const promise = this.store().then((store) => buildComparison(store, this.source, { directions }));
    const entry: ModelEntry = { directions: JSON.stringify(directions), promise, served };
    this.model = entry;
    // A failure is not kept: the next request asks the store again.
    promise.catch(() => {
      if (this.model === entry) this.model = undefined;
    });
    return entry;
  }

  /**
   * Every group × `keys`, through the cache. On a relative time axis the runs' start times come
   * from the comparison built last (any direction overrides: start times do not depend on them)
   * rather than from the store again.
   */
  async groupSeries(groups: readonly CompareGroup[], keys: readonly string[], buckets: number, mode: XAxisMode): Promise<GroupSeries[]> {
    let starts: Map<string, number> | undefined;
    if (mode === 'relative' && this.model) {
      const model = await this.model.promise.catch(() => undefined);
      if (model) starts = new Map(model.runs.map((r) => [r.runId, r.startTime]));
    }
    return groupSeries(await this.store(), groups, keys, buckets, mode, this.cache, starts);
  }

  /** Every compared run × `keys`, through the cache, equal step columns as one (for the page). */
  async series(keys: readonly string[], buckets: number): Promise<MetricSeries[]> {
    return shareSteps(await metricSeries(await this.store(), this.source.runIds, keys, buckets, this.cache));
  }

  /** The first chart as the Charts tab picks it (chartMetrics) and its histories. */
  async firstChart(saved: readonly string[] | null, buckets: number): Promise<FirstChart> {
    CompareReader.lastBuckets = bucketCount(buckets);
    // A read ahead at the same bucket count fills the cache: wait for it rather than read twice.
    await this.readAhead;
    // The comparison the page asked for just before (or built ahead) names the metrics.
    const model = await (this.model ?? this.build({}, false)).promise;
    const [key = null] = chartMetrics(model, saved);
    return { key, series: key === null ? [] : await this.series([key], buckets) };
  }

  /**
   * Builds the comparison and reads the first chart's histories into the cache before the page
   * asks, at the bucket count the last page asked for (nothing is read ahead without one). Saved
   * chart choices and direction overrides come with a restored page's state (so the comparison
   * built ahead is the one its page asks for). Errors are left for the page's requests.
   */
  readFirstChartAhead(saved: readonly string[] | null = null, directions: Directions = {}): void {
    const buckets = CompareReader.lastBuckets;
    if (buckets === undefined || this.readAhead) return;
    this.readAhead = (async () => {
      // A task later: what opens the page (its HTML) leaves first, and the page loads meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 0));
      // The page may have asked for the comparison meanwhile: that one names the metrics.
      const model = await (this.model ?? this.build(directions, false)).promise;
      const [key] = chartMetrics(model, saved);
      if (key !== undefined) await this.series([key], buckets);
    })().catch(() => undefined);
  }
}
