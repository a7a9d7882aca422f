// The meta.yaml reader (what MLflow's file store writes) under damaged files: lines dropped,
// repeated, re-indented, values swapped for YAML's awkward forms. parseMetaYaml reads or throws a
// YamlSyntaxError naming the line; the mlruns readers read or throw an MlrunsFileError naming the file.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { parseMetaYaml, YamlSyntaxError } from '../../../src/core/store/mlflowFiles/metaYaml.ts';
import { MlrunsFileError, readExperiment, readRun } from '../../../src/core/store/mlflowFiles/mlrunsFiles.ts';
import { checkAsyncProperty, checkProperty, fuzzRuns, fuzzTitle, mutateText, parsesOrThrowsOwn, parsesOrThrowsOwnAsync, textMutation } from './fuzzing.ts';

// As PyYAML's safe_dump(default_flow_style=False) writes them for MLflow 2.x/3.x.
const RUN = [
  'artifact_uri: file:///tmp/mlruns/347721859952267708/4f1c2a9e0b6d4e8f9a1b2c3d4e5f6a7b/artifacts',
  'end_time: 1795605129000',
  "entry_point_name: ''",
  "experiment_id: '347721859952267708'",
  'lifecycle_stage: active',
  "run_id: 4f1c2a9e0b6d4e8f9a1b2c3d4e5f6a7b",
  'run_name: bright-fox-42',
  'run_uuid: 4f1c2a9e0b6d4e8f9a1b2c3d4e5f6a7b',
  "source_name: ''",
  'source_type: 4',
  "source_version: ''",
  'start_time: 1795605125276',
  'status: 3',
  'tags: []',
  'user_id: ana',
  '',
].join('\n');
const EXPERIMENT = [
  'artifact_location: file:///tmp/mlruns/347721859952267708',
  'creation_time: 1795605125000',
  "experiment_id: '347721859952267708'",
  'last_update_time: 1795605125000',
  'lifecycle_stage: active',
  'name: churn "baseline" with a rather long name that PyYAML wraps once it passes the eighty',
  '  column limit',
  '',
].join('\n');
const MODEL = [
  'aliases:',
  '  champion: 2',
  'creation_timestamp: 1795605125276',
  'description: "A model with a description\\nover two lines and a \\xE9"',
  'last_updated_timestamp: 1795605125999',
  'name: churn',
  'tags:',
  '- key: team',
  '  value: vision',
  '',
].join('\n');
const DOCS = [RUN, EXPERIMENT, MODEL];

/** YAML's awkward values: escapes, block scalars, flow collections, nesting, unterminated quotes. */
const AWKWARD = [
  "''", "'it''s'", "'open", '"\\UFFFFFFFF"', '"\\U0010FFFF"', '"\\x"', '"\\', '|', '>-', '|+', '[a, b', '{a: 1}', '[]', '{}', '~', '.nan', '-.inf',
  '1e999', '0x10', '-', '- a', '&anchor x', '*alias', '!!str 1', '#', 'a: b', ':', '\n  toString: 1', '\n  __proto__:\n    toString: 1',
  '\n- 1\n- 2', '\n  - - x', '\n-\n-\n-', '\t1', '"a\n\n  b"',
];

type LineEdit =
  | { readonly kind: 'value'; readonly line: number; readonly value: string }
  | { readonly kind: 'drop'; readonly line: number }
  | { readonly kind: 'repeat'; readonly line: number; readonly times: number }
  | { readonly kind: 'indent'; readonly line: number; readonly by: number };

const lineEdit: fc.Arbitrary<LineEdit> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('value' as const), line: fc.nat(), value: fc.oneof(fc.constantFrom(...AWKWARD), fc.string({ maxLength: 12 })) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('drop' as const), line: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('repeat' as const), line: fc.nat(), times: fc.integer({ min: 2, max: 3000 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('indent' as const), line: fc.nat(), by: fc.integer({ min: 1, max: 4 }) }), weight: 1 },
);

function editLines(text: string, edits: readonly LineEdit[]): string {
  let lines = text.split('\n');
  for (const e of edits) {
    const i = e.line % lines.length;
    const line = lines[i] ?? '';
    switch (e.kind) {
      case 'value': {
        const colon = line.indexOf(': ');
        lines[i] = colon < 0 ? `${line}: ${e.value}` : `${line.slice(0, colon + 2)}${e.value}`;
        break;
      }
      case 'drop':
        lines.splice(i, 1);
        break;
      case 'repeat':
        lines = [...lines.slice(0, i), ...Array<string>(e.times).fill(line), ...lines.slice(i + 1)];
        break;
      case 'indent':
        lines[i] = ' '.repeat(e.by) + line;
        break;
    }
  }
  return lines.join('\n');
}

const damagedYaml = fc
  .record({
    doc: fc.nat({ max: DOCS.length - 1 }),
    edits: fc.array(lineEdit, { minLength: 1, maxLength: 4 }),
    text: fc.oneof({ arbitrary: fc.constant([]), weight: 3 }, { arbitrary: fc.array(textMutation, { maxLength: 2 }), weight: 1 }),
  })
  .map(({ doc, edits, text }) => mutateText(editLines(DOCS[doc] ?? '', edits), text));

describe('fuzz: the meta.yaml reader', function () {
  this.timeout(120_000);

  const runs = fuzzRuns(2000);
  it(fuzzTitle('parses damaged meta.yaml, or throws a YamlSyntaxError naming the line', runs), () => {
    checkProperty(fc.oneof(damagedYaml, fc.string({ unit: 'binary', maxLength: 100 })), runs, (text) => {
      parsesOrThrowsOwn(() => parseMetaYaml(text), (err) => err instanceof YamlSyntaxError, (message) => /^line \d+: /.test(message));
    });
  });

  const fileRuns = fuzzRuns(300);
  it(fuzzTitle('reads a run or experiment folder with a damaged meta.yaml, or throws an MlrunsFileError naming the file', fileRuns), async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'labbook-fuzz-mlruns-'));
    try {
      const experimentDir = path.join(root, '347721859952267708');
      const runDir = path.join(experimentDir, '4f1c2a9e0b6d4e8f9a1b2c3d4e5f6a7b');
      mkdirSync(runDir, { recursive: true });
      await checkAsyncProperty(damagedYaml, fileRuns, async (text) => {
        const experimentMeta = path.join(experimentDir, 'meta.yaml');
        const runMeta = path.join(runDir, 'meta.yaml');
        writeFileSync(experimentMeta, text);
        writeFileSync(runMeta, text);
        const isOwn = (file: string) => (err: unknown) => err instanceof MlrunsFileError && err.file === file;
        await parsesOrThrowsOwnAsync(() => readExperiment(experimentDir, false), isOwn(experimentMeta), (m) => m.startsWith(`${experimentMeta}: `));
        await parsesOrThrowsOwnAsync(() => readRun(runDir, '347721859952267708'), isOwn(runMeta), (m) => m.startsWith(`${runMeta}: `));
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
