import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readNotebookFile } from '../../../src/core/notebook/readNotebook.ts';
import { paramsYaml, pypiName, requirementsTxt } from '../../../src/core/pipeline/generate.ts';
import { renderImportBlock } from '../../../src/core/pipeline/importBlock.ts';
import { stepWaves } from '../../../src/core/pipeline/metaflowFlow.ts';
import { MANIFEST_FILE, planExport, writeExport, type ExportPlan } from '../../../src/core/pipeline/planExport.ts';
import { code, markdown, notebook } from './helpers.ts';

const FIXTURES = path.join(import.meta.dirname, '..', '..', 'fixtures', 'pipeline');

const sample = () =>
  notebook(
    markdown('# Sample'),
    code('n_rows = 100\nratio = 1.0\nlabel = "x"', ['parameters']),
    code('import numpy as np\nimport pandas as pd\nimport yaml\nimport os\nfrom sklearn.linear_model import LinearRegression\nfrom PIL import Image'),
    markdown('## Load'),
    code('df = pd.DataFrame({"a": np.arange(n_rows)})\nunused = 3\nnote = """first\nsecond"""'),
    markdown('## Fit'),
    code('def double(v):\n    return 2 * v\n\nmodel = LinearRegression()\nmodel.fit(df[["a"]], double(df["a"]) * ratio)\nprint(note)'),
    markdown('## Score'),
    code('score = float(model.score(df[["a"]], df["a"] * 2))'),
  );

describe('pipeline: generated package', () => {
  it('plans the files of the package', async () => {
    const plan = await planExport(sample(), { notebookName: 'sample.ipynb' });
    assert.deepEqual(plan.files.map((f) => f.path), [
      'steps/__init__.py',
      'steps/_shared.py',
      'steps/load.py',
      'steps/fit.py',
      'steps/score.py',
      'pipeline.py',
      'params.yaml',
      'requirements.txt',
      'flow.py',
      'tests/conftest.py',
      'tests/test_smoke.py',
      'README.md',
    ]);
    assert.deepEqual(plan.files.map((f) => f.action), plan.files.map(() => 'create'));
    assert.deepEqual(plan.metrics, ['score']);
  });

  it('writes each step as one function taking inputs and keyword parameters and returning a dict', async () => {
    const plan = await planExport(sample(), { notebookName: 'sample.ipynb' });
    const file = (p: string) => plan.files.find((f) => f.path === p)?.content ?? '';
    const load = file('steps/load.py');
    assert.match(load, /^import numpy as np\nimport pandas as pd\n\n\ndef load\(\*, n_rows=100\) -> dict:\n/m);
    // A multi-line string keeps its text; an unused local is deleted so linters see it used.
    assert.match(load, / {4}note = """first\nsecond"""\n/);
    assert.match(load, / {4}del unused\n/);
    assert.match(load, / {4}return \{"df": df, "note": note\}\n$/);
    const fit = file('steps/fit.py');
    assert.match(fit, /^from sklearn\.linear_model import LinearRegression\n\nfrom \._shared import double\n\n\ndef fit\(df, note, \*, ratio=1\.0\) -> dict:\n/m);
    assert.doesNotMatch(fit, /def double/);
    assert.match(file('steps/_shared.py'), /def double\(v\):\n {4}return 2 \* v\n/);
    assert.match(file('pipeline.py'), /"name": "fit",\n\s+"inputs": \[\{"name": "df", "from": "load"\}, \{"name": "note", "from": "load"\}\],\n\s+"params": \["ratio"\],\n\s+"outputs": \["model"\]/);
    assert.match(file('pipeline.py'), /METRICS = \[\("score", "score"\)\]/);
    assert.match(file('flow.py'), /class SampleFlow\(FlowSpec\):/);
    assert.match(file('flow.py'), / {4}n_rows = Parameter\("n_rows", default=100,/);
    assert.match(file('tests/test_smoke.py'), /\("score", "score", "number"\)/);
    assert.match(file('tests/test_smoke.py'), /\("fit", "model", "model"\)/);
  });

  it('writes params.yaml so PyYAML reads back the same types', () => {
    const p = (name: string, value: number | string | boolean | null | number[], literal: string) => ({ name, value, literal, cell: 0, line: 1 });
    assert.equal(
      paramsYaml([p('n', 1000, '1_000'), p('ratio', 1, '1.0'), p('lr', 1e-7, '1e-7'), p('s', 'a: b', '"a: b"'), p('flag', true, 'True'), p('none', null, 'None'), p('xs', [1, 2.5], '[1, 2.5]')]).split('\n').slice(2).join('\n'),
      'n: 1000\nratio: 1.0\nlr: 1.0e-7\ns: "a: b"\nflag: true\nnone: null\nxs: [1, 2.5]\n',
    );
  });

  it('maps imports to PyPI names and leaves the standard library out', () => {
    assert.deepEqual(['sklearn.metrics', 'yaml', 'cv2', 'PIL.Image', 'os.path', 'collections', 'torch', '.local'].map(pypiName), ['scikit-learn', 'PyYAML', 'opencv-python', 'Pillow', undefined, undefined, 'torch', undefined]);
    const req = requirementsTxt([{ name: 'np', spec: { kind: 'import', module: 'numpy', alias: 'np' }, line: 1 }, { name: 'Image', spec: { kind: 'from', module: 'PIL', name: 'Image' }, line: 2 }]);
    assert.equal(req.split('\n').slice(1).join('\n'), 'joblib\nmetaflow\nnumpy\npandas\nPillow\npyarrow\npytest\nPyYAML\n');
  });

  it('lists the packages the sample notebook imports and uses', async () => {
    const plan = await planExport(sample(), { notebookName: 'sample.ipynb' });
    const req = plan.files.find((f) => f.path === 'requirements.txt')?.content ?? '';
    assert.deepEqual(req.trim().split('\n').slice(1), ['joblib', 'metaflow', 'numpy', 'pandas', 'pyarrow', 'pytest', 'PyYAML', 'scikit-learn']);
  });

  it('sorts import blocks the way ruff expects', () => {
    assert.equal(
      renderImportBlock(
        [{ module: 'pandas', alias: 'pd' }, { module: 'os' }, { module: 'sklearn.model_selection', name: 'train_test_split' }, { module: 'sklearn.model_selection', name: 'GridSearchCV' }, { module: 'steps.a', name: 'a' }, { module: '._shared', name: 'CONST' }, { module: '__future__', name: 'annotations' }, { module: 'json' }, { module: 'collections', name: 'Counter' }],
        new Set(['steps']),
      ),
      'from __future__ import annotations\n\nimport json\nimport os\nfrom collections import Counter\n\nimport pandas as pd\nfrom sklearn.model_selection import GridSearchCV, train_test_split\n\nfrom steps.a import a\n\nfrom ._shared import CONST',
    );
    const long = renderImportBlock(['alpha_function', 'beta_function', 'gamma_function', 'delta_function', 'epsilon_fn'].map((name) => ({ module: 'some.long.module', name })));
    assert.equal(long, 'from some.long.module import (\n    alpha_function,\n    beta_function,\n    delta_function,\n    epsilon_fn,\n    gamma_function,\n)');
  });

  describe('re-export', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'labbook-export-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('records a hash per file; overwrites untouched files and keeps edited ones unless forced', async () => {
      const first = await planExport(sample(), { notebookName: 'sample.ipynb', outDir: dir });
      const written = await writeExport(first, dir);
      assert.equal(written.written.length, first.files.length);
      const manifest = JSON.parse(readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as { files: Record<string, string> };
      assert.deepEqual(Object.keys(manifest.files).sort(), first.files.map((f) => f.path).sort());

      // Nothing changed: everything is unchanged.
      const again = await planExport(sample(), { notebookName: 'sample.ipynb', outDir: dir });
      assert.deepEqual(new Set(again.files.map((f) => f.action)), new Set(['unchanged']));
      assert.deepEqual(again.conflicts, []);

      // The user edits one step; the notebook changes another.
      writeFileSync(path.join(dir, 'steps/load.py'), `${readFileSync(path.join(dir, 'steps/load.py'), 'utf8')}# my edit\n`);
      const changed = sample();
      const last = changed.cells[8];
      if (last) last.source = 'score = float(model.score(df[["a"]], df["a"] * 3))';
      const plan = await planExport(changed, { notebookName: 'sample.ipynb', outDir: dir });
      const action = (p: string) => plan.files.find((f) => f.path === p)?.action;
      assert.equal(action('steps/load.py'), 'conflict');
      assert.equal(action('steps/score.py'), 'update');
      assert.equal(action('steps/fit.py'), 'unchanged');
      assert.deepEqual(plan.conflicts.map((c) => [c.path, c.reason]), [['steps/load.py', 'edited']]);

      const result = await writeExport(plan, dir);
      assert.deepEqual(result.kept, ['steps/load.py']);
      assert.ok(result.written.includes('steps/score.py'));
      assert.match(readFileSync(path.join(dir, 'steps/load.py'), 'utf8'), /# my edit/);
      assert.match(readFileSync(path.join(dir, 'steps/score.py'), 'utf8'), /\* 3/);
      // Still an edit next time; --force overwrites it.
      const third = await planExport(changed, { notebookName: 'sample.ipynb', outDir: dir });
      assert.deepEqual(third.conflicts.map((c) => c.path), ['steps/load.py']);
      await writeExport(third, dir, { force: true });
      assert.doesNotMatch(readFileSync(path.join(dir, 'steps/load.py'), 'utf8'), /# my edit/);
      assert.deepEqual((await planExport(changed, { notebookName: 'sample.ipynb', outDir: dir })).conflicts, []);
    });

    it('refuses to overwrite a file it did not write, and removes untouched files of steps that are gone', async () => {
      writeFileSync(path.join(dir, 'pipeline.py'), 'print("mine")\n');
      const plan = await planExport(sample(), { notebookName: 'sample.ipynb', outDir: dir });
      assert.deepEqual(plan.conflicts.map((c) => [c.path, c.reason]), [['pipeline.py', 'notOurs']]);
      await writeExport(plan, dir);
      assert.equal(readFileSync(path.join(dir, 'pipeline.py'), 'utf8'), 'print("mine")\n');

      const renamed = sample();
      const heading = renamed.cells[7];
      if (heading) heading.source = '## Evaluate';
      const next = await planExport(renamed, { notebookName: 'sample.ipynb', outDir: dir });
      assert.deepEqual(next.removals, ['steps/score.py']);
      const result = await writeExport(next, dir);
      assert.deepEqual(result.removed, ['steps/score.py']);
    });

    it('compares with the folder it writes to even when the plan was made without one', async () => {
      await writeExport(await planExport(sample(), { notebookName: 'sample.ipynb' }), dir);
      writeFileSync(path.join(dir, 'flow.py'), '# edited\n');
      const result = await writeExport(await planExport(sample(), { notebookName: 'sample.ipynb' }), dir);
      assert.deepEqual(result.kept, ['flow.py']);
    });
  });
});

/** flow.py's graph as written: each step, whether it is a join (takes `inputs`), and its `self.next` targets. */
function flowGraph(flowPy: string): Map<string, { join: boolean; next: string[]; body: string }> {
  const graph = new Map<string, { join: boolean; next: string[]; body: string }>();
  const defs = [...flowPy.matchAll(/^ {4}@step\n {4}def (\w+)\(self(, inputs)?\):\n((?: {8}.*\n|\n)*)/gm)];
  for (const [, name = '', inputs, body = ''] of defs) {
    const next = /self\.next\(([^)]*)\)/.exec(body)?.[1]?.split(',').map((t) => t.trim().replace(/^self\./, '')) ?? [];
    graph.set(name, { join: inputs !== undefined, next, body });
  }
  return graph;
}

/** Metaflow's rules for a static graph: every target exists, every split's branches meet at one join, joins do not split, end is reached. */
function assertValidFlow(flowPy: string): void {
  const graph = flowGraph(flowPy);
  assert.ok(graph.has('start') && graph.has('end'), 'start and end steps');
  assert.deepEqual(graph.get('end')?.next, []);
  for (const [name, node] of graph) {
    for (const target of node.next) assert.ok(graph.has(target), `${name} → ${target}, which is not a step`);
    if (node.join) {
      assert.equal(node.next.length, 1, `join ${name} must not split`);
      assert.match(node.body, /self\.merge_artifacts\(inputs\)/, `join ${name} merges artifacts`);
    }
    if (node.next.length > 1) {
      const joins = new Set(node.next.map((b) => graph.get(b)?.next.join(',')));
      assert.equal(joins.size, 1, `the branches of ${name} meet at one step`);
      const join = [...joins][0] ?? '';
      assert.ok(graph.get(join)?.join, `${join} after the split at ${name} takes inputs`);
    }
  }
  const seen = new Set<string>();
  const todo = ['start'];
  for (let guard = 0; todo.length > 0 && guard < 10_000; guard++) {
    const name = todo.pop() ?? '';
    if (seen.has(name)) continue;
    seen.add(name);
    todo.push(...(graph.get(name)?.next ?? []));
  }
  assert.deepEqual([...seen].sort(), [...graph.keys()].sort(), 'every step is reached from start');
}

describe('pipeline: where the steps run, and the Metaflow flow', () => {
  const fixture = (name: string) => readNotebookFile(path.join(FIXTURES, name, `${name}.ipynb`));
  const fileOf = (plan: ExportPlan, p: string) => plan.files.find((f) => f.path === p)?.content ?? '';

  it('records the notebook folder relative to the package, and runs every step there', async () => {
    const repo = path.join(tmpdir(), 'labbook-no-such-repo');
    const plan = await planExport(await fixture('titanic'), { notebookName: 'titanic.ipynb', notebookPath: path.join(repo, 'notebooks', 'titanic', 'titanic.ipynb'), outDir: path.join(repo, 'pipelines', 'titanic') });
    assert.equal(plan.notebookDir, '../../notebooks/titanic');
    const pipeline = fileOf(plan, 'pipeline.py');
    assert.match(pipeline, /^NOTEBOOK_DIR = "\.\.\/\.\.\/notebooks\/titanic"$/m);
    assert.match(pipeline, /folder = \(Path\(chosen\) if chosen else ROOT \/ NOTEBOOK_DIR\)\.resolve\(\)/);
    assert.match(pipeline, / {8}with in_folder\(folder_of_notebook\):\n {12}returned = function\(\*\*kwargs\)/);
    assert.match(pipeline, /"--notebook-dir"/);
    assert.match(pipeline, /os\.environ\.get\("LABBOOK_NOTEBOOK_DIR"\)/);
    const flow = fileOf(plan, 'flow.py');
    assert.match(flow, /^from pipeline import in_folder, notebook_folder$/m);
    assert.match(flow, / {4}notebook_dir = Parameter\("notebook_dir", default="",/);
    assert.equal((flow.match(/with in_folder\(notebook_folder\(self\.notebook_dir or None\)\):/g) ?? []).length, plan.steps.length);
    const readme = fileOf(plan, 'README.md');
    assert.match(readme, /\*\*Every step runs with the notebook's folder as its current directory\*\*/);
    assert.match(readme, /That folder is `\.\.\/\.\.\/notebooks\/titanic`, relative to this package/);
    assert.match(readme, /--notebook-dir DIR/);
    // Without a notebook path the steps run in the package folder.
    assert.equal((await planExport(sample(), { notebookName: 'sample.ipynb' })).notebookDir, '.');
    assert.match(fileOf(await planExport(sample(), { notebookName: 'sample.ipynb' }), 'pipeline.py'), /^NOTEBOOK_DIR = "\."$/m);
  });

  it('refuses to write a plan to another folder than the one its notebook folder was worked out for', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-export-'));
    try {
      const plan = await planExport(sample(), { notebookName: 'sample.ipynb', notebookPath: path.join(dir, 'nb', 'sample.ipynb'), outDir: path.join(dir, 'a') });
      assert.equal(plan.notebookDir, '../nb');
      await assert.rejects(writeExport(plan, path.join(dir, 'b', 'deeper')), /plan the export again/);
      assert.deepEqual((await writeExport(plan, path.join(dir, 'a'))).kept, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('puts each step one wave after the latest step it needs', async () => {
    const waves = await planExport(await fixture('waves'), { notebookName: 'waves.ipynb' });
    assert.deepEqual(stepWaves(waves.steps, waves.edges), [['p', 'q', 'b'], ['r', 'e'], ['c', 'f']]);
    const titanic = await planExport(await fixture('titanic'), { notebookName: 'titanic.ipynb' });
    assert.deepEqual(stepWaves(titanic.steps, titanic.edges), [['loaddata'], ['datapreprocessing'], ['featureengineering'], ['decisiontree', 'svm', 'naivebayes', 'logisticregression', 'randomforest'], ['results']]);
    // Ordering-only edges count too.
    const s = (name: string) => ({ name, title: name, cells: [], inputs: [], params: [], outputs: [], prev: [] });
    assert.deepEqual(stepWaves([s('a'), s('b'), s('c')], [{ from: 'a', to: 'c', names: [] }]), [['a', 'b'], ['c']]);
  });

  it('splits independent steps into Metaflow branches and joins them, for any DAG', async () => {
    const titanic = fileOf(await planExport(await fixture('titanic'), { notebookName: 'titanic.ipynb' }), 'flow.py');
    assertValidFlow(titanic);
    assert.match(titanic, /self\.next\(self\.decisiontree, self\.svm, self\.naivebayes, self\.logisticregression, self\.randomforest\)/);
    assert.equal((titanic.match(/self\.next\(self\.join_4\)/g) ?? []).length, 5);
    // The five branches pass their accuracies on through the join: results reads them all.
    assert.match(titanic, /run_results\(acc_decision_tree=self\.acc_decision_tree, acc_svc=self\.acc_svc, acc_gaussian=self\.acc_gaussian, acc_log=self\.acc_log, acc_random_forest=self\.acc_random_forest, y_pred=self\.y_pred\)/);

    const waves = fileOf(await planExport(await fixture('waves'), { notebookName: 'waves.ipynb' }), 'flow.py');
    assertValidFlow(waves);
    const graph = flowGraph(waves);
    assert.deepEqual(
      [...graph].map(([name, node]) => `${name}${node.join ? '*' : ''}→${node.next.join('|')}`),
      ['start→p|q|b', 'p→join_1', 'q→join_1', 'b→join_1', 'join_1*→fan_out_2', 'fan_out_2→r|e', 'r→join_2', 'e→join_2', 'join_2*→fan_out_3', 'fan_out_3→c|f', 'c→join_3', 'f→join_3', 'join_3*→end', 'end→'],
    );
  });

  it('keeps a name several steps assign per step, and lets the later cell win where two branches assign it', async () => {
    const plan = await planExport(await fixture('waves'), { notebookName: 'waves.ipynb' });
    const flow = fileOf(plan, 'flow.py');
    assert.match(flow, / {8}self\.x__p = outputs\["x"\]\n/);
    assert.match(flow, / {8}self\.x__b = outputs\["x"\]\n/);
    // c reads p's x although b assigned x before c runs in the flow; e and f read b's.
    assert.match(flow, /run_c\(t2=self\.t2, x=self\.x__p\)/);
    assert.match(flow, /run_e\(x=self\.x__b\)/);
    assert.match(flow, /run_f\(x=self\.x__b, result=self\.result\)/);
    assert.match(flow, /def join_1\(self, inputs\):\n.*\n {8}self\.merge_artifacts\(inputs\)\n {8}# p, b both assign x: the later cell wins, as in the notebook\n {8}self\.x = inputs\.b\.x__b\n/);
    // The metric x is the notebook's last x: b's.
    assert.match(flow, /value = getattr\(self, "x__b", None\)\n.*\n {12}metrics\["x"\]/);
  });

  it('says how to scale out and bound the workers, and avoids names the flow already uses', async () => {
    const plan = await planExport(await fixture('titanic'), { notebookName: 'titanic.ipynb' });
    const readme = fileOf(plan, 'README.md');
    for (const text of ['python flow.py run --with kubernetes', 'python flow.py run --with batch', 'python flow.py run --max-workers 2', '4. `decisiontree` ∥ `svm` ∥ `naivebayes` ∥ `logisticregression` ∥ `randomforest` (parallel branches, then a join)']) {
      assert.ok(readme.includes(text), `README: ${text}`);
    }
    assert.match(fileOf(plan, 'flow.py'), /python flow\.py run --max-workers 4/);

    const clash = notebook(code('notebook_dir = "x"', ['parameters']), code('a = notebook_dir', ['step:join_1']), code('b = 1', ['step:other']), code('c = a + b', ['step:last']));
    const flow = fileOf(await planExport(clash, { notebookName: 'clash.ipynb' }), 'flow.py');
    assertValidFlow(flow);
    assert.match(flow, / {4}labbook_notebook_dir = Parameter\("labbook_notebook_dir", default=""/);
    assert.match(flow, /def join_1_\(self, inputs\):/);
  });
});
