import assert from 'node:assert/strict';
import { fieldKey, ProtobufDecodeError, WIRE, WireReader } from '../../../src/core/readers/protobufWire.ts';
import { bytesField, concat, doubleField, floatField, key, stringField, varint, varintField } from './eventBytes.ts';

describe('core/readers: protobuf wire format', () => {
  it('decodes the examples of the encoding guide byte for byte', () => {
    // https://protobuf.dev/programming-guides/encoding/: 150 in field 1, "testing" in field 2,
    // packed [3, 270, 86942] in field 4.
    const r = new WireReader(Uint8Array.from([0x08, 0x96, 0x01, 0x12, 0x07, ...new TextEncoder().encode('testing'), 0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05]));
    assert.ok(r.next());
    assert.deepEqual([r.field, r.wireType], [1, WIRE.varint]);
    assert.equal(r.uint32(), 150);
    assert.ok(r.next());
    assert.equal(r.key, fieldKey(2, WIRE.len));
    assert.equal(r.string(), 'testing');
    assert.ok(r.next());
    const packed: number[] = [];
    r.repeated((x) => x.uint32(), packed);
    assert.deepEqual(packed, [3, 270, 86942]);
    assert.equal(r.next(), false);
  });

  it('decodes a hand-built message of every wire type, skipping unknown fields and groups', () => {
    const nested = [...stringField(1, 'inner'), ...varintField(2, 7)];
    const message = concat(
      varintField(1, -2), // int64 -2: ten bytes on the wire
      varintField(2, 2 ** 53),
      varintField(3, 0xffff_ffff),
      varintField(4, -5), // int32 -5, sign-extended
      doubleField(5, -1.25e-300),
      floatField(6, 3.5),
      bytesField(7, nested),
      // Unknown fields of each wire type, including a group with a nested group inside.
      varintField(90, 123456789012),
      doubleField(91, 1),
      floatField(92, 1),
      bytesField(93, [1, 2, 3]),
      key(94, WIRE.startGroup), varintField(1, 1), key(95, WIRE.startGroup), key(95, WIRE.endGroup), key(94, WIRE.endGroup),
      // Field 8 sent both unpacked and packed: both must be accepted and concatenated.
      floatField(8, 1.5),
      bytesField(8, [...floatField(0, 2.5).slice(1), ...floatField(0, -0.5).slice(1)]),
      // A known field with an unexpected wire type is treated as unknown.
      floatField(1, 9),
      stringField(9, 'ünïcödé ✓'),
    );
    const r = new WireReader(message);
    const seen: Record<string, unknown> = {};
    const floats: number[] = [];
    while (r.next()) {
      switch (r.key) {
        case fieldKey(1, WIRE.varint): seen.int64 = r.int64(); break;
        case fieldKey(2, WIRE.varint): seen.uint64 = r.uint64(); break;
        case fieldKey(3, WIRE.varint): seen.uint32 = r.uint32(); break;
        case fieldKey(4, WIRE.varint): seen.int32 = r.int32(); break;
        case fieldKey(5, WIRE.i64): seen.double = r.double(); break;
        case fieldKey(6, WIRE.i32): seen.float = r.float(); break;
        case fieldKey(7, WIRE.len): {
          const inner = r.message();
          const fields: unknown[] = [];
          while (inner.next()) fields.push(inner.wireType === WIRE.len ? inner.string() : inner.int64());
          seen.nested = fields;
          break;
        }
        case fieldKey(8, WIRE.i32):
        case fieldKey(8, WIRE.len): r.repeated((x) => x.float(), floats); break;
        case fieldKey(9, WIRE.len): seen.text = r.string(); break;
        default: r.skip();
      }
    }
    assert.deepEqual(seen, {
      int64: -2,
      uint64: 2 ** 53,
      uint32: 0xffff_ffff,
      int32: -5,
      double: -1.25e-300,
      float: 3.5,
      nested: ['inner', 7],
      text: 'ünïcödé ✓',
    });
    assert.deepEqual(floats, [1.5, 2.5, -0.5]);
    assert.equal(r.pos, message.length);
  });

  it('decodes int64 extremes exactly where a double can hold them', () => {
    for (const value of [0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53) + 1]) {
      const r = new WireReader(Uint8Array.from(varint(value)));
      assert.equal(r.int64(), value, String(value));
    }
  });

  it('reads within a sub-range only', () => {
    const bytes = concat([0xff, 0xff], varintField(1, 5), [0xff]);
    const r = new WireReader(bytes, 2, bytes.length - 1);
    assert.ok(r.next());
    assert.equal(r.uint32(), 5);
    assert.equal(r.next(), false);
  });

  it('reports malformed input as ProtobufDecodeError with the offset', () => {
    const cases: [string, number[], (r: WireReader) => void][] = [
      ['truncated varint', [0x08, 0x96], (r) => { r.next(); r.uint32(); }],
      ['length past the end', [0x12, 0x05, 0x61], (r) => { r.next(); r.string(); }],
      ['field number 0', [0x00, 0x01], (r) => { r.next(); }],
      ['wire type 7', [0x0f], (r) => { r.next(); }],
      ['short fixed64', [0x09, 1, 2, 3], (r) => { r.next(); r.double(); }],
      ['unclosed group', [0x0b, 0x08, 0x01], (r) => { r.next(); r.skip(); }],
      ['stray end group', [0x0c], (r) => { r.next(); r.skip(); }],
      ['eleven-byte varint', [0x08, ...Array<number>(10).fill(0x80), 0x01], (r) => { r.next(); r.uint64(); }],
    ];
    for (const [name, bytes, read] of cases) {
      assert.throws(() => read(new WireReader(Uint8Array.from(bytes))), ProtobufDecodeError, name);
    }
    assert.throws(
      () => {
        const r = new WireReader(Uint8Array.from([0x08, 0x01, 0x12, 0x09, 0x00]));
        r.next();
        r.uint32();
        r.next();
        r.bytesField();
      },
      (e: unknown) => e instanceof ProtobufDecodeError && e.offset === 3,
    );
  });
});
