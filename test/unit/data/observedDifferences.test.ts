// Reproduce's check of observed inputs: a folder is compared by its hash only when the run read all
// of it (the record's hash covers the files read); a changed file of a folder read whole is reported.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDataRecord, type DataRecord } from '../../../src/core/data/dataRecord.ts';
import { observedDifferences } from '../../../src/core/data/observedDifferences.ts';
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
});
