// A column header's "⋯" menu wired to the table: sort, quick filter (its value set read from the
// loaded rows), pin, hide, which metric value (last, min, max), group by, sparkline.
import type { TableView } from '../../src/protocol/runsTable.ts';
import type { ColumnLayout } from './columns.ts';
import type { RunsGrid } from './grid.ts';
import type { Lines } from './lines.ts';
import { columnMenu, type Popover } from './menus.ts';

/** How many loaded lines, and distinct values, the value-set filter offers. */
const SEEN_LINES = 2000;
const SEEN_VALUES = 50;

export interface ColumnMenuContext {
  readonly layout: ColumnLayout;
  readonly lines: Lines;
  readonly grid: RunsGrid;
  readonly popover: Popover;
  view(): TableView | undefined;
  applyView(patch: Partial<TableView>, rows: boolean): Promise<void>;
  /** Columns were shown, hidden, pinned or moved. */
  columnsChanged(): void;
}

export function openColumnMenu(context: ColumnMenuContext, id: string, anchor: HTMLElement): void {
  const { layout, lines, grid, popover } = context;
  const def = layout.def(id);
  const current = context.view();
  if (!def || !current) return;
  const seen = new Set<string>();
  for (let i = 0; i < Math.min(lines.count, SEEN_LINES) && seen.size < SEEN_VALUES; i++) {
    const line = lines.at(i);
    const value = line?.kind === 'run' ? line.row?.cells[id] : undefined;
    if (value !== undefined && value !== null) seen.add(String(value));
  }
  popover.open(anchor, `Options for ${def.id}`, columnMenu(
    {
      def,
      sort: layout.sortOf(id).direction,
      pinned: layout.isPinned(id),
      metricValue: layout.metricValue(id),
      grouped: current.groupBy.includes(id),
      sparkline: current.sparklineMetric === def.key,
      filter: current.quickFilters.find((f) => f.columnId === id),
      seenValues: [...seen],
    },
    {
      sort: (descending) => {
        layout.setSort(descending === null ? layout.sort.filter((s) => s.columnId !== id) : [{ columnId: id, descending }]);
        void context.applyView({}, true);
      },
      filter: (f) => void context.applyView({ quickFilters: [...current.quickFilters.filter((q) => q.columnId !== id), ...(f ? [f] : [])] }, true),
      pin: (pinned) => {
        layout.setPinned(id, pinned);
        context.columnsChanged();
      },
      hide: () => {
        layout.setVisible(id, false);
        context.columnsChanged();
      },
      metricValue: (value) => {
        layout.setMetricValue(id, value);
        grid.relayout();
        // The loaded values are dropped once the host has the new view, so they are fetched again under it.
        void context.applyView({}, false).then(() => {
          lines.forget(id);
          grid.refresh();
        });
      },
      groupBy: (on) => void context.applyView({ groupBy: on ? [...current.groupBy, id] : current.groupBy.filter((g) => g !== id) }, true),
      sparkline: (on) => {
        layout.setSparkline(on ? def.key : undefined);
        void context.applyView({ sparklineMetric: on ? def.key : undefined }, false).then(() => grid.refresh());
      },
    },
    () => popover.close(),
  ));
}
