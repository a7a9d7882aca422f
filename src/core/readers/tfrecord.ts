/**
 * TFRecord framing, the container of TensorBoard event files:
 *   uint64 length (LE) | uint32 masked_crc32c(length bytes) | data[length] | uint32 masked_crc32c(data)
 * A file a writer is still appending to ends in a partial record: that is `truncated`, not an
 * error, and the next read resumes at `endOffset`.
 */
import { open } from 'node:fs/promises';
import { maskedCrc32c } from './crc32c.ts';

const HEADER_BYTES = 12;
const FOOTER_BYTES = 4;

export type CorruptRecordReason = 'length-checksum' | 'data-checksum' | 'malformed-event';

const REASON_TEXT: Record<CorruptRecordReason, string> = {
  'length-checksum': 'the record length fails its checksum',
  'data-checksum': 'the record data fails its checksum',
  'malformed-event': 'the record is not a valid event',
};

/** A record whose checksum fails (or whose content cannot be decoded), at a byte offset. */
export class CorruptEventFileError extends Error {
  override readonly name = 'CorruptEventFileError';
  /** File offset of the start of the bad record's header. */
  readonly offset: number;
  readonly reason: CorruptRecordReason;
  readonly path: string | undefined;
  constructor(offset: number, reason: CorruptRecordReason, path?: string) {
    super(`${path === undefined ? 'Event data' : `TensorBoard event file ${path}`} is corrupt at byte ${offset}: ${REASON_TEXT[reason]}.`);
    this.offset = offset;
    this.reason = reason;
    this.path = path;
  }
}

export interface TfRecord {
  /** File offset of the record's header. */
  readonly offset: number;
  /** The payload: a view into the bytes read, not a copy. */
  readonly data: Uint8Array;
}

export interface ReadTfRecordsOptions {
  /** Skip records that fail a checksum and count them, instead of throwing. */
  readonly skipCorrupt?: boolean;
  /** File offset of `bytes[0]`, so offsets in records and errors are file offsets. */
  readonly baseOffset?: number;
  /** `bytes[0]` may not start a record: search for the next valid header (after corruption). */
  readonly resync?: boolean;
}

export interface TfRecordWindow {
  readonly records: TfRecord[];
  readonly corruptRecords: number;
  /** File offset of the first byte not consumed: where the next read starts. */
  readonly endOffset: number;
  /** The bytes end inside a record (a writer may still be writing it). */
  readonly truncated: boolean;
  /** When truncated: the bytes that record needs from `endOffset`, as far as its header says. */
  readonly needed: number;
  /** The bytes ended while searching for a valid header after a corrupt one. */
  readonly resyncing: boolean;
}

function readUint32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

function headerIsValid(bytes: Uint8Array, at: number): boolean {
  return maskedCrc32c(bytes, at, at + 8) === readUint32(bytes, at + 8);
}

/**
 * Splits `bytes` into records, verifying both checksums. A length that fails its checksum cannot
 * be trusted to find the next record, so when skipping, the search goes on byte by byte until a
 * header checks out again; each such gap counts as one corrupt record.
 */
export function readTfRecords(bytes: Uint8Array, options: ReadTfRecordsOptions = {}): TfRecordWindow {
  const base = options.baseOffset ?? 0;
  const n = bytes.length;
  const records: TfRecord[] = [];
  let corruptRecords = 0;
  let resyncing = options.resync ?? false;
  let pos = 0;
  const stop = (truncated: boolean, needed: number): TfRecordWindow => ({
    records,
    corruptRecords,
    endOffset: base + pos,
    truncated,
    needed,
    resyncing,
  });

  for (;;) {
    if (resyncing) {
      while (pos + HEADER_BYTES <= n && !headerIsValid(bytes, pos)) pos++;
      if (pos + HEADER_BYTES > n) return stop(false, 0);
      resyncing = false;
    }
    if (pos === n) return stop(false, 0);
    if (n - pos < HEADER_BYTES) return stop(true, HEADER_BYTES);
    if (!headerIsValid(bytes, pos)) {
      if (!options.skipCorrupt) throw new CorruptEventFileError(base + pos, 'length-checksum');
      corruptRecords++;
      pos++;
      resyncing = true;
      continue;
    }
    // A length past 2^53 loses precision, but such a record is past any file's end anyway.
    const length = readUint32(bytes, pos) + readUint32(bytes, pos + 4) * 0x1_0000_0000;
    const total = HEADER_BYTES + length + FOOTER_BYTES;
    if (n - pos < total) return stop(true, total);
    const dataStart = pos + HEADER_BYTES;
    const dataEnd = dataStart + length;
    if (maskedCrc32c(bytes, dataStart, dataEnd) !== readUint32(bytes, dataEnd)) {
      if (!options.skipCorrupt) throw new CorruptEventFileError(base + pos, 'data-checksum');
      corruptRecords++;
    } else {
      records.push({ offset: base + pos, data: bytes.subarray(dataStart, dataEnd) });
    }
    pos += total;
  }
}

export interface ReadTfRecordFileOptions {
  readonly skipCorrupt?: boolean;
  /** Resume here (an `endOffset` from an earlier read) instead of at the start. */
  readonly startOffset?: number;
  /** Bytes read at a time; a larger record is read whole. */
  readonly chunkBytes?: number;
}

export interface TfRecordFileSummary {
  readonly corruptRecords: number;
  readonly truncated: boolean;
  /**
   * Where a later read of the same (growing) file should resume. After trailing garbage (a
   * corrupt header with no valid one after it) it is the end of the bytes searched.
   */
  readonly endOffset: number;
}

/**
 * Reads a TFRecord file window by window, handing each record to `onRecord` (its data is only
 * valid during the call's window, so keep what you need), so files with large image or graph
 * records are never held whole. Reads up to the size the file has when opened.
 */
export async function readTfRecordFile(
  path: string,
  onRecord: (record: TfRecord) => void,
  options: ReadTfRecordFileOptions = {},
): Promise<TfRecordFileSummary> {
  // At least a header's worth, so the search after a corrupt header always moves forward.
  const chunkBytes = Math.max(options.chunkBytes ?? 1 << 20, 64);
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    let offset = options.startOffset ?? 0;
    let resync = false;
    let needed = 0;
    let corruptRecords = 0;
    for (;;) {
      if (offset >= size) return { corruptRecords, truncated: false, endOffset: offset };
      if (offset + needed > size) return { corruptRecords, truncated: true, endOffset: offset };
      const want = Math.min(size - offset, Math.max(chunkBytes, needed));
      const buffer = new Uint8Array(want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await handle.read(buffer, got, want - got, offset + got);
        if (bytesRead === 0) break; // the file shrank under us: treat what we have as the end
        got += bytesRead;
      }
      const window = readTfRecords(buffer.subarray(0, got), {
        skipCorrupt: options.skipCorrupt,
        baseOffset: offset,
        resync,
      });
      corruptRecords += window.corruptRecords;
      for (const record of window.records) onRecord(record);
      if (offset + got >= size || got < want) {
        return { corruptRecords, truncated: window.truncated, endOffset: window.endOffset };
      }
      offset = window.endOffset;
      resync = window.resyncing;
      needed = window.truncated ? window.needed : 0;
    }
  } finally {
    await handle.close();
  }
}
