// Plays the VS Code host for the Run Details webview tests: serves the bundle under the real CSP
// (acquireVsCodeApi stubbed) and answers the page's requests, read through the panel's requests
// table, with the same src/core/runDetails functions RunDetailsPanel calls, over a real SqliteTrackingStore seeded in a temp dir.
import type { BrowserContext, Page } from 'playwright-core';
import { listArtifactFolder, previewArtifact } from '../../src/core/runDetails/artifactPreview.ts';
import { readRunCode, readRunEnvironment, readRunFingerprints, readRunLog } from '../../src/core/runDetails/launchFiles.ts';
import { readRunDetails } from '../../src/core/runDetails/loadRunDetails.ts';
import { deleteRunTag, setRunNote, setRunTag } from '../../src/core/runDetails/tagEdits.ts';
import type { TrackingStore } from '../../src/core/store/trackingStore.ts';
import { answerRequest, type RequestHandlers } from '../../src/protocol/requests.ts';
import type { RequestMessage } from '../../src/protocol/rpc.ts';
import { runDetailsRequests, type RunDetailsRequests, type RunDetailsResult, type RunRef } from '../../src/protocol/runDetails.ts';
import { openWebviewApp } from './webviewHarness.ts';
import { errorMessage } from '../../src/shared/errorMessage.ts';

export interface Posted {
  readonly kind: string;
  readonly id?: number;
  readonly method?: string;
  readonly params?: Record<string, unknown> | null;
}

export function openPanel(context: BrowserContext): Promise<Page> {
  return openWebviewApp(context, { name: 'runDetails', title: 'Run Details', styles: ['runDetails.css'] });
}

/**
 * Answers each request the page posts, as RunDetailsPanel would, and records them all. Requests
 * whose method is in `hold` are recorded but left for the test to answer (with `answer`).
 */
export class PlayedHost {
  readonly requests: Posted[] = [];
  readonly hold = new Set<string>();
  private seen = 0;
  private origin = 0;
  private stopped = false;
  private readonly loop: Promise<void>;
  private readonly page: Page;
  private readonly store: TrackingStore | undefined;
  private readonly ref: RunRef;

  constructor(page: Page, store: TrackingStore | undefined, ref: RunRef) {
    this.page = page;
    this.store = store;
    this.ref = ref;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let batch: Posted[];
      try {
        const now = await this.page.evaluate(() => ({ origin: performance.timeOrigin, posted: (window as unknown as { __posted?: Posted[] }).__posted ?? [] }));
        // A reload is a new page whose posted list starts again.
        if (now.origin !== this.origin) {
          this.origin = now.origin;
          this.seen = 0;
        }
        batch = now.posted.slice(this.seen);
      } catch {
        // Between a reload and the next page, or closed.
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      this.seen += batch.length;
      for (const message of batch) {
        if (message.kind !== 'request') continue;
        this.requests.push(message);
        if (!this.hold.has(message.method ?? '')) await this.answer(message);
      }
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  async send(message: unknown): Promise<void> {
    await this.page.evaluate((m) => window.postMessage(m, '*'), message);
  }

  async reply(id: number, result: () => Promise<unknown>): Promise<void> {
    try {
      await this.send({ kind: 'response', id, ok: true, result: (await result()) ?? null });
    } catch (err) {
      await this.send({ kind: 'response', id, ok: false, error: { code: 'failed', message: errorMessage(err) } }).catch(() => {});
    }
  }

  /** The first request of `method`, waited for. */
  next(method: string): Promise<Posted> {
    return this.nth(method, 0);
  }

  /** The request of `method` with this index (0: the first), waited for. */
  async nth(method: string, index: number, timeoutMs = 10_000): Promise<Posted> {
    const started = Date.now();
    for (;;) {
      const found = this.requests.filter((r) => r.method === method)[index];
      if (found) return found;
      if (Date.now() - started > timeoutMs) throw new Error(`No ${method} request within ${timeoutMs} ms; saw ${this.requests.map((r) => r.method).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  count(method: string): number {
    return this.requests.filter((r) => r.method === method).length;
  }

  /** What RunDetailsPanel's handlers answer, through the same core functions. */
  private readonly handlers: RequestHandlers<RunDetailsRequests> = {
    getDetails: async () => this.details(),
    listArtifacts: async ({ path }) => listArtifactFolder(this.openStore(), this.ref.runId, path),
    previewArtifact: async ({ path }) => previewArtifact(this.openStore(), this.ref.runId, path),
    getLog: async ({ all }) => readRunLog(this.openStore(), this.ref.runId, { all }),
    getCode: async () => readRunCode(this.openStore(), this.ref.runId),
    getEnvironment: async () => readRunEnvironment(this.openStore(), this.ref.runId),
    getFingerprints: async () => readRunFingerprints(this.openStore(), this.ref.runId),
    setTag: async (edit) => {
      await setRunTag(this.openStore(), this.ref.runId, edit);
      return this.details();
    },
    deleteTag: async ({ key }) => {
      await deleteRunTag(this.openStore(), this.ref.runId, key);
      return this.details();
    },
    setNote: async ({ content }) => {
      await setRunNote(this.openStore(), this.ref.runId, content);
      return this.details();
    },
    // Recorded in `requests`; what the host then does is VS Code's.
    openArtifact: () => Promise.resolve(null),
    saveArtifact: () => Promise.resolve(null),
    openSourceAtCommit: () => Promise.resolve(null),
    openRun: () => Promise.resolve(null),
    copyText: () => Promise.resolve(null),
    compareDataWith: () => Promise.resolve(null),
  };

  private async details(): Promise<RunDetailsResult> {
    return (await readRunDetails(this.store, this.ref)).result;
  }

  private openStore(): TrackingStore {
    if (!this.store) throw new Error(`The tracking store '${this.ref.store}' is not available in this window.`);
    return this.store;
  }

  /** The page's request read through the panel's requests table and answered, as RunDetailsPanel does. */
  async answer(message: Posted): Promise<void> {
    await this.send(await answerRequest(runDetailsRequests, this.handlers, message as RequestMessage));
  }
}

export async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
}

export async function savedState(page: Page): Promise<Record<string, unknown>> {
  return JSON.parse(await page.evaluate(() => sessionStorage.getItem('state') ?? 'null')) as Record<string, unknown>;
}
