// A numeric column named like a time is a timestamp only when its values are epoch times: durations
// (travel_time, response_time_ms, lead_time) are features and must stay in drift.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { profileFile } from '../../../src/core/profile/profileFile.ts';

describe('profile: numeric columns named like a time', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'labbook-column-roles-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps durations as features; epoch seconds and milliseconds are timestamps', async () => {
    const file = path.join(dir, 'trips.csv');
    const header = 'travel_time,response_time_ms,lead_time,created_at,event_ts,mixed_time';
    const rows = Array.from({ length: 30 }, (_, i) =>
      // mixed_time: epoch seconds but one small value: not every value is an epoch time.
      [(12.5 + i * 0.75).toFixed(2), 40 + i * 97, i % 9, 1_700_000_000 + i * 3600, 1_700_000_000_000 + i * 60_000, i === 0 ? 5 : 1_700_000_000 + i].join(','),
    );
    writeFileSync(file, [header, ...rows].join('\n') + '\n');
    const profile = await profileFile(file);
    const roles = Object.fromEntries(profile.columns.map((c) => [c.name, c.role]));
    assert.deepEqual(roles, { travel_time: 'feature', response_time_ms: 'feature', lead_time: 'feature', created_at: 'timestamp', event_ts: 'timestamp', mixed_time: 'feature' });
    assert.equal(profile.columns.find((c) => c.name === 'created_at')?.roleReason, 'named like a time, with epoch values');
  });
});
