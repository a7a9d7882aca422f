import assert from 'node:assert/strict';
import { TAGS } from '../../../src/core/launch/conventions.ts';
import { codeTags, defaultRunName, endTags, launchTags, type LaunchTagsInput } from '../../../src/core/launch/runTags.ts';

const base: LaunchTagsInput = { file: '/home/ada/lab/src/train.py', kind: 'script', user: 'ada', runName: 'baseline', host: 'box', owner: 'window-1' };

const asRecord = (tags: readonly { key: string; value: string }[]) => Object.fromEntries(tags.map((t) => [t.key, t.value]));

describe('core/launch: the tags of a launched run', () => {
  it('records source, user, name, kind, host and owner, and nothing unknown, outside git without a snapshot', () => {
    assert.deepEqual(asRecord(launchTags(base)), {
      [TAGS.sourceName]: '/home/ada/lab/src/train.py',
      [TAGS.sourceType]: 'LOCAL',
      [TAGS.user]: 'ada',
      [TAGS.runName]: 'baseline',
      [TAGS.kind]: 'script',
      [TAGS.host]: 'box',
      [TAGS.owner]: 'window-1',
    });
  });

  it('adds the reproduced run when known, and leaves the code tags to codeTags', () => {
    const tags = asRecord(launchTags({ ...base, kind: 'notebook', reproduces: 'r'.repeat(32) }));
    assert.equal(tags[TAGS.kind], 'notebook');
    assert.equal(tags[TAGS.reproduces], 'r'.repeat(32));
    for (const key of [TAGS.gitDirty, TAGS.gitCommit, TAGS.snapshot]) assert.equal(key in tags, false, key);
  });

  it('records the snapshot path and the git state of the code', () => {
    const tags = asRecord(
      codeTags({
        snapshotFile: 'src/train.py',
        git: { root: '/home/ada/lab', commit: 'c'.repeat(40), branch: 'main', repoUrl: 'https://example.com/lab.git', dirty: false },
      }),
    );
    assert.equal(tags[TAGS.snapshot], 'labbook/code/src/train.py');
    assert.equal(tags[TAGS.gitDirty], 'false');
    assert.equal(tags[TAGS.gitCommit], 'c'.repeat(40));
    assert.equal(tags[TAGS.gitBranch], 'main');
    assert.equal(tags[TAGS.gitRepoUrl], 'https://example.com/lab.git');
    assert.deepEqual(codeTags({}), [], 'outside git without a snapshot: none');
  });

  it('in a repository without commits, on a detached HEAD and without a remote, records only that the tree is dirty', () => {
    const tags = asRecord(codeTags({ git: { root: '/home/ada/lab', commit: null, branch: null, repoUrl: null, dirty: true } }));
    assert.deepEqual(tags, { [TAGS.gitDirty]: 'true' });
  });

  it('names an unnamed run after the file and the UTC start time (MMDDHHMMSS)', () => {
    assert.equal(defaultRunName('/home/ada/lab/train.v2.py', Date.UTC(2026, 10, 25, 9, 8, 7)), 'train.v2-1125090807');
    assert.equal(defaultRunName('/home/ada/explore.ipynb', Date.UTC(2026, 0, 2, 23, 59, 59, 999)), 'explore-0102235959');
  });

  it('ends with the exit code, or the signal, or none, and the duration', () => {
    assert.deepEqual(asRecord(endTags({ exitCode: 0, signal: null }, 1234)), { [TAGS.exitCode]: '0', [TAGS.durationMs]: '1234' });
    assert.equal(asRecord(endTags({ exitCode: 3, signal: null }, 0))[TAGS.exitCode], '3');
    assert.equal(asRecord(endTags({ exitCode: null, signal: 'SIGKILL' }, 0))[TAGS.exitCode], 'SIGKILL');
    assert.equal(asRecord(endTags({ exitCode: null, signal: null }, 0))[TAGS.exitCode], 'none');
  });
});
