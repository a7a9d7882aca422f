// A launched run's output: both streams interleaved in arrival order into a spool file on disk
// (so nothing is lost if the upload or the window dies), the retained tail replayed to late
// listeners, `labbook:` lines parsed per stream, and the log uploaded as an artifact now and then
// and at the end.
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import type { TrackingStore } from '../store/trackingStore.ts';
import { ARTIFACTS } from './conventions.ts';
import { errorFirstLine } from '../../shared/errorMessage.ts';
import { MetricLineParser, type LineRecord } from './metricLines.ts';

export type OutputStream = 'stdout' | 'stderr' | 'labbook';

export interface OutputChunk {
  readonly stream: OutputStream;
  readonly text: string;
}

export type OutputListener = (chunk: OutputChunk) => void;

/** Output kept in memory for listeners that subscribe late. */
const REPLAY_CHARS = 1024 * 1024;
/** Periodic uploads stop above this size (the final upload always happens). */
const PERIODIC_UPLOAD_MAX_BYTES = 8 * 1024 * 1024;

export interface RunOutputOptions {
  readonly store: Pick<TrackingStore, 'writeArtifact'>;
  readonly runId: string;
  readonly logFile: string;
  readonly onRecords: (records: LineRecord[]) => void;
  readonly uploadIntervalMs: number;
}

export class RunOutput {
  private readonly options: RunOutputOptions;
  private readonly file: WriteStream;
  private readonly listeners = new Set<OutputListener>();
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private readonly parsers: { stdout: MetricLineParser; stderr: MetricLineParser };
  private replay: OutputChunk[] = [];
  private replayChars = 0;
  private written = 0;
  private uploaded = -1;
  private uploading: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private streamsEnded = false;
  readonly notes: string[] = [];

  constructor(options: RunOutputOptions) {
    this.options = options;
    this.file = createWriteStream(options.logFile, { flags: 'a' });
    this.file.on('error', (err) => this.notes.push(`the output spool ${options.logFile} failed (${errorFirstLine(err)}).`));
    this.parsers = { stdout: new MetricLineParser(options.onRecords), stderr: new MetricLineParser(options.onRecords) };
    this.timer = setInterval(() => void this.upload(false), options.uploadIntervalMs);
    this.timer.unref();
  }

  get metricLineWarnings(): number {
    return this.parsers.stdout.warnings + this.parsers.stderr.warnings;
  }

  get metricLineWarningSamples(): string[] {
    return [...this.parsers.stdout.warningSamples, ...this.parsers.stderr.warningSamples];
  }

  onOutput(listener: OutputListener): () => void {
    for (const chunk of this.replay) safeCall(listener, chunk);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Bytes from the child's stdout or stderr. */
  data(stream: 'stdout' | 'stderr', bytes: Buffer): void {
    const text = this.decoders[stream].write(bytes);
    if (text) this.emit(stream, text);
  }

  /** A line of Labbook's own (a note, a spawn failure), marked `[labbook]` in the log. */
  say(message: string): void {
    this.emit('labbook', `[labbook] ${message}\n`);
  }

  private emit(stream: OutputStream, text: string): void {
    if (this.closed) return;
    this.file.write(text);
    this.written += Buffer.byteLength(text);
    if (stream !== 'labbook') this.parsers[stream].push(text);
    const chunk = { stream, text };
    this.replay.push(chunk);
    this.replayChars += text.length;
    while (this.replayChars > REPLAY_CHARS && this.replay.length > 1) this.replayChars -= this.replay.shift()?.text.length ?? 0;
    for (const listener of this.listeners) safeCall(listener, chunk);
  }

  /** The process's streams ended: flush decoders and parsers (their last records go out now); Labbook can still say() more. */
  endStreams(): void {
    if (this.streamsEnded) return;
    this.streamsEnded = true;
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.decoders[stream].end();
      if (rest) this.emit(stream, rest);
      this.parsers[stream].end();
    }
    const warnings = this.metricLineWarnings;
    if (warnings > 0) this.say(`${warnings} malformed labbook: line(s) skipped, e.g. ${this.metricLineWarningSamples[0] ?? ''}`);
  }

  /** Ends the streams (if not done yet), closes the spool and uploads the whole log, once. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.endStreams();
    this.closed = true;
    await new Promise<void>((resolve) => this.file.end(() => resolve()));
    await this.upload(true);
  }

  private upload(final: boolean): Promise<void> {
    this.uploading = this.uploading.then(async () => {
      if (!final && this.written > PERIODIC_UPLOAD_MAX_BYTES) return;
      try {
        // The spool is the truth: what the stream has flushed to disk so far.
        const size = (await stat(this.options.logFile)).size;
        if (!final && size === this.uploaded) return;
        await this.options.store.writeArtifact(this.options.runId, ARTIFACTS.outputLog, await readFile(this.options.logFile));
        this.uploaded = size;
      } catch (err) {
        if (final) this.notes.push(`the output log was not uploaded (${errorFirstLine(err)}); it stays in ${this.options.logFile}.`);
      }
    });
    return this.uploading;
  }
}

function safeCall(listener: OutputListener, chunk: OutputChunk): void {
  try {
    listener(chunk);
  } catch {
    // A listener's failure must not stop the capture.
  }
}
