// The merged tiles of each (run, key, bucket count), kept so that the compare charts of runs that
// were read before are drawn without merging thousands of tiles again (a 100k-point history at
// chart width reads ~6k tiles). Stale entries are not thrown away but checked: whoever learns that
// the store changed (the store-change hub, a panel opening) calls markStale(), and each entry is
// then compared with a one-bucket summary of its history (count, last step and time, range), which
// the SQLite store answers from a few coarse tiles. An entry whose history grew (a running run) is
// read again; the others are served as they are.
import { isNotFound } from '../store/errors.ts';
import type { ReadableStore } from '../store/trackingStore.ts';
import type { MetricBucket } from '../store/types.ts';
import { readColumns, type SeriesReader } from './series.ts';
import type { MetricSeries } from './types.ts';

/** About 40 bytes per bucket: the default keeps the cache near 12 MB. */
const DEFAULT_MAX_BUCKETS = 300_000;

interface Entry {
  readonly series: MetricSeries;
  readonly fingerprint: string;
  /** The generation it was last known to be current in. */
  checked: number;
}

/** What the cache did, for tests and benchmarks. */
export interface SeriesCacheStats {
  /** Served without asking the store. */
  hits: number;
  /** Stale, checked against the store, and still current. */
  confirmed: number;
  /** Read from the store (new, grown, or evicted). */
  reads: number;
}

/** A one-bucket summary that changes whenever a point is added to the history. */
function fingerprintOf(summary: readonly MetricBucket[]): string {
  const b = summary[0];
  return b ? `${b.count}|${b.stepStart}|${b.lastStep}|${b.lastTimestamp}|${b.min}|${b.max}|${b.last}` : 'empty';
}

export class SeriesCache implements SeriesReader {
  private readonly entries = new Map<string, Entry>();
  /** Reads under way, by id and generation: a second caller (getSeries beside getGroupSeries) waits for the first. */
  private readonly reading = new Map<string, Promise<MetricSeries | undefined>>();
  private readonly maxBuckets: number;
  private generation = 0;
  private buckets = 0;
  readonly stats: SeriesCacheStats = { hits: 0, confirmed: 0, reads: 0 };

  constructor(options: { readonly maxBuckets?: number } = {}) {
    this.maxBuckets = options.maxBuckets ?? DEFAULT_MAX_BUCKETS;
  }

  /** The store may have changed: every entry is checked before it is served again. */
  markStale(): void {
    this.generation++;
  }

  clear(): void {
    this.entries.clear();
    this.buckets = 0;
  }

  /** `key`'s series of `runId` at `buckets` buckets; undefined when the run no longer exists. */
  async read(store: ReadableStore, runId: string, key: string, buckets: number): Promise<MetricSeries | undefined> {
    const id = JSON.stringify([runId, key, buckets]);
    const entry = this.entries.get(id);
    if (entry && entry.checked === this.generation) {
      this.stats.hits++;
      this.touch(id, entry);
      return entry.series;
    }
    const generation = this.generation;
    const readId = `${id}@${generation}`;
    const under = this.reading.get(readId);
    if (under) return under;
    const read = this.readThrough(store, id, entry, generation, [runId, key, buckets]).finally(() => this.reading.delete(readId));
    this.reading.set(readId, read);
    return read;
  }

  private async readThrough(store: ReadableStore, id: string, entry: Entry | undefined, generation: number, [runId, key, buckets]: [string, string, number]): Promise<MetricSeries | undefined> {
    try {
      // The summary is read before the buckets: a point logged in between makes the next check
      // read again, never keeps a series older than its fingerprint.
      const fingerprint = fingerprintOf(await store.getMetricHistoryDownsampled(runId, key, 1));
      if (entry?.fingerprint === fingerprint) {
        this.stats.confirmed++;
        entry.checked = generation;
        this.touch(id, entry);
        return entry.series;
      }
      this.stats.reads++;
      const series = await readColumns(store, runId, key, buckets);
      this.store(id, { series, fingerprint, checked: generation });
      return series;
    } catch (err) {
      this.drop(id);
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Most recently used last, so eviction takes from the front. */
  private touch(id: string, entry: Entry): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
  }

  private store(id: string, entry: Entry): void {
    this.drop(id);
    const size = entry.series.step.length;
    if (size > this.maxBuckets) return;
    for (const [oldest, old] of this.entries) {
      if (this.buckets + size <= this.maxBuckets) break;
      this.entries.delete(oldest);
      this.buckets -= old.series.step.length;
    }
    this.entries.set(id, entry);
    this.buckets += size;
  }

  private drop(id: string): void {
    const old = this.entries.get(id);
    if (!old) return;
    this.entries.delete(id);
    this.buckets -= old.series.step.length;
  }
}
