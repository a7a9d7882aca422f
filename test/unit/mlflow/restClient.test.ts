import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { MlflowRestClient, parseRetryAfter, type RestClientOptions } from '../../../src/core/mlflow/restClient.ts';
import { TrackingError } from '../../../src/core/store/errors.ts';
import { rejection } from '../../support/trackingAssertions.ts';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void;

/** A real HTTP server on 127.0.0.1 that answers the n-th request with the n-th handler (the last one repeats). */
class ScriptedServer {
  readonly seen: Seen[] = [];
  handlers: Handler[] = [];
  private readonly http: Server;

  constructor() {
    this.http = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
        this.seen.push(seen);
        const handler = this.handlers[Math.min(this.seen.length, this.handlers.length) - 1];
        if (handler) handler(req, res, seen);
        else json(500, { error_code: 'INTERNAL_ERROR', message: 'no handler' })(req, res, seen);
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}

function text(status: number, body: string, contentType = 'text/html; charset=utf-8'): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(body);
  };
}

const unavailable = json(503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'busy' });
const ok = json(200, { experiment: { experiment_id: '1' } });

describe('mlflow/restClient: HTTP to an MLflow server', () => {
  let server: ScriptedServer;
  let url: string;
  const client = (options: Partial<RestClientOptions> = {}): MlflowRestClient =>
    new MlflowRestClient({ baseUrl: url, retry: { initialDelayMs: 5, maxDelayMs: 20 }, ...options });

  beforeEach(async () => {
    server = new ScriptedServer();
    url = await server.listen();
  });
  afterEach(() => server.close());

  it('sends GET queries (repeated keys for lists) and returns the JSON reply', async () => {
    server.handlers = [ok];
    const reply = await client().get('/api/2.0/mlflow/experiments/get', { experiment_id: '1', order_by: ['a', 'b c'], skip: undefined });
    assert.deepEqual(reply, { experiment: { experiment_id: '1' } });
    assert.equal(server.seen[0]?.url, '/api/2.0/mlflow/experiments/get?experiment_id=1&order_by=a&order_by=b+c');
  });

  it('sends POST bodies as JSON and reads an empty reply as {}', async () => {
    server.handlers = [text(200, '', 'application/json')];
    assert.deepEqual(await client().post('/api/2.0/mlflow/runs/set-tag', { run_id: 'r', key: 'k', value: 'v' }), {});
    assert.equal(server.seen[0]?.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(server.seen[0]?.body.toString() ?? ''), { run_id: 'r', key: 'k', value: 'v' });
  });

  it('uploads and downloads bytes as they are', async () => {
    const payload = new Uint8Array([0, 1, 2, 255, 254]);
    server.handlers = [
      json(200, {}),
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.from(payload));
      },
    ];
    await client().json({ method: 'PUT', path: '/api/2.0/mlflow-artifacts/artifacts/a.bin', bytes: payload });
    assert.equal(server.seen[0]?.headers['content-type'], 'application/octet-stream');
    assert.deepEqual(new Uint8Array(server.seen[0]?.body ?? []), payload);
    assert.deepEqual(await client().bytes({ method: 'GET', path: '/api/2.0/mlflow-artifacts/artifacts/a.bin' }), payload);
  });

  describe('auth', () => {
    it('sends a bearer token', async () => {
      server.handlers = [ok];
      const bearer = client({ auth: { kind: 'bearer', token: 's3cret-token' } });
      await bearer.get('/x');
      assert.equal(server.seen[0]?.headers.authorization, 'Bearer s3cret-token');
      // Its fields are TypeScript-private, so the credential is kept in a closure: never printed.
      assert.ok(!inspect(bearer, { depth: 5, showHidden: true }).includes('s3cret'), inspect(bearer));
      assert.ok(!JSON.stringify(bearer).includes('s3cret'));
    });

    it('sends basic credentials, UTF-8 encoded', async () => {
      server.handlers = [ok];
      await client({ auth: { kind: 'basic', username: 'ada', password: 'pässword:1' } }).get('/x');
      assert.equal(server.seen[0]?.headers.authorization, `Basic ${Buffer.from('ada:pässword:1').toString('base64')}`);
    });

    it('sends no Authorization header without auth, and keeps secrets out of errors', async () => {
      server.handlers = [ok];
      await client().get('/x');
      assert.equal(server.seen[0]?.headers.authorization, undefined);
      server.handlers = [json(401, { error_code: 'UNAUTHENTICATED', message: 'bad credentials' })];
      const err = await rejection(client({ auth: { kind: 'bearer', token: 'hunter2' } }).get('/x'));
      assert.equal(err.code, 'UNAUTHENTICATED');
      assert.doesNotMatch(`${err.message} ${err.stack}`, /hunter2/);
    });

    it('refuses a bearer token that could not be sent, without quoting it', () => {
      assert.throws(
        () => new MlflowRestClient({ baseUrl: url, auth: { kind: 'bearer', token: 'abc\r\nX-Evil: 1' } }),
        (err: unknown) => err instanceof TrackingError && err.code === 'INVALID_PARAMETER_VALUE' && !err.message.includes('abc'),
      );
      assert.throws(() => new MlflowRestClient({ baseUrl: url, auth: { kind: 'bearer', token: '' } }), TrackingError);
    });

    it('refuses credentials inside the URL', () => {
      assert.throws(() => new MlflowRestClient({ baseUrl: 'http://ada:pw@127.0.0.1:5000' }), /auth settings/);
      assert.throws(() => new MlflowRestClient({ baseUrl: 'ftp://127.0.0.1' }), TrackingError);
    });
  });

  describe('errors', () => {
    it('turns an MLflow error body into a TrackingError with its code and message', async () => {
      server.handlers = [json(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Run with id=nope not found' })];
      const err = await rejection(client().get('/api/2.0/mlflow/runs/get', { run_id: 'nope' }));
      assert.equal(err.code, 'RESOURCE_DOES_NOT_EXIST');
      assert.equal(err.message, 'Run with id=nope not found');
      assert.equal(server.seen.length, 1, 'a 404 is not retried');
    });

    it('maps unknown codes to INTERNAL_ERROR keeping the message, and synonyms to their Labbook code', async () => {
      server.handlers = [json(500, { error_code: 'DATA_LOSS', message: 'the disk ate it' })];
      const unknown = await rejection(client().get('/x'));
      assert.equal(unknown.code, 'INTERNAL_ERROR');
      assert.equal(unknown.message, 'the disk ate it');
      server.handlers = [json(409, { error_code: 'ALREADY_EXISTS', message: 'taken' })];
      assert.equal((await rejection(client().get('/y'))).code, 'RESOURCE_ALREADY_EXISTS');
    });

    it('says clearly when the reply is not MLflow JSON, with the URL and status', async () => {
      server.handlers = [text(404, '<!doctype html><title>404 Not Found</title>')];
      const err = await rejection(client().get('/api/2.0/mlflow/nope'));
      assert.equal(err.code, 'ENDPOINT_NOT_FOUND');
      assert.match(err.message, new RegExp(`^The server at ${url} answered GET /api/2.0/mlflow/nope with HTTP 404 and not MLflow JSON \\(text/html\\)`));
      server.handlers = [text(200, '<html>the UI</html>')];
      const success = await rejection(client().get('/api/2.0/mlflow/experiments/search'));
      assert.equal(success.code, 'INTERNAL_ERROR');
      assert.match(success.message, /HTTP 200 and not MLflow JSON/);
    });
  });

  describe('retries', () => {
    it('retries a 503 and succeeds', async () => {
      server.handlers = [unavailable, unavailable, ok];
      assert.deepEqual(await client().get('/x'), { experiment: { experiment_id: '1' } });
      assert.equal(server.seen.length, 3);
    });

    it('gives up after maxAttempts with the last error', async () => {
      server.handlers = [unavailable];
      const err = await rejection(client({ retry: { maxAttempts: 4, initialDelayMs: 1, maxDelayMs: 2 } }).get('/x'));
      assert.equal(err.code, 'TEMPORARILY_UNAVAILABLE');
      assert.match(err.message, /^busy \(gave up after 4 attempts\)$/);
      assert.equal(server.seen.length, 4);
    });

    it('honours Retry-After on 429 (seconds)', async () => {
      server.handlers = [json(429, { error_code: 'REQUEST_LIMIT_EXCEEDED', message: 'slow down' }, { 'retry-after': '1' }), ok];
      const started = Date.now();
      await client({ retry: { initialDelayMs: 1, maxDelayMs: 1 } }).get('/x');
      const waited = Date.now() - started;
      assert.ok(waited >= 950, `waited only ${waited} ms`);
      assert.ok(waited < 5_000, `waited ${waited} ms`);
      assert.equal(server.seen.length, 2);
    });

    it('does not wait for a Retry-After longer than allowed', async () => {
      server.handlers = [json(503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'maintenance' }, { 'retry-after': '3600' }), ok];
      const err = await rejection(client().get('/x'));
      assert.equal(err.message, 'maintenance');
      assert.equal(server.seen.length, 1);
    });

    it('retries 429/503 even for non-idempotent POSTs (the server did not act), but not 502/504', async () => {
      server.handlers = [unavailable, ok];
      await client().post('/api/2.0/mlflow/runs/log-batch', { run_id: 'r' });
      assert.equal(server.seen.length, 2);

      server.seen.length = 0;
      server.handlers = [text(502, 'Bad Gateway', 'text/plain'), ok];
      const err = await rejection(client().post('/api/2.0/mlflow/runs/log-batch', { run_id: 'r' }));
      assert.equal(err.code, 'TEMPORARILY_UNAVAILABLE');
      assert.match(err.message, /HTTP 502 and not MLflow JSON/);
      assert.equal(server.seen.length, 1);

      server.seen.length = 0;
      server.handlers = [text(504, 'Gateway Timeout', 'text/plain'), ok];
      await client().post('/api/2.0/mlflow/runs/set-tag', { run_id: 'r' }, { idempotent: true });
      assert.equal(server.seen.length, 2, 'an idempotent POST is retried on 504');
    });

    it('retries a refused connection for any request: it never reached the server', async () => {
      server.handlers = [ok];
      let calls = 0;
      const flaky: typeof fetch = async (input, init) => {
        calls++;
        if (calls === 1) throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
        return fetch(input, init);
      };
      await client({ fetch: flaky }).post('/api/2.0/mlflow/runs/create', { experiment_id: '1' });
      assert.equal(calls, 2);
      assert.equal(server.seen.length, 1);
    });

    it('does not replay a non-idempotent request whose connection dropped mid-way', async () => {
      server.handlers = [(req) => req.socket.destroy(), ok];
      const err = await rejection(client().post('/api/2.0/mlflow/runs/create', { experiment_id: '1' }));
      assert.equal(err.code, 'TEMPORARILY_UNAVAILABLE');
      assert.match(err.message, /Could not reach the MLflow server/);
      assert.equal(server.seen.length, 1);
      // The same failure on a GET is retried.
      server.seen.length = 0;
      assert.deepEqual(await client().get('/x'), { experiment: { experiment_id: '1' } });
      assert.equal(server.seen.length, 2);
    });

    it('reports a server that gave up for good after the retries, as unreachable', async () => {
      const closed = new ScriptedServer();
      const closedUrl = await closed.listen();
      await closed.close();
      const err = await rejection(
        new MlflowRestClient({ baseUrl: closedUrl, retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 } }).get('/x'),
      );
      assert.equal(err.code, 'TEMPORARILY_UNAVAILABLE');
      assert.match(err.message, /ECONNREFUSED.*gave up after 3 attempts/);
    });
  });

  describe('timeouts and cancellation', () => {
    const silent: Handler = () => undefined; // never answers

    it('times out a request that gets no answer, and does not replay a non-idempotent one', async () => {
      server.handlers = [silent, ok];
      const started = Date.now();
      const err = await rejection(client({ timeoutMs: 200 }).post('/api/2.0/mlflow/runs/create', {}));
      assert.ok(Date.now() - started < 2_000);
      assert.equal(err.code, 'TEMPORARILY_UNAVAILABLE');
      assert.match(err.message, /did not answer POST \/api\/2\.0\/mlflow\/runs\/create within 0\.2 s/);
      assert.equal(server.seen.length, 1);
    });

    it('retries a GET after a timeout', async () => {
      server.handlers = [silent, ok];
      assert.deepEqual(await client({ timeoutMs: 200 }).get('/x'), { experiment: { experiment_id: '1' } });
      assert.equal(server.seen.length, 2);
    });

    it('stops at once when the caller aborts, passing the reason on', async () => {
      server.handlers = [unavailable];
      const controller = new AbortController();
      const reason = new Error('user cancelled');
      setTimeout(() => controller.abort(reason), 50);
      await assert.rejects(
        client({ retry: { initialDelayMs: 10_000, maxDelayMs: 10_000 } }).json({ method: 'GET', path: '/x', signal: controller.signal }),
        (err: unknown) => err === reason,
      );
    });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('2'), 2000);
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6_000);
  });
});
