import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase, sqliteVersion, SqliteUnavailableError } from '../../../src/core/sqlite/openDatabase.ts';

describe('core/sqlite: opening databases', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-sqlite-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the SQLite version of the native addon', () => {
    assert.match(sqliteVersion({}), /^3\.\d+\.\d+$/);
  });

  it('creates the file in WAL mode with foreign keys on and the busy timeout set', () => {
    const file = path.join(dir, 'tracking.db');
    const db = openDatabase(file, {}, { busyTimeoutMs: 1234 });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
      assert.equal(db.pragma('busy_timeout', { simple: true }), 1234);
      db.exec('create table t (x integer)');
      db.prepare('insert into t values (?)').run(1);
      assert.ok(existsSync(`${file}-wal`));
    } finally {
      db.close();
    }
  });

  it('lets a second connection read while the first holds a write transaction', () => {
    const file = path.join(dir, 'shared.db');
    const writer = openDatabase(file, {});
    const reader = openDatabase(file, {});
    try {
      writer.exec('create table t (x integer)');
      writer.prepare('insert into t values (1)').run();
      writer.exec('begin immediate');
      writer.prepare('insert into t values (2)').run();
      // WAL: the reader sees the last committed state, not the open transaction, and is not blocked.
      assert.deepEqual(reader.prepare('select count(*) as n from t').get(), { n: 1 });
      writer.exec('commit');
      assert.deepEqual(reader.prepare('select count(*) as n from t').get(), { n: 2 });
    } finally {
      writer.close();
      reader.close();
    }
  });

  it('says clearly when the native addon is missing', () => {
    const missing = path.join(dir, 'nowhere', 'better_sqlite3.node');
    assert.throws(
      () => sqliteVersion({ nativeBinding: missing }),
      (err: unknown) => err instanceof SqliteUnavailableError && /could not be loaded/.test(err.message) && err.detail.includes('nowhere'),
    );
  });

  it('opens a database read-only without changing it', () => {
    const file = path.join(dir, 'ro.db');
    openDatabase(file, {}).close();
    const db = openDatabase(file, {}, { readonly: true });
    try {
      assert.throws(() => db.exec('create table t (x)'), /readonly/);
    } finally {
      db.close();
    }
  });
});
