import type { SqliteDatabase } from '../../sqlite/openDatabase.ts';
import { invalidParameter, notFound, TrackingError } from '../errors.ts';
import { decodePageToken, encodePageToken, pageSize } from '../pageToken.ts';
import type { ModelVersion, ModelVersionStatus, Page, RegisteredModel, SearchRegistryQuery, Tag } from '../types.ts';

interface ModelRow {
  name: string;
  creation_time: number;
  last_updated_time: number;
  description: string;
}

interface VersionRow {
  name: string;
  version: number;
  creation_time: number;
  last_updated_time: number;
  description: string;
  source: string;
  run_id: string;
  status: string;
}

/** The model registry tables of the local store. Callers hold the write transaction. */
export class RegistryTables {
  private readonly db: SqliteDatabase;
  private readonly now: () => number;

  constructor(db: SqliteDatabase, now: () => number) {
    this.db = db;
    this.now = now;
  }

  createModel(name: string, options: { description?: string; tags?: readonly Tag[] } = {}): RegisteredModel {
    if (!name) throw invalidParameter('Registered model name cannot be empty.');
    if (this.modelRow(name, false)) throw new TrackingError('RESOURCE_ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`);
    const now = this.now();
    this.db.prepare('INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (?, ?, ?, ?)').run(name, now, now, options.description ?? '');
    for (const tag of options.tags ?? []) this.setModelTag(name, tag);
    return this.getModel(name);
  }

  getModel(name: string): RegisteredModel {
    const row = this.modelRow(name, true);
    return this.modelFromRow(row);
  }

  searchModels(query: SearchRegistryQuery = {}): Page<RegisteredModel> {
    const { where, args } = nameFilter(query.filter, 'name');
    const size = pageSize(query.maxResults, 100, 1000);
    const offset = decodePageToken(query.pageToken);
    const rows = this.db.prepare(`SELECT * FROM registered_models ${where} ORDER BY name LIMIT ? OFFSET ?`).all(...args, size + 1, offset) as ModelRow[];
    return page(rows.slice(0, size).map((r) => this.modelFromRow(r)), rows.length > size, offset + size);
  }

  deleteModel(name: string): void {
    this.modelRow(name, true);
    this.db.prepare('DELETE FROM registered_models WHERE name = ?').run(name);
  }

  setModelTag(name: string, tag: Tag): void {
    this.modelRow(name, true);
    this.db.prepare('INSERT OR REPLACE INTO registered_model_tags (name, key, value) VALUES (?, ?, ?)').run(name, tag.key, tag.value);
    this.touch(name);
  }

  createVersion(name: string, source: string, runId: string, options: { description?: string; tags?: readonly Tag[] } = {}): ModelVersion {
    if (!source) throw invalidParameter('A model version needs a source (e.g. runs:/<run id>/model).');
    this.modelRow(name, true);
    const { next } = this.db.prepare('SELECT coalesce(max(version), 0) + 1 AS next FROM model_versions WHERE name = ?').get(name) as { next: number };
    const now = this.now();
    this.db
      .prepare("INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, source, run_id, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'READY')")
      .run(name, next, now, now, options.description ?? '', source, runId ?? '');
    for (const tag of options.tags ?? []) this.setVersionTag(name, String(next), tag);
    this.touch(name);
    return this.getVersion(name, String(next));
  }

  getVersion(name: string, version: string): ModelVersion {
    const row = this.db.prepare('SELECT * FROM model_versions WHERE name = ? AND version = ?').get(name, versionNumber(version)) as VersionRow | undefined;
    if (!row) throw notFound(`Model Version (name=${name}, version=${version}) not found`);
    return this.versionFromRow(row);
  }

  searchVersions(query: SearchRegistryQuery = {}): Page<ModelVersion> {
    // MLflow's clients filter versions by `source_path`; the column is `source`.
    const { where, args } = nameFilter(query.filter, 'name', ['run_id', 'source', 'source_path']);
    const size = pageSize(query.maxResults, 200_000, 200_000);
    const offset = decodePageToken(query.pageToken);
    const rows = this.db.prepare(`SELECT * FROM model_versions ${where} ORDER BY name, version DESC LIMIT ? OFFSET ?`).all(...args, size + 1, offset) as VersionRow[];
    return page(rows.slice(0, size).map((r) => this.versionFromRow(r)), rows.length > size, offset + size);
  }

  setVersionTag(name: string, version: string, tag: Tag): void {
    this.getVersion(name, version);
    this.db.prepare('INSERT OR REPLACE INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, ?)').run(name, versionNumber(version), tag.key, tag.value);
  }

  setAlias(name: string, alias: string, version: string): void {
    // MLflow reserves 'latest' and names that look like versions (v1, V2…).
    if (!alias || /^latest$/i.test(alias) || /^v\d+$/i.test(alias)) throw invalidParameter(`'${alias}' cannot be used as a model alias.`);
    this.getVersion(name, version);
    this.db.prepare('INSERT OR REPLACE INTO registered_model_aliases (name, alias, version) VALUES (?, ?, ?)').run(name, alias, versionNumber(version));
    this.touch(name);
  }

  deleteAlias(name: string, alias: string): void {
    this.modelRow(name, true);
    this.db.prepare('DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?').run(name, alias);
    this.touch(name);
  }

  getVersionByAlias(name: string, alias: string): ModelVersion {
    const row = this.db.prepare('SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?').get(name, alias) as { version: number } | undefined;
    if (!row) throw notFound(`Registered model alias ${alias} not found.`);
    return this.getVersion(name, String(row.version));
  }

  private touch(name: string): void {
    this.db.prepare('UPDATE registered_models SET last_updated_time = ? WHERE name = ?').run(this.now(), name);
  }

  private modelRow(name: string, required: true): ModelRow;
  private modelRow(name: string, required: false): ModelRow | undefined;
  private modelRow(name: string, required: boolean): ModelRow | undefined {
    const row = this.db.prepare('SELECT * FROM registered_models WHERE name = ?').get(name) as ModelRow | undefined;
    if (!row && required) throw notFound(`Registered Model with name=${name} not found`);
    return row;
  }

  private modelFromRow(row: ModelRow): RegisteredModel {
    const tags = this.db.prepare('SELECT key, value FROM registered_model_tags WHERE name = ? ORDER BY key').all(row.name) as Tag[];
    const aliases = (this.db.prepare('SELECT alias, version FROM registered_model_aliases WHERE name = ? ORDER BY alias').all(row.name) as { alias: string; version: number }[])
      .map((a) => ({ alias: a.alias, version: String(a.version) }));
    const latest = this.db.prepare('SELECT * FROM model_versions WHERE name = ? ORDER BY version DESC LIMIT 1').get(row.name) as VersionRow | undefined;
    return {
      name: row.name,
      creationTimestamp: row.creation_time,
      lastUpdatedTimestamp: row.last_updated_time,
      description: row.description,
      tags,
      aliases,
      latestVersions: latest ? [this.versionFromRow(latest)] : [],
    };
  }

  private versionFromRow(row: VersionRow): ModelVersion {
    const tags = this.db.prepare('SELECT key, value FROM model_version_tags WHERE name = ? AND version = ? ORDER BY key').all(row.name, row.version) as Tag[];
    const aliases = (this.db.prepare('SELECT alias FROM registered_model_aliases WHERE name = ? AND version = ? ORDER BY alias').all(row.name, row.version) as { alias: string }[]).map((a) => a.alias);
    return {
      name: row.name,
      version: String(row.version),
      creationTimestamp: row.creation_time,
      lastUpdatedTimestamp: row.last_updated_time,
      description: row.description,
      source: row.source,
      runId: row.run_id,
      status: row.status as ModelVersionStatus,
      tags,
      aliases,
    };
  }
}

function versionNumber(version: string): number {
  if (!/^\d+$/.test(String(version))) throw invalidParameter(`Model version must be an integer, got '${version}'.`);
  return Number(version);
}

function page<T>(items: T[], more: boolean, nextOffset: number): Page<T> {
  return more ? { items, nextPageToken: encodePageToken(nextOffset) } : { items };
}

/**
 * The registry search filters MLflow clients send: `name = 'x'`, `name LIKE 'x%'`,
 * `name ILIKE …`, and for versions also `run_id = '…'` / `source = '…'`, joined by AND.
 */
function nameFilter(filter: string | undefined, nameColumn: string, extra: readonly string[] = []): { where: string; args: string[] } {
  const text = (filter ?? '').trim();
  if (!text) return { where: '', args: [] };
  const columns = new Set([nameColumn, ...extra]);
  const clause = /^\s*([a-z_]+)\s*(=|!=|LIKE|ILIKE)\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*/i;
  const parts: string[] = [];
  const args: string[] = [];
  let rest = text;
  for (let i = 0; rest && i < 20; i++) {
    const m = clause.exec(rest);
    const column = m?.[1]?.toLowerCase();
    if (!m || !column || !columns.has(column)) {
      throw invalidParameter(`Invalid filter '${text}': expected ${[...columns].join(' or ')} compared with =, !=, LIKE or ILIKE to a quoted string.`);
    }
    const op = (m[2] ?? '=').toUpperCase();
    const value = m[3] ?? m[4] ?? '';
    const sqlColumn = column === 'source_path' ? 'source' : column;
    parts.push(op === 'ILIKE' ? `lower(${sqlColumn}) LIKE lower(?)` : `${sqlColumn} ${op} ?`);
    args.push(value);
    rest = rest.slice(m[0].length);
    const and = /^AND\s+/i.exec(rest);
    if (and) rest = rest.slice(and[0].length);
    else if (rest) throw invalidParameter(`Invalid filter '${text}': clauses must be joined with AND.`);
  }
  return { where: `WHERE ${parts.join(' AND ')}`, args };
}
