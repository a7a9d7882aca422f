// The defects the fuzz properties found, each as the shrunk counterexample in a plain unit test.
// Every one of these threw something other than its module's typed error, hung, or gave a 500.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LaunchError } from '../../../src/core/launch/errors.ts';
import { readRecipe } from '../../../src/core/launch/reproduce.ts';
import { MlflowRestClient } from '../../../src/core/mlflow/restClient.ts';
import { runMatches } from '../../../src/core/mlflow/searchEval.ts';
import { parseRunFilter } from '../../../src/core/mlflow/searchFilter.ts';
import { startLocalTrackingServer } from '../../../src/core/mlflow/server/localTrackingServer.ts';
import { parseNotebook } from '../../../src/core/notebook/readNotebook.ts';
import { CorruptEventFileError, readScalarEvents } from '../../../src/core/readers/tensorboard.ts';
import { parseFingerprints } from '../../../src/core/runDetails/launchFiles.ts';
import { TrackingError } from '../../../src/core/store/errors.ts';
import { parseMetaYaml, YamlSyntaxError } from '../../../src/core/store/mlflowFiles/metaYaml.ts';
import { MlrunsFileError, readRun } from '../../../src/core/store/mlflowFiles/mlrunsFiles.ts';
import { searchRegisteredModelsInMemory } from '../../../src/core/store/registrySearch.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Run } from '../../../src/core/store/types.ts';
import { frame } from '../readers/eventBytes.ts';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'labbook-fuzz-regression-'));
}

describe('fuzz regressions: what the properties found', function () {
  this.timeout(30_000);

  it('notebook: a traceback line that is an object with a non-function toString is read as its JSON', () => {
    const text = JSON.stringify({ nbformat: 4, cells: [{ cell_type: 'code', source: '', outputs: [{ output_type: 'error', traceback: [{ toString: 1 }, 'line'] }] }] });
    const output = parseNotebook(text, 'x.ipynb').cells[0]?.outputs[0];
    assert.ok(output?.outputType === 'error');
    assert.deepEqual(output.traceback, ['{"toString":1}', 'line']);
  });

  it("search: LIKE with many '%' over a long value answers at once instead of backtracking for minutes", () => {
    const run: Run = {
      info: { runId: 'r', runName: 'x'.repeat(250), experimentId: '1', userId: '', status: 'RUNNING', startTime: 0, endTime: null, artifactUri: '', lifecycleStage: 'active' },
      data: { metrics: [], params: [], tags: [] },
    };
    assert.equal(runMatches(run, parseRunFilter(`run_name LIKE '${'%x'.repeat(16)}%y'`)), false);
    assert.equal(runMatches(run, parseRunFilter(`run_name ILIKE '${'%X'.repeat(16)}%'`)), true);
    const models = [{ name: 'x'.repeat(250), creationTimestamp: 0, lastUpdatedTimestamp: 0, description: '', latestVersions: [], tags: [], aliases: [] }];
    assert.deepEqual(searchRegisteredModelsInMemory(models, { filter: `name LIKE '${'%x'.repeat(16)}%y'` }).items, []);
  });

  it('meta.yaml: an escape beyond Unicode is a YamlSyntaxError naming the line, not a RangeError', () => {
    assert.throws(() => parseMetaYaml('run_id: abc\nartifact_uri: "\\UFFFFFFFF"\n'), (err: unknown) => err instanceof YamlSyntaxError && err.line === 2);
  });

  it('meta.yaml: a run of "-" lines is "nesting too deep", not a stack overflow', () => {
    assert.throws(() => parseMetaYaml(`tags:\n${'-\n'.repeat(20_000)}`), (err: unknown) => err instanceof YamlSyntaxError && /nesting too deep/.test(err.message));
  });

  it('meta.yaml: a __proto__ key is an own key, and a mapping where a number belongs is an MlrunsFileError', async () => {
    const map = parseMetaYaml('a:\n  __proto__:\n    toString: 1\n');
    assert.deepEqual(Object.keys(map['a'] as object), ['__proto__']);
    assert.equal(Object.getPrototypeOf(map['a']), Object.prototype);
    const dir = tempDir();
    try {
      const runDir = path.join(dir, '1', 'abc');
      mkdirSync(runDir, { recursive: true });
      const file = path.join(runDir, 'meta.yaml');
      for (const value of ['\n  toString: 1', '\n  __proto__:\n    toString: 1']) {
        writeFileSync(file, `run_id: abc\nexperiment_id: '1'\nstart_time: ${value}\n`);
        await assert.rejects(readRun(runDir, '1'), (err: unknown) => err instanceof MlrunsFileError && err.file === file && /'start_time' should be a whole number/.test(err.message));
        writeFileSync(file, `run_id: abc\nexperiment_id: '1'\nstatus: ${value}\n`);
        await assert.rejects(readRun(runDir, '1'), (err: unknown) => err instanceof MlrunsFileError && /unknown run status/.test(err.message));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('event files: a record of nested protobuf groups is a corrupt record, not a stack overflow', () => {
    const bytes = frame(new Uint8Array(20_000).fill(0x0b));
    assert.throws(() => readScalarEvents(bytes), (err: unknown) => err instanceof CorruptEventFileError && err.reason === 'malformed-event' && err.offset === 0);
    assert.equal(readScalarEvents(bytes, { skipCorrupt: true }).corruptRecords, 1);
  });

  it('fingerprints.json: an mtime beyond the dates JavaScript has is no date, not a RangeError', () => {
    const { fingerprints, problems } = parseFingerprints(JSON.stringify([{ path: 'data.csv', mtime: 1e300 }]));
    assert.deepEqual(problems, []);
    assert.equal(fingerprints[0]?.mtime, null);
  });

  it('launch.json: a recipe without its git record is refused naming the field, not a TypeError in Reproduce', async () => {
    const dir = tempDir();
    const store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    try {
      const runId = (await store.createRun({ experimentId: await store.createExperiment('e') })).info.runId;
      const recipe = { version: 1, kind: 'script', file: 'a.py', cwd: '', root: '/r', rootKind: 'git', args: [], parameters: {}, envNames: [], dataPaths: [], python: 'python', experimentName: 'e', runName: 'r' };
      await store.writeArtifact(runId, 'labbook/launch.json', new TextEncoder().encode(JSON.stringify(recipe)));
      await assert.rejects(readRecipe(store, runId), (err: unknown) => err instanceof LaunchError && err.code === 'NO_RECIPE' && err.message.includes(runId) && /'git' should be an object/.test(err.message));
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('REST client: an error_code naming an Object.prototype member is INTERNAL_ERROR, not Object.prototype.hasOwnProperty', async () => {
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(429, { 'content-type': 'application/json' });
      res.end('{"error_code":"hasOwnProperty","message":""}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const client = new MlflowRestClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, retry: { maxAttempts: 1 } });
      await assert.rejects(client.post('/api/2.0/mlflow/runs/search', {}), (err: unknown) => err instanceof TrackingError && err.code === 'INTERNAL_ERROR');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  describe('the local endpoint', () => {
    let dir: string;
    let store: SqliteTrackingStore;
    let server: Awaited<ReturnType<typeof startLocalTrackingServer>>;
    let runId: string;
    const post = async (route: string, body: unknown): Promise<{ status: number; json: { error_code?: string } }> => {
      const response = await fetch(`${server.url}${route}`, {
        method: route.includes('artifacts/list') ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
        ...(route.includes('artifacts/list') ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, json: (await response.json()) as { error_code?: string } };
    };

    before(async () => {
      dir = tempDir();
      store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
      server = await startLocalTrackingServer({ store });
      runId = (await store.createRun({ experimentId: await store.createExperiment('e') })).info.runId;
    });
    after(async () => {
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('answers a malformed percent-escape in the path with 400, not 500', async () => {
      const reply = await post('/api/2.0/mlflow/logged-models/search%E0%A4%A', { experiment_ids: ['1'] });
      assert.deepEqual([reply.status, reply.json.error_code], [400, 'BAD_REQUEST']);
    });

    it('answers log-model with a model_json that is not JSON with 400, not 500', async () => {
      const reply = await post('/api/2.0/mlflow/runs/log-model', { run_id: runId, model_json: 'NaN' });
      assert.deepEqual([reply.status, reply.json.error_code], [400, 'INVALID_PARAMETER_VALUE']);
    });

    it('refuses to add to a log-model history tag that is not a JSON list, and keeps the tag', async () => {
      await store.setTag(runId, { key: 'mlflow.log-model.history', value: 'not json' });
      const reply = await post('/api/2.0/mlflow/runs/log-model', { run_id: runId, model_json: '{}' });
      assert.deepEqual([reply.status, reply.json.error_code], [400, 'INVALID_STATE']);
      const run = await store.getRun(runId);
      assert.equal(run.data.tags.find((t) => t.key === 'mlflow.log-model.history')?.value, 'not json');
    });

    it('answers an artifact path longer than a file name may be with 400, not ENAMETOOLONG as 500', async () => {
      const reply = await post(`/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=${'x'.repeat(300)}`, undefined);
      assert.deepEqual([reply.status, reply.json.error_code], [400, 'INVALID_PARAMETER_VALUE']);
    });
  });
});
