import assert from 'node:assert/strict';
import { childEnvironment, type ChildEnvironmentInput } from '../../../src/core/launch/childEnvironment.ts';

const input: ChildEnvironmentInput = {
  baseEnv: { PATH: '/usr/bin', HOME: '/home/ada', UNSET: undefined, SEED: '0' },
  userEnv: { SEED: '42', DATA_DIR: 'data' },
  trackingUri: 'http://127.0.0.1:5123',
  runId: 'r'.repeat(32),
  experimentName: 'churn',
  experimentId: '7',
};

describe('core/launch: the environment of a launched process', () => {
  it('is the base environment with the user variables on top and the MLflow variables naming the run', () => {
    assert.deepEqual(childEnvironment(input), {
      PATH: '/usr/bin',
      HOME: '/home/ada',
      SEED: '42',
      DATA_DIR: 'data',
      MLFLOW_TRACKING_URI: 'http://127.0.0.1:5123',
      MLFLOW_RUN_ID: 'r'.repeat(32),
      MLFLOW_EXPERIMENT_NAME: 'churn',
      MLFLOW_EXPERIMENT_ID: '7',
      PYTHONUNBUFFERED: '1',
    });
  });

  it('lets neither the base nor the user send the logging to another run or server', () => {
    const env = childEnvironment({
      ...input,
      baseEnv: { MLFLOW_RUN_ID: 'stale', MLFLOW_TRACKING_URI: 'http://elsewhere' },
      userEnv: { MLFLOW_EXPERIMENT_ID: '1', MLFLOW_EXPERIMENT_NAME: 'other', PYTHONUNBUFFERED: '0' },
    });
    assert.equal(env['MLFLOW_RUN_ID'], 'r'.repeat(32));
    assert.equal(env['MLFLOW_TRACKING_URI'], 'http://127.0.0.1:5123');
    assert.equal(env['MLFLOW_EXPERIMENT_ID'], '7');
    assert.equal(env['MLFLOW_EXPERIMENT_NAME'], 'churn');
    assert.equal(env['PYTHONUNBUFFERED'], '1');
  });

  it('sets the tracking token only when one is given, and then over any inherited one', () => {
    assert.equal('MLFLOW_TRACKING_TOKEN' in childEnvironment(input), false);
    assert.equal(childEnvironment({ ...input, baseEnv: { MLFLOW_TRACKING_TOKEN: 'inherited' } })['MLFLOW_TRACKING_TOKEN'], 'inherited');
    assert.equal(childEnvironment({ ...input, baseEnv: { MLFLOW_TRACKING_TOKEN: 'inherited' }, trackingToken: 's3cret' })['MLFLOW_TRACKING_TOKEN'], 's3cret');
  });
});
