import assert from 'node:assert/strict';
import { resolveExperimentName } from '../../../src/host/launch/experimentName.ts';

describe('host/launch: the experiment a tracked run logs into', () => {
  it('lets an explicit labbook.launch.experiment setting beat MLFLOW_EXPERIMENT_NAME from the environment', () => {
    assert.equal(resolveExperimentName({ setting: 'from-setting', environment: 'from-env' }), 'from-setting');
  });

  it('falls back to MLFLOW_EXPERIMENT_NAME when the setting is empty, then to Default', () => {
    assert.equal(resolveExperimentName({ setting: '', environment: 'from-env' }), 'from-env');
    assert.equal(resolveExperimentName({ setting: '  ', environment: undefined }), 'Default');
    assert.equal(resolveExperimentName({}), 'Default');
  });

  it('lets the launch itself (a recipe, a reproduction) name the experiment over both', () => {
    assert.equal(resolveExperimentName({ requested: 'recipe-exp', setting: 'from-setting', environment: 'from-env' }), 'recipe-exp');
    assert.equal(resolveExperimentName({ requested: '', setting: 'from-setting', environment: 'from-env' }), 'from-setting');
  });
});
