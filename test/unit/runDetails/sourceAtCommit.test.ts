import assert from 'node:assert/strict';
import { sourceAtCommit } from '../../../src/core/runDetails/sourceAtCommit.ts';

const tags = (entries: Record<string, string>) => Object.entries(entries).map(([key, value]) => ({ key, value }));
const commit = 'abc123';

describe('core/runDetails: the source to open at the run\'s commit', () => {
  it('takes the repository path from the snapshot tag, as Labbook records it', () => {
    assert.deepEqual(sourceAtCommit(tags({ 'mlflow.source.git.commit': commit, 'mlflow.source.name': '/home/ada/lab/src/train.py', 'labbook.source.snapshot': 'labbook/code/src/train.py' })), { path: 'src/train.py', commit });
  });

  it('falls back to a relative mlflow.source.name, never an absolute one', () => {
    assert.deepEqual(sourceAtCommit(tags({ 'mlflow.source.git.commit': commit, 'mlflow.source.name': './nb/run.py' })), { path: 'nb/run.py', commit });
    assert.deepEqual(sourceAtCommit(tags({ 'mlflow.source.git.commit': commit, 'mlflow.source.name': 'src\\win.py' })), { path: 'src/win.py', commit });
    assert.equal(sourceAtCommit(tags({ 'mlflow.source.git.commit': commit, 'mlflow.source.name': '/abs/train.py' })), null);
    assert.equal(sourceAtCommit(tags({ 'mlflow.source.git.commit': commit, 'mlflow.source.name': 'C:\\lab\\train.py' })), null);
    assert.equal(sourceAtCommit(tags({ 'mlflow.source.git.commit': commit, 'mlflow.source.name': 'https://x/y.ipynb' })), null);
  });

  it('is nothing without a commit or a source', () => {
    assert.equal(sourceAtCommit(tags({ 'mlflow.source.name': 'train.py' })), null);
    assert.equal(sourceAtCommit(tags({ 'mlflow.source.git.commit': commit })), null);
    assert.equal(sourceAtCommit(tags({ 'mlflow.source.git.commit': commit, 'labbook.source.snapshot': 'labbook/code/' })), null);
  });
});
