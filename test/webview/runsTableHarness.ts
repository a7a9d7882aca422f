// Plays the VS Code host for the Runs Table webview: a real SQLite store seeded in a temp dir, and
// every request the page posts read through the panel's requests table (answerRequest) and
// answered by the same RunsTableModel the panel host uses. The page's messages reach Node through
// a Playwright binding as they are posted; actions that open other panels are recorded.
import type { BrowserContext, Page } from 'playwright-core';
import { RunsTableModel } from '../../src/core/runsTable/runsTableModel.ts';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { answerRequest, type RequestHandlers } from '../../src/protocol/requests.ts';
import { runsTableRequests, type RunsTableEvent, type RunsTableRequests, type TableView } from '../../src/protocol/runsTable.ts';
import { bridgePostsToNode, nextRequest, openWebviewApp } from './webviewHarness.ts';

export const HOSTILE = '<img src=x onerror=window.__xss=1>';

export interface Request {
  readonly kind: 'request';
  readonly id: number;
  readonly method: string;
  readonly params: Record<string, unknown>;
}

/** Answers the page's requests from a RunsTableModel over `store`; records every request. */
export class RunsTableHost {
  readonly requests: Request[] = [];
  readonly csvWrites: string[] = [];
  readonly clipboard: string[] = [];
  readonly model: RunsTableModel;
  page: Page | undefined;

  /** Errors thrown in the page (none expected). */
  readonly pageErrors: string[] = [];

  /** `savedView`: the view the host kept for these experiments (workspace state). */
  constructor(store: SqliteTrackingStore, experimentIds: readonly string[], savedView?: TableView) {
    this.model = new RunsTableModel(store, experimentIds, { storeId: 'local', storeLabel: 'Local store', ...(savedView ? { savedView } : {}) });
  }

  private readonly handlers: RequestHandlers<RunsTableRequests> = {
    getSchema: () => this.model.schema(),
    setView: ({ view, rows }) => this.model.setViewWithRows(view, rows),
    getRows: (params) => this.model.rows(params),
    getGroups: ({ metricColumns }) => this.model.groups(metricColumns),
    getSparklines: ({ runIds, metric, points }) => this.model.sparklines(runIds, metric, points),
    openRun: () => Promise.resolve(null),
    compareRuns: () => Promise.resolve(null),
    diffNotebooks: () => Promise.resolve(null),
    whatChanged: () => Promise.resolve(null),
    addTag: () => Promise.resolve(null),
    deleteRuns: () => Promise.resolve(null),
    pinRuns: () => Promise.resolve(null),
    exportCsv: async () => {
      this.csvWrites.push(await this.model.csv());
      return null;
    },
    copyText: ({ text }) => {
      this.clipboard.push(text);
      return Promise.resolve(null);
    },
  };

  async receive(page: Page, message: unknown): Promise<void> {
    this.page = page;
    const m = message as { readonly kind: string };
    if (m.kind !== 'request') return;
    const request = m as Request;
    this.requests.push(request);
    await this.send(await answerRequest(runsTableRequests, this.handlers, request));
  }

  async send(message: unknown): Promise<void> {
    await this.page?.evaluate((m) => window.postMessage(m, '*'), message).catch(() => undefined);
  }

  async event(event: RunsTableEvent): Promise<void> {
    await this.send({ kind: 'event', event });
  }

  /** The requests for `method` made after the `after`-th request recorded. */
  since(method: string, after: number): Request[] {
    return this.requests.slice(after).filter((r) => r.method === method);
  }

  /** The next request for `method` after the `after`-th one recorded. */
  next(method: string, after = 0, timeoutMs = 20_000): Promise<Request> {
    return nextRequest(this.requests, method, after, timeoutMs);
  }
}

let current: RunsTableHost | undefined;

/** Once per browser context: what the page posts also reaches the current host in Node. */
export async function installRunsTableBridge(context: BrowserContext): Promise<void> {
  await bridgePostsToNode(context, (page, message) => void current?.receive(page, message));
  context.on('weberror', (error) => current?.pageErrors.push(error.error().message));
  // This machine's load (two cores, several suites) can hold a page's load past Playwright's 30 s.
  context.setDefaultNavigationTimeout(90_000);
}

export async function openRunsTable(context: BrowserContext, host: RunsTableHost): Promise<Page> {
  current = host;
  const page = await openWebviewApp(context, { name: 'runsTable', title: 'Runs', styles: ['runsTable.css'] });
  return page;
}

export { violations } from './webviewHarness.ts';
