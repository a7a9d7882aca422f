// Hashing the files a run read, after it ended and off its process: a file whose size,
// modification time and inode are still those the bootstrap saw at first open has the content the
// run read. One that changed since (another process wrote it, or a change the hook could not see)
// gets no hash and a note, never a hash of other content. Streamed; above the size cap only the
// first and last 4 MB are hashed (the bootstrap's formula), with a note; bounded in time.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { errorFirstLine } from '../../shared/errorMessage.ts';
import type { ObservationLog, ObservedRead } from './observedRecord.ts';

export const HASH_CAP_BYTES = 256 * 1024 * 1024;
const PART = 4 * 1024 * 1024;
const PARALLEL = 8;

export interface HashReadsOptions {
  readonly capBytes?: number;
  /** Reads not hashed by then get a note. */
  readonly deadline: number;
  readonly now: () => number;
}

async function digest(file: string, start: number, end: number, hash: ReturnType<typeof createHash>): Promise<void> {
  if (end <= start) return;
  for await (const chunk of createReadStream(file, { start, end: end - 1, highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
}

/** sha256 of the file, whole or (above `cap`) of its first and last 4 MB. */
export async function hashFileBounded(file: string, size: number, cap: number): Promise<{ sha256: string; partial: boolean }> {
  const hash = createHash('sha256');
  if (size <= cap) {
    await digest(file, 0, size, hash);
    return { sha256: hash.digest('hex'), partial: false };
  }
  await digest(file, 0, PART, hash);
  const from = Math.max(size - PART, PART);
  await digest(file, from, Math.min(size, from + PART), hash);
  return { sha256: hash.digest('hex'), partial: true };
}

async function hashOne(read: ObservedRead, options: HashReadsOptions): Promise<ObservedRead> {
  if (read.sha256 || read.error) return read;
  if (options.now() > options.deadline) return { ...read, error: 'hashing ran out of time' };
  try {
    const info = await stat(read.path, { bigint: true });
    const same = info.size === BigInt(read.size) && (read.mtimeNs === undefined || info.mtimeNs === BigInt(read.mtimeNs)) && (read.ino === undefined || info.ino === BigInt(read.ino));
    if (!same) return { ...read, error: 'it changed after the run read it' };
    const { sha256, partial } = await hashFileBounded(read.path, read.size, options.capBytes ?? HASH_CAP_BYTES);
    return { ...read, sha256, ...(partial ? { partial: true } : {}) };
  } catch (err) {
    return { ...read, error: errorFirstLine(err) };
  }
}

/** The log with every read hashed that still can be (a few at a time). */
export async function hashObservedReads(log: ObservationLog, options: HashReadsOptions): Promise<ObservationLog> {
  const reads = [...log.reads];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < reads.length) {
      const i = next++;
      reads[i] = await hashOne(reads[i] as ObservedRead, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, reads.length) }, worker));
  return { ...log, reads };
}
