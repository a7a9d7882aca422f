// Labbook's MLflow-compatible tracking endpoint: an HTTP server on 127.0.0.1 that the `mlflow`
// Python client logs into unchanged (MLFLOW_TRACKING_URI + MLFLOW_TRACKING_TOKEN), backed by the
// local store, with MLflow's proxied-artifact routes.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { notFound, TrackingError } from '../../store/errors.ts';
import type { SqliteTrackingStore } from '../../store/sqlite/sqliteTrackingStore.ts';
import { fileInfoToWire } from '../wire.ts';
import { authorized, decodePathPart, MAX_ARTIFACT_BYTES, readBody, readParams, sendError, sendJson } from './httpPlumbing.ts';
import { loggedModelRoute, registryRoutes } from './modelRoutes.ts';
import { landingPage, landingPageHeaders, type RunLinkOptions } from './runLinks.ts';
import { trackingRoutes, type RouteHandler } from './trackingRoutes.ts';

/** The MLflow REST API version this endpoint answers as (what `GET /version` returns). */
export const MLFLOW_API_VERSION = '3.17.2';

const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';
const LOGGED_MODEL = /^\/api\/2\.0\/mlflow\/logged-models\/([^/]+)(?:\/(.*))?$/;

export interface LocalTrackingServerOptions {
  readonly store: SqliteTrackingStore;
  /** The bearer token clients must send; a fresh random one when omitted. */
  readonly token?: string;
  readonly port?: number;
  /** How the page at `/` (where the client's "View run" links land) hands runs to VS Code. */
  readonly runLinks?: RunLinkOptions;
  /** Called once per request with method, path, status and milliseconds; never with bodies or tokens. */
  readonly onRequest?: (entry: { method: string; path: string; status: number; ms: number }) => void;
}

export interface LocalTrackingServer {
  /** `http://127.0.0.1:<port>`: the MLFLOW_TRACKING_URI for clients. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

export async function startLocalTrackingServer(options: LocalTrackingServerOptions): Promise<LocalTrackingServer> {
  const { store } = options;
  const token = options.token ?? randomBytes(24).toString('base64url');
  const routes = new Map<string, RouteHandler>([...trackingRoutes(store), ...registryRoutes(store)]);

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    // MLflow's UI uses /ajax-api/ for the same routes.
    const path = url.pathname.replace(/^\/ajax-api\//, '/api/');
    if (method === 'GET' && (path === '/health' || path === '/version')) {
      const text = path === '/health' ? 'OK' : MLFLOW_API_VERSION;
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(text);
      return;
    }
    if (method === 'GET' && path === '/') {
      // The page shows no data, so it needs no token: it only reads the link's fragment.
      const { html, nonce } = landingPage(options.runLinks ?? {});
      res.writeHead(200, landingPageHeaders(nonce, Buffer.byteLength(html)));
      res.end(html);
      return;
    }
    if (!authorized(req, token)) {
      throw new TrackingError('UNAUTHENTICATED', 'Labbook\'s tracking endpoint needs the bearer token it was started with (MLFLOW_TRACKING_TOKEN).');
    }
    if (path === ARTIFACTS || path.startsWith(`${ARTIFACTS}/`)) {
      await artifactRoute(method, decodePathPart(path.slice(ARTIFACTS.length + 1)), req, res, url);
      return;
    }
    const route = routes.get(`${method} ${path}`);
    if (route) {
      sendJson(res, 200, await route(await readParams(req, url)));
      return;
    }
    const model = LOGGED_MODEL.exec(path);
    if (model?.[1] && model[1] !== 'search') {
      const handler = loggedModelRoute(store, method, decodePathPart(model[1]), model[2] ?? '');
      if (handler) {
        sendJson(res, 200, await handler(await readParams(req, url), model[1], model[2] ?? ''));
        return;
      }
    }
    throw new TrackingError('ENDPOINT_NOT_FOUND', `Labbook's tracking endpoint does not serve ${method} ${path}.`);
  }

  async function artifactRoute(method: string, rel: string, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const root = 'mlflow-artifacts:/';
    if (method === 'PUT') {
      await store.artifacts.write(root, rel, await readBody(req, MAX_ARTIFACT_BYTES));
      sendJson(res, 200, {});
    } else if (method === 'GET' && rel === '') {
      // List: `GET .../artifacts?path=<dir>`.
      const files = await store.artifacts.list(root, url.searchParams.get('path') ?? '');
      const dir = (url.searchParams.get('path') ?? '').replace(/\/+$/, '');
      sendJson(res, 200, { files: files.map((f) => fileInfoToWire({ ...f, path: dir ? f.path.slice(dir.length + 1) : f.path })) });
    } else if (method === 'GET') {
      const content = await store.artifacts.read(root, rel);
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': content.byteLength });
      res.end(content);
    } else {
      throw notFound(`Labbook's artifact proxy does not serve ${method}.`);
    }
  }

  const server = createServer((req, res) => {
    const started = performance.now();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      sendError(res, new TrackingError('BAD_REQUEST', 'Malformed request URL.'));
      return;
    }
    handle(req, res, url)
      .catch((err: unknown) => sendError(res, err))
      .finally(() => options.onRequest?.({ method: req.method ?? '', path: url.pathname, status: res.statusCode, ms: performance.now() - started }));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
