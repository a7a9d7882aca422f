// `labbook profile FILE` run as a process: a text summary, the DataProfile JSON with --json, and
// exit 2 with the reason for a file it cannot profile.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataProfile } from '../../../src/core/profile/types.ts';
import { runCli } from '../../support/cli.ts';

describe('cli: labbook profile', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-cli-profile-'));
    writeFileSync(path.join(dir, 'train.csv'), `id,age,city\n${Array.from({ length: 12 }, (_, i) => `${i + 1},${20 + i},${i % 2 ? 'Paris' : 'Lyon'}`).join('\n')}\n`);
    writeFileSync(path.join(dir, 'ragged.csv'), 'a,b\n1,2\n3,4,5\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints a summary of every column', async () => {
    const result = await runCli(['profile', 'train.csv'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^train\.csv \(CSV, \d+ B\): 12 rows × 3 columns/);
    assert.match(result.stdout, /^id {2}BIGINT, numeric, row-number \(the row numbers 1…12, each once\)$/m);
    assert.match(result.stdout, /^age {2}BIGINT, numeric\n {2}nulls 0 \(0\.0%\), 12 distinct\n {2}range 20 … 31, mean 25\.5, std 3\.60555/m);
    assert.match(result.stdout, /^ {2}top "Lyon" 6, "Paris" 6$/m);
  });

  it('--json prints the DataProfile', async () => {
    const result = await runCli(['profile', 'train.csv', '--json'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const profile = JSON.parse(result.stdout) as DataProfile;
    assert.equal(profile.format, 'labbook.profile/1');
    assert.equal(profile.rows, 12);
    assert.deepEqual(profile.columns.map((c) => c.kind), ['numeric', 'numeric', 'categorical']);
    assert.equal(profile.columns[1]?.quantiles?.[50], 25.5);
  });

  it('exits 2 with the reason for a file it cannot profile, or bad usage', async () => {
    const ragged = await runCli(['profile', 'ragged.csv'], { cwd: dir });
    assert.equal(ragged.code, 2);
    assert.match(ragged.stderr, /^labbook profile: ragged\.csv cannot be read as CSV: /);
    const missing = await runCli(['profile', 'nope.parquet'], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.parquet cannot be read: ENOENT/);
    const usage = await runCli(['profile'], { cwd: dir });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /expected one FILE/);
    const format = await runCli(['profile', 'train.csv', '--format', 'xlsx'], { cwd: dir });
    assert.equal(format.code, 2);
    assert.match(format.stderr, /--format must be one of csv, tsv, parquet, jsonl/);
  });
});
