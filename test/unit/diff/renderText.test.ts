import assert from 'node:assert/strict';
import { diffNotebooks } from '../../../src/core/diff/diffNotebooks.ts';
import { renderText } from '../../../src/core/diff/renderText.ts';
import { parseNotebook } from '../../../src/core/notebook/readNotebook.ts';
import { diffFixtures } from './fixtures.ts';

describe('diff: text rendering', () => {
  it('renders the edited pair as unified-style text with cell headers and collapsed unchanged runs', () => {
    const text = renderText(diffFixtures('workflow.ipynb', 'workflow-edited.ipynb'), { color: false });
    assert.equal(
      text,
      [
        'labbook diff workflow.ipynb workflow-edited.ipynb',
        '## modified cell 1 → 1 [markdown]',
        '@@ -1,3 +1,3 @@',
        '-# Wine classification',
        '+# Wine cultivar classification',
        ' ',
        ' A small end-to-end workflow: load the data, explore it, train a few models and compare them.',
        '… 22 unchanged cells …',
        '## modified cell 24 → 24 [code]',
        '@@ -1,6 +1,6 @@',
        ' X = df[features]',
        ' y = df["target"]',
        ' X_train, X_test, y_train, y_test = train_test_split(',
        '-    X, y, test_size=0.25, stratify=y, random_state=RANDOM_STATE',
        '+    X, y, test_size=0.2, stratify=y, random_state=RANDOM_STATE',
        ' )',
        ' print(X_train.shape, X_test.shape)',
        '  outputs:',
        '  ~ output 1 (stream stdout)',
        '    stream:stdout:',
        '      -(133, 14) (45, 14)',
        '      +(142, 14) (36, 14)',
        '## removed cell 25 [code]',
        '-y_train.value_counts(normalize=True).sort_index().round(3)',
        '  outputs:',
        '  - output 1 (execute_result) text/plain "target"',
        '… 3 unchanged cells …',
        '## added cell 28 [markdown]',
        '+Logistic regression needs scaled features, so it runs in a pipeline after a `StandardScaler`.',
        '… 6 unchanged cells …',
        '## modified cell 35 → 35 [code]',
        '@@ -1,2 +1,2 @@',
        '-rf = RandomForestClassifier(n_estimators=100, max_depth=4, random_state=RANDOM_STATE)',
        '+rf = RandomForestClassifier(n_estimators=300, max_depth=6, random_state=RANDOM_STATE)',
        ' rf.fit(X_train, y_train)',
        '  outputs:',
        '  ~ output 1 (execute_result)',
        '    text/plain:',
        '      -RandomForestClassifier(max_depth=4, random_state=42)',
        '      +RandomForestClassifier(max_depth=6, n_estimators=300, random_state=42)',
        '… 19 unchanged cells …',
        '## modified cell 55 → 55 [markdown]',
        '@@ -3,3 +3,4 @@',
        ' - flavanoids and proline separate the cultivars well',
        ' - the forest and the logistic regression are both near the ceiling on this split',
        ' - next: repeat with nested cross-validation',
        '+- try a gradient-boosted model with more trees',
        '… 1 unchanged cell …',
        '4 modified, 1 added, 1 removed, 51 unchanged (11 cells with output-only changes hidden: --show-outputs)',
        '',
      ].join('\n'),
    );
  });

  it('colours deletions, insertions and the changed words inside them, only when asked', () => {
    const text = renderText(diffFixtures('workflow.ipynb', 'workflow-edited.ipynb'), { color: true });
    assert.ok(text.includes('\x1b[31m-    X, y, test_size=0.\x1b[1;41;97m25\x1b[0;31m, stratify=y, random_state=RANDOM_STATE\x1b[39m'));
    assert.ok(text.includes('\x1b[32m+    X, y, test_size=0.\x1b[1;42;97m2\x1b[0;32m, stratify=y, random_state=RANDOM_STATE\x1b[39m'));
    assert.ok(text.includes('\x1b[1;36m## modified cell 24 → 24 [code]\x1b[0m'));
  });

  it('summarises moves, images, and notebooks without differences', () => {
    assert.match(renderText(diffFixtures('workflow.ipynb', 'workflow-moved.ipynb'), { color: false }), /## moved cell 20 → 9 \[markdown\]\n## moved cell 21 → 10 \[code\]\n… 31 unchanged cells …/);
    assert.match(renderText(diffFixtures('workflow.ipynb', 'workflow-plot.ipynb'), { color: false }), /\n {4}image\/png: [0-9a-f]{8} \(3\.0 kB\) → [0-9a-f]{8} \(2\.6 kB\)\n/);
    assert.equal(renderText(diffFixtures('workflow.ipynb', 'workflow-rerun.ipynb'), { color: false }), 'labbook diff workflow.ipynb workflow-rerun.ipynb\n… 56 unchanged cells …\nno differences; 1 cell with output-only changes hidden (--show-outputs)\n');
    assert.match(renderText(diffFixtures('workflow.ipynb', 'workflow-v40.ipynb'), { color: false }), /^labbook diff workflow\.ipynb workflow-v40\.ipynb \(nbformat 4\.5 → 4\.0\)\n/);
  });

  it('shows control characters from a notebook as symbols, never as terminal commands', () => {
    const nb = (source: string) => parseNotebook(JSON.stringify({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells: [{ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source }] }), 'x.ipynb');
    const text = renderText(diffNotebooks({ notebook: nb('print(1)'), name: 'a' }, { notebook: nb('print("\u001b[2J\u0007")'), name: 'b' }), { color: false });
    assert.ok(text.includes('+print("␛[2J␇")'));
    assert.ok(!text.includes('\u001b'));
  });
});
