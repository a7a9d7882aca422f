import assert from 'node:assert/strict';
import { artifactPathSegments, proxiedArtifactRoot, proxiedArtifactRoute } from '../../../src/core/store/artifactPaths.ts';
import { TrackingError } from '../../../src/core/store/errors.ts';

describe('store/artifactPaths: artifact paths for the MLflow REST store', () => {
  it('splits relative paths and accepts the root only for listing', () => {
    assert.deepEqual(artifactPathSegments('model/MLmodel'), ['model', 'MLmodel']);
    assert.deepEqual(artifactPathSegments('plots/'), ['plots']);
    assert.deepEqual(artifactPathSegments('', true), []);
    assert.throws(() => artifactPathSegments(''), TrackingError);
  });

  it('refuses paths that leave the run root, are ambiguous, or that MLflow would refuse or rename', () => {
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'a//b', './a', 'a\\b', 'a\0b', 'hist #1.png', 'a%20b.txt']) {
      assert.throws(
        () => artifactPathSegments(bad),
        (err: unknown) => err instanceof TrackingError && err.code === 'INVALID_PARAMETER_VALUE',
        bad,
      );
    }
  });

  it('finds the proxied root of mlflow-artifacts URIs, with or without an authority', () => {
    assert.deepEqual(proxiedArtifactRoot('mlflow-artifacts:/1/abc/artifacts'), ['1', 'abc', 'artifacts']);
    assert.deepEqual(proxiedArtifactRoot('mlflow-artifacts://host:5000/1/abc/artifacts'), ['1', 'abc', 'artifacts']);
    assert.equal(proxiedArtifactRoot('s3://bucket/1/abc/artifacts'), undefined);
    assert.equal(proxiedArtifactRoot('/srv/mlruns/1/abc/artifacts'), undefined);
  });

  it('URL-encodes each segment of the route', () => {
    assert.equal(
      proxiedArtifactRoute(['1', 'abc', 'artifacts'], ['my dir', 'a#b?.txt']),
      '/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/my%20dir/a%23b%3F.txt',
    );
  });
});
