import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { TrackingEndpoint, type EndpointLog } from '../../../src/host/launch/trackingEndpoint.ts';

/** Collects what the endpoint logs, so the test can count the servers it started. */
function recordingLog(): EndpointLog & { lines: string[] } {
  const lines: string[] = [];
  const push = (message: string) => void lines.push(message);
  return { lines, info: push, warn: push, trace: () => undefined, error: push };
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
    return true;
  } catch {
    return false;
  }
}

describe('host/launch: the local tracking endpoint (TrackingEndpoint)', () => {
  let dir: string;
  let stores: SqliteTrackingStore[];
  let endpoint: TrackingEndpoint | undefined;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-endpoint-'));
    stores = [new SqliteTrackingStore(path.join(dir, 'a.db')), new SqliteTrackingStore(path.join(dir, 'b.db'))];
  });
  afterEach(async () => {
    endpoint?.dispose();
    endpoint = undefined;
    for (const store of stores) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts one server for launches that ask at the same moment, and leaks none', async () => {
    const log = recordingLog();
    const current = stores[0];
    endpoint = new TrackingEndpoint({ get: () => current }, log);
    const all = await Promise.all([endpoint.get(), endpoint.get(), endpoint.get()]);
    const urls = new Set(all.map((e) => e?.server.url));
    assert.equal(urls.size, 1, `servers started: ${[...urls].join(', ')}`);
    assert.equal(log.lines.filter((l) => l.includes('listening on')).length, 1, log.lines.join('\n'));
    assert.equal(await endpoint.get(), all[0], 'later launches reuse it');
  });

  it('moves to a new local store with one server, closing the old one', async () => {
    const log = recordingLog();
    let current = stores[0];
    endpoint = new TrackingEndpoint({ get: () => current }, log);
    const first = await endpoint.get();
    assert.ok(first && (await answers(first.server.url)));
    current = stores[1];
    const [a, b] = await Promise.all([endpoint.get(), endpoint.get()]);
    assert.equal(a?.server.url, b?.server.url);
    assert.equal(a?.store, stores[1]);
    assert.equal(log.lines.filter((l) => l.includes('listening on')).length, 2, log.lines.join('\n'));
    assert.equal(await answers(first.server.url), false, 'the first server was closed');
    assert.ok(a && (await answers(a.server.url)));
  });

  it('closes a server still starting when disposed', async () => {
    const current = stores[0];
    endpoint = new TrackingEndpoint({ get: () => current }, recordingLog());
    const starting = endpoint.get();
    endpoint.dispose();
    const started = await starting;
    assert.ok(started);
    // close() is asynchronous: wait for it through the server itself, bounded.
    await started.server.close().catch(() => undefined);
    assert.equal(await answers(started.server.url), false);
  });

  it("links the page at / to this editor's URI scheme", async () => {
    const current = stores[0];
    endpoint = new TrackingEndpoint({ get: () => current }, recordingLog(), { uriScheme: 'vscode-insiders', extensionId: 'labbook.labbook' });
    const started = await endpoint.get();
    assert.ok(started);
    const page = await (await fetch(`${started.server.url}/`, { signal: AbortSignal.timeout(5000) })).text();
    assert.match(page, /vscode-insiders:\/\/labbook\.labbook\/run/);
    assert.doesNotMatch(page, /"vscode:\/\//);
  });
});
