// One cell both sides kept, part by part: source, type, metadata, attachments, outputs, counts;
// and the notebook's own metadata and format.
import assert from 'node:assert/strict';
import { resolveMergeOptions } from '../../../src/core/merge/mergeNotebooks.ts';
import { DEFAULT_MERGE_OPTIONS, type MergeOptions } from '../../../src/core/merge/model.ts';
import { code, markdown, merge, notebook, result, stream, type RawCell } from './notebooks.ts';

/** A one-cell merge: the merged cell and the whole merge. */
function mergeOne(base: RawCell, local: RawCell, remote: RawCell, options: Partial<MergeOptions> = {}) {
  const m = merge(notebook([base]), notebook([local]), notebook([remote]), options);
  assert.equal(m.cells.length, 1, 'one merged cell');
  return { m, cell: m.cells[0] as NonNullable<(typeof m.cells)[0]> };
}

const src = 'import pandas as pd\ndf = pd.read_csv("data.csv")\ndf = df.dropna()\nprint(df.shape)';

describe('merge: one cell, part by part', () => {
  it('source edits at different lines combine; deleted lines are recorded', () => {
    const { m, cell } = mergeOne(
      code(src),
      code('import pandas as pd\nimport numpy as np\ndf = pd.read_csv("data.csv")\ndf = df.dropna()\nprint(df.shape)'),
      code('import pandas as pd\ndf = pd.read_csv("data.csv")\nprint(df.shape)'),
    );
    assert.equal(cell.origin, 'combined');
    assert.equal(cell.cell.source, 'import pandas as pd\nimport numpy as np\ndf = pd.read_csv("data.csv")\nprint(df.shape)');
    assert.deepEqual(m.decisions, [{ kind: 'deletedLines', by: 'remote', cell: 0, lines: ['df = df.dropna()'] }]);
    assert.deepEqual(m.stats, { conflicts: 0, unchanged: 0, fromLocal: 0, fromRemote: 0, combined: 1, deleted: 0 });
  });

  it('source edits to the same line conflict; each version has the other side\'s clean changes', () => {
    const { m, cell } = mergeOne(
      code(src),
      code('import pandas as pd\ndf = pd.read_csv("train.csv")\ndf = df.dropna()\nprint(df.shape)'),
      code('import pandas as pd\ndf = pd.read_csv("test.csv")\ndf = df.dropna()\nprint(df.shape)\nprint(df.head())'),
    );
    assert.equal(cell.origin, 'conflict');
    assert.deepEqual(cell.conflicts, [
      {
        kind: 'source',
        regions: [
          { ok: ['import pandas as pd'] },
          { conflict: { base: ['df = pd.read_csv("data.csv")'], local: ['df = pd.read_csv("train.csv")'], remote: ['df = pd.read_csv("test.csv")'] } },
          { ok: ['df = df.dropna()', 'print(df.shape)', 'print(df.head())'] },
        ],
      },
    ]);
    assert.equal(cell.versions?.local?.source, 'import pandas as pd\ndf = pd.read_csv("train.csv")\ndf = df.dropna()\nprint(df.shape)\nprint(df.head())');
    assert.equal(cell.versions?.remote?.source, 'import pandas as pd\ndf = pd.read_csv("test.csv")\ndf = df.dropna()\nprint(df.shape)\nprint(df.head())');
    assert.equal(cell.versions?.base?.source, src);
    assert.equal(cell.cell.source, cell.versions?.local?.source);
    assert.equal(m.stats.conflicts, 1);
  });

  it('keeps the final newline as the sides left it', () => {
    assert.equal(mergeOne(code('a\nb\nc'), code('A\nb\nc'), code('a\nb\nC')).cell.cell.source, 'A\nb\nC');
    assert.equal(mergeOne(code('a\nb\nc\n'), code('A\nb\nc\n'), code('a\nb\nC\n')).cell.cell.source, 'A\nb\nC\n');
    // One side added the final newline, the other edited a line: both land.
    assert.equal(mergeOne(code('a\nb\nc'), code('A\nb\nc'), code('a\nb\nc\n')).cell.cell.source, 'A\nb\nc\n');
    assert.equal(mergeOne(code('a\nb\nc'), code(''), code('a\nb\nc')).cell.cell.source, '');
  });

  it('cell type: one side\'s change is taken; different changes conflict', () => {
    assert.equal(mergeOne(code('# Title'), markdown('# Title'), code('# Title')).cell.cell.cellType, 'markdown');
    const { cell } = mergeOne(code('text'), markdown('text'), { cell_type: 'raw', source: 'text', metadata: {} });
    assert.deepEqual(cell.conflicts, [{ kind: 'cellType', base: 'code', local: 'markdown', remote: 'raw' }]);
    assert.equal(cell.versions?.local?.cellType, 'markdown');
    assert.equal(cell.versions?.remote?.cellType, 'raw');
  });

  it('a type change on one side and a source edit on the other combine (the cell is not deleted + added)', () => {
    const base = notebook([code('intro', { id: 'a' }), code('# Notes\nsome text', { id: 'b' }), code('x = 1', { id: 'c' })]);
    const local = notebook([code('intro', { id: 'a' }), markdown('# Notes\nsome text', { id: 'b' }), code('x = 1', { id: 'c' })]);
    const remote = notebook([code('intro', { id: 'a' }), code('# Notes\nsome more text', { id: 'b' }), code('x = 1', { id: 'c' })]);
    const m = merge(base, local, remote);
    assert.equal(m.cells.length, 3);
    assert.deepEqual([m.cells[1]?.cell.cellType, m.cells[1]?.cell.source, m.cells[1]?.origin], ['markdown', '# Notes\nsome more text', 'combined']);
    // Without ids, the unchanged source pairs the retyped cell.
    const strip = (nb: typeof base) => ({ ...nb, cells: nb.cells.map(({ id: _id, ...cell }) => cell) });
    const n = merge(strip(base), strip(local), strip(remote));
    assert.deepEqual(n.cells.map((c) => c.cell.cellType), ['code', 'markdown', 'code']);
  });

  it('metadata merges key by key, walking into objects', () => {
    const { m, cell } = mergeOne(
      code('x', { metadata: { tags: ['a'], jupyter: { source_hidden: false } } }),
      code('x', { metadata: { tags: ['a', 'b'], jupyter: { source_hidden: true } } }),
      code('x', { metadata: { tags: ['a'], jupyter: { source_hidden: false, outputs_hidden: true }, slideshow: { slide_type: 'slide' } } }),
    );
    assert.deepEqual(cell.cell.metadata, { tags: ['a', 'b'], jupyter: { source_hidden: true, outputs_hidden: true }, slideshow: { slide_type: 'slide' } });
    assert.equal(cell.origin, 'combined');
    assert.equal(m.stats.conflicts, 0);
  });

  it('a metadata key changed differently conflicts, local\'s value in the result', () => {
    const { cell } = mergeOne(code('x', { metadata: { tags: ['a'] } }), code('x', { metadata: { tags: ['b'] } }), code('x', { metadata: {} }));
    assert.deepEqual(cell.conflicts, [{ kind: 'metadata', part: 'metadata', keys: [{ path: ['tags'], base: ['a'], local: ['b'] }] }]);
    assert.deepEqual(cell.cell.metadata, { tags: ['b'] });
    assert.deepEqual(cell.versions?.remote?.metadata, {});
  });

  it('volatile metadata both sides changed takes local\'s value, or conflicts when told to', () => {
    const b = code('x', { metadata: { ExecuteTime: { end_time: '1' } } });
    const l = code('x', { metadata: { ExecuteTime: { end_time: '2' } } });
    const r = code('x', { metadata: { ExecuteTime: { end_time: '3' } } });
    const auto = mergeOne(b, l, r);
    assert.deepEqual(auto.cell.cell.metadata, { ExecuteTime: { end_time: '2' } });
    assert.deepEqual(auto.m.decisions, [{ kind: 'volatileMetadata', cell: 0, path: ['ExecuteTime', 'end_time'] }]);
    assert.equal(auto.cell.conflicts.length, 0);
    const strict = mergeOne(b, l, r, { autoResolveVolatileMetadata: false });
    assert.deepEqual(strict.cell.conflicts, [{ kind: 'metadata', part: 'metadata', keys: [{ path: ['ExecuteTime', 'end_time'], base: '1', local: '2', remote: '3' }] }]);
  });

  it('attachments merge by name; the same name changed differently conflicts', () => {
    const png = (data: string) => ({ 'image/png': data });
    const { cell } = mergeOne(
      markdown('![a](attachment:a.png)', { attachments: { 'a.png': png('AAA') } }),
      markdown('![a](attachment:a.png)', { attachments: { 'a.png': png('BBB'), 'b.png': png('CCC') } }),
      markdown('![a](attachment:a.png)', { attachments: { 'a.png': png('DDD') } }),
    );
    assert.deepEqual(cell.conflicts, [{ kind: 'metadata', part: 'attachments', keys: [{ path: ['a.png', 'image/png'], base: 'AAA', local: 'BBB', remote: 'DDD' }] }]);
    assert.deepEqual(cell.versions?.remote?.attachments, { 'a.png': png('DDD'), 'b.png': png('CCC') });
  });

  it('outputs one side changed are taken, with its count', () => {
    const { cell } = mergeOne(code('f()'), code('f()', { outputs: [stream('1\n')], execution_count: 3 }), code('f()'));
    assert.deepEqual(cell.cell.outputs, [{ outputType: 'stream', name: 'stdout', text: '1\n' }]);
    assert.equal(cell.cell.executionCount, 3);
    assert.equal(cell.origin, 'local');
  });

  it('outputs both changed differently follow the policy, each side kept for a resolution', () => {
    const b = code('f()', { outputs: [result(1, '0')], execution_count: 1 });
    const l = code('f()', { outputs: [result(2, '1')], execution_count: 2 });
    const r = code('f()', { outputs: [result(5, '2')], execution_count: 5 });
    const cleared = mergeOne(b, l, r);
    assert.deepEqual(cleared.cell.cell.outputs, []);
    assert.equal(cleared.cell.cell.executionCount, null);
    assert.equal(cleared.cell.conflicts.length, 0);
    assert.deepEqual(cleared.cell.outputs?.policy, 'clear');
    assert.equal(cleared.cell.outputs?.local.length, 1);
    assert.deepEqual([cleared.cell.outputs?.localCount, cleared.cell.outputs?.remoteCount], [2, 5]);
    assert.deepEqual(cleared.m.decisions, [
      { kind: 'outputs', cell: 0, policy: 'clear' },
      { kind: 'executionCount', cell: 0, value: null },
    ]);
    const texts = (policy: MergeOptions['outputs']) =>
      mergeOne(b, l, r, { outputs: policy }).cell.cell.outputs.map((o) => (o.outputType === 'execute_result' ? o.data['text/plain'] : ''));
    assert.deepEqual(texts('local'), ['1']);
    assert.deepEqual(texts('remote'), ['2']);
    assert.deepEqual(texts('both'), ['1', '2']);
  });

  it('outputs that differ only in execution counts are unchanged when counts are auto-resolved', () => {
    const b = code('f()', { outputs: [result(1, '42')], execution_count: 1 });
    const l = code('f()', { outputs: [result(2, '42')], execution_count: 2 });
    const r = code('f()', { outputs: [result(3, '42')], execution_count: 3 });
    const { m, cell } = mergeOne(b, l, r);
    assert.equal(cell.outputs, undefined);
    assert.equal(cell.cell.outputs.length, 1);
    assert.equal(cell.cell.executionCount, null);
    assert.deepEqual(m.decisions, [{ kind: 'executionCount', cell: 0, value: null }]);
  });

  it('execution counts both changed differently conflict when not auto-resolved', () => {
    const { cell } = mergeOne(code('f()', { execution_count: 1 }), code('f()', { execution_count: 2 }), code('f()', { execution_count: 3 }), {
      autoResolveExecutionCounts: false,
    });
    assert.deepEqual(cell.conflicts, [{ kind: 'executionCount', base: 1, local: 2, remote: 3 }]);
    assert.equal(cell.versions?.local?.executionCount, 2);
    assert.equal(cell.versions?.remote?.executionCount, 3);
    // One side's change is simply taken.
    assert.equal(mergeOne(code('f()', { execution_count: 1 }), code('f()', { execution_count: 1 }), code('f()', { execution_count: 4 })).cell.cell.executionCount, 4);
  });

  it('outputs that differ only in execution counts are unchanged when counts conflict: each version keeps its own', () => {
    const b = code('f()', { outputs: [result(1, '42')], execution_count: 1 });
    const l = code('f()', { outputs: [result(2, '42')], execution_count: 2 });
    const r = code('f()', { outputs: [result(3, '42')], execution_count: 3 });
    const { m, cell } = mergeOne(b, l, r, { autoResolveExecutionCounts: false });
    assert.deepEqual(cell.conflicts, [{ kind: 'executionCount', base: 1, local: 2, remote: 3 }]);
    assert.equal(cell.outputs, undefined, 'no outputs decision: the outputs did not change');
    assert.deepEqual(m.decisions, []);
    const texts = (c: typeof cell.cell | undefined) => c?.outputs.map((o) => (o.outputType === 'execute_result' ? [o.executionCount, o.data['text/plain']] : []));
    assert.deepEqual(texts(cell.cell), [[2, '42']]);
    assert.deepEqual(texts(cell.versions?.local), [[2, '42']]);
    assert.deepEqual(texts(cell.versions?.remote), [[3, '42']]);
  });

  it('an attachment one side added, while the other made the cell code, is a cellType conflict (a code cell cannot hold it)', () => {
    const png = { 'image/png': 'AAA' };
    const b = markdown('![plot](attachment:p.png)\nSee the plot.');
    const toCode = code('![plot](attachment:p.png)\nSee the plot.');
    const pasted = markdown('![plot](attachment:p.png)\nSee the plot.', { attachments: { 'p.png': png } });
    for (const [l, r] of [[toCode, pasted], [pasted, toCode]] as const) {
      const { m, cell } = mergeOne(b, l, r);
      assert.deepEqual(cell.conflicts, [{ kind: 'cellType', base: 'markdown', local: l.cell_type, remote: r.cell_type }]);
      const markdownSide = l === pasted ? cell.versions?.local : cell.versions?.remote;
      assert.equal(markdownSide?.cellType, 'markdown');
      assert.deepEqual(markdownSide?.attachments, { 'p.png': png });
      assert.equal(m.stats.conflicts, 1);
    }
    // A retype alone (no attachment change on the other side) merges as before.
    const edited = markdown('![plot](attachment:p.png)\nSee the plot below.');
    const { cell } = mergeOne(b, toCode, edited);
    assert.deepEqual(cell.conflicts, []);
    assert.equal(cell.cell.cellType, 'code');
  });

  it('notebook metadata merges key by key; conflicts keep local\'s value; volatile keys auto', () => {
    const cells = [code('x')];
    const b = notebook(cells, { kernelspec: { name: 'python3', display_name: 'Python 3' }, trusted: true }, 4);
    const l = notebook(cells, { kernelspec: { name: 'py311', display_name: 'Python 3' }, authors: ['ann'], trusted: false }, 5);
    const r = notebook(cells, { kernelspec: { name: 'ir', display_name: 'R' }, trusted: null }, 4);
    const m = merge(b, l, r);
    assert.deepEqual(m.metadata.merged, { kernelspec: { name: 'py311', display_name: 'R' }, trusted: false, authors: ['ann'] });
    assert.deepEqual(m.metadata.conflicts, [{ path: ['kernelspec', 'name'], base: 'python3', local: 'py311', remote: 'ir' }]);
    assert.deepEqual(m.decisions, [{ kind: 'volatileMetadata', cell: null, path: ['trusted'] }]);
    assert.equal(m.stats.conflicts, 1);
    assert.deepEqual([m.nbformat, m.nbformatMinor], [4, 5]);
    assert.deepEqual([merge(b, r, l).nbformat, merge(b, r, l).nbformatMinor], [4, 5]);
  });

  it('resolveMergeOptions fills defaults and ignores malformed values', () => {
    assert.deepEqual(resolveMergeOptions(), DEFAULT_MERGE_OPTIONS);
    assert.deepEqual(resolveMergeOptions({ outputs: 'both', autoResolveExecutionCounts: false }), { ...DEFAULT_MERGE_OPTIONS, outputs: 'both', autoResolveExecutionCounts: false });
    assert.deepEqual(resolveMergeOptions({ outputs: 'nonsense' as MergeOptions['outputs'], ignoreWhitespace: 'yes' as unknown as boolean }), DEFAULT_MERGE_OPTIONS);
  });
});
