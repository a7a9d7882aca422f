/**
 * What an MLflow SQLite database's schema holds, looked up once. MLflow added tables and columns
 * over the years (runs.name, latest_metrics, metrics.is_nan, registered_model_aliases, MLflow 3's
 * workspace); readers ask here and use them only when present, so older databases read too.
 */
import type { SqliteDatabase } from '../../sqlite/openDatabase.ts';
import type { Tag } from '../types.ts';

export type SqlValue = string | number | null;

export interface TagRow {
  owner: string | number;
  key: string;
  value: string | null;
}

export class MlflowDbSchema {
  readonly db: SqliteDatabase;
  /** MLflow 3 scopes experiments and the registry by workspace; older databases have none. */
  readonly workspace: string;
  private readonly tables: ReadonlySet<string>;
  private readonly columns: ReadonlyMap<string, ReadonlySet<string>>;

  constructor(db: SqliteDatabase, workspace: string) {
    this.db = db;
    this.workspace = workspace;
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
    const columns = new Map<string, Set<string>>();
    for (const table of tables) {
      const info = db.prepare(`PRAGMA table_info("${table.replaceAll('"', '""')}")`).all() as { name: string }[];
      columns.set(table, new Set(info.map((c) => c.name)));
    }
    this.tables = tables;
    this.columns = columns;
  }

  /** The tables without which this is not an MLflow tracking database. */
  missingCoreTables(): string[] {
    return ['experiments', 'runs', 'params', 'tags', 'metrics'].filter((t) => !this.tables.has(t));
  }

  hasTable(table: string): boolean {
    return this.tables.has(table);
  }

  has(table: string, column: string): boolean {
    return this.columns.get(table)?.has(column) ?? false;
  }

  /** `alias.column`, or `fallback AS column` for a column this schema version lacks. */
  optional(table: string, column: string, alias: string, fallback: string): string {
    if (!this.has(table, column)) return `${fallback} AS ${column}`;
    return alias === '' ? column : `${alias}.${column} AS ${column}`;
  }

  /** Adds `workspace = ?` for tables that have the column. */
  workspaceClause(table: string, alias: string, where: string[], args: SqlValue[]): void {
    if (!this.has(table, 'workspace')) return;
    where.push(`${alias === '' ? '' : `${alias}.`}workspace = ?`);
    args.push(this.workspace);
  }

  /** Runs `select` (which may end in a WHERE) limited to this workspace and, if given, one model name. */
  scopedRows(table: string, select: string, name: string | undefined, orderBy = ''): unknown[] {
    const where: string[] = [];
    const args: SqlValue[] = [];
    this.workspaceClause(table, '', where, args);
    if (name !== undefined) {
      where.push('name = ?');
      args.push(name);
    }
    const joiner = /\bWHERE\b/.test(select) ? ' AND ' : ' WHERE ';
    const sql = where.length > 0 ? `${select}${joiner}${where.join(' AND ')} ${orderBy}` : `${select} ${orderBy}`;
    return this.db.prepare(sql).all(...args);
  }
}

export function groupTags(rows: readonly TagRow[]): Map<string, Tag[]> {
  const out = new Map<string, Tag[]>();
  for (const row of rows) push(out, String(row.owner), { key: row.key, value: row.value ?? '' });
  return out;
}

export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
