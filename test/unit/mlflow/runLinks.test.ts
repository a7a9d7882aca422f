// The page the `mlflow` client's "View run … at: http://127.0.0.1:<port>/#/experiments/1/runs/<id>"
// links land on: served at `/` without the token, under a nonce CSP, with no tracking data in it,
// while every API route still needs the token. And the run links the URI handler reads.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalTrackingServer, type LocalTrackingServer } from '../../../src/core/mlflow/server/localTrackingServer.ts';
import { parseRunLink, runLinkUri } from '../../../src/core/mlflow/server/runLinks.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';

describe('mlflow endpoint: the landing page for the links the client prints', () => {
  let dir: string;
  let store: SqliteTrackingStore;
  let server: LocalTrackingServer;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-landing-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    await store.createRun({ experimentId: '0', runName: 'secret-run-name' });
    server = await startLocalTrackingServer({ store, runLinks: { uriScheme: 'code-oss', extensionId: 'labbook.labbook' } });
  });
  after(async () => {
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves / without the token, as HTML under a CSP that allows only its own nonce', async () => {
    const response = await fetch(`${server.url}/`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    const html = await response.text();
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    assert.deepEqual(scripts, [` nonce="${nonce}"`], 'one script, carrying the nonce');
    assert.ok(html.includes('"code-oss://labbook.labbook/run"'), 'the handler URI uses the host\'s scheme');
    assert.ok(!html.includes('secret-run-name'), 'the page shows no tracking data');
    const again = await fetch(`${server.url}/`);
    assert.notEqual(/nonce-([^']+)/.exec(again.headers.get('content-security-policy') ?? '')?.[1], nonce, 'a fresh nonce per response');
  });

  it('still refuses every API route without the token', async () => {
    for (const route of ['/api/2.0/mlflow/experiments/search', '/api/2.0/mlflow/runs/search', '/api/2.0/mlflow/logged-models/search', '/index.html']) {
      const response = await fetch(`${server.url}${route}`, { method: 'POST', body: '{}' });
      assert.equal(response.status, 401, route);
    }
  });

  it('builds and reads run links, refusing anything that is not one', () => {
    const uri = runLinkUri({}, { runId: 'abc123', experimentId: '7' });
    assert.equal(uri, 'vscode://labbook.labbook/run?run=abc123&experiment=7');
    const parsed = new URL(uri);
    assert.deepEqual(parseRunLink(parsed.pathname, parsed.search.slice(1)), { runId: 'abc123', experimentId: '7' });
    assert.deepEqual(parseRunLink('/run', 'run=abc'), { runId: 'abc' });
    for (const [p, q] of [['/run', ''], ['/run', 'run=a/b'], ['/run', 'run=abc&experiment=x'], ['/other', 'run=abc'], ['/run', `run=${'a'.repeat(65)}`], ['/run', 'run=%3Cimg%3E']]) {
      assert.equal(parseRunLink(p ?? '', q ?? ''), undefined, `${p}?${q}`);
    }
    assert.equal(runLinkUri({ uriScheme: 'javascript:alert(1)//' }, { runId: 'a' }).split(':')[0], 'vscode', 'a bad scheme falls back');
  });
});
