/**
 * A small HTTP client for MLflow's REST API: auth, a timeout per attempt, bounded retries with
 * backoff, and MLflow's error bodies turned into `TrackingError`s.
 *
 * Retrying and safety. A request is retried only when a replay cannot do harm:
 * - 429 and 503 mean the server (or a proxy in front of it) declined the request without acting
 *   on it, and a refused connection (ECONNREFUSED, EHOSTUNREACH, …) means it never arrived: those
 *   are retried for every request;
 * - 502, 504, a timeout or a connection dropped mid-exchange leave it unknown whether the server
 *   acted: those are retried only for requests marked `idempotent`.
 * GET and PUT (artifact uploads overwrite) are idempotent by default, POST/PATCH/DELETE are not;
 * the caller marks the POSTs whose replay is harmless (set-tag, log-parameter with the same
 * value, update-run, search). log-batch and log-metric are deliberately not marked: MLflow's SQL
 * store drops exact duplicate metric rows, but its file store and other backends append them, so
 * a replay after an ambiguous failure could double points in a history.
 */
import { TrackingError } from '../store/errors.ts';
import {
  codeForStatus,
  describeCause,
  errorCodes,
  mlflowErrorCode,
  NOT_DELIVERED,
  parseRetryAfter,
  sleep,
  type Failure,
  type Retryable,
} from './restFailures.ts';

export { parseRetryAfter } from './restFailures.ts';

export type RestAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string };

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the error is returned at once. */
  readonly maxRetryAfterMs: number;
}

export interface RestClientOptions {
  /** e.g. `http://127.0.0.1:5000` or `https://host/prefix`; routes are appended to it. */
  readonly baseUrl: string;
  readonly auth?: RestAuth;
  /** Per attempt, including reading the body. Default 30 s. */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Injected for tests; the global `fetch` by default. */
  readonly fetch?: typeof fetch;
  /** For the jitter; `Math.random` by default. */
  readonly random?: () => number;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface RestRequest {
  readonly method: HttpMethod;
  /** From the base URL on, e.g. `/api/2.0/mlflow/runs/get`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** Sent as `application/json`. */
  readonly json?: unknown;
  /** Sent as `application/octet-stream`. */
  readonly bytes?: Uint8Array;
  /** Whether a replay after the server may have acted is harmless (see the file comment). */
  readonly idempotent?: boolean;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, initialDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };
const DEFAULT_TIMEOUT_MS = 30_000;

function normalizeBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TrackingError('INVALID_PARAMETER_VALUE', `"${baseUrl}" is not a URL; expected e.g. http://127.0.0.1:5000.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TrackingError('INVALID_PARAMETER_VALUE', `The MLflow server URL must start with http:// or https://, not ${url.protocol}//.`);
  }
  // Credentials in the URL would end up in messages and logs that quote it.
  if (url.username || url.password) {
    throw new TrackingError('INVALID_PARAMETER_VALUE', 'Put the MLflow server credentials in the auth settings, not in the URL.');
  }
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

export class MlflowRestClient {
  readonly baseUrl: string;
  /** A closure, so the credential never shows in `util.inspect` or `JSON.stringify` of the client. */
  private readonly authorization: () => string | undefined;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly fetch: typeof fetch;
  private readonly random: () => number;

  constructor(options: RestClientOptions) {
    this.baseUrl = normalizeBaseUrl(options.baseUrl);
    const auth = options.auth ?? { kind: 'none' };
    let authorization: string | undefined;
    if (auth.kind === 'bearer') {
      // fetch would refuse such a header with an error that quotes it, token and all.
      if (!/^[\x21-\x7e]+$/.test(auth.token)) {
        throw new TrackingError('INVALID_PARAMETER_VALUE', 'The MLflow bearer token is empty or has spaces, line breaks or non-ASCII characters.');
      }
      authorization = `Bearer ${auth.token}`;
    }
    if (auth.kind === 'basic') {
      authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
    }
    this.authorization = () => authorization;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const given = options.retry ?? {};
    this.retry = {
      // Bounded whatever the caller asks: a client never retries forever.
      maxAttempts: Math.max(1, Math.min(100, Math.floor(given.maxAttempts ?? DEFAULT_RETRY.maxAttempts))),
      initialDelayMs: Math.max(0, given.initialDelayMs ?? DEFAULT_RETRY.initialDelayMs),
      maxDelayMs: Math.max(0, given.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs),
      maxRetryAfterMs: Math.max(0, given.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs),
    };
    this.fetch = options.fetch ?? fetch;
    this.random = options.random ?? Math.random;
  }

  /** Sends the request and returns the reply's JSON (`{}` for an empty reply). */
  async json(request: RestRequest): Promise<unknown> {
    const { text, response } = await this.send(request, async (r) => ({ text: await r.text(), response: r }));
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw this.notMlflowJson(request, response.status, response.headers.get('content-type'));
    }
  }

  /** Sends the request and returns the reply's body as bytes (artifact downloads). */
  async bytes(request: RestRequest): Promise<Uint8Array> {
    return this.send(request, async (r) => new Uint8Array(await r.arrayBuffer()));
  }

  get(path: string, query?: Readonly<Record<string, QueryValue>>): Promise<unknown> {
    return this.json({ method: 'GET', path, query });
  }

  post(path: string, json: unknown, options: { idempotent?: boolean } = {}): Promise<unknown> {
    return this.json({ method: 'POST', path, json, idempotent: options.idempotent });
  }

  urlFor(path: string, query?: Readonly<Record<string, QueryValue>>): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value as readonly string[]) search.append(key, item);
      else search.append(key, String(value));
    }
    const qs = search.toString();
    return `${this.baseUrl}${path.startsWith('/') ? path : `/${path}`}${qs ? `?${qs}` : ''}`;
  }

  private async send<T>(request: RestRequest, read: (response: Response) => Promise<T>): Promise<T> {
    const url = this.urlFor(request.path, request.query);
    const idempotent = request.idempotent ?? (request.method === 'GET' || request.method === 'PUT');
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | Uint8Array | undefined;
    if (request.bytes !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      body = request.bytes;
    } else if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    }
    const authorization = this.authorization();
    if (authorization !== undefined) headers['authorization'] = authorization;
    const timeoutMs = request.timeoutMs ?? this.timeoutMs;

    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(request, url, headers, body, timeoutMs, read);
      if (outcome.ok) return outcome.value;
      const { error, retryable, retryAfterMs } = outcome.failure;
      const mayRetry = retryable === 'any' || (retryable === 'idempotent' && idempotent);
      const tooLong = retryAfterMs !== undefined && retryAfterMs > this.retry.maxRetryAfterMs;
      if (!mayRetry || tooLong || attempt >= this.retry.maxAttempts) {
        if (attempt > 1) error.message = `${error.message} (gave up after ${attempt} attempts)`;
        throw error;
      }
      await sleep(retryAfterMs ?? this.backoff(attempt), request.signal);
    }
  }

  /** Exponential backoff with jitter, so many clients do not come back all at once. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.initialDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + this.random() * (ceiling / 2));
  }

  private async attempt<T>(
    request: RestRequest,
    url: string,
    headers: Record<string, string>,
    body: string | Uint8Array | undefined,
    timeoutMs: number,
    read: (response: Response) => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; failure: Failure }> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
    const where = `${request.method} ${request.path}`;
    let response: Response | undefined;
    try {
      response = await this.fetch(url, { method: request.method, headers, body, signal });
      if (response.ok) return { ok: true, value: await read(response) };
      const text = await response.text();
      return { ok: false, failure: this.failureFromReply(request, response, text) };
    } catch (err) {
      // The caller's own cancellation is not a server failure: pass it on as it is.
      if (request.signal?.aborted) throw request.signal.reason;
      if (timeout.aborted) {
        const error = new TrackingError(
          'TEMPORARILY_UNAVAILABLE',
          `The MLflow server at ${this.baseUrl} did not answer ${where} within ${timeoutMs / 1000} s.`,
        );
        return { ok: false, failure: { error, retryable: 'idempotent' } };
      }
      // A reply that broke off after its status line came was possibly acted on.
      const neverArrived = response === undefined && errorCodes(err).some((code) => NOT_DELIVERED.has(code));
      const error = new TrackingError(
        'TEMPORARILY_UNAVAILABLE',
        `Could not reach the MLflow server at ${this.baseUrl} (${where}): ${describeCause(err)}.`,
      );
      return { ok: false, failure: { error, retryable: neverArrived ? 'any' : 'idempotent' } };
    }
  }

  private failureFromReply(request: RestRequest, response: Response, text: string): Failure {
    const status = response.status;
    const declined = status === 429 || status === 503;
    const retryable: Retryable = declined ? 'any' : status === 502 || status === 504 ? 'idempotent' : 'never';
    const retryAfterMs = declined ? parseRetryAfter(response.headers.get('retry-after')) : undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const { error_code: code, message } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as {
      error_code?: unknown;
      message?: unknown;
    };
    if (typeof code !== 'string') {
      return { error: this.notMlflowJson(request, status, response.headers.get('content-type')), retryable, retryAfterMs };
    }
    const mapped = mlflowErrorCode(code);
    const detail = typeof message === 'string' && message !== '' ? message : `The MLflow server answered ${request.method} ${request.path} with ${code}.`;
    return { error: new TrackingError(mapped, detail), retryable, retryAfterMs };
  }

  private notMlflowJson(request: RestRequest, status: number, contentType: string | null): TrackingError {
    const type = contentType ? ` (${contentType.split(';')[0]})` : '';
    return new TrackingError(
      status >= 400 ? codeForStatus(status) : 'INTERNAL_ERROR',
      `The server at ${this.baseUrl} answered ${request.method} ${request.path} with HTTP ${status} and not MLflow JSON${type}. ` +
        'Is this the URL of an MLflow tracking server?',
    );
  }
}
