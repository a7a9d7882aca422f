import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { paramsYaml, pypiName, requirementsTxt } from '../../../src/core/pipeline/generate.ts';
import { renderImportBlock } from '../../../src/core/pipeline/importBlock.ts';
import { MANIFEST_FILE, planExport, writeExport } from '../../../src/core/pipeline/planExport.ts';
import { code, markdown, notebook } from './helpers.ts';

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
