import assert from 'node:assert/strict';
import { diffText, wholeText } from '../../../src/core/diff/textDiff.ts';

const exact = { ignoreWhitespace: false, context: 3 };

describe('diff: line diffs with word spans', () => {
  it('makes unified hunks with context and word-level spans on replaced lines', () => {
    const base = ['import pandas as pd', 'df = pd.read_csv("data.csv")', 'df = df.dropna()', 'print(df.shape)'].join('\n');
    const remote = ['import pandas as pd', 'df = pd.read_csv("data/train.csv")', 'df = df.dropna()', 'print(df.shape)', 'df.head()'].join('\n');
    const diff = diffText(base, remote, exact);
    assert.equal(diff.added, 2);
    assert.equal(diff.removed, 1);
    assert.deepEqual(diff.hunks, [
      {
        baseStart: 0,
        baseCount: 4,
        remoteStart: 0,
        remoteCount: 5,
        lines: [
          { op: 'context', text: 'import pandas as pd' },
          { op: 'delete', text: 'df = pd.read_csv("data.csv")', spans: [] },
          { op: 'insert', text: 'df = pd.read_csv("data/train.csv")', spans: [[22, 28]] },
          { op: 'context', text: 'df = df.dropna()' },
          { op: 'context', text: 'print(df.shape)' },
          { op: 'insert', text: 'df.head()' },
        ],
      },
    ]);
    assert.equal('df = pd.read_csv("data/train.csv")'.slice(22, 28), '/train');
  });

  it('marks what changed inside a line on both sides', () => {
    const diff = diffText('model = RandomForestClassifier(n_estimators=100, max_depth=4)', 'model = RandomForestClassifier(n_estimators=300, max_depth=4)', exact);
    const [del, ins] = diff.hunks[0]?.lines ?? [];
    assert.deepEqual(del?.spans, [[44, 47]]);
    assert.deepEqual(ins?.spans, [[44, 47]]);
    assert.equal(del?.text.slice(44, 47), '100');
    assert.equal(ins?.text.slice(44, 47), '300');
  });

  it('leaves whole-line changes unmarked when the lines have little in common', () => {
    const diff = diffText('x = compute_everything(a, b)', 'plt.show()', exact);
    assert.deepEqual(diff.hunks[0]?.lines, [
      { op: 'delete', text: 'x = compute_everything(a, b)' },
      { op: 'insert', text: 'plt.show()' },
    ]);
  });

  it('splits far-apart changes into separate hunks and keeps near ones together', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    const changed = [...lines];
    changed[2] = 'line two';
    changed[25] = 'line twenty-five';
    const diff = diffText(lines.join('\n'), changed.join('\n'), exact);
    assert.deepEqual(
      diff.hunks.map((h) => [h.baseStart, h.baseCount, h.remoteStart, h.remoteCount]),
      [
        [0, 6, 0, 6],
        [22, 7, 22, 7],
      ],
    );
    changed[8] = 'line eight';
    assert.equal(diffText(lines.join('\n'), changed.join('\n'), exact).hunks.length, 2, 'changes 6 lines apart share a hunk');
  });

  it('ignores whitespace when asked, and only then', () => {
    const base = 'def f(x):\n    return x+1';
    const remote = 'def f(x):\n    return x + 1  ';
    assert.equal(diffText(base, remote, { ignoreWhitespace: true, context: 3 }).hunks.length, 0);
    assert.equal(diffText(base, remote, exact).hunks.length, 1);
  });

  it('tells a missing final newline apart, unless whitespace is ignored', () => {
    assert.equal(diffText('a\nb\n', 'a\nb', exact).hunks[0]?.lines.length, 3);
    assert.equal(diffText('a\nb\n', 'a\nb', { ignoreWhitespace: true, context: 3 }).hunks.length, 0);
    assert.deepEqual(diffText('', 'x\n', exact).hunks[0]?.lines, [{ op: 'insert', text: 'x' }]);
  });

  it('shows a whole text as inserted or deleted', () => {
    assert.deepEqual(wholeText('a\nb', 'insert'), { hunks: [{ baseStart: 0, baseCount: 0, remoteStart: 0, remoteCount: 2, lines: [{ op: 'insert', text: 'a' }, { op: 'insert', text: 'b' }] }], added: 2, removed: 0 });
    assert.deepEqual(wholeText('', 'delete'), { hunks: [], added: 0, removed: 0 });
  });
});
