import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LabbookApi } from '../../src/host/extension.ts';
import type { SmokeTestOutcome } from '../../src/host/testing/smokeTesting.ts';
import { activateLabbook } from './support.ts';

const CONFTEST = 'import sys\nfrom pathlib import Path\n\nROOT = str(Path(__file__).resolve().parent.parent)\nif ROOT not in sys.path:\n    sys.path.insert(0, ROOT)\n';

// Line 12 (0-based 11) is the failing assert.
const TEST_SMOKE = `import pytest

import pipeline


def test_pipeline_imports():
    assert callable(pipeline.run)


def test_result_is_wrong():
    result = pipeline.run()
    assert result == 3, f"pipeline.run() gave {result}"


@pytest.mark.parametrize("n", [1, 2])
def test_small(n):
    assert n < 5


class TestGroup:
    def test_method(self):
        assert pipeline.run() == 2
`;

function notebookJson(sources: string[], metadata: Record<string, unknown> = {}): string {
  const cells = sources.map((source, i) => ({ cell_type: 'code', execution_count: null, id: `cell-${i}`, metadata: {}, outputs: [], source: source.split(/(?<=\n)/) }));
  return `${JSON.stringify({ cells, metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' }, ...metadata }, nbformat: 4, nbformat_minor: 5 }, null, 1)}\n`;
}

const byId = (outcomes: readonly SmokeTestOutcome[]) => new Map(outcomes.map((o) => [o.id, o]));

describe('Labbook smoke tests in the Testing view (real Python)', function () {
  this.timeout(300_000);
  let api: LabbookApi;
  let dir: string;
  const file = (...parts: string[]) => path.join(dir, ...parts);
  const pytestId = (rel: string, fn?: string) => `pytest:${vscode.Uri.file(file(rel)).toString()}${fn ? `::${fn}` : ''}`;
  const notebookId = (rel: string) => `notebook:${vscode.Uri.file(file(rel)).toString()}`;
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(file(rel)), { recursive: true });
    writeFileSync(file(rel), text);
  };

  before(async () => {
    const python = process.env.LABBOOK_TEST_PYTHON;
    if (!python) throw new Error('LABBOOK_TEST_PYTHON must name the test venv (scripts/test.mjs sets it)');
    ({ api } = await activateLabbook());
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(root, 'the test opens a workspace folder');
    dir = path.join(root, 'smoke-it');
    rmSync(dir, { recursive: true, force: true });
    // An exported package (pipeline.py beside tests/), a slow one, and a test file outside any package.
    write('pkg/pipeline.py', 'def run():\n    return 2\n');
    write('pkg/tests/conftest.py', CONFTEST);
    write('pkg/tests/test_smoke.py', TEST_SMOKE);
    write('slow/pipeline.py', 'def run():\n    return 1\n');
    write('slow/tests/conftest.py', CONFTEST);
    write('slow/tests/test_smoke.py', 'import time\n\n\ndef test_slow():\n    time.sleep(120)\n');
    write('elsewhere/tests/test_smoke.py', 'def test_not_ours():\n    pass\n');
    // Notebooks: two tagged, one listed by the setting, one neither.
    write('tagged.ipynb', notebookJson(['x = 1\n', 'assert x == 1\n'], { labbook: { smoke: true } }));
    write('failing.ipynb', notebookJson(['x = 1\n', 'y = x + 1\nraise ValueError(f"bad {y}")\n'], { labbook: { smoke: true } }));
    write('listed/listed.ipynb', notebookJson(['print("listed")\n']));
    write('untagged.ipynb', notebookJson(['print("not a test")\n'], { labbook: { smoke: false } }));
    await vscode.workspace.getConfiguration('labbook.python').update('path', python, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('labbook.smoke').update('notebooks', ['smoke-it/listed/*.ipynb'], vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('labbook.python').update('path', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('labbook.smoke').update('notebooks', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("lists an exported pipeline's smoke tests, one child per test function, and the tagged and listed notebooks", async () => {
    const items = (await api.smokeTests.refresh()).filter((i) => i.uri?.fsPath.startsWith(dir));
    const ids = items.map((i) => i.id).sort();
    assert.deepEqual(ids, [pytestId('pkg/tests/test_smoke.py'), pytestId('slow/tests/test_smoke.py'), notebookId('failing.ipynb'), notebookId('listed/listed.ipynb'), notebookId('tagged.ipynb')].sort());
    const pkg = items.find((i) => i.id === pytestId('pkg/tests/test_smoke.py'));
    assert.ok(pkg);
    const children: vscode.TestItem[] = [];
    pkg.children.forEach((c) => children.push(c));
    assert.deepEqual(
      children.map((c) => [c.id.slice(pkg.id.length + 2), c.range?.start.line]),
      [
        ['test_pipeline_imports', 5],
        ['test_result_is_wrong', 9],
        ['test_small', 15],
        ['TestGroup::test_method', 20],
      ],
    );
  });

  it('runs them with pytest: passes and failures per test, a failure located at its line in the test file', async () => {
    const outcomes = byId(await api.smokeTests.runTests([pytestId('pkg/tests/test_smoke.py')]));
    const testFile = vscode.Uri.file(file('pkg/tests/test_smoke.py')).toString();
    assert.equal(outcomes.get(pytestId('pkg/tests/test_smoke.py', 'test_pipeline_imports'))?.state, 'passed');
    assert.equal(outcomes.get(pytestId('pkg/tests/test_smoke.py', 'test_small'))?.state, 'passed');
    assert.equal(outcomes.get(pytestId('pkg/tests/test_smoke.py', 'TestGroup::test_method'))?.state, 'passed');
    const failed = outcomes.get(pytestId('pkg/tests/test_smoke.py', 'test_result_is_wrong'));
    assert.equal(failed?.state, 'failed', JSON.stringify(failed));
    assert.match(failed.message ?? '', /pipeline\.run\(\) gave 2/);
    assert.deepEqual(failed.location, { uri: testFile, line: 11 });
    // One function alone runs alone.
    const one = await api.smokeTests.runTests([pytestId('pkg/tests/test_smoke.py', 'test_small')]);
    assert.deepEqual(one.map((o) => [o.id, o.state]), [[pytestId('pkg/tests/test_smoke.py', 'test_small'), 'passed']]);
  });

  it('runs the notebooks through the smoke test: the failing cell is the failure location', async () => {
    const outcomes = byId(await api.smokeTests.runTests([notebookId('tagged.ipynb'), notebookId('failing.ipynb'), notebookId('listed/listed.ipynb')]));
    assert.equal(outcomes.get(notebookId('tagged.ipynb'))?.state, 'passed', JSON.stringify(outcomes.get(notebookId('tagged.ipynb'))));
    assert.equal(outcomes.get(notebookId('listed/listed.ipynb'))?.state, 'passed');
    const failed = outcomes.get(notebookId('failing.ipynb'));
    assert.equal(failed?.state, 'failed', JSON.stringify(failed));
    assert.match(failed.message ?? '', /^ValueError: bad 2 \(cell 2\)/);
    const doc = vscode.workspace.notebookDocuments.find((d) => d.uri.fsPath === file('failing.ipynb'));
    assert.ok(doc, 'the notebook was opened to locate the cell');
    assert.deepEqual(failed.location, { uri: doc.cellAt(1).document.uri.toString(), line: 1 });
  });

  it('logs a notebook smoke test as a tracked run with Run with Tracking', async () => {
    const [outcome] = await api.smokeTests.runTests([notebookId('failing.ipynb')], 'tracked');
    assert.equal(outcome?.state, 'failed', JSON.stringify(outcome));
    assert.ok(outcome.runId, 'the outcome names the tracked run');
  });

  it('stops pytest when the run is cancelled', async () => {
    const source = new vscode.CancellationTokenSource();
    const running = api.smokeTests.runTests([pytestId('slow/tests/test_smoke.py')], 'run', source.token);
    // Cancelled while pytest sleeps (or before it started: either way it must not run for 120 s).
    setTimeout(() => source.cancel(), 3000);
    const outcomes = await running;
    source.dispose();
    assert.deepEqual(outcomes.map((o) => o.state), ['skipped']);
  });

  it('reports a missing interpreter as an error on each test, without crashing', async () => {
    await vscode.workspace.getConfiguration('labbook.python').update('path', file('no-such-python'), vscode.ConfigurationTarget.Workspace);
    try {
      const outcomes = await api.smokeTests.runTests([pytestId('pkg/tests/test_smoke.py', 'test_small')]);
      assert.equal(outcomes[0]?.state, 'errored');
      assert.match(outcomes[0]?.message ?? '', /no-such-python was not found/);
    } finally {
      await vscode.workspace.getConfiguration('labbook.python').update('path', process.env.LABBOOK_TEST_PYTHON, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('finds a test function added to the file', async () => {
    write('pkg/tests/test_smoke.py', `${TEST_SMOKE}\n\ndef test_added():\n    pass\n`);
    const items = await api.smokeTests.refresh();
    const pkg = items.find((i) => i.id === pytestId('pkg/tests/test_smoke.py'));
    assert.ok(pkg?.children.get(pytestId('pkg/tests/test_smoke.py', 'test_added')));
  });
});
