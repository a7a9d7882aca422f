// Hashing the files a run read, after it ended and off its process. The bootstrap takes no stat at
// a read (it costs the program too much), so the host stats each read file now: one that is gone or
// not a regular file is dropped (the open failed, or it was scratch); one modified after the
// program started, that the run did not write itself, was changed by another process while the run
// went, and gets no hash and a note, never a hash of other content. A read that carries a stat
// (older records) is hashed only when size, modification time and inode are unchanged. Streamed;
// above the size cap only the first and last 4 MB are hashed (the bootstrap's formula), with a
// note; bounded in time.
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

/** The read hashed, or with an error saying why not; undefined: not a file the run read (gone, or not a regular file). */
async function hashOne(read: ObservedRead, log: ObservationLog, written: ReadonlySet<string>, options: HashReadsOptions): Promise<ObservedRead | undefined> {
  if (read.sha256 || read.error) return read;
  let info;
  try {
    info = await stat(read.path, { bigint: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && read.size === undefined) return undefined;
    return { ...read, error: errorFirstLine(err) };
  }
  if (!info.isFile()) return undefined;
  const stated: ObservedRead = read.size !== undefined ? read : { ...read, size: Number(info.size), mtime: Number(info.mtimeNs) / 1e9, mtimeNs: String(info.mtimeNs), ino: String(info.ino) };
  if (options.now() > options.deadline) return { ...stated, error: 'hashing ran out of time' };
  if (read.size !== undefined) {
    const same = info.size === BigInt(read.size) && (read.mtimeNs === undefined || info.mtimeNs === BigInt(read.mtimeNs)) && (read.ino === undefined || info.ino === BigInt(read.ino));
    if (!same) return { ...read, error: 'it changed after the run read it' };
  } else if (log.startedNs !== undefined && info.mtimeNs > BigInt(log.startedNs) && !written.has(read.path)) {
    return { ...stated, error: 'it was modified while the run went, not by the run: the content it read is unknown' };
  }
  try {
    const { sha256, partial } = await hashFileBounded(read.path, Number(info.size), options.capBytes ?? HASH_CAP_BYTES);
    return { ...stated, sha256, ...(partial ? { partial: true } : {}) };
  } catch (err) {
    return { ...stated, error: errorFirstLine(err) };
  }
}

/** The log with every read stat'ed and hashed that still can be (a few at a time), without the ones that were no file. */
export async function hashObservedReads(log: ObservationLog, options: HashReadsOptions): Promise<ObservationLog> {
  const reads: (ObservedRead | undefined)[] = [...log.reads];
  const written = new Set(log.writes);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < reads.length) {
      const i = next++;
      reads[i] = await hashOne(reads[i] as ObservedRead, log, written, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, reads.length) }, worker));
  return { ...log, reads: reads.filter((r): r is ObservedRead => r !== undefined) };
}
