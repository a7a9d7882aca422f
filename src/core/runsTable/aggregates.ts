// Group rows and "differing only", computed over every run a view matches as the runs stream in
// from the store a page at a time: one pass, constant memory per group and column.
import type { Moments } from '../store/trackingStore.ts';
import type { Cell, ColumnId, GroupRow, MetricAggregates } from './types.ts';

/**
 * Count, mean, sample standard deviation, min and max of a stream of numbers, by Welford's
 * one-pass update (stable where the naive sum of squares cancels). Non-finite values are skipped.
 */
export class RunningStats {
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    this.n++;
    const delta = value - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (value - this.mean);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /**
   * Folds in the moments of another set of finite values (a store's aggregate over a chunk of
   * runs), by Chan et al.'s parallel update: stable, equal to adding the values one by one.
   */
  merge(other: Moments): void {
    if (other.n <= 0) return;
    const n = this.n + other.n;
    const delta = other.mean - this.mean;
    this.mean = this.n === 0 ? other.mean : this.mean + (delta * other.n) / n;
    this.m2 += other.m2 + (delta * delta * this.n * other.n) / n;
    this.n = n;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  get count(): number {
    return this.n;
  }

  result(): MetricAggregates | undefined {
    if (this.n === 0) return undefined;
    return { n: this.n, mean: this.mean, std: this.n > 1 ? Math.sqrt(Math.max(0, this.m2) / (this.n - 1)) : 0, min: this.min, max: this.max };
  }
}

/** Orders group keys: numbers (as numbers) before text, missing values last. */
export function compareCells(a: Cell, b: Cell): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const na = typeof a === 'number' ? a : Number(a);
  const nb = typeof b === 'number' ? b : Number(b);
  const numericA = a !== '' && Number.isFinite(na);
  const numericB = b !== '' && Number.isFinite(nb);
  if (numericA && numericB && na !== nb) return na - nb;
  if (numericA !== numericB) return numericA ? -1 : 1;
  return String(a).localeCompare(String(b));
}

/** Orders group keys column by column (see compareCells). */
export function compareKeys(a: readonly Cell[], b: readonly Cell[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const order = compareCells(a[i] ?? null, b[i] ?? null);
    if (order !== 0) return order;
  }
  return 0;
}

interface GroupAccumulator {
  readonly key: readonly Cell[];
  count: number;
  readonly metrics: Map<ColumnId, RunningStats>;
}

/** Groups runs by their values of the group-by columns and aggregates each metric column per group. */
export class GroupAggregator {
  private readonly groups = new Map<string, GroupAccumulator>();
  private readonly metricColumns: readonly ColumnId[];

  constructor(metricColumns: readonly ColumnId[]) {
    this.metricColumns = metricColumns;
  }

  /** One run: its group key (values of the group-by columns) and its cell in each metric column. */
  add(key: readonly Cell[], metricCell: (id: ColumnId) => Cell): void {
    const id = JSON.stringify(key);
    this.addRun(id, key);
    for (const column of this.metricColumns) {
      const cell = metricCell(column);
      if (typeof cell === 'number') this.addValue(id, column, cell);
    }
  }

  /** `runs` runs (one by default) of the group `id` (any string naming `key` one to one). */
  addRun(id: string, key: readonly Cell[], runs = 1): void {
    const group = this.groups.get(id);
    if (group) group.count += runs;
    else this.groups.set(id, { key, count: runs, metrics: new Map() });
  }

  /** One metric value of a run of the group `id` (added with addRun first). */
  addValue(id: string, column: ColumnId, value: number): void {
    this.stats(id, column)?.add(value);
  }

  /** The moments of some of the group's values of a metric column (a store's aggregate over a chunk of runs). */
  addMoments(id: string, column: ColumnId, moments: Moments): void {
    this.stats(id, column)?.merge(moments);
  }

  private stats(id: string, column: ColumnId): RunningStats | undefined {
    const group = this.groups.get(id);
    if (!group) return undefined;
    let stats = group.metrics.get(column);
    if (!stats) group.metrics.set(column, (stats = new RunningStats()));
    return stats;
  }

  /** The groups, ordered by their key values. */
  result(): GroupRow[] {
    const rows = [...this.groups.values()].map((g): GroupRow => {
      const metrics: Record<ColumnId, MetricAggregates> = {};
      for (const [column, stats] of g.metrics) {
        const aggregates = stats.result();
        if (aggregates) Object.defineProperty(metrics, column, { value: aggregates, enumerable: true, writable: true, configurable: true });
      }
      return { key: g.key, count: g.count, metrics };
    });
    return rows.sort((a, b) => compareKeys(a.key, b.key));
  }
}

/**
 * Which columns hold the same value in every run seen ("differing only" hides them). A column some
 * runs have and others lack differs; a column no run has is constant.
 */
export class ConstantColumns {
  private readonly first = new Map<ColumnId, Cell>();
  private readonly differing = new Set<ColumnId>();
  private runs = 0;
  private readonly columns: readonly ColumnId[];

  constructor(columns: readonly ColumnId[]) {
    this.columns = columns;
  }

  add(cellOf: (id: ColumnId) => Cell): void {
    for (const id of this.columns) {
      if (this.differing.has(id)) continue;
      const cell = cellOf(id);
      if (this.runs === 0) this.first.set(id, cell);
      else if (!Object.is(this.first.get(id), cell)) this.differing.add(id);
    }
    this.runs++;
  }

  /** Whether every column already differs (reading more runs cannot change the answer). */
  get settled(): boolean {
    return this.differing.size === this.columns.length;
  }

  constant(): ColumnId[] {
    return this.columns.filter((id) => !this.differing.has(id));
  }
}
