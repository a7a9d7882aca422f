// Profiling at launch, with a real tracked run of a small Python script: the declared CSV and the
// Parquet file the script was seen reading are profiled beside the process into
// labbook/data/profile.json; a corrupt declared file is listed with its reason and the run still
// FINISHES; with profiling off, or without tabular inputs, no profile artifact is written.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ARTIFACTS } from '../../../src/core/launch/conventions.ts';
import { launchTrackedRun } from '../../../src/core/launch/launchTrackedRun.ts';
import { withDuckdb, sqlString } from '../../../src/core/profile/duckdb.ts';
import type { RunProfiles } from '../../../src/core/profile/types.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { QUIET_PYTHON_ENV, testPython } from '../../support/python.ts';

const SCRIPT = `import sys
rows = open('data/train.csv').read().splitlines()
extra = open('data/extra.parquet', 'rb').read()
print('read', len(rows) - 1, 'rows and', len(extra), 'bytes')
`;

describe('core/launch: data profiles of a tracked run', function () {
  this.timeout(180_000);
  let dir: string;
  let project: string;
  let store: SqliteTrackingStore;

  const launch = async (dataPaths: string[], profileData?: boolean) => {
    const run = await launchTrackedRun({
      store, python: testPython(), trackingUri: 'http://127.0.0.1:9', experimentName: 'profiles', owner: 'test', cwd: project, env: QUIET_PYTHON_ENV,
      spoolDir: path.join(dir, 'spool'), program: { kind: 'script', file: 'train.py' }, dataPaths,
      ...(profileData === undefined ? {} : { profileData }),
    });
    const outcome = await run.done;
    await run.captured;
    return { runId: run.runId, outcome };
  };
  const profiles = async (runId: string): Promise<RunProfiles | undefined> =>
    store.readArtifact(runId, ARTIFACTS.dataProfile).then((b) => JSON.parse(new TextDecoder().decode(b)) as RunProfiles, () => undefined);

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-launch-profile-'));
    project = path.join(dir, 'project');
    mkdirSync(path.join(project, 'data'), { recursive: true });
    writeFileSync(path.join(project, 'train.py'), SCRIPT);
    writeFileSync(path.join(project, 'data', 'train.csv'), `age,city\n${Array.from({ length: 40 }, (_, i) => `${20 + (i % 30)},${['Paris', 'Lyon', 'Nice'][i % 3]}`).join('\n')}\n`);
    await withDuckdb((c) => c.run(`COPY (SELECT range AS n, range * 0.5 AS half FROM range(25)) TO ${sqlString(path.join(project, 'data', 'extra.parquet'))} (FORMAT parquet)`));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('profiles the declared CSV and the observed Parquet input into labbook/data/profile.json', async () => {
    const { runId, outcome } = await launch(['data/train.csv']);
    assert.equal(outcome.status, 'FINISHED');
    const stored = await profiles(runId);
    assert.ok(stored, 'labbook/data/profile.json was written');
    assert.equal(stored.format, 'labbook.profiles/1');
    assert.deepEqual(stored.failures, []);
    assert.deepEqual(stored.profiles.map((p) => p.source.path), ['data/train.csv', 'data/extra.parquet'], 'declared first, then the observed input');
    const [train, extra] = stored.profiles;
    assert.equal(train?.rows, 40);
    assert.deepEqual(train?.columns.map((c) => [c.name, c.kind]), [['age', 'numeric'], ['city', 'categorical']]);
    assert.deepEqual(train?.columns[1]?.topValues?.map((t) => t.count), [14, 13, 13]);
    assert.equal(extra?.source.format, 'parquet');
    assert.equal(extra?.rows, 25);
    assert.equal(extra?.columns.find((c) => c.name === 'half')?.max, 12);
  });

  it('a declared file that cannot be profiled is listed with its reason, and the run still finishes', async () => {
    writeFileSync(path.join(project, 'data', 'broken.csv'), 'a,b\n1,2\n3,4,5,6\n"unterminated\n');
    writeFileSync(path.join(project, 'data', 'empty.csv'), '');
    const { runId, outcome } = await launch(['data/train.csv', 'data/broken.csv', 'data/empty.csv']);
    assert.equal(outcome.status, 'FINISHED');
    const stored = await profiles(runId);
    assert.ok(stored);
    assert.deepEqual(stored.failures.map((f) => f.path).sort(), ['data/broken.csv', 'data/empty.csv']);
    assert.match(stored.failures.find((f) => f.path === 'data/empty.csv')?.error ?? '', /is empty/);
    assert.match(stored.failures.find((f) => f.path === 'data/broken.csv')?.error ?? '', /cannot be read as CSV/);
    assert.ok(stored.profiles.some((p) => p.source.path === 'data/train.csv'));
  });

  it('with profiling off, no profile artifact', async () => {
    const { runId, outcome } = await launch(['data/train.csv'], false);
    assert.equal(outcome.status, 'FINISHED');
    assert.equal(await profiles(runId), undefined);
  });
});
