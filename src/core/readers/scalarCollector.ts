/**
 * Turning TFRecord records into scalar events. A value is a scalar as TensorBoard decides: it has
 * `simple_value`, or it is a tensor of a tag whose metadata names the "scalars" plugin. Writers
 * send metadata only with a tag's first value, so one collector serves all the files of a run.
 */
import { ProtobufDecodeError } from './protobufWire.ts';
import { decodeEvent, tensorScalarValue } from './tensorboardEvent.ts';
import { CorruptEventFileError, readTfRecordFile } from './tfrecord.ts';
import type { TfRecord } from './tfrecord.ts';

export interface ScalarEvent {
  readonly tag: string;
  readonly step: number;
  /** Seconds since the epoch, as TensorBoard writes it. */
  readonly wallTime: number;
  readonly value: number;
}

export interface ReadScalarOptions {
  /** Skip and count corrupt records instead of throwing `CorruptEventFileError`. */
  readonly skipCorrupt?: boolean;
}

/** Turns records into scalar events; one per run, so tag metadata carries across its files. */
export class ScalarCollector {
  readonly scalars: ScalarEvent[] = [];
  corruptRecords = 0;
  /** Earliest and latest wall time of any event, scalar or not (seconds). */
  minWallTime = Infinity;
  maxWallTime = -Infinity;
  private readonly skipCorrupt: boolean;
  private readonly pluginByTag = new Map<string, string>();

  constructor(options: ReadScalarOptions = {}) {
    this.skipCorrupt = options.skipCorrupt ?? false;
  }

  add(record: TfRecord, path?: string): void {
    try {
      this.addEvent(record.data);
    } catch (error) {
      if (!(error instanceof ProtobufDecodeError)) throw error;
      if (!this.skipCorrupt) throw new CorruptEventFileError(record.offset, 'malformed-event', path);
      this.corruptRecords++;
    }
  }

  private addEvent(data: Uint8Array): void {
    const event = decodeEvent(data);
    const found: ScalarEvent[] = [];
    for (const value of event.values) {
      // TensorBoard keeps the first metadata it sees for a tag.
      if (value.pluginName !== undefined && !this.pluginByTag.has(value.tag)) this.pluginByTag.set(value.tag, value.pluginName);
      let number: number | undefined;
      if (value.simpleValue !== undefined) number = value.simpleValue;
      else if (value.tensor !== undefined && this.pluginByTag.get(value.tag) === 'scalars') number = tensorScalarValue(value.tensor);
      if (number !== undefined) found.push({ tag: value.tag, step: event.step, wallTime: event.wallTime, value: number });
    }
    // Only after the whole record decoded, so a malformed record adds no points.
    for (const scalar of found) this.scalars.push(scalar);
    // Writers always set wall_time; a zero would only drag a run's start to 1970.
    if (event.wallTime > 0 && Number.isFinite(event.wallTime)) {
      this.minWallTime = Math.min(this.minWallTime, event.wallTime);
      this.maxWallTime = Math.max(this.maxWallTime, event.wallTime);
    }
  }
}

/** Reads one file into a (run's) collector; corruption errors name the file. */
export async function readEventFileInto(
  path: string,
  collector: ScalarCollector,
  options: ReadScalarOptions = {},
): Promise<{ truncated: boolean; corruptRecords: number }> {
  try {
    const summary = await readTfRecordFile(path, (record) => collector.add(record, path), { skipCorrupt: options.skipCorrupt });
    return { truncated: summary.truncated, corruptRecords: summary.corruptRecords };
  } catch (error) {
    if (error instanceof CorruptEventFileError && error.path === undefined) {
      throw new CorruptEventFileError(error.offset, error.reason, path);
    }
    throw error;
  }
}
