// The TensorBoard event-file reader (TFRecord framing, protobuf wire format, Event messages) under
// damaged files: flipped, cut and spliced bytes, and records whose checksums are right but whose
// payload is garbage (nested groups, huge lengths, tensors of every dtype). Strict reading returns
// scalars or throws a CorruptEventFileError at a byte offset; lenient reading never throws.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { CorruptEventFileError, readEventFile, readScalarEvents } from '../../../src/core/readers/tensorboard.ts';
import { bytesField, concat, doubleField, fileVersionEvent, frame, key, scalarEvent, stringField, varintField } from '../readers/eventBytes.ts';
import { checkAsyncProperty, checkProperty, fuzzRuns, fuzzTitle, parsesOrThrowsOwn, parsesOrThrowsOwnAsync } from './fuzzing.ts';

/** A tensor-valued scalar (as TF2 and PyTorch write them) of a dtype and value bytes. */
function tensorEvent(tag: string, step: number, tensor: Uint8Array): Uint8Array {
  const plugin = bytesField(1, stringField(1, 'scalars'));
  const value = concat(stringField(1, tag), bytesField(8, tensor), bytesField(9, plugin));
  return concat(doubleField(1, 1_700_000_000.25), varintField(2, step), bytesField(5, bytesField(1, value)));
}

const REAL_EVENTS = [
  fileVersionEvent(),
  scalarEvent('loss', 1, 0.5),
  scalarEvent('acc/top-1', 2 ** 40, Number.NaN),
  tensorEvent('lr', 3, concat(varintField(1, 1), bytesField(4, [0, 0, 128, 63]))),
  tensorEvent('lr', 4, concat(varintField(1, 9), bytesField(2, bytesField(2, varintField(1, 1))), varintField(10, -5))),
  tensorEvent('h', 5, concat(varintField(1, 19), key(13, 2), [2, 0x3c, 0x00])),
];

type Payload = Uint8Array;

/** Payload damage: flip, cut, splice, or a run of one byte (0x0b opens a protobuf group). */
const payload: fc.Arbitrary<Payload> = fc.oneof(
  fc.constantFrom(...REAL_EVENTS),
  fc.tuple(fc.constantFrom(...REAL_EVENTS), fc.nat(), fc.integer({ min: 1, max: 255 })).map(([bytes, at, mask]) => {
    const copy = bytes.slice();
    const i = at % copy.length;
    copy[i] = (copy[i] as number) ^ mask;
    return copy;
  }),
  fc.tuple(fc.constantFrom(...REAL_EVENTS), fc.nat()).map(([bytes, at]) => bytes.slice(0, at % (bytes.length + 1))),
  fc.tuple(fc.constantFrom(...REAL_EVENTS), fc.uint8Array({ maxLength: 12 }), fc.nat()).map(([bytes, junk, at]) => {
    const i = at % (bytes.length + 1);
    return concat(bytes.slice(0, i), junk, bytes.slice(i));
  }),
  fc.tuple(fc.constantFrom(0x0b, 0x0a, 0x2a, 0x80, 0xff, 0x0c), fc.integer({ min: 1, max: 60_000 })).map(([byte, n]) => new Uint8Array(n).fill(byte)),
  fc.uint8Array({ maxLength: 64 }),
);

/** A file: framed payloads (checksums right), then byte-level damage to the file itself. */
const eventFile = fc
  .tuple(
    fc.array(payload, { minLength: 1, maxLength: 5 }),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 2 }),
    fc.option(fc.nat(), { freq: 3 }),
  )
  .map(([payloads, flips, cut]) => {
    const bytes = concat(...payloads.map(frame));
    for (const [at, mask] of flips) if (bytes.length > 0) bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ mask;
    return cut === null ? bytes : bytes.slice(0, cut % (bytes.length + 1));
  });

describe('fuzz: the TFRecord / event-file reader', function () {
  this.timeout(120_000);

  const runs = fuzzRuns(1500);
  it(fuzzTitle('reads damaged event data strictly (or throws a CorruptEventFileError at an offset) and leniently (never throws)', runs), () => {
    checkProperty(eventFile, runs, (bytes) => {
      parsesOrThrowsOwn(
        () => readScalarEvents(bytes),
        (err) => err instanceof CorruptEventFileError && err.offset >= 0 && err.offset < bytes.length,
        (message) => /is corrupt at byte \d+/.test(message),
      );
      const lenient = readScalarEvents(bytes, { skipCorrupt: true });
      for (const s of lenient.scalars) assert.equal(typeof s.value, 'number');
    });
  });

  const fileRuns = fuzzRuns(200);
  it(fuzzTitle('reads a damaged event file, or throws a CorruptEventFileError naming the file', fileRuns), async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-fuzz-events-'));
    const file = path.join(dir, 'events.out.tfevents.1700000000.host');
    try {
      await checkAsyncProperty(eventFile, fileRuns, async (bytes) => {
        writeFileSync(file, bytes);
        await parsesOrThrowsOwnAsync(
          () => readEventFile(file),
          (err) => err instanceof CorruptEventFileError && err.path === file,
          (message) => message.includes(file),
        );
        // Read from the file window by window, the lenient reading keeps what reading the bytes keeps.
        const fromBytes = readScalarEvents(bytes, { skipCorrupt: true });
        const fromFile = await readEventFile(file, { skipCorrupt: true });
        assert.deepEqual(fromFile.scalars, fromBytes.scalars);
        assert.equal(fromFile.corruptRecords, fromBytes.corruptRecords);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
