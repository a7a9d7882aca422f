// Where the hook module is imported from: never a folder another user could have planted it in.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OBSERVE_ENV } from '../../../src/core/data/observeBootstrap.ts';
import { prepareObservation } from '../../../src/core/data/observeLaunch.ts';

describe('core/data: preparing a launch for observation', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-observe-launch-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const hookDirOf = (env: Record<string, string>) => (env[OBSERVE_ENV.skip] ?? '').split(path.delimiter).at(-1) ?? '';

  it('keeps the hook module in a private folder beside the spools, reused by the next run', () => {
    const spool = path.join(dir, 'run-a');
    mkdirSync(spool);
    const env: Record<string, string> = {};
    prepareObservation(spool, env, []);
    const hookDir = hookDirOf(env);
    assert.equal(path.dirname(hookDir), dir);
    assert.equal(statSync(hookDir).mode & 0o077, 0, 'only its owner can read or write the folder');
    const again: Record<string, string> = {};
    mkdirSync(path.join(dir, 'run-b'));
    prepareObservation(path.join(dir, 'run-b'), again, []);
    assert.equal(hookDirOf(again), hookDir);
  });

  it('never imports from a folder others can write to: that run gets a fresh private folder', () => {
    const spool = path.join(dir, 'run-a');
    mkdirSync(spool);
    const first: Record<string, string> = {};
    prepareObservation(spool, first, []);
    const shared = hookDirOf(first);
    chmodSync(shared, 0o777);
    const env: Record<string, string> = {};
    prepareObservation(spool, env, []);
    const used = hookDirOf(env);
    try {
      assert.notEqual(used, shared);
      assert.equal(statSync(used).mode & 0o077, 0);
      assert.ok(readdirSync(used).some((f) => f.endsWith('.py')), 'the module is written into the fresh folder');
    } finally {
      rmSync(used, { recursive: true, force: true });
    }
  });
});
