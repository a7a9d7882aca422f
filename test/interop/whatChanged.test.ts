// What Changed between two versions the real `mlflow` client logged and registered (MLflow 3:
// the model's files live with the logged model, not the run): read by Labbook over REST from a
// real `mlflow server`, and from Labbook's local store the script logged into through its
// endpoint. Both must see the same differences: params, the model-linked rmse, the dataset's
// schema and the signature gaining column c, and the input examples.
import assert from 'node:assert/strict';
import path from 'node:path';
import { RestTrackingStore } from '../../src/core/store/rest/restStore.ts';
import type { ReadableStore } from '../../src/core/store/trackingStore.ts';
import { whatChanged } from '../../src/core/whatChanged/whatChanged.ts';
import { runPython } from '../support/python.ts';
import { withTrackers } from '../support/trackers.ts';

const SCRIPT = path.resolve(import.meta.dirname, '..', 'fixtures', 'python', 'what_changed_models.py');
const NAME = 'what-changed-clf';

describe('interop: What Changed between versions the mlflow client registered', function () {
  this.timeout(600_000);
  const t = withTrackers('labbook-what-changed-interop-');

  const targets: readonly [string, () => { env: Record<string, string>; store: ReadableStore }][] = [
    ['a real mlflow server, over REST', () => ({ env: { MLFLOW_TRACKING_URI: t.mlflow.url }, store: new RestTrackingStore({ baseUrl: t.mlflow.url }) })],
    ['Labbook’s local store, logged into through its endpoint', () => ({ env: { MLFLOW_TRACKING_URI: t.labbook.url, MLFLOW_TRACKING_TOKEN: t.labbook.token }, store: t.store })],
  ];
  for (const [label, targetOf] of targets) {
    it(`reads params, linked metrics, the dataset schema, the signature and the input examples: ${label}`, async () => {
      const target = targetOf();
      const trained = await runPython([SCRIPT], target.env, 280_000, t.dir);
      assert.equal(trained.code, 0, trained.stderr.slice(-4000));
      const [modelA, modelB] = JSON.parse(trained.stdout.trim().split('\n').at(-1) ?? '[]') as string[];
      const w = await whatChanged(target.store, { kind: 'version', name: NAME, version: '1' }, { kind: 'version', name: NAME, version: '2' });
      assert.deepEqual(w.notes, []);
      assert.equal(w.base.modelId, modelA);
      assert.equal(w.remote.modelId, modelB);
      assert.deepEqual(w.params.rows.map((p) => [p.key, p.base, p.remote, p.change]), [['alpha', '1.0', '0.1', 'changed'], ['features', '2', '3', 'changed']]);
      assert.deepEqual(w.metrics.origin, { base: 'model', remote: 'model' });
      const rmse = w.metrics.rows.find((m) => m.key === 'rmse');
      assert.equal(rmse?.direction, 'lower');
      assert.ok(rmse?.delta !== null && rmse?.delta !== undefined && rmse.delta < 0, 'three features fit better than two');
      assert.equal(rmse?.verdict, 'better');

      const [train] = w.data.datasets;
      assert.equal(train?.name, 'train');
      assert.equal(train?.change, 'changed');
      assert.notEqual(train?.base?.digest, train?.remote?.digest);
      assert.deepEqual(train?.schema?.map((c) => [c.name, c.change]), [['a', 'same'], ['b', 'same'], ['target', 'same'], ['c', 'added']]);

      assert.equal(w.signature.base?.from, `logged model ${modelA}/MLmodel`);
      assert.deepEqual(w.signature.inputs.map((c) => [c.name, c.base, c.remote, c.change]), [['a', 'double', 'double', 'same'], ['b', 'double', 'double', 'same'], ['c', null, 'double', 'added']]);
      assert.deepEqual(w.signature.outputs.map((c) => c.change), ['same']);
      assert.equal(w.signature.exampleDiffers, true);
      assert.match(w.signature.remote?.example?.text ?? '', /"c"/);
      assert.ok(!(w.signature.base?.example?.text ?? '').includes('"c"'));
      assert.match(w.summary.join('\n'), /rmse: .* → .*, better/);
    });
  }
});
