/**
 * Scalars from TensorBoard event files (tensorboardX, PyTorch, TensorFlow, Keras, Lightning),
 * read without TensorFlow or a protobuf library: TFRecord framing (tfrecord.ts), the wire format
 * (protobufWire.ts) and the few messages involved (tensorboardEvent.ts).
 *
 * Which values count as scalars: scalarCollector.ts. Which directories are runs: tensorboardLogs.ts.
 */
import { readEventFileInto, ScalarCollector } from './scalarCollector.ts';
import type { ReadScalarOptions, ScalarEvent } from './scalarCollector.ts';
import { readTfRecords } from './tfrecord.ts';

export { CorruptEventFileError } from './tfrecord.ts';
export { scanTensorBoardLogs } from './tensorboardLogs.ts';
export type { ScanTensorBoardOptions, TensorBoardRun } from './tensorboardLogs.ts';
export type { ReadScalarOptions, ScalarEvent } from './scalarCollector.ts';

export interface ScalarReadResult {
  /** In record order (TensorBoard's order), not sorted by step. */
  readonly scalars: ScalarEvent[];
  /** The data ends inside a record, e.g. a writer is still writing it; earlier points are kept. */
  readonly truncated: boolean;
  /** Records skipped for failing a checksum or not decoding, with `skipCorrupt`. */
  readonly corruptRecords: number;
}

/** The scalars in the bytes of one event file. Throws `CorruptEventFileError` unless skipping. */
export function readScalarEvents(bytes: Uint8Array, options: ReadScalarOptions = {}): ScalarReadResult {
  const window = readTfRecords(bytes, { skipCorrupt: options.skipCorrupt });
  const collector = new ScalarCollector(options);
  for (const record of window.records) collector.add(record);
  return {
    scalars: collector.scalars,
    truncated: window.truncated,
    corruptRecords: window.corruptRecords + collector.corruptRecords,
  };
}

/** The scalars of one event file, read in windows (event files with images get large). */
export async function readEventFile(path: string, options: ReadScalarOptions = {}): Promise<ScalarReadResult> {
  const collector = new ScalarCollector(options);
  const summary = await readEventFileInto(path, collector, options);
  return { scalars: collector.scalars, truncated: summary.truncated, corruptRecords: summary.corruptRecords + collector.corruptRecords };
}
