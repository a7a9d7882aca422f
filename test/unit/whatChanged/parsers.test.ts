// The pure readers What Changed uses: pip freeze lines (pins, direct references, editable
// installs, malformed lines), version order, and MLflow schemas as columns.
import assert from 'node:assert/strict';
import { compareVersions, diffFreeze, parseFreeze, parseFreezeLine } from '../../../src/core/whatChanged/pipFreeze.ts';
import { diffColumns, readSchema } from '../../../src/core/whatChanged/schemaDiff.ts';
import { knownDirection } from '../../../src/core/whatChanged/valueChanges.ts';
import { runFolderOfSource } from '../../../src/core/whatChanged/modelFiles.ts';

describe('core/whatChanged: pip freeze', () => {
  it('reads pins, extras, direct references and editable installs, normalising names', () => {
    assert.deepEqual(parseFreezeLine('Scikit_Learn==1.5.0'), { name: 'scikit-learn', version: '1.5.0', text: 'Scikit_Learn==1.5.0' });
    assert.deepEqual(parseFreezeLine('uvicorn[standard]==0.30.1 ; python_version >= "3.8"'), { name: 'uvicorn', version: '0.30.1', text: 'uvicorn[standard]==0.30.1 ; python_version >= "3.8"' });
    assert.equal(parseFreezeLine('mypkg @ file:///tmp/x')?.version, null);
    assert.equal(parseFreezeLine('mypkg @ file:///tmp/x')?.name, 'mypkg');
    assert.equal(parseFreezeLine('-e git+https://h/r.git@abc#egg=My.Pkg')?.name, 'my-pkg');
    assert.equal(parseFreezeLine('-e /home/me/src/thing')?.name, '-e /home/me/src/thing');
    assert.equal(parseFreezeLine('# comment'), null);
    assert.equal(parseFreezeLine('   '), null);
    assert.equal(parseFreezeLine('--index-url https://x'), null);
  });

  it('keeps malformed lines as text, counted, and never throws on them', () => {
    const frozen = parseFreeze('numpy==1.0\n==\n@@@ weird\r\nok-pkg===2\n\u0000binary');
    assert.deepEqual([...frozen.packages.keys()], ['numpy', '==', '@@@ weird', 'ok-pkg', '\u0000binary']);
    assert.equal(frozen.unreadLines, 3);
    const diff = diffFreeze(frozen, parseFreeze('numpy==1.0\n@@@ weird'));
    assert.deepEqual(diff.map((d) => [d.name, d.change]), [['\u0000binary', 'removed'], ['==', 'removed'], ['ok-pkg', 'removed']]);
  });

  it('orders versions by release segments, then pre < final < post', () => {
    assert.ok((compareVersions('1.9', '1.10') ?? 0) < 0);
    assert.equal(compareVersions('1.0', '1.0.0'), 0);
    assert.ok((compareVersions('2.0rc1', '2.0') ?? 0) < 0);
    assert.ok((compareVersions('2.0a1', '2.0b1') ?? 0) < 0);
    assert.ok((compareVersions('1.0.post1', '1.0') ?? 0) > 0);
    assert.ok((compareVersions('1.0.dev3', '1.0a1') ?? 0) < 0);
    assert.ok((compareVersions('2.1.0+cu121', '2.0.9') ?? 0) > 0);
    assert.equal(compareVersions('not-a-version', '1.0'), null);
    const diff = diffFreeze(parseFreeze('a==1.0\nb==2.0\nc==weird'), parseFreeze('a==1.0.1\nb==2.0rc1\nc==other'));
    assert.deepEqual(diff.map((d) => d.change), ['upgraded', 'downgraded', 'changed']);
  });
});

describe('core/whatChanged: schemas and directions', () => {
  it('reads a dataset schema, a signature list and a tensor spec as columns; anything else as null', () => {
    assert.deepEqual(readSchema('{"mlflow_colspec": [{"type": "double", "name": "x"}, {"type": "string", "name": "s", "required": false}]}'), {
      columns: [{ name: 'x', type: 'double' }, { name: 's', type: 'string (optional)' }],
    });
    assert.deepEqual(readSchema('[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 28, 28]}}]'), { columns: [{ name: '#0', type: 'tensor<float32>[-1, 28, 28]' }] });
    assert.deepEqual(readSchema({ mlflow_tensorspec: { features: '[{"type": "tensor", "name": "img", "tensor-spec": {"dtype": "uint8", "shape": [-1]}}]' } }), { columns: [{ name: 'img', type: 'tensor<uint8>[-1]' }] });
    assert.deepEqual(readSchema('[{"type": {"type": "array", "items": {"type": "string"}}, "name": "tags"}]'), { columns: [{ name: 'tags', type: '{"type":"array","items":{"type":"string"}}' }] });
    assert.equal(readSchema('not json'), null);
    assert.equal(readSchema('{"something": 1}'), null);
    assert.equal(readSchema(null), null);
  });

  it('diffs columns by name: type changes, added and removed', () => {
    const a = readSchema('[{"type": "long", "name": "id"}, {"type": "double", "name": "x"}]');
    const b = readSchema('[{"type": "double", "name": "x"}, {"type": "string", "name": "id"}, {"type": "bool", "name": "flag"}]');
    assert.deepEqual(diffColumns(a, b).map((c) => [c.name, c.change]), [['id', 'typeChanged'], ['x', 'same'], ['flag', 'added']]);
    assert.deepEqual(diffColumns(a, null).map((c) => c.change), ['removed', 'removed']);
  });

  it('knows a direction only from names that state one', () => {
    assert.equal(knownDirection('val_loss'), 'lower');
    assert.equal(knownDirection('test_rmse'), 'lower');
    assert.equal(knownDirection('accuracy'), 'higher');
    assert.equal(knownDirection('valF1'), 'higher');
    assert.equal(knownDirection('top1_acc'), 'higher');
    assert.equal(knownDirection('widgets'), null);
    assert.equal(knownDirection('epoch'), null);
  });

  it("finds a version's model folder among its run's artifacts from the source URI", () => {
    assert.equal(runFolderOfSource('runs:/r1/model', 'r1'), 'model');
    assert.equal(runFolderOfSource('runs:/r1/', 'r1'), '');
    assert.equal(runFolderOfSource('runs:/other/model', 'r1'), null);
    assert.equal(runFolderOfSource('mlflow-artifacts:/0/r1/artifacts/models/clf', 'r1'), 'models/clf');
    assert.equal(runFolderOfSource('models:/m-abc', 'r1'), null);
  });
});
