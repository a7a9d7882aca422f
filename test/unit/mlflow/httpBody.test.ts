// The endpoint's body reader (readBody) over real sockets on 127.0.0.1: a body that arrives in many
// chunks comes back byte for byte (a UTF-8 character split between chunks included), an oversized
// body is refused with a typed error whether it declares its length or not, and a client that
// hangs up mid-body ends the read with an error instead of leaving it waiting forever.
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { readBody } from '../../../src/core/mlflow/server/httpPlumbing.ts';
import { TrackingError } from '../../../src/core/store/errors.ts';

const LIMIT = 64 * 1024;
/** Bounds every wait below: a reader that never settles fails the test instead of hanging it. */
const WAIT_MS = 20_000;

/** What readBody gave each request, in arrival order. */
type Outcome = { body: Buffer } | { error: unknown };

describe('mlflow endpoint: reading request bodies', () => {
  let server: Server;
  let port: number;
  const outcomes: Outcome[] = [];
  const waiters: ((o: Outcome) => void)[] = [];

  function record(outcome: Outcome): void {
    const waiter = waiters.shift();
    if (waiter) waiter(outcome);
    else outcomes.push(outcome);
  }

  /** The next request's outcome, or a rejection after WAIT_MS. */
  function nextOutcome(): Promise<Outcome> {
    const ready = outcomes.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`readBody did not settle within ${WAIT_MS} ms`)), WAIT_MS);
      waiters.push((o) => {
        clearTimeout(timer);
        resolve(o);
      });
    });
  }

  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      readBody(req, LIMIT).then(
        (body) => {
          record({ body });
          res.writeHead(200, { 'Content-Length': String(body.length) });
          res.end(body);
        },
        (error: unknown) => {
          record({ error });
          if (!res.destroyed) {
            res.writeHead(400);
            res.end();
          }
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** POSTs `parts` as separate writes with chunked encoding (no Content-Length); the status code. */
  function postChunked(parts: readonly Buffer[]): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.setTimeout(WAIT_MS, () => req.destroy(new Error('no answer')));
      // The server may refuse and close before the rest is written: that is an answer too.
      req.on('error', (err) => (/ECONNRESET|EPIPE|socket hang up/.test(String(err)) ? resolve(-1) : reject(err)));
      for (const part of parts) req.write(part);
      req.end();
    });
  }

  it('joins a body sent in many chunks byte for byte, a UTF-8 character split between two of them', async () => {
    const text = JSON.stringify({ run_id: 'r', metrics: Array.from({ length: 300 }, (_, i) => ({ key: `lös/é${i}`, value: i / 7, timestamp: i, step: i })) });
    const bytes = Buffer.from(text);
    const split = bytes.indexOf(Buffer.from('é')) + 1; // inside the two bytes of 'é'
    const size = Math.ceil((bytes.length - split) / 20);
    const parts = [bytes.subarray(0, split), ...Array.from({ length: 20 }, (_, i) => bytes.subarray(split + i * size, split + (i + 1) * size))].filter((p) => p.length);
    assert.equal(Buffer.concat(parts).length, bytes.length);
    assert.equal(await postChunked(parts), 200);
    const outcome = await nextOutcome();
    assert.ok('body' in outcome, String('error' in outcome ? outcome.error : ''));
    assert.ok(outcome.body.equals(bytes));
    assert.equal(outcome.body.toString('utf8'), text);
  });

  it('refuses a chunked body past the limit with a typed error, and keeps serving', async () => {
    const status = await postChunked(Array.from({ length: 10 }, () => Buffer.alloc(LIMIT / 4, 'x')));
    assert.notEqual(status, 200);
    const outcome = await nextOutcome();
    assert.ok('error' in outcome);
    assert.ok(outcome.error instanceof TrackingError);
    assert.equal(outcome.error.code, 'INVALID_PARAMETER_VALUE');
    assert.match(outcome.error.message, /larger than 65536 bytes/);
    assert.equal(await postChunked([Buffer.from('{"ok":true}')]), 200);
    const next = await nextOutcome();
    assert.ok('body' in next && next.body.toString() === '{"ok":true}');
  });

  it('refuses a declared Content-Length past the limit before reading the body', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'Content-Length': String(LIMIT + 1) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.setTimeout(WAIT_MS, () => req.destroy(new Error('no answer')));
      req.on('error', reject);
      req.write(Buffer.alloc(10, 'x')); // a start of the body; the answer comes without the rest
    });
    assert.equal(status, 400);
    const outcome = await nextOutcome();
    assert.ok('error' in outcome && outcome.error instanceof TrackingError && outcome.error.code === 'INVALID_PARAMETER_VALUE');
  });

  it('ends the read with an error when the client hangs up in the middle of the body', async () => {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{"run_id": "r", "metr');
    // Give the server the headers and the first bytes, then hang up with 970 bytes missing.
    socket.end();
    const outcome = await nextOutcome();
    assert.ok('error' in outcome, 'a truncated body is never handed on as complete');
    socket.destroy();
  });
});
