/**
 * Hand-encoding protobuf and TFRecord bytes for the reader tests, written from the encoding spec
 * (https://protobuf.dev/programming-guides/encoding/) rather than from the decoder under test.
 */
import { maskedCrc32c } from '../../../src/core/readers/crc32c.ts';

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** Base-128 varint of a (two's complement, for negatives) 64-bit integer. */
export function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v === 0n ? low : low | 0x80);
  } while (v !== 0n);
  return out;
}

export function key(field: number, wireType: number): number[] {
  return varint(field * 8 + wireType);
}

export function varintField(field: number, value: number | bigint): number[] {
  return [...key(field, 0), ...varint(value)];
}

export function doubleField(field: number, value: number): number[] {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, value, true);
  return [...key(field, 1), ...b];
}

export function floatField(field: number, value: number): number[] {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, value, true);
  return [...key(field, 5), ...b];
}

export function bytesField(field: number, bytes: Uint8Array | number[]): number[] {
  return [...key(field, 2), ...varint(bytes.length), ...bytes];
}

export function stringField(field: number, text: string): number[] {
  return bytesField(field, new TextEncoder().encode(text));
}

/** An Event holding one simple_value scalar. */
export function scalarEvent(tag: string, step: number, value: number, wallTime = 1_700_000_000.5): Uint8Array {
  const summaryValue = [...stringField(1, tag), ...floatField(2, value)];
  return concat(doubleField(1, wallTime), varintField(2, step), bytesField(5, bytesField(1, summaryValue)));
}

export function fileVersionEvent(wallTime = 1_700_000_000): Uint8Array {
  return concat(doubleField(1, wallTime), stringField(3, 'brain.Event:2'));
}

/** TFRecord framing around one payload. */
export function frame(data: Uint8Array): Uint8Array {
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(header, 0, 8), true);
  const footer = new Uint8Array(4);
  new DataView(footer.buffer).setUint32(0, maskedCrc32c(data), true);
  return concat(header, data, footer);
}

/** Corrupts `bytes` in place by flipping the bits of `mask` in the byte at `at`. */
export function flipBits(bytes: Uint8Array, at: number, mask: number): void {
  const byte = bytes[at];
  if (byte === undefined) throw new RangeError(`no byte ${at} in ${bytes.length}`);
  bytes[at] = byte ^ mask;
}
