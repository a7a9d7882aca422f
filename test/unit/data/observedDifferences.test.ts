// Reproduce's check of observed inputs: a folder is compared by its hash only when the run read all
// of it (the record's hash covers the files read); a changed file of a folder read whole is reported;
// a file above the hashing cap is hashed again as it was recorded (first and last 4 MB), not in full.
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDataRecord, type DataRecord } from '../../../src/core/data/dataRecord.ts';
import { observedDifferences } from '../../../src/core/data/observedDifferences.ts';
import { HASH_CAP_BYTES, hashFileBounded } from '../../../src/core/data/hashReads.ts';
import { fingerprintData } from '../../../src/core/launch/fingerprintData.ts';

describe('core/data: Reproduce compares the observed inputs', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(path.join(tmpdir(), 'labbook-observed-diff-'));
    mkdirSync(path.join(cwd, 'imgs'));
    writeFileSync(path.join(cwd, 'imgs', 'a.png'), 'a');
    writeFileSync(path.join(cwd, 'imgs', 'b.png'), 'b');
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  /** The folder's record as the run took it now, or (`readOnly`) as a hash of fewer files than it holds. */
  const recordOf = async (readOnly?: { fileCount: number; sha256: string }): Promise<DataRecord> => {
    const [entry] = (await fingerprintData(['imgs'], cwd)).entries;
    const record = parseDataRecord(JSON.stringify({ version: 1, cwd, notes: [], outputs: [], inputs: [{ ...entry, found: ['observed'], ...readOnly }] }));
    assert.ok(record);
    return record;
  };

  it('reports a changed file of a folder the run read whole', async () => {
    const record = await recordOf();
    assert.deepEqual(await observedDifferences(record, [], cwd, 10_000), []);
    writeFileSync(path.join(cwd, 'imgs', 'b.png'), 'changed');
    assert.deepEqual((await observedDifferences(record, [], cwd, 10_000)).map((d) => [d.path, d.change]), [['imgs', 'content']]);
  });

  it('does not call a folder changed when the run read only some of its files', async () => {
    // The record's hash is of the one file read (count 1): not the hash of the folder's two.
    const record = await recordOf({ fileCount: 1, sha256: 'f'.repeat(64) });
    assert.deepEqual(await observedDifferences(record, [], cwd, 10_000), []);
  });

  it('checks a file above the hashing cap by its first and last 4 MB, its size and its time, never reading it whole', async () => {
    const big = path.join(cwd, 'big.bin');
    writeFileSync(big, '');
    truncateSync(big, HASH_CAP_BYTES + 16 * 1024 * 1024);
    const info = statSync(big);
    const { sha256, partial } = await hashFileBounded(big, info.size, HASH_CAP_BYTES);
    assert.ok(partial);
    const record = parseDataRecord(JSON.stringify({ version: 1, cwd, notes: [], outputs: [], inputs: [{ path: 'big.bin', kind: 'file', found: ['observed'], size: info.size, mtime: info.mtime.toISOString(), sha256, partial: true }] }));
    assert.ok(record);
    const check = async () => (await observedDifferences(record, [], cwd, 10_000)).map((d) => [d.path, d.change, d.message]);
    assert.deepEqual(await check(), []);
    const poke = (at: number) => {
      const fd = openSync(big, 'r+');
      writeSync(fd, Buffer.from('x'), 0, 1, at);
      closeSync(fd);
      utimesSync(big, info.atime, info.mtime);
    };
    // A byte in the middle, the time put back: not seen (only the parts the run's hash covers are read).
    poke(Math.floor(info.size / 2));
    assert.deepEqual(await check(), []);
    // A byte in the first 4 MB, the time put back: seen by the hash.
    poke(1000);
    assert.deepEqual(await check(), [['big.bin', 'content', 'big.bin changed since the run (its first or last 4 MB differ; it was hashed only in part).']]);
    truncateSync(big, info.size + 1);
    assert.match(String((await check())[0]?.[2]), /its size differs/);
    rmSync(big);
    assert.deepEqual((await check()).map(([p, c]) => [p, c]), [['big.bin', 'missing']]);
  });
});
