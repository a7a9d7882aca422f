import assert from 'node:assert/strict';
import { parseMetaYaml, YamlSyntaxError } from '../../../src/core/store/mlflowFiles/metaYaml.ts';

// Inputs are what PyYAML's safe_dump(default_flow_style=False) writes for MLflow's meta.yaml files.
describe('store/metaYaml: the YAML MLflow file stores write', () => {
  it('reads scalars the way PyYAML resolves them', () => {
    const meta = parseMetaYaml(
      [
        "artifact_uri: file:///tmp/mlruns/1/abc/artifacts",
        'end_time: null',
        "entry_point_name: ''",
        "experiment_id: '347721859952267708'",
        'start_time: 1795605125276',
        'status: 3',
        'tags: []',
        'deleted: false',
        'ratio: 1.0e-05',
        'nan: .nan',
        'plain_word: 1e3',
        "quoted: 'it''s'",
        'escaped: "a\\tb\\x01 \\u00e9"',
        'tilde: ~',
        'empty:',
        '',
      ].join('\n'),
    );
    assert.deepEqual(meta, {
      artifact_uri: 'file:///tmp/mlruns/1/abc/artifacts',
      end_time: null,
      entry_point_name: '',
      experiment_id: '347721859952267708',
      start_time: 1795605125276,
      status: 3,
      tags: [],
      deleted: false,
      ratio: 1e-5,
      nan: NaN,
      plain_word: '1e3',
      quoted: "it's",
      escaped: 'a\tb\x01 é',
      tilde: null,
      empty: null,
    });
  });

  it('unfolds long and multi-line strings', () => {
    const meta = parseMetaYaml(
      [
        "long: 'word word word word word word word word word word word word word word word",
        "  word word '",
        'plain: a plain value that PyYAML wrapped because it was longer than eighty',
        '  columns',
        "multi: 'line1",
        '',
        '  line2',
        '',
        '',
        "  line4'",
        "nl_end: 'x",
        '',
        "  '",
        'dq: "first \\',
        '  \\ second"',
        'after: z',
      ].join('\n'),
    );
    assert.deepEqual(meta, {
      long: 'word word word word word word word word word word word word word word word word word ',
      plain: 'a plain value that PyYAML wrapped because it was longer than eighty columns',
      multi: 'line1\nline2\n\nline4',
      nl_end: 'x\n',
      dq: 'first  second',
      after: 'z',
    });
  });

  it('reads nested mappings and lists of mappings', () => {
    const meta = parseMetaYaml(
      ['aliases:', "  champion: '1'", '  a b: x', 'lst:', '- key: k', '  value: v', '- plain', 'name: m1', 'empty_map: {}'].join('\n'),
    );
    assert.deepEqual(meta, { aliases: { champion: '1', 'a b': 'x' }, lst: [{ key: 'k', value: 'v' }, 'plain'], name: 'm1', empty_map: {} });
  });

  it('reports garbage with its line instead of guessing', () => {
    assert.deepEqual(parseMetaYaml(''), {});
    for (const [text, line] of [
      ['name: ok\nthis is not yaml\n', 2],
      ["name: 'unterminated\n", 1],
      ['- a list\n', 1],
      ['name: x\n   indented: y\n', 2],
    ] as const) {
      assert.throws(() => parseMetaYaml(text), (err: unknown) => err instanceof YamlSyntaxError && err.line === line, text);
    }
  });
});
