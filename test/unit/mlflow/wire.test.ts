import assert from 'node:assert/strict';
import {
  experimentFromWire,
  experimentToWire,
  fileInfoFromWire,
  fileInfoToWire,
  metricFromWire,
  metricToWire,
  modelVersionFromWire,
  modelVersionToWire,
  registeredModelFromWire,
  registeredModelToWire,
  runFromWire,
  runInfoFromWire,
  runInfoToWire,
  runToWire,
} from '../../../src/core/mlflow/wire.ts';
import { TrackingError } from '../../../src/core/store/errors.ts';
import type { Experiment, ModelVersion, RegisteredModel, Run } from '../../../src/core/store/types.ts';

const experiment: Experiment = {
  experimentId: '7',
  name: 'churn',
  artifactLocation: 'mlflow-artifacts:/7',
  lifecycleStage: 'active',
  creationTime: 1_700_000_000_000,
  lastUpdateTime: 1_700_000_000_500,
  tags: [{ key: 'team', value: 'ml' }],
};

const run: Run = {
  info: {
    runId: 'abc123',
    runName: 'bold-fox',
    experimentId: '7',
    userId: 'ada',
    status: 'FINISHED',
    startTime: 1_700_000_001_000,
    endTime: 1_700_000_002_000,
    artifactUri: 'mlflow-artifacts:/7/abc123/artifacts',
    lifecycleStage: 'active',
  },
  data: {
    metrics: [
      { key: 'loss', value: 0.25, timestamp: 1_700_000_001_500, step: 3 },
      { key: 'nan', value: Number.NaN, timestamp: 1, step: 0 },
      { key: 'inf', value: Number.POSITIVE_INFINITY, timestamp: 2, step: 1 },
      { key: 'ninf', value: Number.NEGATIVE_INFINITY, timestamp: 3, step: 2 },
    ],
    params: [{ key: 'lr', value: '0.01' }],
    tags: [{ key: 'mlflow.runName', value: 'bold-fox' }],
  },
};

const version: ModelVersion = {
  name: 'churn-model',
  version: '2',
  creationTimestamp: 10,
  lastUpdatedTimestamp: 20,
  description: 'second try',
  source: 'runs:/abc123/model',
  runId: 'abc123',
  status: 'READY',
  tags: [{ key: 'validated', value: 'yes' }],
  aliases: ['champion'],
};

const model: RegisteredModel = {
  name: 'churn-model',
  creationTimestamp: 5,
  lastUpdatedTimestamp: 20,
  description: 'predicts churn',
  tags: [{ key: 'owner', value: 'ada' }],
  aliases: [{ alias: 'champion', version: '2' }],
  latestVersions: [version],
};

function assertMalformed(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TrackingError, `expected a TrackingError, got ${String(err)}`);
    assert.equal(err.code, 'INTERNAL_ERROR');
    assert.match(err.message, /^The server sent a malformed /);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('mlflow/wire: MLflow REST JSON ↔ Labbook types', () => {
  describe('round trips', () => {
    it('experiments', () => {
      const wire = experimentToWire(experiment);
      assert.deepEqual(wire, {
        experiment_id: '7',
        name: 'churn',
        artifact_location: 'mlflow-artifacts:/7',
        lifecycle_stage: 'active',
        last_update_time: 1_700_000_000_500,
        creation_time: 1_700_000_000_000,
        tags: [{ key: 'team', value: 'ml' }],
      });
      assert.deepEqual(experimentFromWire(JSON.parse(JSON.stringify(wire))), experiment);
    });

    it('runs, with run_uuid duplicating run_id and non-finite metrics as strings', () => {
      const wire = runToWire(run);
      assert.equal(wire.info.run_uuid, 'abc123');
      assert.equal(wire.info.run_id, 'abc123');
      assert.deepEqual(wire.data.metrics.map((m) => m.value), [0.25, 'NaN', 'Infinity', '-Infinity']);
      // Through real JSON text, as it travels.
      assert.deepEqual(runFromWire(JSON.parse(JSON.stringify(wire))), run);
    });

    it('run info of a running run leaves end_time out, and reads back as null', () => {
      const info = { ...run.info, status: 'RUNNING' as const, endTime: null };
      const wire = runInfoToWire(info);
      assert.equal('end_time' in wire, false);
      assert.deepEqual(runInfoFromWire(wire), info);
    });

    it('model versions and registered models', () => {
      assert.deepEqual(modelVersionFromWire(JSON.parse(JSON.stringify(modelVersionToWire(version)))), version);
      const wire = registeredModelToWire(model);
      assert.deepEqual(wire.aliases, [{ alias: 'champion', version: '2' }]);
      assert.equal(wire.latest_versions[0]?.current_stage, 'None');
      assert.deepEqual(registeredModelFromWire(JSON.parse(JSON.stringify(wire))), model);
    });

    it('file infos, with and without a size', () => {
      assert.deepEqual(fileInfoToWire({ path: 'model', isDir: true }), { path: 'model', is_dir: true });
      assert.deepEqual(fileInfoFromWire({ path: 'model', is_dir: true }), { path: 'model', isDir: true });
      assert.deepEqual(fileInfoFromWire(fileInfoToWire({ path: 'a/b.txt', isDir: false, fileSize: 5 })), {
        path: 'a/b.txt',
        isDir: false,
        fileSize: 5,
      });
    });
  });

  describe('reading what MLflow really sends', () => {
    it('accepts int64 as numeric strings (protobuf-JSON) as well as numbers', () => {
      assert.deepEqual(metricFromWire({ key: 'x', value: 1.5, timestamp: '1700000000000', step: '-3' }), {
        key: 'x',
        value: 1.5,
        timestamp: 1_700_000_000_000,
        step: -3,
      });
    });

    it('reads "NaN", "Infinity", "-Infinity" and numeric strings as metric values', () => {
      assert.ok(Number.isNaN(metricFromWire({ key: 'x', value: 'NaN', timestamp: 1 }).value));
      assert.equal(metricFromWire({ key: 'x', value: 'Infinity', timestamp: 1 }).value, Number.POSITIVE_INFINITY);
      assert.equal(metricFromWire({ key: 'x', value: '-Infinity', timestamp: 1 }).value, Number.NEGATIVE_INFINITY);
      assert.equal(metricFromWire({ key: 'x', value: '2.5e-3', timestamp: 1 }).value, 0.0025);
      assert.equal(metricFromWire({ key: 'x', value: 1.7976931348623157e308, timestamp: 1 }).value, Number.MAX_VALUE);
    });

    it('fills absent fields with proto defaults: omitted step, empty data, no tags', () => {
      assert.equal(metricFromWire({ key: 'x', value: 1, timestamp: 5 }).step, 0);
      const parsed = runFromWire({
        info: { run_uuid: 'r1', experiment_id: '0', status: 'RUNNING', start_time: 1, lifecycle_stage: 'active' },
      });
      assert.equal(parsed.info.runId, 'r1');
      assert.equal(parsed.info.endTime, null);
      assert.equal(parsed.info.runName, '');
      assert.deepEqual(parsed.data, { metrics: [], params: [], tags: [] });
      const exp = experimentFromWire({ experiment_id: '0', name: 'Default', creation_time: 9 });
      assert.deepEqual(exp.tags, []);
      assert.equal(exp.lifecycleStage, 'active');
      assert.equal(exp.lastUpdateTime, 9);
    });

    it('reads an actual MLflow 3 get-run body, ignoring fields Labbook does not model', () => {
      const body = {
        info: {
          run_uuid: '8bde829d',
          experiment_id: '1',
          run_name: 'r1',
          user_id: '',
          status: 'RUNNING',
          start_time: 1000,
          artifact_uri: 'mlflow-artifacts:/1/8bde829d/artifacts',
          lifecycle_stage: 'active',
          run_id: '8bde829d',
        },
        data: { metrics: [{ key: 'm', value: 1.5, timestamp: 3, step: 2 }], tags: [{ key: 'mlflow.runName', value: 'r1' }] },
        inputs: {},
        outputs: {},
      };
      const parsed = runFromWire(body);
      assert.equal(parsed.info.artifactUri, 'mlflow-artifacts:/1/8bde829d/artifacts');
      assert.deepEqual(parsed.data.params, []);
      assert.equal(parsed.data.metrics[0]?.value, 1.5);
    });

    it('accepts enum values given by number', () => {
      assert.equal(runInfoFromWire({ run_id: 'r', experiment_id: '1', status: 3 }).status, 'FINISHED');
      assert.equal(modelVersionFromWire({ name: 'm', version: '1', status: 3 }).status, 'READY');
    });
  });

  describe('bad replies are TrackingErrors naming the field, never crashes', () => {
    it('rejects values that are not objects', () => {
      for (const bad of [null, undefined, 42, 'run', []]) {
        assertMalformed(() => runFromWire(bad), /run: it is/);
      }
    });

    it('names the path of a wrong-typed field', () => {
      assertMalformed(() => runFromWire({ info: { run_id: 'r', experiment_id: '1', start_time: 'soon' } }), /info\.start_time is "soon", not an integer/);
      assertMalformed(() => runFromWire({ info: { run_id: 'r', experiment_id: '1' }, data: { metrics: [{ key: 'x', value: {} }] } }), /data\.metrics\[0\]\.value/);
      assertMalformed(() => experimentFromWire({ experiment_id: 1, name: 'x' }), /experiment_id is 1, not a string/);
      assertMalformed(() => experimentFromWire({ experiment_id: '1', name: 'x', tags: {} }), /tags is \{\}, not a list/);
      assertMalformed(() => experimentFromWire({ experiment_id: '1', name: 'x', lifecycle_stage: 'archived' }), /lifecycle_stage/);
      assertMalformed(() => registeredModelFromWire({ name: 'm', aliases: [{ alias: 'a' }] }), /aliases\[0\]\.version is missing/);
      assertMalformed(() => fileInfoFromWire({ path: 'a', is_dir: 'yes' }), /is_dir/);
    });

    it('rejects missing identities, bad numbers and bad enums', () => {
      assertMalformed(() => runInfoFromWire({ experiment_id: '1' }), /run_id is missing/);
      assertMalformed(() => metricFromWire({ value: 1, timestamp: 1 }), /key is missing/);
      assertMalformed(() => metricFromWire({ key: 'x', value: 'lots', timestamp: 1 }), /value is "lots", not a number/);
      assertMalformed(() => metricFromWire({ key: 'x', value: '', timestamp: 1 }), /not a number/);
      assertMalformed(() => metricFromWire({ key: 'x', value: '0x10', timestamp: 1 }), /not a number/);
      assertMalformed(() => metricFromWire({ key: 'x', value: 1, timestamp: 1.5 }), /timestamp is 1.5, not an integer/);
      assertMalformed(() => metricFromWire({ key: 'x', value: 1, timestamp: '12abc' }), /not an integer/);
      assertMalformed(() => runInfoFromWire({ run_id: 'r', experiment_id: '1', status: 'PAUSED' }), /status is "PAUSED", not one of RUNNING/);
      assertMalformed(() => runInfoFromWire({ run_id: 'r', experiment_id: '1', status: 9 }), /status/);
    });

    it('keeps long bad values short in the message', () => {
      try {
        metricFromWire({ key: 'x', value: 'y'.repeat(5000), timestamp: 1 });
        assert.fail('should throw');
      } catch (err) {
        assert.ok(err instanceof TrackingError);
        assert.ok(err.message.length < 200, err.message);
      }
    });

    it('reports a bad request, not a bad server, when reading requests for the endpoint', () => {
      assert.throws(
        () => metricFromWire({ key: 'x', value: 'lots', timestamp: 1 }, 'request'),
        (err: unknown) => err instanceof TrackingError && err.code === 'INVALID_PARAMETER_VALUE' && /^The request has a malformed metric/.test(err.message),
      );
    });
  });

  it('writes int64 fields as JSON numbers, as the MLflow server does', () => {
    const text = JSON.stringify(metricToWire({ key: 'x', value: 1, timestamp: 1_700_000_000_000, step: 4 }));
    assert.equal(text, '{"key":"x","value":1,"timestamp":1700000000000,"step":4}');
  });
});
