import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metric } from '../../../src/core/store/types.ts';
import { CorruptEventFileError, readEventFile, readScalarEvents, scanTensorBoardLogs } from '../../../src/core/readers/tensorboard.ts';
import type { TensorBoardRun } from '../../../src/core/readers/tensorboard.ts';
import { bytesField, concat, doubleField, fileVersionEvent, flipBits, floatField, frame, scalarEvent, stringField, varintField } from './eventBytes.ts';
import { testPython } from '../../support/python.ts';

const WRITE_LOGS = fileURLToPath(new URL('../../fixtures/tensorboard/write_logs.py', import.meta.url));

interface ExpectedPoint {
  run: string;
  tag: string;
  step: number;
  value: number;
  wallTime: number | null;
}

interface Written {
  t0: number;
  t1: number;
  points: ExpectedPoint[];
  runBFiles: string[];
}

describe('core/readers: TensorBoard logs written by tensorboardX', function () {
  this.timeout(120_000);
  let dir: string;
  let written: Written;
  let runs: TensorBoardRun[];
  const warnings: string[] = [];

  before(async () => {
    const python = testPython();
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-tensorboard-'));
    const result = spawnSync(python, [WRITE_LOGS, dir], { encoding: 'utf8', timeout: 100_000 });
    assert.equal(result.status, 0, `write_logs.py failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stderr}`);
    written = JSON.parse(result.stdout) as Written;
    runs = await scanTensorBoardLogs(dir, { onWarning: (m) => warnings.push(m) });
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const run = (name: string): TensorBoardRun => {
    const found = runs.find((r) => r.name === name);
    assert.ok(found, `no run ${name} among ${runs.map((r) => r.name).join(', ')}`);
    return found;
  };

  it('finds one run per directory holding event files, add_scalars sub-runs included', () => {
    assert.deepEqual(runs.map((r) => r.name), ['runA', 'runA/lr/a', 'runA/lr/b', 'runB']);
    assert.deepEqual(warnings, []);
    for (const r of runs) {
      assert.equal(r.dir, path.join(dir, ...r.name.split('/')));
      assert.equal(r.truncated, false);
      assert.equal(r.corruptRecords, 0);
    }
  });

  it('reads back every scalar point: tags, steps and values (float32 exactly where written as float32)', () => {
    const expectedByRun = new Map<string, Map<string, ExpectedPoint[]>>();
    for (const p of written.points) {
      const tags = expectedByRun.get(p.run) ?? new Map<string, ExpectedPoint[]>();
      tags.set(p.tag, [...(tags.get(p.tag) ?? []), p]);
      expectedByRun.set(p.run, tags);
    }
    assert.equal(written.points.length, 100 * 4 + 1 + 5 * 10 + 20 * 2);
    for (const [name, tags] of expectedByRun) {
      const metrics = run(name).metrics;
      // Text, histogram, a plugin-less tensor and a two-element tensor are not scalars.
      assert.deepEqual([...metrics.keys()].sort(), [...tags.keys()].sort(), name);
      for (const [tag, points] of tags) {
        const got = metrics.get(tag)!.map((m) => ({ key: m.key, step: m.step, value: m.value }));
        // The Python side already rounded float32 values, so equality is exact.
        assert.deepEqual(got, points.map((p) => ({ key: tag, step: p.step, value: p.value })), `${name} ${tag}`);
      }
    }
  });

  it('keeps tiny and negative float32 values within float32 precision', () => {
    const tiny = run('runA').metrics.get('train/tiny')!;
    assert.equal(tiny.length, 100);
    for (const m of tiny) {
      const exact = 1e-30 * (m.step + 1) * (m.step % 3 === 0 ? -1 : 1);
      assert.ok(Math.abs(m.value - exact) <= Math.abs(exact) * 2 ** -23, `step ${m.step}: ${m.value} vs ${exact}`);
    }
  });

  it('stamps each point with its wall time in milliseconds', () => {
    const [from, to] = [Math.floor(written.t0 * 1000), Math.ceil(written.t1 * 1000)];
    for (const name of ['runA', 'runA/lr/a', 'runA/lr/b']) {
      const r = run(name);
      for (const metrics of r.metrics.values()) {
        for (const m of metrics) assert.ok(m.timestamp >= from && m.timestamp <= to, `${name} ${m.key}@${m.step}: ${m.timestamp} not in [${from}, ${to}]`);
      }
      assert.ok(from <= r.startTime && r.startTime <= r.endTime && r.endTime <= to, name);
    }
    // Explicit wall times come back exactly; the run starts at its earliest event.
    const b = run('runB');
    assert.deepEqual(b.metrics.get('b/metric')!.map((m: Metric) => m.timestamp), [...Array(20).keys()].map((s) => (1_700_000_000 + s) * 1000 + 250));
    assert.equal(b.startTime, 1_700_000_000_250);
    assert.ok(b.endTime >= from && b.endTime <= to, 'runB ends at its last file_version event');
  });

  it("merges a run's files in timestamp order, carrying tag metadata from the first file", () => {
    const b = run('runB');
    assert.deepEqual(b.files.map((f) => path.basename(f)), ['events.out.tfevents.999999999.testhost.first', 'events.out.tfevents.1000000000.testhost.second']);
    assert.deepEqual(b.metrics.get('b/metric')!.map((m) => m.step), [...Array(20).keys()]);
    // Only step 0 of the first file carried metadata naming the scalars plugin.
    assert.deepEqual(b.metrics.get('b/tensor')!.map((m) => m.value), [...Array(20).keys()].map((s) => s / 7));
  });

  it('reads a single file the same from disk and from bytes', async () => {
    const file = run('runA').files[0]!;
    const fromDisk = await readEventFile(file);
    const fromBytes = readScalarEvents(readFileSync(file));
    assert.deepEqual(fromDisk, fromBytes);
    assert.equal(fromDisk.truncated, false);
    assert.equal(fromDisk.scalars.length, 100 * 2 + 1 + 5 * 10);
    const first = fromDisk.scalars[0]!;
    assert.deepEqual({ tag: first.tag, step: first.step, value: first.value }, { tag: 'loss', step: 0, value: 1 });
    assert.ok(first.wallTime >= written.t0 - 1 && first.wallTime <= written.t1 + 1);
  });

  it('reads a file a writer is still writing up to its last whole record', async () => {
    const bytes = readFileSync(run('runA/lr/a').files[0]!);
    const partial = path.join(dir, 'partial');
    mkdirSync(partial);
    const file = path.join(partial, 'events.out.tfevents.1.host');
    writeFileSync(file, bytes.subarray(0, bytes.length - 7));
    const read = await readEventFile(file);
    assert.equal(read.truncated, true);
    assert.deepEqual(read.scalars.map((s) => s.step), [...Array(99).keys()]);
    rmSync(partial, { recursive: true });
  });

  it('names the file and offset of a corrupt record, and skips it when asked', async () => {
    const source = run('runA/lr/b').files[0]!;
    const bytes = readFileSync(source);
    const records = readScalarEvents(bytes).scalars.length;
    const corrupt = path.join(dir, 'corrupt');
    mkdirSync(corrupt);
    const file = path.join(corrupt, 'events.out.tfevents.1.host');
    // Flip a byte in the data of the record that holds step 50.
    const offset = findRecordOffset(bytes, 51);
    flipBits(bytes, offset + 14, 0x55);
    writeFileSync(file, bytes);
    await assert.rejects(readEventFile(file), (e: unknown) =>
      e instanceof CorruptEventFileError && e.offset === offset && e.path === file && e.message.includes(file) && e.message.includes(String(offset)),
    );
    const skipped = await readEventFile(file, { skipCorrupt: true });
    assert.equal(skipped.corruptRecords, 1);
    assert.equal(skipped.scalars.length, records - 1);
    assert.ok(!skipped.scalars.some((s) => s.step === 50));
    // Scanning is lenient: the corrupt run is still listed, with its count.
    const scanned = await scanTensorBoardLogs(corrupt);
    assert.deepEqual(scanned.map((r) => [r.name, r.corruptRecords, r.metrics.get('lr')!.length]), [['.', 1, records - 1]]);
    rmSync(corrupt, { recursive: true });
  });

  it('bounds the depth and the number of files it reads', async () => {
    const shallow = await scanTensorBoardLogs(dir, { maxDepth: 1 });
    assert.deepEqual(shallow.map((r) => r.name), ['runA', 'runB']);
    const told: string[] = [];
    const capped = await scanTensorBoardLogs(dir, { maxFiles: 2, onWarning: (m) => told.push(m) });
    assert.deepEqual(capped.map((r) => [r.name, r.files.length]), [['runA', 1], ['runA/lr/a', 1]]);
    assert.equal(told.length, 1);
    assert.match(told[0]!, /first 2 event files/);
  });
});

/** Offset of the n-th record (0-based) by walking the framing. */
function findRecordOffset(bytes: Uint8Array, n: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  for (let i = 0; i < n; i++) at += 16 + Number(view.getBigUint64(at, true));
  return at;
}

describe('core/readers: TensorBoard events from synthetic bytes', () => {
  it('gives nothing for an empty file', async () => {
    assert.deepEqual(readScalarEvents(new Uint8Array(0)), { scalars: [], truncated: false, corruptRecords: 0 });
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-tensorboard-'));
    try {
      writeFileSync(path.join(dir, 'events.out.tfevents.5.host'), '');
      assert.deepEqual(await readEventFile(path.join(dir, 'events.out.tfevents.5.host')), { scalars: [], truncated: false, corruptRecords: 0 });
      const [only] = await scanTensorBoardLogs(dir);
      assert.equal(only!.name, '.');
      assert.equal(only!.metrics.size, 0);
      assert.ok(only!.startTime > 0 && only!.startTime === only!.endTime, 'falls back to the file time');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('raises CorruptEventFileError at the corrupt record, and skips it on request', () => {
    const framed = [frame(fileVersionEvent()), frame(scalarEvent('x', 1, 0.5)), frame(scalarEvent('x', 2, -0.25)), frame(scalarEvent('x', 3, 1e-20))];
    const bytes = concat(...framed);
    const offset = framed[0]!.length + framed[1]!.length;
    flipBits(bytes, offset + 12 + 3, 0x10);
    assert.throws(() => readScalarEvents(bytes), (e: unknown) => e instanceof CorruptEventFileError && e.offset === offset && e.reason === 'data-checksum');
    const skipped = readScalarEvents(bytes, { skipCorrupt: true });
    assert.deepEqual(skipped.scalars.map((s) => [s.step, s.value]), [[1, 0.5], [3, Math.fround(1e-20)]]);
    assert.equal(skipped.corruptRecords, 1);
  });

  it('keeps the points before a truncated tail', () => {
    const bytes = concat(frame(fileVersionEvent()), frame(scalarEvent('x', 1, 2)), frame(scalarEvent('x', 2, 3)));
    const read = readScalarEvents(bytes.subarray(0, bytes.length - 5));
    assert.deepEqual(read.scalars, [{ tag: 'x', step: 1, wallTime: 1_700_000_000.5, value: 2 }]);
    assert.equal(read.truncated, true);
  });

  it('treats a record with a valid checksum but malformed protobuf as corrupt', () => {
    const bad = concat(doubleField(1, 1), [0x2a, 0x40, 0x01]); // summary claiming 64 bytes
    const bytes = concat(frame(scalarEvent('x', 1, 2)), frame(bad), frame(scalarEvent('x', 3, 4)));
    const offset = frame(scalarEvent('x', 1, 2)).length;
    assert.throws(() => readScalarEvents(bytes), (e: unknown) => e instanceof CorruptEventFileError && e.offset === offset && e.reason === 'malformed-event');
    const skipped = readScalarEvents(bytes, { skipCorrupt: true });
    assert.deepEqual(skipped.scalars.map((s) => s.step), [1, 3]);
    assert.equal(skipped.corruptRecords, 1);
  });

  it('decodes a negative int64 step, several values per summary, and ignores non-scalar values', () => {
    const value = (fields: number[]): number[] => bytesField(1, fields);
    const histo = bytesField(5, doubleField(1, 0)); // HistogramProto
    const event = concat(
      doubleField(1, 12.5),
      varintField(2, -3),
      bytesField(5, [...value([...stringField(1, 'a'), ...floatField(2, 1)]), ...value([...stringField(1, 'h'), ...histo]), ...value([...stringField(1, 'b'), ...floatField(2, -2)])]),
    );
    assert.deepEqual(readScalarEvents(frame(event)).scalars, [
      { tag: 'a', step: -3, wallTime: 12.5, value: 1 },
      { tag: 'b', step: -3, wallTime: 12.5, value: -2 },
    ]);
  });
});
