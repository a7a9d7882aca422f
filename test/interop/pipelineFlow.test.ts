// Exported pipelines run where the notebook ran, and the Metaflow flow follows the DAG; real
// Python, pandas, scikit-learn and Metaflow (local runtime, metadata and datastore in a temp dir).
// - titanic (Kale's Titanic example): the first step reads data/train.csv next to the notebook and
//   the last writes out/results.csv; the package is exported to <repo>/pipelines/titanic and its
//   smoke tests, pipeline.py and flow.py are started from the package, the repository root and /.
// - waves: a DAG that is not series-parallel, with a name two parallel branches assign; flow.py
//   gives pipeline.py's metrics, runs branches in parallel, --max-workers 1 runs one task at a
//   time, and --notebook_dir moves where the steps run.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { executeNotebook } from '../../src/core/notebook/execute.ts';
import { readNotebookFile } from '../../src/core/notebook/readNotebook.ts';
import { planExport, writeExport } from '../../src/core/pipeline/planExport.ts';
import { runPython, testPython } from '../support/python.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'pipeline');

type Metrics = Record<string, number>;

/** Copies the fixture folder to <repo>/notebooks/<name>/ and exports it to <repo>/pipelines/<name>, lint-clean. */
async function exportFixture(repo: string, name: string): Promise<{ notebookDir: string; notebookPath: string; pkg: string }> {
  const notebookDir = path.join(repo, 'notebooks', name);
  cpSync(path.join(FIXTURES, name), notebookDir, { recursive: true });
  const notebookPath = path.join(notebookDir, `${name}.ipynb`);
  const pkg = path.join(repo, 'pipelines', name);
  const plan = await planExport(await readNotebookFile(notebookPath), { notebookName: `${name}.ipynb`, notebookPath, outDir: pkg });
  assert.equal(plan.notebookDir, `../../notebooks/${name}`);
  assert.deepEqual(plan.conflicts, []);
  await writeExport(plan, pkg);
  const ruff = await runPython(['-m', 'ruff', 'check', '--no-cache', '.'], {}, 60_000, pkg);
  assert.equal(ruff.code, 0, `ruff:\n${ruff.stdout}${ruff.stderr}`);
  const pyflakes = await runPython(['-m', 'pyflakes', '.'], {}, 60_000, pkg);
  assert.deepEqual([pyflakes.code, pyflakes.stdout + pyflakes.stderr], [0, ''], 'pyflakes');
  return { notebookDir, notebookPath, pkg };
}

/** `METRIC name=value` lines the fixture notebooks print, from the notebook run in its own folder. */
async function notebookMetrics(notebookPath: string, outputPath: string): Promise<Metrics> {
  const executed = await executeNotebook({ python: testPython(), notebookPath, outputPath, cwd: path.dirname(notebookPath), cellTimeoutSeconds: 120 });
  assert.ok(executed.ok, `the notebook failed: ${JSON.stringify(executed.failedCell)}`);
  const metrics: Metrics = {};
  for (const cell of (await readNotebookFile(executed.executedPath)).cells) {
    for (const output of cell.outputs) {
      if (output.outputType !== 'stream') continue;
      for (const match of output.text.matchAll(/^METRIC (\w+)=(\S+)$/gm)) metrics[match[1] ?? ''] = Number(match[2]);
    }
  }
  assert.ok(Object.keys(metrics).length > 0, 'the notebook printed no metrics');
  return metrics;
}

function lastJson(text: string): Metrics {
  const lines = text.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '') as Metrics;
}

/** The metrics the flow's end step printed. */
function flowMetrics(stdout: string): Metrics {
  const line = stdout.split('\n').find((l) => /\/end\/\d+ .*\{/.test(l));
  assert.ok(line, `the end step printed no metrics:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice(line.indexOf('{'))) as Metrics;
}

/** Metaflow's own log of a run: the steps whose tasks finished, and the most tasks running at once. */
function taskLog(stdout: string): { finished: Set<string>; peak: number } {
  const running = new Set<string>();
  const finished = new Set<string>();
  let peak = 0;
  for (const match of stdout.matchAll(/\[(\w+)\/(\w+)\/(\d+) \(pid \d+\)\] Task (is starting|finished successfully)\./g)) {
    const [, , stepName = '', task = '', what] = match;
    if (what === 'is starting') {
      running.add(task);
      peak = Math.max(peak, running.size);
    } else {
      running.delete(task);
      finished.add(stepName);
    }
  }
  return { finished, peak };
}

describe('interop: exported pipelines run where the notebook ran; Metaflow follows the DAG', function () {
  this.timeout(900_000);
  let root: string;
  let metaflowEnv: Record<string, string>;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'labbook-flow-'));
    const home = path.join(root, 'metaflow-home');
    mkdirSync(home, { recursive: true });
    // Metaflow keeps its metadata and artifacts under the temp dir; no network, no ~/.metaflowconfig.
    metaflowEnv = { USERNAME: 'labbook-test', HOME: home, METAFLOW_HOME: home, METAFLOW_DEFAULT_DATASTORE: 'local', METAFLOW_DEFAULT_METADATA: 'local', METAFLOW_DATASTORE_SYSROOT_LOCAL: home };
  });
  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('titanic: smoke tests, pipeline.py and flow.py pass from the package, the repository root and /, reading and writing next to the notebook', async () => {
    const repo = path.join(root, 'repo');
    const { notebookDir, notebookPath, pkg } = await exportFixture(repo, 'titanic');
    const expected = await notebookMetrics(notebookPath, path.join(root, 'executed-titanic.ipynb'));
    const written = path.join(notebookDir, 'out', 'results.csv');
    assert.ok(existsSync(written), 'the notebook itself wrote out/results.csv next to it');
    const models = ['decisiontree', 'svm', 'naivebayes', 'logisticregression', 'randomforest'];
    const readme = readFileSync(path.join(pkg, 'README.md'), 'utf8');
    assert.match(readme, /Every step runs with the notebook's folder as its current directory/);
    assert.match(readme, /`\.\.\/\.\.\/notebooks\/titanic`/);

    for (const cwd of [pkg, repo, '/']) {
      const where = `from ${cwd}`;
      rmSync(path.join(notebookDir, 'out'), { recursive: true, force: true });

      const pytest = await runPython(['-m', 'pytest', '-q', '-p', 'no:cacheprovider', path.join(pkg, 'tests')], {}, 180_000, cwd);
      assert.equal(pytest.code, 0, `pytest ${where}:\n${pytest.stdout}${pytest.stderr}`);
      assert.ok(existsSync(written), `the smoke tests ${where} wrote out/results.csv next to the notebook`);
      rmSync(path.join(notebookDir, 'out'), { recursive: true, force: true });

      const pipeline = await runPython([path.join(pkg, 'pipeline.py'), '--force'], {}, 180_000, cwd);
      assert.equal(pipeline.code, 0, `pipeline.py ${where}:\n${pipeline.stderr}`);
      assert.deepEqual(lastJson(pipeline.stdout), expected, `pipeline.py ${where}`);
      assert.ok(existsSync(written), `pipeline.py ${where} wrote out/results.csv next to the notebook`);
      rmSync(path.join(notebookDir, 'out'), { recursive: true, force: true });

      const flow = await runPython([path.join(pkg, 'flow.py'), '--no-pylint', 'run'], metaflowEnv, 420_000, cwd);
      assert.equal(flow.code, 0, `flow.py run ${where}:\n${flow.stdout.slice(-3000)}\n${flow.stderr.slice(-3000)}`);
      assert.deepEqual(flowMetrics(flow.stdout), expected, `flow.py ${where}`);
      assert.ok(existsSync(written), `flow.py ${where} wrote out/results.csv next to the notebook`);
      const log = taskLog(flow.stdout);
      for (const model of [...models, 'join_4', 'results']) assert.ok(log.finished.has(model), `flow.py ${where}: ${model} ran`);
      // The five model steps are branches of one split: Metaflow starts them together.
      assert.ok(log.peak >= 2, `flow.py ${where}: at most ${log.peak} task(s) ran at once`);
    }
    for (const cwd of [repo, '/']) assert.ok(!existsSync(path.join(cwd, 'out', 'results.csv')), `nothing was written to ${cwd}/out`);
    assert.ok(!existsSync(path.join(pkg, 'out')), 'nothing was written to the package folder');

    // Another folder with the same data: --notebook-dir moves where the steps read and write.
    const elsewhere = path.join(root, 'elsewhere');
    cpSync(path.join(notebookDir, 'data'), path.join(elsewhere, 'data'), { recursive: true });
    const moved = await runPython([path.join(pkg, 'pipeline.py'), '--notebook-dir', elsewhere], {}, 180_000, '/');
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stdout, /\[pipeline\] 9 step\(s\) ran, 0 skipped/, 'a different folder is a different cache key');
    assert.deepEqual(lastJson(moved.stdout), expected);
    assert.ok(existsSync(path.join(elsewhere, 'out', 'results.csv')));
    const missing = await runPython([path.join(pkg, 'pipeline.py')], { LABBOOK_NOTEBOOK_DIR: path.join(root, 'no-such-folder') }, 60_000, '/');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /the notebook folder .*no-such-folder does not exist/);
  });

  it('waves: a DAG that is not series-parallel runs as Metaflow branches with pipeline.py\'s metrics; --max-workers 1 runs one task at a time', async () => {
    const repo = path.join(root, 'repo-waves');
    const { notebookDir, notebookPath, pkg } = await exportFixture(repo, 'waves');
    const expected = await notebookMetrics(notebookPath, path.join(root, 'executed-waves.ipynb'));
    assert.deepEqual(expected, { final: 1021, x: 7, c_out: 601, result: 1007 });
    const flowPy = readFileSync(path.join(pkg, 'flow.py'), 'utf8');
    assert.match(flowPy, /self\.next\(self\.p, self\.q, self\.b\)/);
    assert.match(flowPy, /python flow\.py run --max-workers 4/);
    assert.match(readFileSync(path.join(pkg, 'README.md'), 'utf8'), /--max-workers/);

    const pipeline = await runPython([path.join(pkg, 'pipeline.py')], {}, 120_000, repo);
    assert.equal(pipeline.code, 0, pipeline.stderr);
    assert.deepEqual(lastJson(pipeline.stdout), expected);

    rmSync(path.join(notebookDir, 'stamps'), { recursive: true, force: true });
    const steps = ['p', 'q', 'b', 'join_1', 'fan_out_2', 'r', 'e', 'join_2', 'fan_out_3', 'c', 'f', 'join_3', 'end'];
    const parallel = await runPython([path.join(pkg, 'flow.py'), '--no-pylint', 'run'], metaflowEnv, 300_000, repo);
    assert.equal(parallel.code, 0, `flow.py run:\n${parallel.stdout.slice(-3000)}\n${parallel.stderr.slice(-3000)}`);
    assert.deepEqual(flowMetrics(parallel.stdout), lastJson(pipeline.stdout), 'flow.py and pipeline.py agree');
    const parallelLog = taskLog(parallel.stdout);
    for (const s of steps) assert.ok(parallelLog.finished.has(s), `${s} ran`);
    assert.ok(parallelLog.peak >= 2, `branches ran in parallel (at most ${parallelLog.peak} at once)`);

    assert.equal(readdirSync(path.join(notebookDir, 'stamps')).length, 7, 'the steps wrote stamps/ next to the notebook');
    // --notebook_dir moves where the steps run; --max-workers 1 runs one task at a time.
    const scratch = path.join(root, 'waves-scratch');
    mkdirSync(scratch, { recursive: true });
    const serial = await runPython([path.join(pkg, 'flow.py'), '--no-pylint', 'run', '--max-workers', '1', '--notebook_dir', scratch], metaflowEnv, 300_000, repo);
    assert.equal(serial.code, 0, `flow.py run --max-workers 1:\n${serial.stdout.slice(-3000)}\n${serial.stderr.slice(-3000)}`);
    assert.deepEqual(flowMetrics(serial.stdout), lastJson(pipeline.stdout));
    assert.equal(taskLog(serial.stdout).peak, 1, 'Metaflow ran one task at a time');
    // Each step recorded its start and end (monotonic clock) in the folder it ran in: no two overlap.
    const stamps = readdirSync(path.join(scratch, 'stamps')).map((f) => readFileSync(path.join(scratch, 'stamps', f), 'utf8').split(' ').map(Number) as [number, number]);
    assert.equal(stamps.length, 7);
    stamps.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < stamps.length; i++) assert.ok((stamps[i - 1]?.[1] ?? Infinity) <= (stamps[i]?.[0] ?? -Infinity), 'steps ran one after another');
  });
});
