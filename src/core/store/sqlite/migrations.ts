import type { SqliteDatabase } from '../../sqlite/openDatabase.ts';
import { TrackingError } from '../errors.ts';

/**
 * Versioned schema migrations, tracked in `PRAGMA user_version`. Append only: a released
 * migration never changes. Each runs in one IMMEDIATE transaction, so two windows opening a new
 * store at once migrate it exactly once.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: experiments, runs, params, tags, metrics, registry, logged models.
  `
  CREATE TABLE experiments (
    experiment_id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    artifact_location TEXT NOT NULL,
    lifecycle_stage TEXT NOT NULL DEFAULT 'active',
    creation_time INTEGER NOT NULL,
    last_update_time INTEGER NOT NULL
  );
  CREATE TABLE experiment_tags (
    experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id) ON DELETE CASCADE,
    key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (experiment_id, key)
  ) WITHOUT ROWID;
  CREATE TABLE runs (
    run_key INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL UNIQUE,
    experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
    run_name TEXT NOT NULL,
    user_id TEXT NOT NULL,
    status TEXT NOT NULL,
    start_time INTEGER NOT NULL,
    end_time INTEGER,
    artifact_uri TEXT NOT NULL,
    lifecycle_stage TEXT NOT NULL DEFAULT 'active',
    deleted_time INTEGER
  );
  CREATE INDEX runs_by_experiment ON runs (experiment_id, lifecycle_stage, start_time DESC, run_id);
  CREATE TABLE params (
    run_key INTEGER NOT NULL REFERENCES runs(run_key) ON DELETE CASCADE,
    key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (run_key, key)
  ) WITHOUT ROWID;
  CREATE INDEX params_by_key ON params (key, value);
  CREATE TABLE tags (
    run_key INTEGER NOT NULL REFERENCES runs(run_key) ON DELETE CASCADE,
    key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (run_key, key)
  ) WITHOUT ROWID;
  CREATE INDEX tags_by_key ON tags (key, value);
  -- Every point; the key makes an exact duplicate (a retried batch) a no-op, as in MLflow.
  CREATE TABLE metrics (
    run_key INTEGER NOT NULL REFERENCES runs(run_key) ON DELETE CASCADE,
    key TEXT NOT NULL,
    step INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    value REAL NOT NULL,
    is_nan INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_key, key, step, timestamp, value, is_nan)
  ) WITHOUT ROWID;
  -- Pre-aggregated tiles of each history at widths 32^level steps (level 1..4), kept up to date
  -- at ingest, so a downsampled view of a million points reads thousands of tiles, not the points.
  CREATE TABLE metric_tiles (
    run_key INTEGER NOT NULL REFERENCES runs(run_key) ON DELETE CASCADE,
    key TEXT NOT NULL,
    level INTEGER NOT NULL,
    tile INTEGER NOT NULL,
    count INTEGER NOT NULL,
    min REAL,
    max REAL,
    first_step INTEGER NOT NULL,
    last_step INTEGER NOT NULL,
    last_timestamp INTEGER NOT NULL,
    last_value REAL,
    PRIMARY KEY (run_key, key, level, tile)
  ) WITHOUT ROWID;
  CREATE TABLE latest_metrics (
    run_key INTEGER NOT NULL REFERENCES runs(run_key) ON DELETE CASCADE,
    key TEXT NOT NULL,
    step INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    value REAL NOT NULL,
    is_nan INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_key, key)
  ) WITHOUT ROWID;
  CREATE INDEX latest_metrics_by_key ON latest_metrics (key, value);
  CREATE TABLE registered_models (
    name TEXT PRIMARY KEY,
    creation_time INTEGER NOT NULL,
    last_updated_time INTEGER NOT NULL,
    description TEXT NOT NULL DEFAULT ''
  );
  CREATE TABLE registered_model_tags (
    name TEXT NOT NULL REFERENCES registered_models(name) ON DELETE CASCADE ON UPDATE CASCADE,
    key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (name, key)
  ) WITHOUT ROWID;
  CREATE TABLE model_versions (
    name TEXT NOT NULL REFERENCES registered_models(name) ON DELETE CASCADE ON UPDATE CASCADE,
    version INTEGER NOT NULL,
    creation_time INTEGER NOT NULL,
    last_updated_time INTEGER NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    run_id TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'READY',
    PRIMARY KEY (name, version)
  );
  CREATE TABLE model_version_tags (
    name TEXT NOT NULL, version INTEGER NOT NULL,
    key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (name, version, key),
    FOREIGN KEY (name, version) REFERENCES model_versions(name, version) ON DELETE CASCADE ON UPDATE CASCADE
  ) WITHOUT ROWID;
  CREATE TABLE registered_model_aliases (
    name TEXT NOT NULL REFERENCES registered_models(name) ON DELETE CASCADE ON UPDATE CASCADE,
    alias TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (name, alias)
  ) WITHOUT ROWID;
  -- MLflow 3 LoggedModel entities (mlflow.<flavor>.log_model records one per call).
  CREATE TABLE logged_models (
    model_id TEXT PRIMARY KEY,
    experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
    name TEXT NOT NULL,
    artifact_location TEXT NOT NULL,
    creation_timestamp INTEGER NOT NULL,
    last_updated_timestamp INTEGER NOT NULL,
    status TEXT NOT NULL,
    status_message TEXT,
    lifecycle_stage TEXT NOT NULL DEFAULT 'active',
    model_type TEXT,
    source_run_id TEXT
  );
  CREATE TABLE logged_model_params (
    model_id TEXT NOT NULL REFERENCES logged_models(model_id) ON DELETE CASCADE,
    key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (model_id, key)
  ) WITHOUT ROWID;
  CREATE TABLE logged_model_tags (
    model_id TEXT NOT NULL REFERENCES logged_models(model_id) ON DELETE CASCADE,
    key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (model_id, key)
  ) WITHOUT ROWID;
  -- Bumped by every write transaction, so any connection can tell cheaply that something changed.
  CREATE TABLE store_meta (id INTEGER PRIMARY KEY CHECK (id = 1), change_seq INTEGER NOT NULL);
  INSERT INTO store_meta (id, change_seq) VALUES (1, 0);
  -- Inputs (datasets, models) and outputs logged to a run, kept as the client sent them.
  CREATE TABLE run_io (
    run_key INTEGER NOT NULL REFERENCES runs(run_key) ON DELETE CASCADE,
    direction TEXT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (run_key, direction, payload)
  ) WITHOUT ROWID;
  INSERT INTO experiments (experiment_id, name, artifact_location, creation_time, last_update_time)
    VALUES (0, 'Default', 'mlflow-artifacts:/0', CAST(strftime('%s','now') AS INTEGER) * 1000, CAST(strftime('%s','now') AS INTEGER) * 1000);
  `,
  // 2: MLflow 3's model-linked metrics (`log_metric(..., model_id=…)`), each with its run and
  // dataset, which logged-models/get returns as the model's metrics and search filters on.
  `
  CREATE TABLE logged_model_metrics (
    model_id TEXT NOT NULL,
    run_id TEXT NOT NULL DEFAULT '',
    key TEXT NOT NULL,
    step INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    value REAL NOT NULL,
    is_nan INTEGER NOT NULL DEFAULT 0,
    dataset_name TEXT NOT NULL DEFAULT '',
    dataset_digest TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (model_id, key, step, timestamp, value, is_nan, run_id, dataset_name, dataset_digest)
  ) WITHOUT ROWID;
  -- run_io again, with a sequence number: MLflow returns a run's inputs in the order logged.
  CREATE TABLE run_io_ordered (
    seq INTEGER PRIMARY KEY,
    run_key INTEGER NOT NULL REFERENCES runs(run_key) ON DELETE CASCADE,
    direction TEXT NOT NULL,
    payload TEXT NOT NULL,
    UNIQUE (run_key, direction, payload)
  );
  INSERT INTO run_io_ordered (run_key, direction, payload) SELECT run_key, direction, payload FROM run_io;
  DROP TABLE run_io;
  ALTER TABLE run_io_ordered RENAME TO run_io;
  `,
  // 3: the run queue and sweeps (src/core/queue, src/core/sweep). Items are claimed in one
  // UPDATE … RETURNING under SQLite's write lock, so two workers never take the same item.
  // `pool` says which workers may run an item ('' the editor windows, 'cli' a `labbook sweep run`);
  // `worker_host` lets recovery judge only the workers of its own machine (pids mean nothing elsewhere).
  `
  CREATE TABLE queue_state (id INTEGER PRIMARY KEY CHECK (id = 1), paused INTEGER NOT NULL DEFAULT 0);
  INSERT INTO queue_state (id, paused) VALUES (1, 0);
  CREATE TABLE sweeps (
    sweep_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    file TEXT NOT NULL DEFAULT '',
    spec TEXT NOT NULL,
    state TEXT NOT NULL,
    parallelism INTEGER NOT NULL,
    parent_run_id TEXT NOT NULL DEFAULT '',
    experiment_id TEXT NOT NULL DEFAULT '',
    target TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL DEFAULT '',
    owner_seen INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    ended_at INTEGER,
    note TEXT NOT NULL DEFAULT '',
    pool TEXT NOT NULL DEFAULT '',
    paused_ms INTEGER NOT NULL DEFAULT 0,
    paused_at INTEGER
  );
  CREATE TABLE sweep_trials (
    sweep_id TEXT NOT NULL REFERENCES sweeps(sweep_id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    params TEXT NOT NULL,
    state TEXT NOT NULL,
    value REAL,
    optuna_number INTEGER,
    created_at INTEGER NOT NULL,
    ended_at INTEGER,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (sweep_id, number)
  ) WITHOUT ROWID;
  CREATE TABLE queue_items (
    item_id INTEGER PRIMARY KEY,
    position REAL NOT NULL,
    state TEXT NOT NULL,
    label TEXT NOT NULL,
    launch TEXT NOT NULL,
    sweep_id TEXT REFERENCES sweeps(sweep_id) ON DELETE CASCADE,
    trial_number INTEGER,
    seed INTEGER,
    run_now INTEGER NOT NULL DEFAULT 0,
    stop_requested TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    worker_id TEXT,
    worker_pid INTEGER,
    run_id TEXT,
    run_pid INTEGER,
    gpu TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    ended_at INTEGER,
    error TEXT,
    pool TEXT NOT NULL DEFAULT '',
    worker_host TEXT
  );
  CREATE INDEX queue_items_waiting ON queue_items (state, run_now DESC, position);
  CREATE INDEX queue_items_sweep ON queue_items (sweep_id, trial_number);
  `,
  // 4: tiles 64 steps wide (level 6, between levels 1 and 2: see metricTiles.ts), built from the
  // 16-step tiles: four of them make one (floor division, so negative steps too), and a tile's
  // last point is its last 16-step tile's (tiles of a level hold disjoint, ordered step ranges).
  // Level 6 is emptied first: only a build from before this release could have written any.
  `
  DELETE FROM metric_tiles WHERE level = 6;
  INSERT INTO metric_tiles (run_key, key, level, tile, count, min, max, first_step, last_step, last_timestamp, last_value)
  SELECT g.run_key, g.key, 6, g.parent, g.count, g.low, g.high, g.first_step, t.last_step, t.last_timestamp, t.last_value
  FROM (
    SELECT run_key, key, CASE WHEN tile >= 0 THEN tile / 4 ELSE -((3 - tile) / 4) END AS parent,
           sum(count) AS count, min(min) AS low, max(max) AS high, min(first_step) AS first_step, max(tile) AS last_tile
    FROM metric_tiles WHERE level = 1 GROUP BY run_key, key, parent
  ) AS g
  JOIN metric_tiles AS t ON t.run_key = g.run_key AND t.key = g.key AND t.level = 1 AND t.tile = g.last_tile;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to SCHEMA_VERSION; refuses a database written by a newer Labbook. */
export function migrate(db: SqliteDatabase): void {
  const current = () => Number(db.pragma('user_version', { simple: true }));
  if (current() > SCHEMA_VERSION) {
    throw new TrackingError(
      'INVALID_STATE',
      `This tracking store was written by a newer Labbook (schema ${current()}; this one knows ${SCHEMA_VERSION}). Update Labbook to open it.`,
    );
  }
  while (current() < SCHEMA_VERSION) {
    db.transaction(() => {
      const version = current();
      if (version >= SCHEMA_VERSION) return;
      db.exec(MIGRATIONS[version] ?? '');
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
