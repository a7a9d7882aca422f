/**
 * A minimal protobuf wire-format reader (https://protobuf.dev/programming-guides/encoding/),
 * enough to decode TensorBoard's few messages without a protobuf library or generated code.
 *
 * Usage: `while (r.next()) switch (r.key) { case fieldKey(1, WIRE.i64): x = r.double(); break;
 * default: r.skip(); }` — switching on the key (field and wire type together) means a field
 * arriving with an unexpected wire type falls to `skip()`, as protobuf parsers treat it.
 */

export const WIRE = { varint: 0, i64: 1, len: 2, startGroup: 3, endGroup: 4, i32: 5 } as const;
export type WireType = (typeof WIRE)[keyof typeof WIRE];

/** The key a field is written under: field number and wire type together. */
export function fieldKey(field: number, wireType: WireType): number {
  return field * 8 + wireType;
}

export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
  /** Offset in the decoded bytes. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`Malformed protobuf at byte ${offset}: ${message}`);
    this.offset = offset;
  }
}

const TWO_32 = 0x1_0000_0000;
const MAX_GROUP_DEPTH = 100;
const utf8 = new TextDecoder('utf-8');

export class WireReader {
  readonly bytes: Uint8Array;
  readonly end: number;
  pos: number;
  /** The key of the field `next()` just read; its field number and wire type below. */
  key = 0;
  private readonly view: DataView;
  // The two halves of the last varint, so 64-bit values are exact before becoming numbers.
  private lo = 0;
  private hi = 0;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    if (start < 0 || end > bytes.length || start > end) throw new RangeError('WireReader: bad range');
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get field(): number {
    return Math.floor(this.key / 8);
  }

  get wireType(): number {
    return this.key % 8;
  }

  /** Reads the next field's key; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.end) return false;
    const at = this.pos;
    this.readVarint();
    const key = this.hi * TWO_32 + this.lo;
    const wireType = key % 8;
    if (key < 8 || key >= 2 ** 32 || wireType > 5) throw new ProtobufDecodeError(`invalid field key ${key}`, at);
    this.key = key;
    return true;
  }

  /** uint64 as a number (exact up to 2^53). */
  uint64(): number {
    this.readVarint();
    return this.hi * TWO_32 + this.lo;
  }

  /** int64 (two's complement) as a number (exact within ±2^53). */
  int64(): number {
    this.readVarint();
    if (this.hi < 0x8000_0000) return this.hi * TWO_32 + this.lo;
    return -((~this.hi >>> 0) * TWO_32 + (~this.lo >>> 0) + 1);
  }

  uint32(): number {
    this.readVarint();
    return this.lo;
  }

  /** int32 and enums: negative values are sign-extended to ten bytes on the wire. */
  int32(): number {
    this.readVarint();
    return this.lo | 0;
  }

  bool(): boolean {
    this.readVarint();
    return this.lo !== 0 || this.hi !== 0;
  }

  double(): number {
    const at = this.take(8);
    return this.view.getFloat64(at, true);
  }

  float(): number {
    const at = this.take(4);
    return this.view.getFloat32(at, true);
  }

  fixed32(): number {
    const at = this.take(4);
    return this.view.getUint32(at, true);
  }

  /** A length-delimited field's bytes: a view, not a copy. */
  bytesField(): Uint8Array {
    const [start, end] = this.lengthDelimited();
    return this.bytes.subarray(start, end);
  }

  string(): string {
    return utf8.decode(this.bytesField());
  }

  /** A reader over an embedded message. */
  message(): WireReader {
    const [start, end] = this.lengthDelimited();
    return new WireReader(this.bytes, start, end);
  }

  /**
   * A repeated scalar field, which writers may send packed (one length-delimited run) or one
   * element per key; parsers must accept both. `readOne` reads one element.
   */
  repeated(readOne: (reader: WireReader) => number, into: number[]): void {
    if (this.wireType !== WIRE.len) {
      into.push(readOne(this));
      return;
    }
    const packed = this.message();
    while (packed.pos < packed.end) into.push(readOne(packed));
  }

  /** Skips the value of the field `next()` just read; `depth` counts the groups it is inside. */
  skip(depth = 0): void {
    switch (this.wireType) {
      case WIRE.varint:
        this.readVarint();
        return;
      case WIRE.i64:
        this.take(8);
        return;
      case WIRE.len:
        this.lengthDelimited();
        return;
      case WIRE.i32:
        this.take(4);
        return;
      case WIRE.startGroup: {
        // As protobuf's own recursion limit: a run of group openings must not exhaust the stack.
        if (depth >= MAX_GROUP_DEPTH) throw new ProtobufDecodeError(`groups nested deeper than ${MAX_GROUP_DEPTH}`, this.pos);
        const field = this.field;
        for (;;) {
          if (!this.next()) throw new ProtobufDecodeError(`group ${field} is not closed`, this.pos);
          const inner: number = this.wireType; // re-read: next() moved on from the switch's value
          if (inner === WIRE.endGroup) {
            if (this.field !== field) throw new ProtobufDecodeError(`group ${field} closed as ${this.field}`, this.pos);
            return;
          }
          this.skip(depth + 1);
        }
      }
      default:
        throw new ProtobufDecodeError(`unexpected end of group ${this.field}`, this.pos);
    }
  }

  private readVarint(): void {
    const bytes = this.bytes;
    const at = this.pos;
    let pos = at;
    let lo = 0;
    let hi: number;
    let b: number;
    // Bits 0..27 from four bytes, bits 28..34 straddle the halves, bits 35..63 from five more.
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= this.end) throw new ProtobufDecodeError('truncated varint', at);
      b = bytes[pos++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) return this.setVarint(pos, lo, 0);
    }
    if (pos >= this.end) throw new ProtobufDecodeError('truncated varint', at);
    b = bytes[pos++]!;
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x7f) >> 4;
    if (b < 0x80) return this.setVarint(pos, lo, hi);
    for (let shift = 3; shift < 32; shift += 7) {
      if (pos >= this.end) throw new ProtobufDecodeError('truncated varint', at);
      b = bytes[pos++]!;
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) return this.setVarint(pos, lo, hi);
    }
    throw new ProtobufDecodeError('varint longer than ten bytes', at);
  }

  private setVarint(pos: number, lo: number, hi: number): void {
    this.pos = pos;
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** Advances past `n` bytes and returns where they start. */
  private take(n: number): number {
    const at = this.pos;
    if (this.end - at < n) throw new ProtobufDecodeError(`needs ${n} bytes, ${this.end - at} left`, at);
    this.pos = at + n;
    return at;
  }

  private lengthDelimited(): [number, number] {
    const at = this.pos;
    const length = this.uint64();
    if (length > this.end - this.pos) throw new ProtobufDecodeError(`length ${length} runs past the end`, at);
    const start = this.pos;
    this.pos += length;
    return [start, this.pos];
  }
}
