// The table's columns as the user arranged them: order, visibility, pinning, widths and the
// multi-column sort are TanStack Table state (table-core, headless: it holds no rows here, since
// sorting and filtering are pushed down to the store). The layout answers, per render, the pinned
// and the scrolling columns with their widths and offsets, cached until the arrangement changes.
// The TanStack table over 500 columns is built after the first paint (or at the first change):
// until then the loaded arrangement is read as it was given.
import {
  columnOrderingFeature,
  columnPinningFeature,
  columnSizingFeature,
  columnVisibilityFeature,
  constructTable,
  rowSortingFeature,
  tableFeatures,
} from '@tanstack/table-core';
import { storeReactivityBindings } from '@tanstack/table-core/store-reactivity-bindings';
import type { ColumnChoice, ColumnDef, MetricValue, SortKey } from '../../src/protocol/runsTable.ts';

export const SELECT_WIDTH = 34;
export const SPARK_ID = '__sparkline';
export const SPARK_WIDTH = 110;
export const MIN_WIDTH = 48;
export const MAX_WIDTH = 800;
const NAME_WIDTH = 200;
const DEFAULT_WIDTH = 130;

/** One shown column; `start` is its offset in its region (pinned, or scrolling). */
export interface Shown {
  readonly id: string;
  /** Undefined for the sparkline column. */
  readonly def: ColumnDef | undefined;
  readonly label: string;
  readonly group: string | undefined;
  readonly width: number;
  readonly start: number;
  readonly pinned: boolean;
  readonly metricValue: MetricValue | undefined;
}

const features = tableFeatures({
  coreReactivityFeature: storeReactivityBindings(),
  rowSortingFeature,
  columnOrderingFeature,
  columnVisibilityFeature,
  columnPinningFeature,
  columnSizingFeature,
});
type Table = ReturnType<typeof constructTable<typeof features, never>>;

/** The part of TanStack's table state the layout reads. */
interface Arrangement {
  readonly columnOrder: string[];
  readonly columnPinning: { start: string[]; end: string[] };
  readonly columnSizing: Record<string, number>;
  readonly columnVisibility: Record<string, boolean>;
  readonly sorting: { id: string; desc: boolean }[];
}

function defaultWidth(def: ColumnDef): number {
  return def.id === 'attributes.run_name' ? NAME_WIDTH : DEFAULT_WIDTH;
}

export function clampWidth(width: number): number {
  return Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, width)));
}

export class ColumnLayout {
  private table: Table | undefined;
  /** The loaded arrangement, until the TanStack table is built from it. */
  private initial: Arrangement | undefined;
  private defs = new Map<string, ColumnDef>();
  private readonly userVisible = new Map<string, boolean>();
  private readonly metricValues = new Map<string, MetricValue>();
  private presetHidden = new Set<string>();
  private sparkline: string | undefined;
  private cache: { pinned: Shown[]; center: Shown[]; all: Shown[]; pinnedWidth: number; centerWidth: number } | undefined;

  /** Takes the schema's columns and the saved choices; columns without a choice are shown at the end. */
  load(defs: readonly ColumnDef[], choices: readonly ColumnChoice[], sort: readonly SortKey[], hiddenByPreset: readonly string[], sparklineMetric: string | undefined): void {
    this.defs = new Map(defs.map((d) => [d.id, d]));
    this.userVisible.clear();
    this.metricValues.clear();
    const chosen = choices.filter((c) => this.defs.has(c.id));
    const seen = new Set(chosen.map((c) => c.id));
    const order = [...chosen.map((c) => c.id), ...defs.filter((d) => !seen.has(d.id)).map((d) => d.id)];
    for (const c of chosen) {
      this.userVisible.set(c.id, c.visible);
      if (c.metricValue) this.metricValues.set(c.id, c.metricValue);
    }
    const sizing: Record<string, number> = {};
    for (const c of chosen) if (c.width !== undefined) sizing[c.id] = clampWidth(c.width);
    this.sparkline = sparklineMetric;
    this.presetHidden = new Set(hiddenByPreset);
    this.table = undefined;
    this.initial = {
      columnOrder: [SPARK_ID, ...order],
      columnPinning: { start: chosen.filter((c) => c.pinned && c.visible).map((c) => c.id), end: [] },
      columnSizing: sizing,
      columnVisibility: this.visibility(),
      sorting: sort.filter((s) => this.defs.has(s.columnId)).map((s) => ({ id: s.columnId, desc: s.descending })),
    };
    this.cache = undefined;
  }

  private visibility(): Record<string, boolean> {
    const out: Record<string, boolean> = { [SPARK_ID]: this.sparkline !== undefined };
    for (const id of this.defs.keys()) out[id] = (this.userVisible.get(id) ?? true) && !this.presetHidden.has(id);
    return out;
  }

  /** Builds the TanStack table now, if not yet (the page asks when idle after the first paint). */
  prepare(): void {
    if (!this.table && this.initial) this.build();
  }

  private build(): Table {
    const initial = this.initial;
    if (!initial) throw new Error('columns not loaded');
    this.table = constructTable({
      features,
      data: [],
      columns: initial.columnOrder.map((id) => ({
        id,
        // Headless: no rows are handed to TanStack, but a column needs an accessor to be sortable.
        accessorFn: () => null,
        size: id === SPARK_ID ? SPARK_WIDTH : defaultWidth(this.defs.get(id) as ColumnDef),
        minSize: MIN_WIDTH,
        maxSize: MAX_WIDTH,
        sortDescFirst: false,
        enableSorting: id !== SPARK_ID && (this.defs.get(id)?.searchable ?? false),
      })),
      manualSorting: true,
      enableMultiSort: true,
      enableSortingRemoval: true,
      initialState: initial,
    });
    return this.table;
  }

  private get t(): Table {
    return this.table ?? this.build();
  }

  /** The arrangement: the table's state once built, else as loaded. */
  private get state(): Arrangement {
    if (this.table) return this.table.store.state;
    if (!this.initial) throw new Error('columns not loaded');
    return this.initial;
  }

  private changed(): void {
    this.cache = undefined;
  }

  /**
   * The shown columns in one pass over the arrangement's state (order, pinning, visibility,
   * sizing), as TanStack lays them out: pinned in pinning order, then the rest in column order.
   * TanStack's own getters would first build a column object and header groups for every one of
   * 500 columns, which costs the first paint more than drawing it.
   */
  private shown(): NonNullable<ColumnLayout['cache']> {
    if (this.cache) return this.cache;
    const state = this.state;
    const known = (id: string) => id === SPARK_ID || this.defs.has(id);
    const visible = (id: string) => known(id) && state.columnVisibility[id] !== false;
    const place = (ids: readonly string[], pinned: boolean): { list: Shown[]; width: number } => {
      let start = 0;
      const list = ids.filter(visible).map((id): Shown => {
        const def = this.defs.get(id);
        const metricValue = def?.kind === 'metric' ? (this.metricValues.get(id) ?? 'last') : undefined;
        const suffix = metricValue && metricValue !== 'last' ? ` (${metricValue})` : '';
        const width = clampWidth(state.columnSizing[id] ?? (def ? defaultWidth(def) : SPARK_WIDTH));
        const shown = { id, def, label: id === SPARK_ID ? `${this.sparkline ?? ''} ⟋` : `${def?.label ?? id}${suffix}`, group: def?.group, width, start, pinned, metricValue };
        start += width;
        return shown;
      });
      return { list, width: start };
    };
    const pinnedIds = new Set(state.columnPinning.start);
    const pinned = place(state.columnPinning.start, true);
    const center = place(state.columnOrder.filter((id) => !pinnedIds.has(id)), false);
    this.cache = { pinned: pinned.list, center: center.list, all: [...pinned.list, ...center.list], pinnedWidth: pinned.width, centerWidth: center.width };
    return this.cache;
  }

  get pinned(): readonly Shown[] {
    return this.shown().pinned;
  }
  get center(): readonly Shown[] {
    return this.shown().center;
  }
  /** Width of the fixed part: the selection column and the pinned columns. */
  get fixedWidth(): number {
    return SELECT_WIDTH + this.shown().pinnedWidth;
  }
  get centerWidth(): number {
    return this.shown().centerWidth;
  }
  /** Every shown column, pinned first, in display order. */
  get all(): readonly Shown[] {
    return this.shown().all;
  }

  def(id: string): ColumnDef | undefined {
    return this.defs.get(id);
  }
  get defsInOrder(): readonly ColumnDef[] {
    return this.state.columnOrder.filter((id) => id !== SPARK_ID).map((id) => this.defs.get(id)).filter((d): d is ColumnDef => d !== undefined);
  }
  isVisible(id: string): boolean {
    return this.userVisible.get(id) ?? true;
  }
  isPinned(id: string): boolean {
    return this.state.columnPinning.start.includes(id);
  }
  isPresetHidden(id: string): boolean {
    return this.presetHidden.has(id);
  }
  metricValue(id: string): MetricValue {
    return this.metricValues.get(id) ?? 'last';
  }

  // ── Changes ────────────────────────────────────────────────────────────────────────────────
  setVisible(id: string, visible: boolean): void {
    this.userVisible.set(id, visible);
    this.t.setColumnVisibility(this.visibility());
    if (!visible && this.isPinned(id)) this.setPinned(id, false);
    this.changed();
  }

  /** The columns the preset hides; whether that changed anything (most views leave them as they were). */
  setPresetHidden(ids: readonly string[]): boolean {
    if (ids.length === this.presetHidden.size && ids.every((id) => this.presetHidden.has(id))) return false;
    this.presetHidden = new Set(ids);
    this.t.setColumnVisibility(this.visibility());
    this.changed();
    return true;
  }

  setSparkline(metric: string | undefined): void {
    this.sparkline = metric;
    this.t.setColumnVisibility(this.visibility());
    this.changed();
  }

  setPinned(id: string, pinned: boolean): void {
    const start = this.state.columnPinning.start.filter((c) => c !== id);
    this.t.setColumnPinning({ start: pinned ? [...start, id] : start, end: [] });
    this.changed();
  }

  setWidth(id: string, width: number): void {
    this.t.setColumnSizing((old: Record<string, number>) => ({ ...old, [id]: clampWidth(width) }));
    this.changed();
  }

  setMetricValue(id: string, value: MetricValue): void {
    this.metricValues.set(id, value);
    this.changed();
  }

  /** Moves `id` just before `beforeId` (or to the end when undefined). */
  move(id: string, beforeId: string | undefined): void {
    if (id === beforeId) return;
    const order = this.state.columnOrder.filter((c) => c !== id);
    const at = beforeId === undefined ? order.length : order.indexOf(beforeId);
    order.splice(at < 0 ? order.length : at, 0, id);
    this.t.setColumnOrder(order);
    this.changed();
  }

  /** Moves `id` by `delta` places among the columns (keyboard reorder in the chooser). */
  shift(id: string, delta: number): void {
    const order = this.state.columnOrder.filter((c) => c !== SPARK_ID);
    const from = order.indexOf(id);
    const to = Math.max(0, Math.min(order.length - 1, from + delta));
    if (from < 0 || from === to) return;
    order.splice(from, 1);
    order.splice(to, 0, id);
    this.t.setColumnOrder([SPARK_ID, ...order]);
    this.changed();
  }

  /** Header click: ascending, descending, off; with `multi` (shift) the key is added to the others. */
  toggleSort(id: string, multi: boolean): void {
    const column = this.t.getColumn(id);
    if (!column?.getCanSort()) return;
    column.toggleSorting(undefined, multi);
  }

  sortOf(id: string): { direction: 'ascending' | 'descending' | 'none'; index: number } {
    const sorting = this.state.sorting;
    const index = sorting.findIndex((s) => s.id === id);
    const entry = sorting[index];
    return { direction: entry ? (entry.desc ? 'descending' : 'ascending') : 'none', index };
  }

  setSort(sort: readonly SortKey[]): void {
    this.t.setSorting(sort.map((s) => ({ id: s.columnId, desc: s.descending })));
  }

  get sort(): SortKey[] {
    return this.state.sorting.map((s) => ({ columnId: s.id, descending: s.desc }));
  }

  /** The arrangement as the view keeps it. */
  choices(): ColumnChoice[] {
    const state = this.state;
    return state.columnOrder
      .filter((id) => this.defs.has(id))
      .map((id) => {
        const width = state.columnSizing[id];
        const metricValue = this.metricValues.get(id);
        return {
          id,
          visible: this.userVisible.get(id) ?? true,
          pinned: state.columnPinning.start.includes(id),
          ...(width !== undefined ? { width } : {}),
          ...(metricValue && metricValue !== 'last' ? { metricValue } : {}),
        };
      });
  }
}
