// Plays the VS Code host for the Run Comparison webview: a real SQLite store seeded in a temp dir,
// and every request the page posts read through the panel's requests table and answered by the
// same src/core/compare functions ComparePanel calls. The page's messages reach Node through a Playwright binding as they are posted.
import { crc32, deflateSync } from 'node:zlib';
import type { BrowserContext, Page } from 'playwright-core';
import { listComparedImages, readImage } from '../../src/core/compare/artifacts.ts';
import { compareCode } from '../../src/core/compare/code.ts';
import { CompareReader } from '../../src/core/compare/compareReader.ts';
import { buildComparison } from '../../src/core/compare/comparison.ts';
import { comparisonCsv } from '../../src/core/compare/csv.ts';
import { SeriesCache } from '../../src/core/compare/seriesCache.ts';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Metric } from '../../src/core/store/types.ts';
import { compareRequests, type CompareRequests, type CompareSource } from '../../src/protocol/compare.ts';
import { answerRequest, type RequestHandlers } from '../../src/protocol/requests.ts';
import { bridgePostsToNode, nextRequest, openWebviewApp, withStandIns } from './webviewHarness.ts';

export const HOSTILE = '<img src=x onerror=window.__xss=1>';
export const T0 = 1_700_000_000_000;

export interface Request {
  readonly kind: 'request';
  readonly id: number;
  readonly method: string;
  readonly params: Record<string, unknown>;
}

/** A PNG of one colour, encoded for real (so the page can decode it). */
export function solidPng(width: number, height: number, rgb: readonly [number, number, number]): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'ascii'), data])) >>> 0, 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]));
}

export async function logHistory(store: SqliteTrackingStore, runId: string, key: string, values: (i: number) => number, count: number): Promise<void> {
  for (let start = 0; start < count; start += 1000) {
    const metrics: Metric[] = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) metrics.push({ key, value: values(i), step: i, timestamp: T0 + i * 10 });
    await store.logBatch(runId, { metrics });
  }
}

/** Answers the page's requests from `store`; records them, and can be told to fail a method. */
export class PlayedHost {
  readonly requests: Request[] = [];
  readonly csvWrites: string[] = [];
  readonly notebookDiffs: unknown[] = [];
  readonly failing = new Map<string, string>();
  /** Canned results by method, instead of the store's. */
  readonly overrides = new Map<string, () => unknown>();
  /** Awaited before a request is answered: a test holds an answer back with it. */
  beforeAnswer: ((request: Request) => Promise<void>) | undefined;
  page: Page | undefined;
  private readonly store: SqliteTrackingStore;
  readonly source: CompareSource;
  /** As ComparePanel's: merged tiles kept per (run, key, buckets). */
  readonly cache = new SeriesCache();
  /** As ComparePanel's: the comparison, histories through the cache, and the first chart. */
  private readonly reader: CompareReader;

  constructor(store: SqliteTrackingStore, source: CompareSource) {
    this.store = store;
    this.source = source;
    this.reader = new CompareReader(() => Promise.resolve(store), source, this.cache);
  }

  /** What ComparePanel's handlers answer, through the same core functions. */
  private readonly handlers: RequestHandlers<CompareRequests> = withStandIns<CompareRequests>(
    {
      getComparison: ({ directions }) => this.reader.comparison(directions),
      getSeries: async ({ keys, buckets }) => ({ series: await this.reader.series(keys, buckets) }),
      getFirstChart: ({ chartMetrics, buckets }) => this.reader.firstChart(chartMetrics ?? null, buckets),
      getGroupSeries: async ({ keys, buckets, xAxis }) => ({ groups: await this.reader.groupSeries(this.source.groups ?? [], keys, buckets, xAxis) }),
      listImages: async () => listComparedImages(this.store, this.source.runIds),
      getImage: async ({ runId, path }) => readImage(this.store, runId, path),
      getCode: async ({ baseRun, remoteRun }) => compareCode(this.store, baseRun, remoteRun),
      openNotebookDiff: (params) => {
        this.notebookDiffs.push(params);
        return Promise.resolve(null);
      },
      exportCsv: async ({ view, directions }) => {
        this.csvWrites.push(comparisonCsv(await buildComparison(this.store, this.source, { directions }), view));
        return { savedTo: '/tmp/run-comparison.csv' };
      },
      compareData: () => Promise.resolve(null),
    },
    (method) => {
      const failure = this.failing.get(method);
      if (failure !== undefined) {
        return () => {
          throw new Error(failure);
        };
      }
      return this.overrides.get(method);
    },
  );

  async receive(page: Page, message: unknown): Promise<void> {
    this.page = page;
    const m = message as { readonly kind: string; readonly id?: number; readonly method?: string };
    if (m.kind === 'ready') {
      await this.send({ kind: 'event', event: { type: 'source', source: this.source } });
      return;
    }
    if (m.kind !== 'request') return;
    const request = m as Request;
    this.requests.push(request);
    await this.beforeAnswer?.(request);
    // Params are read through the panel's requests table, as ComparePanel reads them.
    await this.send(await answerRequest(compareRequests, this.handlers, request));
  }

  async send(message: unknown): Promise<void> {
    await this.page?.evaluate((m) => window.postMessage(m, '*'), message).catch(() => undefined);
  }

  /** The next request for `method` after the `after`-th one recorded. */
  next(method: string, after = 0, timeoutMs = 10_000): Promise<Request> {
    return nextRequest(this.requests, method, after, timeoutMs);
  }
}

let current: PlayedHost | undefined;

/** Once per browser context: the page's postMessage also calls the host in Node. */
export async function installHostBridge(context: BrowserContext): Promise<void> {
  await bridgePostsToNode(context, (page, message) => void current?.receive(page, message));
}

export async function openCompare(context: BrowserContext, host: PlayedHost): Promise<Page> {
  current = host;
  const page = await openWebviewApp(context, { name: 'compare', title: 'Compare Runs', styles: ['compare.css'], boot: true });
  return page;
}

export { violations } from './webviewHarness.ts';
