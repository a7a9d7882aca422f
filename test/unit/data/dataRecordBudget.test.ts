// The observed-data record is built after the run within one time budget: the reads' hashing and
// the outputs' fingerprints share it (the outputs get what the reads left, not a budget of their own).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildDataRecord } from '../../../src/core/data/dataRecord.ts';

describe('core/data: the record after the run keeps one time budget', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'labbook-data-budget-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A record of a run that wrote out.csv, and a clock whose first reading is the start. */
  function setUp(): { recordFile: string; out: string } {
    const out = path.join(dir, 'out.csv');
    writeFileSync(out, 'a\n1\n');
    const recordFile = path.join(dir, 'data.jsonl');
    writeFileSync(recordFile, [{ t: 'start', timeNs: '1' }, { t: 'write', path: out }, { t: 'end' }].map((l) => JSON.stringify(l)).join('\n') + '\n');
    return { recordFile, out };
  }

  it('fingerprints the outputs while the budget lasts', async () => {
    const { recordFile } = setUp();
    const record = await buildDataRecord({ recordFile, cwd: dir, timeoutMs: 60_000 });
    assert.deepEqual(record.outputs.map((o) => [o.path, o.sha256]), [['out.csv', createHash('sha256').update('a\n1\n').digest('hex')]]);
  });

  it('gives the outputs no new budget once the record’s is spent', async () => {
    const { recordFile } = setUp();
    // The budget is taken at the first reading; every later reading is past it.
    let readings = 0;
    const now = () => (readings++ === 0 ? 0 : 120_000 + readings);
    const record = await buildDataRecord({ recordFile, cwd: dir, timeoutMs: 60_000, now });
    assert.equal(record.outputs.length, 1);
    assert.equal(record.outputs[0]?.sha256, undefined);
    assert.match(record.outputs[0]?.note ?? '', /ran out of time/);
  });
});
