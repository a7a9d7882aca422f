// The REST client reading a server's replies over real HTTP (a local server on 127.0.0.1 that
// answers with damaged MLflow replies: any status, content type and body), then the wire reader
// reading the body. Every reply becomes a value or a TrackingError with one of MLflow's codes.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { MlflowRestClient } from '../../../src/core/mlflow/restClient.ts';
import { runFromWire } from '../../../src/core/mlflow/wire.ts';
import { TrackingError, type TrackingErrorCode } from '../../../src/core/store/errors.ts';
import { replyPage } from '../../../src/core/store/rest/restReplies.ts';
import { checkAsyncProperty, fuzzRuns, fuzzTitle, HOSTILE_KEYS, parsesOrThrowsOwnAsync } from './fuzzing.ts';

const CODES: ReadonlySet<TrackingErrorCode> = new Set([
  'INVALID_PARAMETER_VALUE', 'RESOURCE_DOES_NOT_EXIST', 'RESOURCE_ALREADY_EXISTS', 'INVALID_STATE', 'BAD_REQUEST', 'ENDPOINT_NOT_FOUND',
  'UNAUTHENTICATED', 'PERMISSION_DENIED', 'REQUEST_LIMIT_EXCEEDED', 'TEMPORARILY_UNAVAILABLE', 'INTERNAL_ERROR',
]);

interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

const RUN = { info: { run_id: 'a1', experiment_id: '1', status: 'FINISHED', start_time: 1 }, data: { metrics: [{ key: 'm', value: 'NaN', timestamp: 1, step: 0 }] } };

const reply: fc.Arbitrary<Reply> = fc.record({
  status: fc.constantFrom(200, 200, 200, 201, 204, 400, 401, 403, 404, 409, 429, 500, 502, 503),
  contentType: fc.constantFrom('application/json', 'text/html', 'text/plain; charset=utf-8', ''),
  body: fc.oneof(
    fc.record({ runs: fc.array(fc.oneof(fc.constant(RUN), fc.jsonValue({ maxDepth: 3 })), { maxLength: 3 }), next_page_token: fc.oneof(fc.string(), fc.integer()) }).map((v) => JSON.stringify(v)),
    fc.record({ error_code: fc.oneof(fc.constantFrom(...CODES, 'NOT_FOUND', 'MALFORMED_REQUEST', 'SOMETHING_NEW', ...HOSTILE_KEYS), fc.integer()), message: fc.oneof(fc.string(), fc.constant(null)) }).map((v) => JSON.stringify(v)),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.constantFrom('', '<html><body>502 Bad Gateway</body></html>', '{"runs": [', 'null', '\ufeff{}'),
  ),
});

describe('fuzz: REST replies read over HTTP', function () {
  this.timeout(120_000);
  let server: Server;
  let next: Reply = { status: 200, contentType: 'application/json', body: '{}' };
  let client: MlflowRestClient;

  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(next.status, next.contentType ? { 'content-type': next.contentType } : {});
        res.end(next.status === 204 ? undefined : next.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    // One attempt: a retried 503 would only wait.
    client = new MlflowRestClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, retry: { maxAttempts: 1 }, timeoutMs: 20_000 });
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const runs = fuzzRuns(300);
  it(fuzzTitle('turns every reply into runs or a TrackingError with a known MLflow code', runs), async () => {
    await checkAsyncProperty(reply, runs, async (r) => {
      next = r;
      const page = await parsesOrThrowsOwnAsync(
        async () => replyPage(await client.post('/api/2.0/mlflow/runs/search', { experiment_ids: ['1'] }), 'runs', 'runs/search', (v) => runFromWire(v)),
        (err) => err instanceof TrackingError && CODES.has(err.code),
        (message) => message.length > 0,
      );
      if (page !== undefined) assert.ok(page.items.every((run) => typeof run.info.runId === 'string'));
    });
  });
});
