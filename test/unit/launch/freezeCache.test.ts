// The pip freeze cache with a real interpreter and real pip: a hit while nothing on sys.path
// changed, a fresh freeze once a package folder appears, and one entry per interpreter. The extra
// sys.path folder (PYTHONPATH) stands in for site-packages, so the shared test venv is never touched.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { captureEnvironment } from '../../../src/core/launch/captureEnvironment.ts';
import { freezeKey, readCachedFreeze, writeCachedFreeze } from '../../../src/core/launch/freezeCache.ts';
import { testPython } from '../../support/python.ts';

/** A distribution pip freeze lists: a `<name>-<version>.dist-info` folder with its METADATA. */
function installFakePackage(dir: string, name: string, version: string): void {
  const info = path.join(dir, `${name.replace(/-/g, '_')}-${version}.dist-info`);
  mkdirSync(info);
  writeFileSync(path.join(info, 'METADATA'), `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`);
  writeFileSync(path.join(info, 'RECORD'), '');
}

describe('core/launch: the pip freeze cache', function () {
  this.timeout(120_000);
  let dir: string;
  let packages: string;
  let cacheDir: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-freeze-'));
    packages = path.join(dir, 'site');
    cacheDir = path.join(dir, 'cache');
    mkdirSync(packages);
    installFakePackage(packages, 'labbook-probe-one', '1.0');
    env = { ...process.env, PYTHONPATH: packages };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('freezes once, then answers from the cache while nothing on sys.path changed', async () => {
    const first = await captureEnvironment(testPython(), { env, cacheDir });
    assert.equal(first.requirementsCached, false);
    assert.match(first.requirements ?? '', /^labbook-probe-one==1\.0$/m, 'the real pip freeze saw the extra folder');
    assert.match(first.requirements ?? '', /^mlflow==/m);
    assert.deepEqual(first.notes, []);
    const second = await captureEnvironment(testPython(), { env, cacheDir });
    assert.equal(second.requirementsCached, true);
    assert.equal(second.requirements, first.requirements);
    assert.equal(second.info.packagesFrom, 'pip freeze');
  });

  it('freezes afresh once a package is installed (the folder changed), caches that, and again once the folder is only touched', async () => {
    const before = await captureEnvironment(testPython(), { env, cacheDir });
    assert.doesNotMatch(before.requirements ?? '', /labbook-probe-two/);
    installFakePackage(packages, 'labbook-probe-two', '2.5');
    // Same-second changes must count too: the folder's time is set one second ahead.
    const later = new Date(Date.now() + 1000);
    utimesSync(packages, later, later);
    const after = await captureEnvironment(testPython(), { env, cacheDir });
    assert.equal(after.requirementsCached, false);
    assert.match(after.requirements ?? '', /^labbook-probe-two==2\.5$/m);
    const again = await captureEnvironment(testPython(), { env, cacheDir });
    assert.equal(again.requirementsCached, true, 'the fresh list is the cached one now');
    assert.equal(again.requirements, after.requirements);
    const touched = new Date(Date.now() + 5000);
    utimesSync(packages, touched, touched);
    assert.equal((await captureEnvironment(testPython(), { env, cacheDir })).requirementsCached, false, 'a touched folder alone is a miss');
  });

  it('shares one capture between launches at the same time (a sweep\'s trials): one freeze, the same list', async () => {
    const captures = await Promise.all([1, 2, 3, 4].map(() => captureEnvironment(testPython(), { env, cacheDir })));
    assert.equal(captures.filter((c) => !c.requirementsCached).length, 1, 'one of them froze');
    for (const c of captures) assert.equal(c.requirements, captures[0]?.requirements);
    assert.match(captures[3]?.requirements ?? '', /^labbook-probe-one==1\.0$/m);
  });

  it('keys on the interpreter: another one freezes for itself, and each keeps its own entry', async () => {
    const other = path.join(dir, 'other-python');
    writeFileSync(other, `#!/bin/sh\nexec '${testPython().replace(/'/g, "'\\''")}' "$@"\n`);
    chmodSync(other, 0o755);
    await captureEnvironment(testPython(), { env, cacheDir });
    const viaOther = await captureEnvironment(other, { env, cacheDir });
    assert.equal(viaOther.requirementsCached, false);
    assert.match(viaOther.requirements ?? '', /^labbook-probe-one==1\.0$/m);
    assert.equal((await captureEnvironment(other, { env, cacheDir })).requirementsCached, true);
    assert.equal((await captureEnvironment(testPython(), { env, cacheDir })).requirementsCached, true);
    assert.equal(readdirSync(cacheDir).filter((f) => f.endsWith('.json')).length, 2);
  });

  it('treats a damaged or foreign entry as a miss, and an unwritable folder as a note', async () => {
    const key = await freezeKey('/usr/bin/python3', '/usr/bin/python3', 'pip freeze', [packages]);
    assert.equal(await readCachedFreeze(cacheDir, key), undefined, 'nothing cached yet');
    assert.equal(await writeCachedFreeze(cacheDir, key, 'a==1\n'), undefined);
    assert.equal(await readCachedFreeze(cacheDir, key), 'a==1\n');
    const [file] = readdirSync(cacheDir);
    writeFileSync(path.join(cacheDir, file ?? ''), '{"version":1,"key":');
    assert.equal(await readCachedFreeze(cacheDir, key), undefined, 'damaged');
    writeFileSync(path.join(cacheDir, file ?? ''), JSON.stringify({ version: 1, key: { ...key, paths: [] }, requirements: 'b==2\n' }));
    assert.equal(await readCachedFreeze(cacheDir, key), undefined, 'another sys.path');
    const blocked = path.join(dir, 'a-file');
    writeFileSync(blocked, '');
    assert.match((await writeCachedFreeze(blocked, key, 'a==1\n')) ?? '', /^environment: the package list was not cached in .*a-file \(.+\); the next launch freezes again\.$/);
  });
});
