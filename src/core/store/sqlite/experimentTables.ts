import type { SqliteDatabase } from '../../sqlite/openDatabase.ts';
import { ArtifactFolder } from '../artifactFolder.ts';
import { invalidParameter, notFound, TrackingError } from '../errors.ts';
import type { Experiment, LifecycleStage, Page, SearchExperimentsQuery, Tag } from '../types.ts';
import { searchExperimentRows } from './sqliteSearch.ts';

export interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
}

/** The experiments and their tags in the local store. Callers hold the write transaction. */
export class ExperimentTables {
  private readonly db: SqliteDatabase;
  private readonly now: () => number;

  constructor(db: SqliteDatabase, now: () => number) {
    this.db = db;
    this.now = now;
  }

  create(name: string, options: { artifactLocation?: string; tags?: readonly Tag[] }): string {
    if (this.db.prepare('SELECT 1 FROM experiments WHERE name = ?').get(name)) {
      throw new TrackingError('RESOURCE_ALREADY_EXISTS', `Experiment '${name}' already exists.`);
    }
    const now = this.now();
    const id = Number(
      this.db.prepare("INSERT INTO experiments (name, artifact_location, creation_time, last_update_time) VALUES (?, '', ?, ?)").run(name, now, now).lastInsertRowid,
    );
    const location = options.artifactLocation ?? ArtifactFolder.experimentUri(String(id));
    this.db.prepare('UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?').run(location, id);
    const setTag = this.db.prepare('INSERT OR REPLACE INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)');
    for (const tag of options.tags ?? []) setTag.run(id, tag.key, tag.value);
    return String(id);
  }

  get(experimentId: string): Experiment {
    return this.fromRow(this.row(experimentId));
  }

  getByName(name: string): Experiment | undefined {
    const row = this.db.prepare('SELECT * FROM experiments WHERE name = ?').get(name) as ExperimentRow | undefined;
    return row ? this.fromRow(row) : undefined;
  }

  search(query: SearchExperimentsQuery): Page<Experiment> {
    const page = searchExperimentRows<ExperimentRow>(this.db, query);
    return { items: page.rows.map((r) => this.fromRow(r)), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  }

  rename(experimentId: string, newName: string): void {
    const exp = this.row(experimentId);
    if (exp.lifecycle_stage !== 'active') throw new TrackingError('INVALID_STATE', `Cannot rename a non-active experiment (id=${experimentId}).`);
    const clash = this.db.prepare('SELECT experiment_id FROM experiments WHERE name = ?').get(newName) as { experiment_id: number } | undefined;
    if (clash && clash.experiment_id !== exp.experiment_id) throw new TrackingError('RESOURCE_ALREADY_EXISTS', `Experiment '${newName}' already exists.`);
    this.db.prepare('UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?').run(newName, this.now(), exp.experiment_id);
  }

  setStage(experimentId: string, stage: LifecycleStage): void {
    const exp = this.row(experimentId);
    if (stage === 'deleted' && exp.experiment_id === 0) throw invalidParameter('Cannot delete the default experiment (id=0).');
    const now = this.now();
    this.db.prepare('UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?').run(stage, now, exp.experiment_id);
    // Like MLflow, the experiment's runs follow it into (and out of) the trash.
    this.db
      .prepare('UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE experiment_id = ?')
      .run(stage, stage === 'deleted' ? now : null, exp.experiment_id);
  }

  setTag(experimentId: string, tag: Tag): void {
    const exp = this.row(experimentId);
    this.db.prepare('INSERT OR REPLACE INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)').run(exp.experiment_id, tag.key, tag.value);
  }

  deleteTag(experimentId: string, key: string): void {
    const exp = this.row(experimentId);
    const removed = this.db.prepare('DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?').run(exp.experiment_id, key).changes;
    if (removed === 0) throw notFound(`No tag with name: ${key} in experiment with id ${experimentId}`);
  }

  row(experimentId: string): ExperimentRow {
    const row = this.db.prepare('SELECT * FROM experiments WHERE experiment_id = ?').get(experimentIdNumber(experimentId)) as ExperimentRow | undefined;
    if (!row) throw notFound(`No Experiment with id=${experimentId} exists`);
    return row;
  }

  private fromRow(row: ExperimentRow): Experiment {
    const tags = this.db.prepare('SELECT key, value FROM experiment_tags WHERE experiment_id = ? ORDER BY key').all(row.experiment_id) as Tag[];
    return {
      experimentId: String(row.experiment_id),
      name: row.name,
      artifactLocation: row.artifact_location,
      lifecycleStage: row.lifecycle_stage as LifecycleStage,
      creationTime: row.creation_time,
      lastUpdateTime: row.last_update_time,
      tags,
    };
  }
}

function experimentIdNumber(experimentId: string): number {
  if (!/^\d+$/.test(String(experimentId))) throw invalidParameter(`Invalid experiment ID: '${experimentId}'.`);
  return Number(experimentId);
}
