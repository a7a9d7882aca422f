/**
 * The model registry of an MLflow SQLite database: registered_models, model_versions, their tag
 * tables and registered_model_aliases, in Labbook's model.
 */
import { groupTags, push } from './mlflowDbSchema.ts';
import type { MlflowDbSchema, SqlValue, TagRow } from './mlflowDbSchema.ts';
import { latestVersionPerStage } from '../registrySearch.ts';
import type { StagedVersion } from '../registrySearch.ts';
import type { ModelVersion, ModelVersionStatus, RegisteredModel, Tag } from '../types.ts';

/** MLflow keeps deleted model versions as rows in this stage. */
const DELETED_VERSION_STAGE = 'Deleted_Internal';

interface VersionRow {
  name: string;
  version: number;
  creation_time: number | null;
  last_updated_time: number | null;
  description: string | null;
  source: string | null;
  run_id: string | null;
  status: string | null;
  current_stage: string | null;
}

export class MlflowDbRegistry {
  private readonly schema: MlflowDbSchema;

  constructor(schema: MlflowDbSchema) {
    this.schema = schema;
  }

  hasRegistry(): boolean {
    return this.schema.hasTable('registered_models') && this.schema.hasTable('model_versions');
  }

  registeredModels(name?: string): RegisteredModel[] {
    if (!this.hasRegistry()) return [];
    const where: string[] = [];
    const args: SqlValue[] = [];
    this.schema.workspaceClause('registered_models', 'm', where, args);
    if (name !== undefined) {
      where.push('m.name = ?');
      args.push(name);
    }
    const sqlWhere = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.schema.db.prepare(`SELECT m.name, m.creation_time, m.last_updated_time, m.description FROM registered_models m ${sqlWhere} ORDER BY m.name`).all(...args) as {
      name: string;
      creation_time: number | null;
      last_updated_time: number | null;
      description: string | null;
    }[];
    const tags = this.schema.hasTable('registered_model_tags') ? groupTags(this.schema.scopedRows('registered_model_tags', 'SELECT name AS owner, key, value FROM registered_model_tags', name) as TagRow[]) : new Map<string, Tag[]>();
    const aliases = this.aliases(name);
    const versions = new Map<string, StagedVersion[]>();
    for (const staged of this.modelVersions(name)) push(versions, staged.version.name, staged);
    return rows.map((r) => ({
      name: r.name,
      creationTimestamp: r.creation_time ?? 0,
      lastUpdatedTimestamp: r.last_updated_time ?? r.creation_time ?? 0,
      description: r.description ?? '',
      tags: tags.get(r.name) ?? [],
      aliases: (aliases.get(r.name) ?? []).map((a) => ({ alias: a.alias, version: String(a.version) })),
      latestVersions: latestVersionPerStage(versions.get(r.name) ?? []),
    }));
  }

  /** Versions (with their MLflow stage) of one model or of all; deleted versions left out. */
  modelVersions(name?: string): StagedVersion[] {
    if (!this.hasRegistry()) return [];
    const rows = this.schema.scopedRows(
      'model_versions',
      `SELECT name, version, creation_time, last_updated_time, description, source, run_id, status, current_stage FROM model_versions WHERE (current_stage IS NULL OR current_stage != '${DELETED_VERSION_STAGE}')`,
      name,
      'ORDER BY name, version',
    ) as VersionRow[];
    const tags = new Map<string, Tag[]>();
    if (this.schema.hasTable('model_version_tags')) {
      const tagRows = this.schema.scopedRows('model_version_tags', 'SELECT name, version, key, value FROM model_version_tags', name, 'ORDER BY key') as { name: string; version: number; key: string; value: string | null }[];
      for (const t of tagRows) push(tags, `${t.name}\u0000${t.version}`, { key: t.key, value: t.value ?? '' });
    }
    const aliases = this.aliases(name);
    return rows.map((r) => ({
      stage: r.current_stage ?? 'None',
      version: {
        name: r.name,
        version: String(r.version),
        creationTimestamp: r.creation_time ?? 0,
        lastUpdatedTimestamp: r.last_updated_time ?? r.creation_time ?? 0,
        description: r.description ?? '',
        source: r.source ?? '',
        runId: r.run_id ?? '',
        status: versionStatus(r.status),
        tags: tags.get(`${r.name}\u0000${r.version}`) ?? [],
        aliases: (aliases.get(r.name) ?? []).filter((a) => a.version === r.version).map((a) => a.alias),
      } satisfies ModelVersion,
    }));
  }

  private aliases(name?: string): Map<string, { alias: string; version: number }[]> {
    if (!this.schema.hasTable('registered_model_aliases')) return new Map();
    const rows = this.schema.scopedRows('registered_model_aliases', 'SELECT name, alias, version FROM registered_model_aliases', name, 'ORDER BY alias') as { name: string; alias: string; version: number }[];
    const out = new Map<string, { alias: string; version: number }[]>();
    for (const row of rows) push(out, row.name, { alias: row.alias, version: row.version });
    return out;
  }

  /** Runs `select` (which may end in a WHERE) limited to this workspace and, if given, one model name. */
}

function versionStatus(status: string | null): ModelVersionStatus {
  return status === 'PENDING_REGISTRATION' || status === 'FAILED_REGISTRATION' ? status : 'READY';
}
