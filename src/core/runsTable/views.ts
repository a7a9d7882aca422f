// The table's default view and a saved view brought up to date with the columns runs have now.
import { ATTRIBUTE_COLUMNS } from './columns.ts';
import type { ColumnChoice, ColumnDef, ColumnId, TableView } from './types.ts';

/** Tags Labbook and MLflow set themselves: offered, but hidden until chosen. */
export function isSystemTag(column: ColumnDef): boolean {
  return column.kind === 'tag' && /^(mlflow|labbook)\./.test(column.key);
}

function defaultChoice(column: ColumnDef): ColumnChoice {
  return { id: column.id, visible: !isSystemTag(column), pinned: column.id === 'attributes.run_name' };
}

/** Every column shown but the system tags, the run name pinned, newest runs first (the store's order). */
export function defaultView(columns: readonly ColumnDef[]): TableView {
  return { filter: '', quickFilters: [], sort: [], groupBy: [], columns: columns.map(defaultChoice), preset: 'all' };
}

/**
 * A saved view over the columns runs have now: its choices kept in its order, choices of columns
 * that are gone dropped, new columns appended with their defaults.
 */
export function reconcileView(view: TableView, columns: readonly ColumnDef[]): TableView {
  const known = new Map(columns.map((c) => [c.id, c]));
  const seen = new Set<ColumnId>();
  const kept: ColumnChoice[] = [];
  for (const choice of view.columns) {
    if (!known.has(choice.id) || seen.has(choice.id)) continue;
    seen.add(choice.id);
    kept.push(choice);
  }
  for (const column of columns) if (!seen.has(column.id)) kept.push(defaultChoice(column));
  return { ...view, columns: kept };
}

/** The "key metrics" preset: the run's identity and times, the group-by columns and the key metrics (or the first two, as the tree). */
export function hiddenByKeyPreset(view: TableView, columns: readonly ColumnDef[], keyMetrics: readonly string[]): ColumnId[] {
  const metrics = columns.filter((c) => c.kind === 'metric');
  const wanted = keyMetrics.length > 0 ? metrics.filter((c) => keyMetrics.includes(c.key)) : metrics.slice(0, 2);
  const shown = new Set<ColumnId>([...ATTRIBUTE_COLUMNS.slice(0, 4).map((c) => c.id), ...view.groupBy, ...wanted.map((c) => c.id)]);
  return columns.filter((c) => !shown.has(c.id)).map((c) => c.id);
}
