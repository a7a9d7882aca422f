/**
 * Decoding TensorBoard's `Event` records, just the parts scalars need. Field numbers are those of
 * tensorflow/core/util/event.proto, tensorflow/core/framework/summary.proto, tensor.proto,
 * tensor_shape.proto and types.proto (as vendored by tensorboard and tensorboardX):
 *   Event { double wall_time = 1; int64 step = 2; oneof { string file_version = 3; Summary summary = 5; … } }
 *   Summary { repeated Value value = 1; }
 *   Summary.Value { string tag = 1; SummaryMetadata metadata = 9;
 *                   oneof { float simple_value = 2; TensorProto tensor = 8; image = 4; histo = 5; … } }
 *   SummaryMetadata { PluginData plugin_data = 1 { string plugin_name = 1; bytes content = 2; } }
 *   TensorProto { DataType dtype = 1; TensorShapeProto tensor_shape = 2 { repeated Dim dim = 2 { int64 size = 1; } };
 *                 bytes tensor_content = 4; repeated half_val = 13, float_val = 5, double_val = 6,
 *                 int_val = 7, int64_val = 10, bool_val = 11 (packed or not) }
 */
import { fieldKey, WIRE, WireReader } from './protobufWire.ts';
import type { WireType } from './protobufWire.ts';

export interface EventValue {
  readonly tag: string;
  /** `simple_value`, the old-style scalar (tensorboardX, TF1, PyTorch by default). */
  readonly simpleValue: number | undefined;
  /** `metadata.plugin_data.plugin_name`; writers send metadata only with a tag's first value. */
  readonly pluginName: string | undefined;
  /** The encoded `TensorProto`, decoded only if the value turns out to be a scalar. */
  readonly tensor: Uint8Array | undefined;
}

export interface TensorBoardEvent {
  /** Seconds since the epoch, as written. */
  readonly wallTime: number;
  readonly step: number;
  /** Set on the first record of a file, e.g. `brain.Event:2`. */
  readonly fileVersion: string | undefined;
  readonly values: readonly EventValue[];
}

const K = {
  eventWallTime: fieldKey(1, WIRE.i64),
  eventStep: fieldKey(2, WIRE.varint),
  eventFileVersion: fieldKey(3, WIRE.len),
  eventSummary: fieldKey(5, WIRE.len),
  summaryValue: fieldKey(1, WIRE.len),
  valueTag: fieldKey(1, WIRE.len),
  valueSimple: fieldKey(2, WIRE.i32),
  valueTensor: fieldKey(8, WIRE.len),
  valueMetadata: fieldKey(9, WIRE.len),
  metadataPluginData: fieldKey(1, WIRE.len),
  pluginName: fieldKey(1, WIRE.len),
  tensorDtype: fieldKey(1, WIRE.varint),
  tensorShape: fieldKey(2, WIRE.len),
  tensorContent: fieldKey(4, WIRE.len),
  shapeDim: fieldKey(2, WIRE.len),
  shapeUnknownRank: fieldKey(3, WIRE.varint),
  dimSize: fieldKey(1, WIRE.varint),
} as const;

/** Throws `ProtobufDecodeError` on malformed bytes. */
export function decodeEvent(data: Uint8Array): TensorBoardEvent {
  const r = new WireReader(data);
  let wallTime = 0;
  let step = 0;
  let fileVersion: string | undefined;
  const values: EventValue[] = [];
  while (r.next()) {
    switch (r.key) {
      case K.eventWallTime:
        wallTime = r.double();
        break;
      case K.eventStep:
        step = r.int64();
        break;
      case K.eventFileVersion:
        fileVersion = r.string();
        break;
      case K.eventSummary:
        decodeSummary(r.message(), values);
        break;
      default:
        r.skip(); // graph_def, log_message, session_log, run metadata: not scalars
    }
  }
  return { wallTime, step, fileVersion, values };
}

function decodeSummary(r: WireReader, into: EventValue[]): void {
  while (r.next()) {
    if (r.key === K.summaryValue) into.push(decodeValue(r.message()));
    else r.skip();
  }
}

function decodeValue(r: WireReader): EventValue {
  let tag = '';
  let simpleValue: number | undefined;
  let pluginName: string | undefined;
  let tensor: Uint8Array | undefined;
  while (r.next()) {
    switch (r.key) {
      case K.valueTag:
        tag = r.string();
        break;
      case K.valueSimple:
        simpleValue = r.float();
        break;
      case K.valueTensor:
        tensor = r.bytesField();
        break;
      case K.valueMetadata:
        pluginName = decodePluginName(r.message()) ?? pluginName;
        break;
      default:
        r.skip(); // node_name, image, histo, audio
    }
  }
  return { tag, simpleValue, pluginName, tensor };
}

function decodePluginName(r: WireReader): string | undefined {
  let name: string | undefined;
  while (r.next()) {
    if (r.key !== K.metadataPluginData) {
      r.skip();
      continue;
    }
    const plugin = r.message();
    while (plugin.next()) {
      if (plugin.key === K.pluginName) name = plugin.string();
      else plugin.skip();
    }
  }
  return name;
}

/** How each numeric dtype is stored: its typed `*_val` field and its width in `tensor_content`. */
interface DtypeLayout {
  readonly valField: number;
  /** The wire type of one unpacked element. */
  readonly valWire: WireType;
  readonly readVal: (r: WireReader) => number;
  readonly width: number;
  readonly readContent: (view: DataView, at: number) => number;
}

const readVarintInt32 = (r: WireReader): number => r.int32();
const halfLayout = (fromBits: (bits: number) => number): DtypeLayout => ({
  valField: 13, // half_val holds the raw 16 bits in an int32
  valWire: WIRE.varint,
  readVal: (r) => fromBits(r.int32() & 0xffff),
  width: 2,
  readContent: (v, at) => fromBits(v.getUint16(at, true)),
});

/** Keyed by types.proto's DataType; complex, string and quantized types are not scalars we plot. */
const DTYPES: ReadonlyMap<number, DtypeLayout> = new Map<number, DtypeLayout>([
  [1, { valField: 5, valWire: WIRE.i32, readVal: (r) => r.float(), width: 4, readContent: (v, at) => v.getFloat32(at, true) }], // DT_FLOAT
  [2, { valField: 6, valWire: WIRE.i64, readVal: (r) => r.double(), width: 8, readContent: (v, at) => v.getFloat64(at, true) }], // DT_DOUBLE
  [3, { valField: 7, valWire: WIRE.varint, readVal: readVarintInt32, width: 4, readContent: (v, at) => v.getInt32(at, true) }], // DT_INT32
  [4, { valField: 7, valWire: WIRE.varint, readVal: readVarintInt32, width: 1, readContent: (v, at) => v.getUint8(at) }], // DT_UINT8
  [5, { valField: 7, valWire: WIRE.varint, readVal: readVarintInt32, width: 2, readContent: (v, at) => v.getInt16(at, true) }], // DT_INT16
  [6, { valField: 7, valWire: WIRE.varint, readVal: readVarintInt32, width: 1, readContent: (v, at) => v.getInt8(at) }], // DT_INT8
  [9, { valField: 10, valWire: WIRE.varint, readVal: (r) => r.int64(), width: 8, readContent: (v, at) => Number(v.getBigInt64(at, true)) }], // DT_INT64
  [10, { valField: 11, valWire: WIRE.varint, readVal: (r) => (r.bool() ? 1 : 0), width: 1, readContent: (v, at) => (v.getUint8(at) ? 1 : 0) }], // DT_BOOL
  [14, halfLayout(bfloat16FromBits)], // DT_BFLOAT16
  [17, { valField: 7, valWire: WIRE.varint, readVal: readVarintInt32, width: 2, readContent: (v, at) => v.getUint16(at, true) }], // DT_UINT16
  [19, halfLayout(float16FromBits)], // DT_HALF
]);

/**
 * The number a `TensorProto` holds if it holds exactly one number of a numeric dtype (any shape
 * whose dimensions multiply to 1, as TensorBoard's `.item()` accepts), else undefined.
 */
export function tensorScalarValue(data: Uint8Array): number | undefined {
  const r = new WireReader(data);
  let dtype = 0;
  let elements = 1;
  let content: Uint8Array | undefined;
  // Values are gathered per field because dtype may arrive after them on the wire.
  const vals = new Map<number, { key: number; bytes: Uint8Array }[]>();
  while (r.next()) {
    switch (r.key) {
      case K.tensorDtype:
        dtype = r.int32();
        break;
      case K.tensorShape: {
        const shape = decodeShapeElements(r.message());
        if (shape === undefined) return undefined;
        elements = shape;
        break;
      }
      case K.tensorContent:
        content = r.bytesField();
        break;
      default: {
        const field = r.field;
        const start = r.pos;
        const key = r.key;
        r.skip();
        const list = vals.get(field) ?? [];
        list.push({ key, bytes: data.subarray(start, r.pos) });
        vals.set(field, list);
      }
    }
  }
  const layout = DTYPES.get(dtype);
  if (layout === undefined || elements !== 1) return undefined;
  if (content !== undefined && content.length > 0) {
    if (content.length !== layout.width) return undefined;
    return layout.readContent(new DataView(content.buffer, content.byteOffset, content.byteLength), 0);
  }
  const numbers: number[] = [];
  for (const { key, bytes } of vals.get(layout.valField) ?? []) {
    if (key !== fieldKey(layout.valField, WIRE.len) && key !== fieldKey(layout.valField, layout.valWire)) continue;
    // Replay the field through a reader positioned on its value, packed or not.
    const one = new WireReader(bytes);
    one.key = key;
    one.repeated(layout.readVal, numbers);
  }
  // As TensorFlow's make_ndarray: no values means zeros, fewer than the shape repeats the last.
  return numbers[0] ?? 0;
}

/** The product of a shape's dimensions, or undefined if the rank is unknown. */
function decodeShapeElements(r: WireReader): number | undefined {
  let elements = 1;
  while (r.next()) {
    if (r.key === K.shapeUnknownRank) {
      if (r.bool()) return undefined;
    } else if (r.key === K.shapeDim) {
      const dim = r.message();
      let size = 0;
      while (dim.next()) {
        if (dim.key === K.dimSize) size = dim.int64();
        else dim.skip();
      }
      elements *= size;
    } else {
      r.skip();
    }
  }
  return elements;
}

function float16FromBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const bfloatView = new DataView(new ArrayBuffer(4));
function bfloat16FromBits(bits: number): number {
  // bfloat16 is the top half of a float32.
  bfloatView.setUint32(0, bits << 16, false);
  return bfloatView.getFloat32(0, false);
}
