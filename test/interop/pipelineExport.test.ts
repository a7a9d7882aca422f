// The exported pipeline against real Python: for each fixture notebook, the package's smoke tests
// pass, `python pipeline.py` reproduces the metrics the notebook itself computes (run with
// executeNotebook), a second run skips every step, the Metaflow flow runs locally, and ruff and
// pyflakes have nothing to say about the generated code.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { executeNotebook } from '../../src/core/notebook/execute.ts';
import { readNotebookFile } from '../../src/core/notebook/readNotebook.ts';
import { planExport, writeExport } from '../../src/core/pipeline/planExport.ts';
import { runPython, testPython } from '../support/python.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'pipeline');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd: string, env: Record<string, string>, timeoutMs: number): Promise<Run> {
  return runPython(args, env, timeoutMs, cwd);
}

function lastJson(text: string): Record<string, number> {
  const lines = text.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '') as Record<string, number>;
}

/** `METRIC name=value` lines the fixture notebooks print. */
async function notebookMetrics(executedPath: string): Promise<Record<string, number>> {
  const nb = await readNotebookFile(executedPath);
  const metrics: Record<string, number> = {};
  for (const cell of nb.cells) {
    for (const output of cell.outputs) {
      if (output.outputType !== 'stream') continue;
      for (const match of output.text.matchAll(/^METRIC (\w+)=(\S+)$/gm)) metrics[match[1] ?? ''] = Number(match[2]);
    }
  }
  return metrics;
}

function assertClose(actual: Record<string, number>, expected: Record<string, number>, what: string): void {
  assert.ok(Object.keys(expected).length > 0, `${what}: the notebook printed no metrics`);
  for (const [name, value] of Object.entries(expected)) {
    const got = actual[name];
    assert.ok(got !== undefined && Math.abs(got - value) <= 1e-9, `${what}: ${name} is ${got}, the notebook computed ${value}`);
  }
}

const cases = [
  { notebook: 'classification.ipynb', steps: 5 },
  { notebook: 'regression.ipynb', steps: 5 },
  { notebook: 'kale.ipynb', steps: 4 },
];

describe('interop: exported pipelines run with real Python', function () {
  this.timeout(600_000);
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'labbook-pipeline-'));
  });
  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  for (const { notebook, steps } of cases) {
    it(`${notebook}: lint-clean, smoke tests pass, metrics match the notebook, cache skips, Metaflow runs`, async () => {
      const out = path.join(root, notebook.replace('.ipynb', ''));
      const nbPath = path.join(FIXTURES, notebook);
      const plan = await planExport(await readNotebookFile(nbPath), { notebookName: notebook, outDir: out });
      assert.equal(plan.steps.length, steps);
      assert.deepEqual(plan.conflicts, []);
      await writeExport(plan, out);

      const ruff = await run(['-m', 'ruff', 'check', '--no-cache', '.'], out, {}, 60_000);
      assert.equal(ruff.code, 0, `ruff:\n${ruff.stdout}${ruff.stderr}`);
      const pyflakes = await run(['-m', 'pyflakes', '.'], out, {}, 60_000);
      assert.deepEqual([pyflakes.code, pyflakes.stdout + pyflakes.stderr], [0, ''], 'pyflakes');

      const executed = await executeNotebook({ python: testPython(), notebookPath: nbPath, outputPath: path.join(root, `executed-${notebook}`), cwd: out, cellTimeoutSeconds: 120 });
      assert.ok(executed.ok, `the notebook failed: ${JSON.stringify(executed.failedCell)}`);
      const expected = await notebookMetrics(executed.executedPath);

      const pytest = await run(['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests'], out, {}, 180_000);
      assert.equal(pytest.code, 0, `pytest:\n${pytest.stdout}${pytest.stderr}`);

      const first = await run(['pipeline.py'], out, {}, 180_000);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, new RegExp(`\\[pipeline\\] ${steps} step\\(s\\) ran, 0 skipped`));
      assertClose(lastJson(first.stdout), expected, 'pipeline.py');

      const second = await run(['pipeline.py'], out, {}, 180_000);
      assert.equal(second.code, 0, second.stderr);
      assert.equal((second.stdout.match(/^\[pipeline\] skip /gm) ?? []).length, steps, second.stdout);
      assert.match(second.stdout, new RegExp(`\\[pipeline\\] 0 step\\(s\\) ran, ${steps} skipped`));
      assertClose(lastJson(second.stdout), expected, 'pipeline.py (cached)');

      const home = path.join(root, `home-${notebook}`);
      mkdirSync(home, { recursive: true });
      const flow = await run(['flow.py', '--no-pylint', 'run'], out, { USERNAME: 'labbook-test', HOME: home, METAFLOW_HOME: home, METAFLOW_DEFAULT_DATASTORE: 'local', METAFLOW_DATASTORE_SYSROOT_LOCAL: home }, 420_000);
      assert.equal(flow.code, 0, `flow.py run:\n${flow.stdout.slice(-3000)}\n${flow.stderr.slice(-3000)}`);
      const printed = /\{[^{}]*\}\s*$/m.exec((flow.stdout + flow.stderr).split('\n').filter((l) => l.includes('/end/') && l.includes('{')).join('\n'));
      assert.ok(printed, 'the end step printed the metrics');
      assertClose(JSON.parse(printed[0]) as Record<string, number>, expected, 'flow.py');
    });
  }
});
