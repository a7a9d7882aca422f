// The checks file as the editor reads it: the shipped JSON schema's errors and YAML syntax errors
// on the right line and column, and a valid file read into rules that carry their own ranges.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseChecks } from '../../../src/core/checks/checksFile.ts';

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('checks file: .labbook/checks.yaml read with positions', () => {
  it('reads a valid file into datasets, columns and rules, each rule with the range of its key and value', () => {
    const text = lines(
      'version: 1',
      'datasets:',
      '  - name: training',
      '    path: data/train.csv',
      '    columns:',
      '      age: { type: int, min: 0, max: 120, maxNullShare: 0.1 }',
      '      sex:',
      '        allowed: [m, f]',
      '      id:',
      '      note: { required: false, unique: true }',
      '    rows: { min: 10, max: 1000 }',
      '    drift: { against: "models:/churn@champion", datasetShare: 0.3, thresholds: { psi: 0.2 } }',
      '  - inputs: true',
      '    columns: { label: { allowed: [0, 1, true] } }',
    );
    const { spec, problems } = parseChecks(text);
    assert.deepEqual(problems, []);
    assert.ok(spec);
    const [train, inputs] = spec.datasets;
    assert.ok(train && inputs);
    assert.equal(train.label, 'training');
    assert.equal(train.path?.value, 'data/train.csv');
    assert.deepEqual(train.columns.map((c) => [c.name, c.required]), [['age', true], ['sex', true], ['id', true], ['note', false]]);
    const age = train.columns[0];
    assert.equal(age?.max?.value, 120);
    // `max: 120` on line 6 (0-based 5), from its key to the end of its value.
    const col = (s: string) => text.split('\n')[5]?.indexOf(s) ?? -1;
    assert.deepEqual(age?.max?.range, { startLine: 5, startCharacter: col('max'), endLine: 5, endCharacter: col('max: 120') + 'max: 120'.length });
    assert.equal(train.columns[1]?.allowed?.range.startLine, 7);
    assert.equal(train.rows?.max?.value, 1000);
    assert.equal(train.rows?.min?.range.startLine, 10);
    assert.equal(train.drift?.against.value, 'models:/churn@champion');
    assert.equal(train.drift?.datasetShare, 0.3);
    assert.deepEqual(train.drift?.thresholds, { psi: 0.2 });
    assert.equal(train.drift?.against.range.startLine, 11);
    assert.equal(inputs.inputs, true);
    assert.equal(inputs.label, "the run's inputs");
    assert.deepEqual(inputs.columns[0]?.allowed?.value, [0, 1, true]);
  });

  it('puts schema errors on the offending key or value, with a message naming the path', () => {
    const text = lines(
      'datasets:',
      '  - path: data/train.csv',
      '    columns:',
      '      age: { type: integer, maxNullShare: 2 }',
      '      sex:',
      '        alowed: [m, f]',
      '    rows: { min: -1 }',
      '  - name: nothing here',
      '  - path: a.csv',
      '    inputs: true',
      'extra: 1',
    );
    const { spec, problems } = parseChecks(text);
    assert.equal(spec, undefined);
    const byLine = new Map(problems.map((p) => [p.range.startLine, p]));
    const at = (line: number) => {
      const p = byLine.get(line);
      assert.ok(p, `a problem on line ${line + 1}: ${JSON.stringify(problems.map((x) => [x.range.startLine, x.message]))}`);
      assert.equal(p.status, 'error');
      assert.equal(p.rule, 'schema');
      return p;
    };
    assert.match(at(3).message, /datasets\[0\]\.columns\.age\.(type: must be int, float, number, string, bool, datetime or a DuckDB type name|maxNullShare: must be <= 1)/);
    assert.equal(problems.filter((p) => p.range.startLine === 3).length, 2, 'the type and the null share');
    const typeProblem = problems.find((p) => /\.type:/.test(p.message));
    assert.equal(typeProblem?.range.startCharacter, lines('', '', '', '      age: { type: integer').split('\n')[3]?.indexOf('type'));
    const unknown = at(5);
    assert.match(unknown.message, /unknown key 'alowed' \(expected required, type, min, max, allowed, maxNullShare, unique\)/);
    assert.equal(unknown.range.startCharacter, 8);
    assert.match(at(6).message, /rows\.min: must be >= 0/);
    assert.match(at(7).message, /^datasets\[1\]: a dataset needs 'path' \(a file or glob\) or 'inputs: true'/);
    assert.ok(problems.some((p) => /datasets\[2\]: give 'path' or 'inputs', not both/.test(p.message)));
    assert.match(at(10).message, /unknown key 'extra'/);
  });

  it('reports YAML syntax errors on their line, and an empty file', () => {
    const { problems } = parseChecks(lines('datasets:', '  - path: a.csv', '    columns: { age: { min: 0 }', '  - path: b.csv'));
    assert.ok(problems.length > 0);
    assert.match(problems[0]?.message ?? '', /^YAML: /);
    assert.ok((problems[0]?.range.startLine ?? -1) >= 2, JSON.stringify(problems[0]?.range));
    const dup = parseChecks(lines('datasets:', '  - path: a.csv', '    path: b.csv'));
    assert.match(dup.problems[0]?.message ?? '', /YAML: Map keys must be unique/);
    assert.equal(dup.problems[0]?.range.startLine, 2);
    assert.match(parseChecks('').problems[0]?.message ?? '', /empty/);
  });

  it('refuses bounds that can never pass', () => {
    const { problems } = parseChecks(lines('datasets:', '  - path: a.csv', '    columns: { age: { min: 10, max: 5 } }', '    rows: { min: 10, max: 5 }'));
    assert.deepEqual(problems.map((p) => [p.range.startLine, p.message]), [
      [3, 'a.csv: rows.min 10 > rows.max 5'],
      [2, 'age: min 10 > max 5'],
    ]);
  });

  it('ships a draft-07 schema with a description on every property, contributed for YAML validation', () => {
    const schema = JSON.parse(readFileSync(new URL('../../../schemas/checks.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    assert.equal(schema['$schema'], 'http://json-schema.org/draft-07/schema#');
    const missing: string[] = [];
    const walk = (node: unknown, where: string) => {
      if (!node || typeof node !== 'object') return;
      const props = (node as { properties?: Record<string, unknown> }).properties;
      for (const [key, value] of Object.entries(props ?? {})) {
        const v = value as { description?: string; $ref?: string };
        if (!v.description && !v.$ref) missing.push(`${where}.${key}`);
        walk(value, `${where}.${key}`);
      }
      for (const [key, value] of Object.entries((node as { definitions?: Record<string, unknown> }).definitions ?? {})) walk(value, `#${key}`);
    };
    walk(schema, '');
    assert.deepEqual(missing, []);
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { contributes: { yamlValidation: { fileMatch: string; url: string }[] } };
    assert.deepEqual(manifest.contributes.yamlValidation.find((v) => v.url === './schemas/checks.schema.json'), { fileMatch: '.labbook/checks.yaml', url: './schemas/checks.schema.json' });
  });
});
