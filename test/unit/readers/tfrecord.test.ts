import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32c, maskCrc32c, maskedCrc32c } from '../../../src/core/readers/crc32c.ts';
import { CorruptEventFileError, readTfRecordFile, readTfRecords } from '../../../src/core/readers/tfrecord.ts';
import type { TfRecord } from '../../../src/core/readers/tfrecord.ts';
import { concat, flipBits, frame } from './eventBytes.ts';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Bit-at-a-time CRC-32C, the definition, to check the table-driven one against. */
function referenceCrc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Three records with distinct payloads; offsets of each header. */
function threeRecords(): { bytes: Uint8Array; offsets: number[]; payloads: Uint8Array[] } {
  const payloads = [ascii('first'), ascii('the second record'), ascii('3')];
  const framed = payloads.map(frame);
  const offsets = [0, framed[0]!.length, framed[0]!.length + framed[1]!.length];
  return { bytes: concat(...framed), offsets, payloads };
}

const texts = (records: TfRecord[]): string[] => records.map((r) => new TextDecoder().decode(r.data));

describe('core/readers: CRC-32C', () => {
  it('matches the standard check value and the iSCSI (RFC 3720) vectors', () => {
    assert.equal(crc32c(ascii('123456789')), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
    assert.equal(crc32c(new Uint8Array(0)), 0);
  });

  it('masks as TFRecord does (value checked against tensorboardX.record_writer.masked_crc32c)', () => {
    assert.equal(maskCrc32c(0xe3069283), 0xc78ab0e5);
    assert.equal(maskedCrc32c(ascii('123456789')), 0xc78ab0e5);
  });

  it('agrees with the bitwise definition at every length and alignment', () => {
    const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff);
    for (let start = 0; start < 9; start++) {
      for (let end = start; end <= data.length; end += 7) {
        assert.equal(crc32c(data, start, end), referenceCrc32c(data.subarray(start, end)), `[${start}, ${end})`);
      }
    }
  });
});

describe('core/readers: TFRecord framing', () => {
  it('reads every record with its file offset', () => {
    const { bytes, offsets } = threeRecords();
    const window = readTfRecords(bytes);
    assert.deepEqual(texts(window.records), ['first', 'the second record', '3']);
    assert.deepEqual(window.records.map((r) => r.offset), offsets);
    assert.equal(window.truncated, false);
    assert.equal(window.corruptRecords, 0);
    assert.equal(window.endOffset, bytes.length);
  });

  it('gives nothing for empty input', () => {
    assert.deepEqual(readTfRecords(new Uint8Array(0)), {
      records: [],
      corruptRecords: 0,
      endOffset: 0,
      truncated: false,
      needed: 0,
      resyncing: false,
    });
  });

  it('throws CorruptEventFileError at the record whose data fails its checksum, or skips and counts it', () => {
    const { bytes, offsets } = threeRecords();
    flipBits(bytes, offsets[1]! + 12 + 4, 0x01); // a bit of the second payload
    assert.throws(
      () => readTfRecords(bytes, { baseOffset: 1000 }),
      (e: unknown) => e instanceof CorruptEventFileError && e.offset === 1000 + offsets[1]! && e.reason === 'data-checksum',
    );
    const skipped = readTfRecords(bytes, { skipCorrupt: true });
    assert.deepEqual(texts(skipped.records), ['first', '3']);
    assert.equal(skipped.corruptRecords, 1);
  });

  it('finds the next record after a length that fails its checksum', () => {
    const { bytes, offsets } = threeRecords();
    flipBits(bytes, offsets[1]!, 0x40); // the second record's length
    assert.throws(
      () => readTfRecords(bytes),
      (e: unknown) => e instanceof CorruptEventFileError && e.offset === offsets[1] && e.reason === 'length-checksum' && /byte \d+/.test(e.message),
    );
    const skipped = readTfRecords(bytes, { skipCorrupt: true });
    assert.deepEqual(texts(skipped.records), ['first', '3']);
    assert.equal(skipped.corruptRecords, 1);
    assert.equal(skipped.truncated, false);
  });

  it('stops at a truncated tail without error, wherever the cut falls, keeping earlier records', () => {
    const { bytes, offsets } = threeRecords();
    const last = offsets[2]!;
    // Inside the header, at the end of the header, inside the data, inside the footer.
    for (const cut of [last + 1, last + 11, last + 12, last + 13, bytes.length - 1]) {
      const window = readTfRecords(bytes.subarray(0, cut));
      assert.deepEqual(texts(window.records), ['first', 'the second record'], `cut at ${cut}`);
      assert.equal(window.truncated, true, `cut at ${cut}`);
      assert.equal(window.endOffset, last, `cut at ${cut}`);
    }
  });

  it('reads a file in small windows exactly as in one piece, and resumes a growing file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-tfrecord-'));
    try {
      const payloads = Array.from({ length: 40 }, (_, i) => ascii(`record ${i} `.repeat(1 + (i % 9))));
      const bytes = concat(...payloads.map(frame));
      const file = path.join(dir, 'records');
      const cut = bytes.length - 20;
      writeFileSync(file, bytes.subarray(0, cut));
      const seen: string[] = [];
      const onRecord = (r: TfRecord): void => {
        seen.push(new TextDecoder().decode(r.data));
      };
      const first = await readTfRecordFile(file, onRecord, { chunkBytes: 64 });
      assert.equal(first.truncated, true);
      assert.equal(seen.length, 39);
      appendFileSync(file, bytes.subarray(cut));
      const rest = await readTfRecordFile(file, onRecord, { startOffset: first.endOffset, chunkBytes: 64 });
      assert.deepEqual(rest, { corruptRecords: 0, truncated: false, endOffset: bytes.length });
      assert.deepEqual(seen, texts(readTfRecords(bytes).records));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('skips corruption across window boundaries in a file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-tfrecord-'));
    try {
      const framed = Array.from({ length: 30 }, (_, i) => frame(ascii(`payload number ${i}`)));
      const bytes = concat(...framed);
      const offsetOf = (i: number): number => framed.slice(0, i).reduce((n, f) => n + f.length, 0);
      flipBits(bytes, offsetOf(5) + 3, 0xff); // length of record 5
      flipBits(bytes, offsetOf(20) + 15, 0xff); // data of record 20
      const file = path.join(dir, 'records');
      writeFileSync(file, bytes);
      await assert.rejects(readTfRecordFile(file, () => undefined), (e: unknown) => e instanceof CorruptEventFileError && e.offset === offsetOf(5));
      for (const chunkBytes of [64, 100, 1 << 20]) {
        const seen: number[] = [];
        const summary = await readTfRecordFile(file, (r) => seen.push(Number(/\d+$/.exec(new TextDecoder().decode(r.data))![0])), {
          skipCorrupt: true,
          chunkBytes,
        });
        assert.deepEqual(seen, [...Array(30).keys()].filter((i) => i !== 5 && i !== 20), `chunkBytes ${chunkBytes}`);
        assert.deepEqual(summary, { corruptRecords: 2, truncated: false, endOffset: bytes.length });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
