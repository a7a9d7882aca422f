import assert from 'node:assert/strict';
import { detectSteps, sanitizeStepName, SINGLE_STEP_HINT } from '../../../src/core/pipeline/steps.ts';
import { code, markdown, notebook } from './helpers.ts';

const summary = (nb: ReturnType<typeof notebook>) => detectSteps(nb).steps.map((s) => `${s.name}:${s.cells.join(',')}`);

describe('pipeline: step detection', () => {
  it('starts a step at each Kale step: tag, and records prev: tags by sanitised name', () => {
    const d = detectSteps(notebook(code('a = 1', ['step:Load Data']), code('b = a', ['step:train', 'prev:Load Data'])));
    assert.equal(d.mode, 'tags');
    assert.deepEqual(d.steps.map((s) => [s.name, s.title, s.cells, s.prev]), [
      ['load_data', 'Load Data', [0], []],
      ['train', 'train', [1], ['load_data']],
    ]);
  });

  it('accepts Kale block: tags and merges cells tagged with the same step wherever they are', () => {
    const d = detectSteps(notebook(code('a = 1', ['block:load']), code('b = 2', ['step:train']), code('c = 3', ['block:load'])));
    assert.deepEqual(summary(notebook(code('a = 1', ['block:load']), code('b = 2', ['step:train']), code('c = 3', ['block:load']))), ['load:0,2', 'train:1']);
    assert.equal(d.mode, 'tags');
  });

  it('sets aside imports, functions, parameters, pipeline-parameters, pipeline-metrics and skip cells', () => {
    const d = detectSteps(
      notebook(
        code('import os', ['imports']),
        code('def f():\n    return 1', ['functions']),
        code('n = 1', ['parameters']),
        code('m = 2', ['pipeline-parameters']),
        code('x = f()', ['step:run']),
        code('print(x)', ['skip']),
        code('print(x)', ['pipeline-metrics']),
      ),
    );
    assert.deepEqual(
      [d.importsCells, d.functionsCells, d.parametersCells, d.metricsCells, d.skippedCells],
      [[0], [1], [2, 3], [6], [5]],
    );
    assert.deepEqual(d.steps.map((s) => s.cells), [[4]]);
  });

  it('starts a step at a `# %% [step] name` marker and blanks the marker line (line numbers kept)', () => {
    const nb = notebook(code('# %% [step] Load data\ndf = 1'), code('# %% [step]\nx = df'), code('y = x'));
    const d = detectSteps(nb);
    assert.equal(d.mode, 'markers');
    assert.deepEqual(summary(nb), ['load_data:0', 'step_2:1,2']);
    assert.equal(d.sources.get(0), '\ndf = 1');
  });

  it('uses H2 markdown headings as steps (the last H2 of a cell wins; H1/H3 do not count)', () => {
    const nb = notebook(
      markdown('# Title\n### Not a step'),
      code('import pandas as pd'),
      markdown('## Load data'),
      code('df = 1'),
      markdown('## Ignored\n\n## Train the model!'),
      code('m = df'),
      code('print(m)'),
    );
    const d = detectSteps(nb);
    assert.equal(d.mode, 'headings');
    // Code before the first heading joins the first step.
    assert.deepEqual(summary(nb), ['load_data:1,3', 'train_the_model:5,6']);
  });

  it('prefers tags over markers over headings', () => {
    const nb = notebook(markdown('## Heading'), code('# %% [step] marked\na = 1'), code('b = 1', ['step:tagged']));
    assert.equal(detectSteps(nb).mode, 'tags');
    assert.equal(detectSteps(notebook(markdown('## Heading'), code('# %% [step] marked\na = 1'))).mode, 'markers');
  });

  it('joins untagged cells to the step above, and cells before the first step to the first step', () => {
    assert.deepEqual(summary(notebook(code('x = 0'), code('a = 1', ['step:one']), code('b = 2'), code('c = 3', ['step:two']), code('d = 4'))), ['one:0,1,2', 'two:3,4']);
  });

  it('makes a notebook without steps one step, with a hint on how to split it', () => {
    const d = detectSteps(notebook(code('a = 1'), markdown('# Only a title'), code('b = a')), 'My Analysis');
    assert.equal(d.mode, 'single');
    assert.deepEqual(d.steps.map((s) => [s.name, s.cells]), [['my_analysis', [0, 2]]]);
    assert.deepEqual(d.hints, [SINGLE_STEP_HINT]);
    assert.match(SINGLE_STEP_HINT, /# %% \[step\]/);
  });

  it('warns about a prev: tag naming no step', () => {
    const d = detectSteps(notebook(code('a = 1', ['step:one', 'prev:nowhere'])));
    assert.deepEqual(d.warnings.map((w) => [w.kind, w.cell, w.step]), [['unknownPrev', 0, 'one']]);
  });

  it('sanitises step names into unique Python identifiers', () => {
    const taken = new Set<string>();
    const names = ['Load data!', 'load-data', '2nd pass', 'class', 'start', 'end', '', 'Données brutes', '__x__'].map((n) => sanitizeStepName(n, taken));
    assert.deepEqual(names, ['load_data', 'load_data_2', 'step_2nd_pass', 'class_step', 'start_step', 'end_step', 'step', 'donnees_brutes', 'x']);
    for (const name of names) assert.match(name, /^[a-z_][a-z0-9_]*$/);
  });
});
