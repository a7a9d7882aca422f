import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { profileRunFiles } from '../../../src/core/profile/runProfiles.ts';
import { parseRunProfiles, RUN_PROFILE_PATH } from '../../../src/core/runDetails/runProfile.ts';

describe('runDetails: the run’s data profile (profile.json)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-run-profile-'));
    writeFileSync(path.join(dir, 'a.csv'), 'x,kind\n1,a\n2,b\n3,a\n,b\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what the profiler wrote, failures included', async () => {
    const written = await profileRunFiles([path.join(dir, 'a.csv'), path.join(dir, 'gone.csv')]);
    const { profiles, problems } = parseRunProfiles(JSON.stringify(written));
    assert.deepEqual(problems, []);
    assert.deepEqual(profiles, JSON.parse(JSON.stringify(written)));
    assert.equal(profiles?.failures[0]?.path, path.join(dir, 'gone.csv'));
  });

  it('answers a problem, never throws, for text that is not a profile', async () => {
    assert.deepEqual(parseRunProfiles('{'), { profiles: null, problems: [`${RUN_PROFILE_PATH} is not valid JSON.`] });
    assert.match(parseRunProfiles('{"format": "labbook.profiles/9", "profiles": []}').problems[0] ?? '', /is not a Labbook profile/);
    const written = await profileRunFiles([path.join(dir, 'a.csv')]);
    const damaged = { ...written, profiles: [...written.profiles, { format: 'labbook.profile/1', rows: 'many' }], failures: [{ path: 1 }] };
    const read = parseRunProfiles(JSON.stringify(damaged));
    assert.equal(read.profiles?.profiles.length, 1);
    assert.deepEqual(read.profiles?.failures, []);
    assert.match(read.problems[0] ?? '', /1 profile\(s\) .* could not be read/);
  });
});
