// Per-cell diffs on small notebooks written out here, one concern each: metadata and its volatile
// keys, attachments, errors, whitespace, output kinds.
import assert from 'node:assert/strict';
import { diffNotebooks } from '../../../src/core/diff/diffNotebooks.ts';
import type { NotebookDiff } from '../../../src/core/diff/model.ts';
import type { DiffOptions } from '../../../src/core/diff/options.ts';
import { renderText } from '../../../src/core/diff/renderText.ts';
import { parseNotebook } from '../../../src/core/notebook/readNotebook.ts';

type RawCell = Record<string, unknown>;

function code(source: string, extra: RawCell = {}): RawCell {
  return { cell_type: 'code', execution_count: 1, metadata: {}, outputs: [], source, ...extra };
}

function diff(base: RawCell[], remote: RawCell[], options: Partial<DiffOptions> = {}, meta: [RawCell, RawCell] = [{}, {}]): NotebookDiff {
  const nb = (cells: RawCell[], metadata: RawCell) => parseNotebook(JSON.stringify({ nbformat: 4, nbformat_minor: 4, metadata, cells }), 'inline.ipynb');
  return diffNotebooks({ notebook: nb(base, meta[0]), name: 'a' }, { notebook: nb(remote, meta[1]), name: 'b' }, options);
}

const PNG_A = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PNG_B = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('diff: cell parts', () => {
  it('drops volatile metadata (and parents it emptied) but keeps real metadata changes', () => {
    const base = [code('x = 1', { metadata: { tags: ['setup'], collapsed: true, jupyter: { outputs_hidden: true }, trusted: true } })];
    const remote = [code('x = 1', { metadata: { tags: ['setup', 'slow'], scrolled: 'auto', ExecuteTime: { start_time: 't' }, execution: { 'iopub.status.busy': 't' } } })];
    const quiet = diff(base, remote);
    assert.deepEqual(quiet.cells[0]?.metadata, [{ op: 'changed', path: ['tags'], base: ['setup'], remote: ['setup', 'slow'] }]);
    const loud = diff(base, remote, { ignoreVolatileMetadata: false });
    assert.deepEqual(
      loud.cells[0]?.metadata?.map((m) => `${m.op} ${m.path.join('.')}`),
      ['changed tags', 'removed collapsed', 'removed jupyter', 'removed trusted', 'added scrolled', 'added ExecuteTime', 'added execution'],
    );
    const onlyNoise = diff([code('x', { metadata: { jupyter: { outputs_hidden: true, source_hidden: true } } })], [code('x', { metadata: { jupyter: { source_hidden: true } } })]);
    assert.equal(onlyNoise.stats.hasChanges, false, 'jupyter.outputs_hidden alone is noise; jupyter.source_hidden stays');
  });

  it('diffs notebook metadata and ignores saved widget state', () => {
    const widgets = (n: number) => ({ widgets: { 'application/vnd.jupyter.widget-state+json': { state: { n } } } });
    const same = diff([code('x')], [code('x')], {}, [{ ...widgets(1), kernelspec: { name: 'python3' } }, { ...widgets(2), kernelspec: { name: 'python3' } }]);
    assert.equal(same.stats.hasChanges, false);
    const kernel = diff([code('x')], [code('x')], {}, [{ kernelspec: { name: 'python3', display_name: 'Python 3' } }, { kernelspec: { name: 'ir', display_name: 'Python 3' } }]);
    assert.deepEqual(kernel.metadata, [{ op: 'changed', path: ['kernelspec', 'name'], base: 'python3', remote: 'ir' }]);
    assert.equal(kernel.stats.hasChanges, true);
  });

  it('diffs attachments by name and content hash', () => {
    const md = (attachments: RawCell) => ({ cell_type: 'markdown', metadata: {}, source: '![plot](attachment:plot.png)', attachments });
    const result = diff([md({ 'plot.png': { 'image/png': PNG_A }, 'old.png': { 'image/png': PNG_A } })], [md({ 'plot.png': { 'image/png': PNG_B }, 'new.png': { 'image/png': PNG_A } })]);
    assert.deepEqual(
      result.cells[0]?.attachments?.map((c) => `${c.op} ${c.path.join(' ')}`),
      ['changed plot.png image/png', 'removed old.png', 'added new.png'],
    );
    const changed = result.cells[0]?.attachments?.[0];
    assert.deepEqual(Object.keys(changed?.base ?? {}), ['mime', 'hash', 'bytes']);
    assert.notDeepEqual(changed?.base, changed?.remote);
    assert.equal(diff([md({ 'p.png': { 'image/png': PNG_A } })], [md({ 'p.png': { 'image/png': PNG_A.replace(/(.{20})/g, '$1\n') } })]).stats.hasChanges, false, 'base64 line breaks are not a change');
  });

  it('diffs errors by name, value and traceback, without the colour codes', () => {
    const err = (evalue: string, line: string) => code('f()', { outputs: [{ output_type: 'error', ename: 'ValueError', evalue, traceback: ['\u001b[0;31m---------\u001b[0m', `\u001b[0;32m${line}\u001b[0m`] }] });
    const result = diff([err('bad input', 'File a.py:1')], [err('bad value', 'File a.py:2')], { ignoreOutputOnlyChanges: false });
    assert.deepEqual(result.cells[0]?.outputs?.[0]?.changes, [
      {
        part: 'error',
        evalue: { base: 'bad input', remote: 'bad value' },
        traceback: {
          hunks: [{ baseStart: 0, baseCount: 2, remoteStart: 0, remoteCount: 2, lines: [{ op: 'context', text: '---------' }, { op: 'delete', text: 'File a.py:1', spans: [[10, 11]] }, { op: 'insert', text: 'File a.py:2', spans: [[10, 11]] }] }],
          added: 1,
          removed: 1,
        },
      },
    ]);
  });

  it('matches outputs in order and reports added, removed and changed ones by kind', () => {
    const out = (...outputs: RawCell[]) => code('run()', { outputs });
    const stdout = (text: string) => ({ output_type: 'stream', name: 'stdout', text });
    const png = (data: string) => ({ output_type: 'display_data', metadata: {}, data: { 'image/png': data, 'text/plain': '<Figure>' } });
    const json = (value: unknown) => ({ output_type: 'display_data', metadata: {}, data: { 'application/json': value } });
    const result = diff([out(stdout('epoch 1\n'), png(PNG_A), json({ a: 1, b: [1] }), stdout('done\n'))], [out(stdout('epoch 1\n'), png(PNG_B), json({ b: [1], a: 2 }), { output_type: 'stream', name: 'stderr', text: 'warning\n' })], { ignoreOutputOnlyChanges: false });
    const outputs = result.cells[0]?.outputs ?? [];
    assert.deepEqual(
      outputs.map((o) => `${o.op} ${o.baseIndex ?? '-'}→${o.remoteIndex ?? '-'}`),
      ['unchanged 0→0', 'modified 1→1', 'modified 2→2', 'removed 3→-', 'added -→3'],
    );
    assert.deepEqual(
      outputs[1]?.changes?.map((c) => c.part),
      ['image'],
    );
    assert.deepEqual(outputs[2]?.changes, [{ part: 'data', mime: 'application/json', base: { a: 1, b: [1] }, remote: { b: [1], a: 2 } }]);
    assert.deepEqual(outputs[4]?.remote, { outputType: 'stream', name: 'stderr', mimeTypes: [], preview: 'warning' });
  });

  it('ignores whitespace-only source changes unless asked to show them', () => {
    const base = [code('def f(x):\n    return x+1')];
    const remote = [code('def f(x):\n    return x + 1\n')];
    assert.equal(diff(base, remote).stats.hasChanges, false);
    const shown = diff(base, remote, { ignoreWhitespace: false });
    assert.deepEqual(shown.cells[0]?.source?.hunks[0]?.lines.map((l) => `${l.op} ${l.text}`), ['context def f(x):', 'delete     return x+1', 'insert     return x + 1']);
  });

  it('counts only execution-count changes as differences when asked', () => {
    const base = [code('x', { execution_count: 3 })];
    const remote = [code('x', { execution_count: 9 })];
    assert.equal(diff(base, remote).stats.hasChanges, false);
    assert.deepEqual(diff(base, remote, { ignoreExecutionCounts: false }).cells[0]?.executionCount, { base: 3, remote: 9 });
  });

  it('finds a cell that was moved and edited, and shows its edit', () => {
    const cells = Array.from({ length: 8 }, (_, k) => code(`step_${k} = run_step(${k}, data_${k})\nprint(step_${k}.summary())`));
    const moved = code('step_6 = run_step(6, data_6, retries=3)\nprint(step_6.summary())');
    const remote = [cells[0], moved, ...cells.slice(1, 6), cells[7]] as RawCell[];
    const result = diff(cells, remote);
    assert.deepEqual(
      result.cells.filter((c) => c.kind !== 'unchanged').map((c) => `${c.kind} ${c.baseIndex}→${c.remoteIndex} ${c.matchedBy}`),
      ['moved 6→1 similarity'],
    );
    assert.deepEqual(result.cells[1]?.source?.hunks[0]?.lines.map((l) => l.op), ['delete', 'insert', 'context']);
    assert.match(renderText(result, { color: false }), /\n## moved cell 7 → 2 \[code\] \(and modified\)\n@@ -1,2 \+1,2 @@\n-step_6 = run_step\(6, data_6\)\n/);
  });

  it('pairs a cell with its edit, not with a sibling cut from the same template', () => {
    const model = (k: number, n: number) => `model_${k} = RandomForestClassifier(n_estimators=${n}, max_depth=4)\nmodel_${k}.fit(X_train, y_train)\nprint(model_${k}.score(X_test, y_test))`;
    const result = diff([code('import x'), code(model(1, 100)), code(model(2, 100)), code('end')], [code('import x'), code(model(2, 250)), code('end')]);
    assert.deepEqual(
      result.cells.map((c) => `${c.kind} ${c.baseIndex ?? '-'}→${c.remoteIndex ?? '-'}`),
      ['unchanged 0→0', 'removed 1→-', 'modified 2→1', 'unchanged 3→2'],
    );
  });
});
