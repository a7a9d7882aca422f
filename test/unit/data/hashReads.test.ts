// The host's hashing of observed reads after the run: a file still as the run read it (size,
// mtime, inode) is hashed; one changed since gets no hash and says why, never the hash of other
// content; above the cap only the first and last 4 MB are hashed, as the bootstrap does. Reads noted
// by path only are stat'ed here: no file, dropped; modified after the start by another process, refused.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashObservedReads } from '../../../src/core/data/hashReads.ts';
import type { ObservationLog } from '../../../src/core/data/observedRecord.ts';

describe('core/data: hashing observed reads after the run', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'labbook-hash-reads-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const readOf = (file: string) => {
    const st = statSync(file, { bigint: true });
    return { path: file, size: Number(st.size), mtime: Number(st.mtimeMs) / 1000, mtimeNs: String(st.mtimeNs), ino: String(st.ino) };
  };
  const logOf = (reads: ObservationLog['reads']): ObservationLog => ({ reads, writes: [], listed: [], folders: [], ended: true, malformedLines: 0 });
  const options = (capBytes?: number) => ({ deadline: Date.now() + 60_000, now: Date.now, ...(capBytes ? { capBytes } : {}) });

  it('hashes a file still as read, and refuses one that changed since', async () => {
    const same = path.join(dir, 'same.csv');
    const changed = path.join(dir, 'changed.csv');
    writeFileSync(same, 'a,b\n1,2\n');
    writeFileSync(changed, 'x\n');
    const reads = [readOf(same), readOf(changed)];
    writeFileSync(changed, 'x\ny\n');
    const hashed = await hashObservedReads(logOf(reads), options());
    assert.equal(hashed.reads[0]?.sha256, createHash('sha256').update('a,b\n1,2\n').digest('hex'));
    assert.equal(hashed.reads[1]?.sha256, undefined);
    assert.match(hashed.reads[1]?.error ?? '', /changed after the run read it/);
  });

  it('stats reads the bootstrap noted by path only: drops what was no file, refuses one modified after the start unless the run wrote it', async () => {
    const kept = path.join(dir, 'kept.csv');
    const other = path.join(dir, 'other.csv');
    const own = path.join(dir, 'own.csv');
    for (const file of [kept, other, own]) writeFileSync(file, 'v\n');
    const startedNs = statSync(kept, { bigint: true }).mtimeNs;
    // Modified after the program started, explicitly (no clock involved): by another process, and by the run.
    const later = new Date(Number(startedNs / 1_000_000n) + 60_000);
    utimesSync(other, later, later);
    utimesSync(own, later, later);
    const log: ObservationLog = {
      reads: [kept, other, own, path.join(dir, 'absent.csv'), dir].map((p) => ({ path: p })), writes: [own], listed: [], folders: [], startedNs: String(startedNs), ended: true, malformedLines: 0,
    };
    const hashed = await hashObservedReads(log, options());
    const v = createHash('sha256').update('v\n').digest('hex');
    assert.deepEqual(hashed.reads.map((r) => [path.basename(r.path), r.size, r.sha256]), [['kept.csv', 2, v], ['other.csv', 2, undefined], ['own.csv', 2, v]]);
    assert.match(hashed.reads[1]?.error ?? '', /modified while the run went/);
  });

  it('hashes the first and last 4 MB of a file above the cap, and says so', async () => {
    const big = path.join(dir, 'big.bin');
    const bytes = Buffer.alloc(9 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i % 251;
    writeFileSync(big, bytes);
    const hashed = await hashObservedReads(logOf([readOf(big)]), options(1024 * 1024));
    const part = 4 * 1024 * 1024;
    const expected = createHash('sha256').update(bytes.subarray(0, part)).update(bytes.subarray(bytes.length - part)).digest('hex');
    assert.deepEqual([hashed.reads[0]?.sha256, hashed.reads[0]?.partial], [expected, true]);
  });
});
