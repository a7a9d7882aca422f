import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqliteRuntime } from '../../core/sqlite/openDatabase.ts';
import { Outbox, type OutboxState } from '../../core/store/outbox/outbox.ts';
import { QueuedStore, type QueuedTrackingStore } from '../../core/store/outbox/queuedStore.ts';
import type { RemoteServers } from './remoteServers.ts';
import type { StoreChanges } from './storeChanges.ts';
import { remoteRootId } from './storeRoot.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

const FLUSH_EVERY_MS = 30_000;

/**
 * One durable outbox per MLflow server (a SQLite file in the extension's global storage): what
 * Labbook writes into runs on that server waits there until the server took it. Outboxes with
 * writes waiting are retried every 30 s and at the next start; the Experiments view shows the
 * count on the server's node.
 */
export class RemoteOutboxes implements vscode.Disposable {
  private readonly dir: string;
  private readonly runtime: SqliteRuntime;
  private readonly remotes: RemoteServers;
  private readonly log: vscode.LogOutputChannel;
  private readonly open = new Map<string, Outbox>();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly changes: StoreChanges;

  /** A flush publishes a change of that server's store: writes reached it, and its node's count changed. */
  constructor(dir: string, runtime: SqliteRuntime, remotes: RemoteServers, changes: StoreChanges, log: vscode.LogOutputChannel) {
    this.dir = dir;
    this.runtime = runtime;
    this.remotes = remotes;
    this.changes = changes;
    this.log = log;
    this.timer = setInterval(() => void this.flushWaiting(), FLUSH_EVERY_MS);
    this.timer.unref?.();
  }

  private file(url: string): string {
    return path.join(this.dir, `${createHash('sha256').update(url).digest('hex').slice(0, 16)}.db`);
  }

  /** The outbox of a configured server, opened on first use. */
  async outbox(url: string): Promise<Outbox> {
    let box = this.open.get(url);
    if (!box) {
      mkdirSync(this.dir, { recursive: true });
      box = new Outbox(this.file(url), await this.remotes.open(url), { runtime: this.runtime });
      this.open.set(url, box);
    }
    return box;
  }

  /** The server's store with Labbook's run writes going through its outbox. */
  async queuedStore(url: string): Promise<QueuedTrackingStore> {
    const remote = await this.remotes.open(url);
    const box = await this.outbox(url);
    return new QueuedStore(remote, box, {
      onFlushError: (err) => this.log.warn(`Outbox for ${url}: ${errorMessage(err)}`),
    });
  }

  /** The state of a server's outbox if it has one on disk (without contacting the server). */
  state(url: string): OutboxState | undefined {
    const open = this.open.get(url);
    if (open) return open.state();
    return undefined;
  }

  /** Ships what waits for `url` now; returns how many writes went out. */
  async flush(url: string): Promise<number> {
    const box = await this.outbox(url);
    const shipped = await box.flush();
    this.changes.publish({ kind: 'data', rootId: remoteRootId(url) });
    const { pending, lastError } = box.state();
    if (pending > 0) this.log.warn(`Outbox for ${url}: ${pending} writes still waiting (${lastError ?? 'no error'})`);
    return shipped;
  }

  /** At start and every 30 s: open the outboxes that exist on disk and retry those with writes waiting. */
  async flushWaiting(): Promise<void> {
    for (const server of this.remotes.list()) {
      if (!this.open.has(server.url) && !existsSync(this.file(server.url))) continue;
      try {
        const box = await this.outbox(server.url);
        if (box.state().pending > 0) await this.flush(server.url);
      } catch (err) {
        this.log.warn(`Outbox for ${server.url}: ${errorMessage(err)}`);
      }
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const box of this.open.values()) box.close();
    this.open.clear();
  }
}

/** `· 3 writes waiting to upload · 1 refused` for a server's node; '' when all went out. */
export function describeOutbox(state: OutboxState | undefined): string {
  if (!state) return '';
  const parts: string[] = [];
  if (state.pending > 0) parts.push(`${state.pending} write${state.pending === 1 ? '' : 's'} waiting to upload`);
  if (state.failed > 0) parts.push(`${state.failed} refused by the server`);
  return parts.map((p) => ` · ${p}`).join('');
}
