// A table view as the store's search: the filter box, the quick filters and a group's values become
// one MLflow filter, the multi-column sort an order_by. Everything is pushed down to the store, so a
// sort or a filter always covers every run, never one loaded page.
import { parseOrderBy, parseRunFilter } from '../mlflow/searchFilter.ts';
import { RUN_STATUSES } from '../store/types.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { columnSearchIdentifier, parseColumnId } from './columns.ts';
import type { Cell, ColumnChoice, ColumnDef, ColumnId, QuickFilter, SortKey, TableView } from './types.ts';

/** A view the table cannot search with: its message is what the user sees (as the tree's filter errors). */
export class RunsTableViewError extends Error {
  override readonly name = 'RunsTableViewError';
}

/** A string literal of MLflow search syntax: a quote doubled (as SQL writes it), a backslash escaped. */
export function searchString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function searchableIdentifier(id: ColumnId, columns: ReadonlyMap<ColumnId, ColumnDef>, what: string): string {
  const column = columns.get(id);
  if (!column) throw new RunsTableViewError(`Cannot ${what} ${id}: no run has this column.`);
  const identifier = columnSearchIdentifier(id);
  if (!column.searchable || identifier === undefined) {
    throw new RunsTableViewError(`Cannot ${what} "${column.label}": the store's search cannot ${what === 'sort by' ? 'order' : 'filter'} on this column.`);
  }
  return identifier;
}

function metricValueOf(choices: readonly ColumnChoice[], id: ColumnId): ColumnChoice['metricValue'] {
  return choices.find((c) => c.id === id)?.metricValue ?? 'last';
}

function refuseDerivedMetric(view: TableView, id: ColumnId, what: string): void {
  const value = metricValueOf(view.columns, id);
  if (value !== 'last') {
    throw new RunsTableViewError(`Cannot ${what} ${id} by its ${value}: the store's search knows a metric's last value only. Show its last value to ${what} it.`);
  }
}

function quickFilterClauses(filter: QuickFilter, view: TableView, columns: ReadonlyMap<ColumnId, ColumnDef>): string[] {
  const identifier = searchableIdentifier(filter.columnId, columns, 'filter');
  const column = columns.get(filter.columnId) as ColumnDef;
  if (filter.kind === 'range') {
    if (column.valueType !== 'number' && column.valueType !== 'time') throw new RunsTableViewError(`A range filter needs a number column; "${column.label}" holds text.`);
    if (column.kind === 'metric') refuseDerivedMetric(view, column.id, 'filter');
    return [...(filter.min === undefined ? [] : [`${identifier} >= ${filter.min}`]), ...(filter.max === undefined ? [] : [`${identifier} <= ${filter.max}`])];
  }
  if (filter.values.length === 0) return [];
  if (column.valueType === 'number' || column.valueType === 'time') throw new RunsTableViewError(`"${column.label}" holds numbers: filter it with a range.`);
  if (column.valueType === 'status') {
    // MLflow search takes IN lists for run_id only and has no OR: a set of statuses is the others excluded.
    const unknown = filter.values.find((v) => !(RUN_STATUSES as readonly string[]).includes(v));
    if (unknown !== undefined) throw new RunsTableViewError(`Unknown run status ${JSON.stringify(unknown)}; statuses are ${RUN_STATUSES.join(', ')}.`);
    if (filter.values.length === 1) return [`${identifier} = ${searchString(filter.values[0] as string)}`];
    return RUN_STATUSES.filter((s) => !filter.values.includes(s)).map((s) => `${identifier} != ${searchString(s)}`);
  }
  if (filter.values.length === 1) return [`${identifier} = ${searchString(filter.values[0] as string)}`];
  if (column.kind === 'attribute' && !identifier.startsWith('tags.')) {
    throw new RunsTableViewError(`MLflow search matches "${column.label}" against one value at a time; pick one.`);
  }
  return [`${identifier} IN (${filter.values.map(searchString).join(', ')})`];
}

/** `column = value` (or IS NULL) for each group-by column: the runs of one group. */
export function groupClauses(groupBy: readonly ColumnId[], key: readonly Cell[], columns: ReadonlyMap<ColumnId, ColumnDef>): string[] {
  if (key.length !== groupBy.length) throw new RunsTableViewError(`A group of this view has ${groupBy.length} values; got ${key.length}.`);
  return groupBy.map((id, i) => {
    const identifier = searchableIdentifier(id, columns, 'group by');
    const value = key[i];
    return value === null || value === undefined ? `${identifier} IS NULL` : `${identifier} = ${searchString(String(value))}`;
  });
}

/** The view's whole filter: the filter box, then each quick filter, joined with AND; checked by MLflow's parser. */
export function viewFilter(view: TableView, columns: ReadonlyMap<ColumnId, ColumnDef>, extra: readonly string[] = []): string {
  const typed = view.filter.trim();
  if (typed !== '') {
    try {
      parseRunFilter(typed);
    } catch (err) {
      throw new RunsTableViewError(errorMessage(err));
    }
  }
  const clauses = [...(typed === '' ? [] : [typed]), ...view.quickFilters.flatMap((f) => quickFilterClauses(f, view, columns)), ...extra];
  const filter = clauses.join(' and ');
  try {
    parseRunFilter(filter);
  } catch (err) {
    // A quick filter's own clause should always parse; if one does not, say which.
    throw new RunsTableViewError(`A quick filter could not be searched: ${errorMessage(err)}`);
  }
  return filter;
}

/** The view's sort as order_by entries, first key first; refuses columns the store cannot order by. */
export function viewOrderBy(sort: readonly SortKey[], view: TableView, columns: ReadonlyMap<ColumnId, ColumnDef>): string[] {
  return sort.map((key) => {
    const identifier = searchableIdentifier(key.columnId, columns, 'sort by');
    if (parseColumnId(key.columnId)?.kind === 'metric') refuseDerivedMetric(view, key.columnId, 'sort by');
    const clause = `${identifier} ${key.descending ? 'DESC' : 'ASC'}`;
    parseOrderBy(clause);
    return clause;
  });
}

/** Checks a view's structure against the columns: group-by columns are params or tags. */
export function checkGroupBy(view: TableView, columns: ReadonlyMap<ColumnId, ColumnDef>): void {
  for (const id of view.groupBy) {
    const column = columns.get(id);
    if (!column) throw new RunsTableViewError(`Cannot group by ${id}: no run has this column.`);
    if (column.kind !== 'param' && column.kind !== 'tag') throw new RunsTableViewError(`Group rows by params or tags; "${column.label}" is ${column.kind === 'metric' ? 'a metric' : 'an attribute'}.`);
  }
}
