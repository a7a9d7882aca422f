// The look that backs up a file watcher: a folder's signature changes when a file is appended to or
// a folder is made, not otherwise, and stays bounded; the poller calls back on a change it sees,
// not on one it was told to take as its starting point.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChangePoller, filesSignature, folderSignature } from '../../../src/core/fs/changePoller.ts';

describe('core/fs: the change poller behind the store watcher', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-poll-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same signature for the same tree, another after an append or a new folder', async () => {
    mkdirSync(path.join(dir, 'run-a'));
    writeFileSync(path.join(dir, 'run-a', 'events'), 'one');
    const first = await folderSignature(dir);
    assert.equal(await folderSignature(dir), first);
    appendFileSync(path.join(dir, 'run-a', 'events'), 'two');
    const appended = await folderSignature(dir);
    assert.notEqual(appended, first);
    mkdirSync(path.join(dir, 'run-b'));
    assert.notEqual(await folderSignature(dir), appended);
  });

  it('sees a change of time alone, and names a missing file', async () => {
    const file = path.join(dir, 'mlflow.db');
    writeFileSync(file, 'x');
    const before = await filesSignature([file, `${file}-wal`]);
    assert.ok(before.includes(`${file}-wal\u0000missing`));
    utimesSync(file, new Date(2020, 0, 1), new Date(2020, 0, 1));
    assert.notEqual(await filesSignature([file, `${file}-wal`]), before);
  });

  it('looks at most at maxEntries entries and maxDepth levels', async () => {
    for (let i = 0; i < 30; i++) writeFileSync(path.join(dir, `f${String(i).padStart(2, '0')}`), 'x');
    mkdirSync(path.join(dir, 'a', 'b', 'c'), { recursive: true });
    writeFileSync(path.join(dir, 'a', 'b', 'c', 'deep'), 'x');
    assert.equal((await folderSignature(dir, { maxEntries: 10 })).split('\n').filter(Boolean).length, 10);
    const shallow = await folderSignature(dir, { maxDepth: 1 });
    assert.ok(shallow.includes(`a${path.sep}b${path.sep}\n`));
    assert.ok(!shallow.includes('deep'));
    assert.ok((await folderSignature(dir)).includes('deep'));
    assert.equal(await folderSignature(path.join(dir, 'no-such-folder')), '');
  });

  it('calls back on a change it sees, not on its first look nor on a change it was told to take as the start', async () => {
    let text = 'a';
    let calls = 0;
    const poller = new ChangePoller(() => Promise.resolve(text), () => calls++, 60_000);
    try {
      await poller.look();
      assert.equal(calls, 0, 'the first look is the starting point');
      text = 'b';
      await poller.look();
      assert.equal(calls, 1);
      await poller.look();
      assert.equal(calls, 1, 'no change, no call');
      text = 'c';
      poller.rebase();
      await poller.look();
      assert.equal(calls, 1, 'a change the watcher reported is not reported again');
      text = 'd';
      await poller.look();
      assert.equal(calls, 2);
    } finally {
      poller.dispose();
    }
  });

  it('keeps looking after a look that failed', async () => {
    let fail = true;
    let text = 'a';
    let calls = 0;
    const poller = new ChangePoller(() => (fail ? Promise.reject(new Error('EIO')) : Promise.resolve(text)), () => calls++, 60_000);
    try {
      await poller.look();
      fail = false;
      await poller.look();
      text = 'b';
      await poller.look();
      assert.equal(calls, 1);
    } finally {
      poller.dispose();
    }
  });
});
