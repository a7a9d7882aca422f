// What Changed's readers of outside input under damaged documents: a real `pip freeze`, an MLflow
// dataset schema and an MLmodel as mlflow writes them. pip freeze and schemas always read (odd
// lines become text, odd schemas null); an MLmodel reads or throws MlmodelError naming the file.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MlmodelError, signatureOf } from '../../../src/core/whatChanged/modelFiles.ts';
import { diffFreeze, parseFreeze } from '../../../src/core/whatChanged/pipFreeze.ts';
import { diffColumns, readSchema } from '../../../src/core/whatChanged/schemaDiff.ts';
import { mlmodel } from '../whatChanged/scenario.ts';
import { checkAsyncProperty, checkProperty, fuzzRuns, fuzzTitle, mutateText, parsesOrThrowsOwnAsync, textMutation } from './fuzzing.ts';

const FREEZE = ['absl-py==2.1.0', 'mlflow==3.1.0', 'numpy==2.0.1', 'pandas @ file:///home/me/wheels/pandas-2.2.2-cp312-linux_x86_64.whl', '-e git+https://example.invalid/lib.git@0123abc#egg=my_lib', 'torch==2.3.0+cu121', 'zipp==3.19.2', ''].join('\n');
const SCHEMA = '{"mlflow_colspec": [{"type": "double", "name": "a", "required": true}, {"type": "string", "name": "b", "required": true}, {"type": "long", "name": "target", "required": true}]}';
const MLMODEL = mlmodel([['a', 'double'], ['b', 'string']], true);

describe('fuzz: What Changed readers', () => {
  const runs = fuzzRuns(300);

  it(fuzzTitle('pip freeze reads every damaged freeze; a freeze never differs from itself', runs), () => {
    checkProperty(fc.array(textMutation, { minLength: 1, maxLength: 4 }), runs, (mutations) => {
      const frozen = parseFreeze(mutateText(FREEZE, mutations));
      for (const [name, pkg] of frozen.packages) assert.ok(name !== '' && pkg.text !== '');
      assert.deepEqual(diffFreeze(frozen, frozen), []);
      diffFreeze(parseFreeze(FREEZE), frozen);
    });
  });

  it(fuzzTitle('a damaged schema reads as columns with text names and types, or as null', runs), () => {
    checkProperty(fc.array(textMutation, { minLength: 1, maxLength: 4 }), runs, (mutations) => {
      const schema = readSchema(mutateText(SCHEMA, mutations));
      for (const c of schema?.columns ?? []) assert.ok(typeof c.name === 'string' && typeof c.type === 'string');
      assert.ok(diffColumns(schema, schema).every((c) => c.change === 'same'));
    });
  });

  // YAML parsing of the long repeats is the slow part: fewer cases.
  const yamlRuns = fuzzRuns(100);
  it(fuzzTitle('a damaged MLmodel reads or throws MlmodelError naming it', yamlRuns), async () => {
    await checkAsyncProperty(fc.array(textMutation, { minLength: 1, maxLength: 4 }), yamlRuns, async (mutations) => {
      await parsesOrThrowsOwnAsync(
        () => signatureOf(mutateText(MLMODEL, mutations), 'logged model m-1', () => Promise.resolve(new TextEncoder().encode('{"columns": []}'))),
        (err) => err instanceof MlmodelError,
        (message) => message.includes('logged model m-1/MLmodel'),
      );
    });
  });
});
