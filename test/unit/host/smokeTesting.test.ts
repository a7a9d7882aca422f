import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initPythonParser } from '../../../src/core/pipeline/pythonParser.ts';
import { functionResults, moduleErrors, parseJunitXml, tracebackLineIn } from '../../../src/host/testing/junitReport.ts';
import { runPytest } from '../../../src/host/testing/pytestRun.ts';
import { isSmokeTagged, pytestFunctions } from '../../../src/host/testing/smokeDiscovery.ts';

const TEST_FILE = `import pytest


@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    assert n == 1, "n is not one"


def test_ok():
    pass


def helper():
    pass


class TestGroup:
    def test_method(self):
        raise ValueError("boom & <x>")

    def not_a_test(self):
        pass


class Other:
    def test_ignored(self):
        pass
`;

describe('Testing view: discovering smoke tests', () => {
  it('lists the functions pytest collects by name, with the line of each def', async () => {
    const tests = pytestFunctions(TEST_FILE, await initPythonParser());
    assert.deepEqual(
      tests.map((t) => [t.id, t.line]),
      [
        ['test_param', 4],
        ['test_ok', 8],
        ['TestGroup::test_method', 17],
      ],
    );
    assert.equal(tests[2]?.className, 'TestGroup');
    assert.equal(tests[2]?.name, 'test_method');
  });

  it('lists nothing from a file that does not parse as tests', async () => {
    assert.deepEqual(pytestFunctions('def (:\n  ', await initPythonParser()), []);
  });

  it('finds notebooks tagged labbook.smoke in their metadata, and only those', () => {
    const nb = (metadata: unknown) => JSON.stringify({ cells: [], metadata, nbformat: 4, nbformat_minor: 5 });
    assert.equal(isSmokeTagged(nb({ labbook: { smoke: true } })), true);
    assert.equal(isSmokeTagged(nb({ labbook: { smoke: false } })), false);
    assert.equal(isSmokeTagged(nb({ labbook: { smoke: 'yes' } })), false);
    assert.equal(isSmokeTagged(nb({ kernelspec: { name: 'labbook' } })), false);
    assert.equal(isSmokeTagged('{"metadata": {"labbook": {"smoke": true}'), false);
  });
});

describe('Testing view: reading pytest JUnit reports', () => {
  it('groups parametrized cases per function, decodes messages and finds the failing line', () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="tests.test_smoke" name="test_param[1]" time="0.250" />
<testcase classname="tests.test_smoke" name="test_param[2]" time="0.5"><failure message="AssertionError: n is not one&#10;assert 2 == 1">n = 2

&gt;       assert n == 1, "n is not one"
E       AssertionError: n is not one

tests/test_smoke.py:6: AssertionError</failure></testcase>
<testcase classname="tests.test_smoke.TestGroup" name="test_method" time="0.000"><error message="boom &amp; &lt;x&gt;">conftest.py:3: in fixture
tests/test_smoke.py:19: ValueError</error></testcase>
<testcase classname="tests.test_smoke" name="test_skip" time="0"><skipped type="pytest.skip" message="later" /></testcase>
</testsuite></testsuites>`;
    const cases = parseJunitXml(xml);
    assert.equal(cases.length, 4);
    assert.equal(cases[1]?.message, 'AssertionError: n is not one\nassert 2 == 1');
    assert.equal(cases[2]?.message, 'boom & <x>');
    const results = functionResults(cases, 'test_smoke');
    assert.deepEqual([...results.keys()], ['test_param', 'TestGroup::test_method', 'test_skip']);
    assert.equal(results.get('test_param')?.outcome, 'failed');
    assert.equal(results.get('test_param')?.durationMs, 750);
    assert.equal(results.get('test_param')?.failures.length, 1);
    assert.equal(results.get('TestGroup::test_method')?.outcome, 'errored');
    assert.equal(results.get('test_skip')?.outcome, 'skipped');
    assert.equal(tracebackLineIn(cases[1]?.text ?? '', 'test_smoke.py'), 6);
    assert.equal(tracebackLineIn(cases[2]?.text ?? '', 'test_smoke.py'), 19);
    assert.equal(tracebackLineIn(cases[2]?.text ?? '', 'other.py'), undefined);
    assert.deepEqual(moduleErrors(cases, 'test_smoke'), []);
  });

  it('keeps a collection error apart from the test functions', () => {
    const cases = parseJunitXml(`<testsuites><testsuite><testcase classname="" name="tests.test_smoke" time="0.000"><error message="collection failure">tests/test_smoke.py:1: in &lt;module&gt;
    import nope
E   ModuleNotFoundError: No module named 'nope'</error></testcase></testsuite></testsuites>`);
    assert.equal(functionResults(cases, 'test_smoke').size, 0);
    const errors = moduleErrors(cases, 'test_smoke');
    assert.equal(errors.length, 1);
    assert.match(errors[0]?.text ?? '', /No module named 'nope'/);
    assert.equal(tracebackLineIn(errors[0]?.text ?? '', 'test_smoke.py'), 1);
  });
});

describe('Testing view: running pytest (real Python)', function () {
  this.timeout(120_000);
  const python = process.env.LABBOOK_TEST_PYTHON;
  let dir: string;
  let file: string;

  before(function () {
    if (!python) this.skip();
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-pytest-test-'));
    mkdirSync(path.join(dir, 'tests'));
    file = path.join(dir, 'tests', 'test_smoke.py');
    writeFileSync(file, TEST_FILE);
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the chosen tests of a file and reads their results back', async () => {
    let output = '';
    const outcome = await runPytest({ python: python ?? '', cwd: dir, file, ids: ['test_param', 'TestGroup::test_method'], onOutput: (t) => (output += t) });
    assert.equal(outcome.kind, 'ran', JSON.stringify(outcome));
    if (outcome.kind !== 'ran') return;
    const results = functionResults(outcome.cases, 'test_smoke');
    assert.deepEqual([...results.keys()].sort(), ['TestGroup::test_method', 'test_param']);
    assert.equal(results.get('test_param')?.outcome, 'failed');
    assert.equal(results.get('TestGroup::test_method')?.outcome, 'failed');
    assert.equal(tracebackLineIn(results.get('TestGroup::test_method')?.failures[0]?.text ?? '', 'test_smoke.py'), 19);
    assert.match(output, /2 failed, 1 passed/);
    const passing = await runPytest({ python: python ?? '', cwd: dir, file, ids: ['test_ok'] });
    assert.equal(passing.kind === 'ran' ? functionResults(passing.cases, 'test_smoke').get('test_ok')?.outcome : passing.kind, 'passed');
  });

  it('says clearly when the interpreter is missing or has no pytest', async () => {
    const missing = await runPytest({ python: path.join(dir, 'no-such-python'), cwd: dir, file, ids: [] });
    assert.equal(missing.kind, 'failed');
    assert.match(missing.kind === 'failed' ? missing.message : '', /was not found .*labbook\.python\.path/);
    // A bare venv of the same Python: no pytest in it.
    const bare = path.join(dir, 'bare');
    const made = spawnSync(python ?? '', ['-m', 'venv', '--without-pip', bare], { timeout: 60_000 });
    assert.equal(made.status, 0, String(made.stderr));
    const noPytest = await runPytest({ python: path.join(bare, 'bin', 'python'), cwd: dir, file, ids: [] });
    assert.equal(noPytest.kind, 'failed');
    assert.match(noPytest.kind === 'failed' ? noPytest.message : '', /pytest is not installed in [\s\S]*pip install pytest/);
  });

  it('stops the process when cancelled', async () => {
    writeFileSync(path.join(dir, 'tests', 'test_slow.py'), 'import time\n\ndef test_slow():\n    time.sleep(60)\n');
    const abort = new AbortController();
    const running = runPytest({
      python: python ?? '',
      cwd: dir,
      file: path.join(dir, 'tests', 'test_slow.py'),
      ids: ['test_slow'],
      signal: abort.signal,
      // Cancelled once pytest has started the test (its progress line is not out before the test ends, so wait for the header).
      onOutput: (text) => {
        if (text.startsWith('$ ')) setTimeout(() => abort.abort(), 1500);
      },
    });
    assert.deepEqual(await running, { kind: 'cancelled' });
  });
});
