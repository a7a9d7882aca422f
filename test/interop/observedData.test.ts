// Data observed with no settings, through the real launch and real Python (pandas, pyarrow,
// PyYAML, joblib): the training fixture's record holds exactly its three inputs (the config, the
// CSV named on its command line, the Parquet folder read through pyarrow) and its two outputs, not
// the imported module, site-packages or caches; the inputs are MLflow dataset inputs of the run;
// declared paths merge in; a script that overwrites its input records the hash it read.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDataRecord, type DataRecord } from '../../src/core/data/dataRecord.ts';
import { ARTIFACTS } from '../../src/core/launch/conventions.ts';
import { launchTrackedRun, type LaunchOptions } from '../../src/core/launch/launchTrackedRun.ts';
import { nbclientExecutor } from '../../src/core/launch/notebookExecutor.ts';
import { prepareReproduction } from '../../src/core/launch/reproduce.ts';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { QUIET_PYTHON_ENV, runPython, testPython } from '../support/python.ts';

const fixtures = path.resolve(import.meta.dirname, '..', 'fixtures', 'observed');
const cli = path.resolve(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

/** The CLI with `args` in `cwd`; `until` (when given) resolves early once stdout matches it, leaving the process running. */
function startCli(args: readonly string[], cwd: string, env: Record<string, string>, until?: RegExp) {
  const child = spawn(process.execPath, [cli, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const result = new Promise<{ code: number | null; stdout: string; stderr: string; match?: RegExpExecArray }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`labbook ${args[0]} did not finish in time:\n${stdout}\n${stderr}`));
    }, 200_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = until?.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ code: null, stdout, stderr, match });
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, result };
}
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('interop: data a run read and wrote, observed with no settings', function () {
  this.timeout(300_000);
  let dir: string;
  let project: string;
  let store: SqliteTrackingStore;

  const launch = async (program: LaunchOptions['program'], extra: Partial<LaunchOptions> = {}) => {
    const run = await launchTrackedRun({
      store, trackingUri: 'http://127.0.0.1:9', python: testPython(), owner: 'test', cwd: project, env: QUIET_PYTHON_ENV,
      spoolDir: path.join(dir, 'spool'), experimentName: 'observed', program, ...extra,
    });
    const outcome = await run.done;
    const late = await run.captured;
    return { runId: run.runId, outcome, late };
  };
  const record = async (runId: string): Promise<DataRecord> => {
    const parsed = parseDataRecord(new TextDecoder().decode(await store.readArtifact(runId, ARTIFACTS.dataRecord)));
    assert.ok(parsed, 'data.json is a data record');
    return parsed;
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-observed-'));
    project = path.join(dir, 'project');
    mkdirSync(path.join(project, 'data', 'extra'), { recursive: true });
    for (const f of ['train.py', 'train.ipynb', 'features.py', 'overwrite.py']) copyFileSync(path.join(fixtures, f), path.join(project, f));
    writeFileSync(path.join(project, 'data', 'train.csv'), 'a,b\n1,2\n3,4\n');
    writeFileSync(path.join(project, 'config.yaml'), 'lr: 0.1\n');
    const made = await runPython([path.join(fixtures, 'make_parquet.py'), path.join(project, 'data', 'extra')], {});
    assert.equal(made.code, 0, made.stderr);
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
  });
  afterEach(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records exactly the config, the CSV and the Parquet folder as inputs, the model and metrics as outputs', async () => {
    const { runId, outcome } = await launch({ kind: 'script', file: 'train.py', args: ['--data', 'data/train.csv'] });
    assert.equal(outcome.status, 'FINISHED', outcome.notes.join('\n'));
    const data = await record(runId);
    assert.deepEqual(data.inputs.map((e) => [e.path, e.kind, e.found]), [
      ['config.yaml', 'file', ['observed']],
      ['data/extra', 'dir', ['observed']],
      ['data/train.csv', 'file', ['observed']],
    ]);
    const csv = data.inputs.find((e) => e.path === 'data/train.csv');
    assert.equal(csv?.sha256, sha256(readFileSync(path.join(project, 'data', 'train.csv'))));
    assert.equal(data.inputs.find((e) => e.path === 'data/extra')?.fileCount, 2);
    assert.deepEqual(data.outputs.map((e) => [e.path, e.kind]), [['metrics.json', 'file'], ['model.joblib', 'file']]);
    assert.equal(data.outputs[0]?.sha256, sha256(readFileSync(path.join(project, 'metrics.json'))));
    assert.deepEqual(data.notes, []);

    const run = await store.getRun(runId);
    const datasets = run.inputs?.datasetInputs ?? [];
    assert.deepEqual(datasets.map((d) => [d.dataset.name, d.dataset.sourceType, d.tags.find((t) => t.key === 'mlflow.data.context')?.value]), [
      ['config.yaml', 'local', 'input'],
      ['data/extra', 'local', 'input'],
      ['data/train.csv', 'local', 'input'],
    ]);
    assert.equal(datasets[2]?.dataset.digest, csv?.sha256?.slice(0, 32));
    assert.deepEqual(JSON.parse(datasets[2]?.dataset.source ?? '{}'), { uri: path.join(project, 'data', 'train.csv') });
  });

  it('records the same from a notebook run: the hook is in the kernel before the first cell', async () => {
    const { runId, outcome } = await launch({ kind: 'notebook', file: 'train.ipynb' }, { notebookExecutor: nbclientExecutor({ cellTimeoutSeconds: 120 }) });
    assert.equal(outcome.status, 'FINISHED', outcome.notes.join('\n'));
    const data = await record(runId);
    assert.deepEqual(data.inputs.map((e) => [e.path, e.kind]), [['config.yaml', 'file'], ['data/extra', 'dir'], ['data/train.csv', 'file']]);
    assert.equal(data.inputs[2]?.sha256, sha256(readFileSync(path.join(project, 'data', 'train.csv'))));
    assert.deepEqual(data.outputs.map((e) => e.path), ['metrics.json', 'model.joblib']);
    assert.deepEqual(data.notes, []);
  });

  it('merges declared paths and honours exclusion globs; observation can be turned off', async () => {
    writeFileSync(path.join(project, 'data', 'labels.csv'), 'y\n1\n');
    const { runId } = await launch({ kind: 'script', file: 'train.py', args: ['--data', 'data/train.csv'] }, { dataPaths: ['data/train.csv', 'data/labels.csv'], observeExclude: ['*.yaml'] });
    const data = await record(runId);
    assert.deepEqual(data.inputs.map((e) => [e.path, e.found.join('+')]), [
      ['data/extra', 'observed'],
      ['data/labels.csv', 'declared'],
      ['data/train.csv', 'observed+declared'],
    ]);
    const off = await launch({ kind: 'script', file: 'train.py', args: ['--data', 'data/train.csv'] }, { observeData: false });
    assert.equal(off.outcome.status, 'FINISHED');
    await assert.rejects(store.readArtifact(off.runId, ARTIFACTS.dataRecord));
  });

  it('Reproduce compares every observed input: nothing when unchanged, a warning when data/train.csv changed', async () => {
    const { runId } = await launch({ kind: 'script', file: 'train.py', args: ['--data', 'data/train.csv'] });
    const same = await prepareReproduction(store, runId, { worktreeRoot: path.join(dir, 'worktrees') });
    assert.deepEqual(same.differences, []);
    writeFileSync(path.join(project, 'data', 'train.csv'), 'a,b\n1,2\n3,5\n');
    const changed = await prepareReproduction(store, runId, { worktreeRoot: path.join(dir, 'worktrees') });
    assert.deepEqual(changed.differences.map((d) => [d.path, d.change]), [['data/train.csv', 'content']]);
    assert.match(changed.differences[0]?.message ?? '', /data\/train\.csv changed since the run/);
  });

  it('labbook run records the same data, and the real mlflow client reads the dataset inputs from labbook serve', async () => {
    const env: Record<string, string> = { ...(process.env as Record<string, string>), ...QUIET_PYTHON_ENV };
    delete env['MLFLOW_TRACKING_URI'];
    const storeFile = path.join(dir, 'cli.db');
    const ran = await startCli(['run', '--store', storeFile, '--experiment', 'cli', '--', testPython(), 'train.py', '--data', 'data/train.csv'], project, env).result;
    assert.equal(ran.code, 0, ran.stderr);
    const runId = /\[labbook\] run ([0-9a-f]{32})/.exec(ran.stderr)?.[1];
    assert.ok(runId, ran.stderr);

    const served = startCli(['serve', '--store', storeFile, '--token', 'observed-token'], project, env, /MLFLOW_TRACKING_URI=(http:\/\/127\.0\.0\.1:\d+)/);
    try {
      const uri = (await served.result).match?.[1];
      assert.ok(uri, 'labbook serve printed its address');
      const read = await runPython(
        ['-c', [
          'import json, sys',
          'from mlflow import MlflowClient',
          'run = MlflowClient().get_run(sys.argv[1])',
          'print(json.dumps([{"name": d.dataset.name, "digest": d.dataset.digest, "source_type": d.dataset.source_type, "source": json.loads(d.dataset.source), "context": {t.key: t.value for t in d.tags}.get("mlflow.data.context")} for d in run.inputs.dataset_inputs]))',
        ].join('\n'), runId],
        { MLFLOW_TRACKING_URI: uri, MLFLOW_TRACKING_TOKEN: 'observed-token' },
      );
      assert.equal(read.code, 0, read.stderr);
      const datasets = JSON.parse(read.stdout.trim().split('\n').pop() ?? '[]') as { name: string; digest: string; source_type: string; source: { uri: string }; context: string }[];
      const csv = sha256(readFileSync(path.join(project, 'data', 'train.csv')));
      assert.deepEqual(datasets.map((d) => [d.name, d.source_type, d.context]), [
        ['config.yaml', 'local', 'input'],
        ['data/extra', 'local', 'input'],
        ['data/train.csv', 'local', 'input'],
      ]);
      assert.equal(datasets[2]?.digest, csv.slice(0, 32));
      assert.equal(datasets[2]?.source.uri, path.join(project, 'data', 'train.csv'));
    } finally {
      served.child.kill('SIGINT');
    }
  });

  it('tells reads from writes in every way Python opens a file: text, binary, raw FileIO, os.open, append, r+', async () => {
    // The hook's fast path takes io's raw mode 'r' (text and binary reads); the rest is classified
    // on its slow path: FileIO given 'rb', os.open's flags (mode None), append, read-and-write.
    for (const name of ['text.csv', 'binary.bin', 'raw.bin', 'low.bin', 'both.txt']) writeFileSync(path.join(project, 'data', name), `${name}\n`);
    writeFileSync(path.join(project, 'modes.py'), [
      'import io, os',
      "open('data/text.csv').read()",
      "open('data/binary.bin', 'rb').read()",
      "with io.FileIO('data/raw.bin', 'rb') as f:\n    f.read()",
      "fd = os.open('data/low.bin', os.O_RDONLY)\nos.read(fd, 100)\nos.close(fd)",
      "with open('data/log.txt', 'a') as f:\n    f.write('x')",
      "fd = os.open('data/flags.txt', os.O_WRONLY | os.O_CREAT | os.O_TRUNC)\nos.write(fd, b'z')\nos.close(fd)",
      "with open('data/both.txt', 'r+') as f:\n    f.read()\n    f.write('y')",
      '',
    ].join('\n'));
    const { runId, outcome } = await launch({ kind: 'script', file: 'modes.py' });
    assert.equal(outcome.status, 'FINISHED', outcome.notes.join('\n'));
    const data = await record(runId);
    assert.deepEqual(data.inputs.map((e) => e.path).sort(), ['data/binary.bin', 'data/both.txt', 'data/low.bin', 'data/raw.bin', 'data/text.csv']);
    assert.deepEqual(data.outputs.map((e) => e.path).sort(), ['data/both.txt', 'data/flags.txt', 'data/log.txt']);
    // Read, then changed by the run itself: the input's hash is of the content it read.
    assert.equal(data.inputs.find((e) => e.path === 'data/both.txt')?.sha256, sha256(Buffer.from('both.txt\n')));
  });

  it('records the hash a script read from the input it then overwrites', async () => {
    const before = readFileSync(path.join(project, 'data', 'train.csv'));
    const { runId, outcome } = await launch({ kind: 'script', file: 'overwrite.py' });
    assert.equal(outcome.status, 'FINISHED', outcome.notes.join('\n'));
    const after = readFileSync(path.join(project, 'data', 'train.csv'));
    assert.notEqual(sha256(after), sha256(before));
    const data = await record(runId);
    assert.deepEqual(data.inputs.map((e) => [e.path, e.sha256]), [['data/train.csv', sha256(before)]]);
    assert.deepEqual(data.outputs.map((e) => [e.path, e.sha256]), [['data/train.csv', sha256(after)]]);
  });
});
