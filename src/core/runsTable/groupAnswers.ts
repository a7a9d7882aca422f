// The Runs Table's group answers, kept per metric column until the filter, the grouping or the
// store changes: a new sort of a grouped table, or a column scrolled back into view, is not
// aggregated again; a column asked for the first time is aggregated alone.
import type { ColumnId, GroupRow, MetricAggregates } from './types.ts';

/**
 * Answers for the same groups (one filter and grouping), each holding some columns' aggregates, as
 * one: the first answer's groups and counts, each with the aggregates of `columns` found in any answer.
 */
function mergeGroupAnswers(answers: readonly (readonly GroupRow[])[], columns: ReadonlySet<ColumnId>): GroupRow[] {
  const [first = []] = answers;
  const byKey = new Map<string, Record<ColumnId, MetricAggregates>>(first.map((g) => [JSON.stringify(g.key), {}]));
  for (const answer of answers) {
    for (const group of answer) {
      const metrics = byKey.get(JSON.stringify(group.key));
      if (!metrics) continue;
      for (const [id, aggregates] of Object.entries(group.metrics)) if (columns.has(id)) metrics[id] = aggregates;
    }
  }
  return first.map((g) => ({ ...g, metrics: byKey.get(JSON.stringify(g.key)) ?? {} }));
}

/** Group answers of one filter and grouping, by `metricValue:column` ('' for the groups alone). */
export class GroupAnswers {
  private base: string | undefined;
  private readonly byColumn = new Map<string, Promise<GroupRow[]>>();

  /** Forgets every answer (the store changed). */
  clear(): void {
    this.base = undefined;
    this.byColumn.clear();
  }

  /**
   * The groups under `base` (the filter and grouping) with the aggregates of `columns` (each as
   * `key(id)` names it): the ones not kept yet are computed together by `compute`.
   */
  async get(base: string, columns: readonly ColumnId[], key: (id: ColumnId) => string, compute: (columns: readonly ColumnId[]) => Promise<GroupRow[]>): Promise<GroupRow[]> {
    if (this.base !== base) {
      this.clear();
      this.base = base;
    }
    const cache = this.byColumn;
    const keys = columns.length > 0 ? columns.map(key) : [''];
    const missing = columns.filter((id) => !cache.has(key(id)));
    if (missing.length > 0 || !cache.has(keys[0] as string)) {
      const rows = compute(missing);
      const kept = missing.length > 0 ? missing.map(key) : [''];
      for (const k of kept) cache.set(k, rows);
      rows.catch(() => {
        for (const k of kept) if (cache.get(k) === rows) cache.delete(k);
      });
    }
    const answers = await Promise.all([...new Set(keys.map((k) => cache.get(k) as Promise<GroupRow[]>))]);
    return mergeGroupAnswers(answers, new Set(columns));
  }
}
