/** How the REST client reads failures: MLflow error codes, socket errors, Retry-After. */
import type { TrackingError, TrackingErrorCode } from '../store/errors.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

const KNOWN_CODES: ReadonlySet<string> = new Set<TrackingErrorCode>([
  'INVALID_PARAMETER_VALUE', 'RESOURCE_DOES_NOT_EXIST', 'RESOURCE_ALREADY_EXISTS', 'INVALID_STATE', 'BAD_REQUEST',
  'ENDPOINT_NOT_FOUND', 'UNAUTHENTICATED', 'PERMISSION_DENIED', 'REQUEST_LIMIT_EXCEEDED', 'TEMPORARILY_UNAVAILABLE',
  'INTERNAL_ERROR',
]);

/** Codes of databricks_pb2.ErrorCode that mean the same as one Labbook knows. */
const CODE_SYNONYMS: Readonly<Record<string, TrackingErrorCode>> = {
  NOT_FOUND: 'RESOURCE_DOES_NOT_EXIST',
  ALREADY_EXISTS: 'RESOURCE_ALREADY_EXISTS',
  MALFORMED_REQUEST: 'BAD_REQUEST',
  RESOURCE_EXHAUSTED: 'REQUEST_LIMIT_EXCEEDED',
  CUSTOMER_UNAUTHORIZED: 'UNAUTHENTICATED',
};

/** For replies without an MLflow body (proxies, auth gateways). */
export function codeForStatus(status: number): TrackingErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'PERMISSION_DENIED';
  if (status === 404) return 'ENDPOINT_NOT_FOUND';
  if (status === 429) return 'REQUEST_LIMIT_EXCEEDED';
  if (status === 502 || status === 503 || status === 504) return 'TEMPORARILY_UNAVAILABLE';
  if (status >= 400 && status < 500) return 'BAD_REQUEST';
  return 'INTERNAL_ERROR';
}

/** Failures that prove the request never reached the server. */
export const NOT_DELIVERED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

/** When may this failure be retried: for any request, only idempotent ones, or never. */
export type Retryable = 'any' | 'idempotent' | 'never';

export interface Failure {
  readonly error: TrackingError;
  readonly retryable: Retryable;
  readonly retryAfterMs?: number;
}

export function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  // Bounded walk down `cause` (undici wraps the socket error) and AggregateError members.
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { code, errors } = current as { code?: unknown; errors?: unknown };
    if (typeof code === 'string') codes.push(code);
    if (Array.isArray(errors)) {
      for (const inner of errors) {
        const innerCode = (inner as { code?: unknown } | null)?.code;
        if (typeof innerCode === 'string') codes.push(innerCode);
      }
    }
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

export function describeCause(err: unknown): string {
  let current: unknown = err;
  let message = errorMessage(err);
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current.message) message = current.message;
    current = current.cause;
  }
  return message;
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** MLflow's `error_code` as a Labbook code: known codes and synonyms as they are, others INTERNAL_ERROR. */
export function mlflowErrorCode(code: string): TrackingErrorCode {
  // Own keys only: `CODE_SYNONYMS['constructor']` would be Object itself.
  return KNOWN_CODES.has(code) ? (code as TrackingErrorCode) : ((Object.hasOwn(CODE_SYNONYMS, code) ? CODE_SYNONYMS[code] : undefined) ?? 'INTERNAL_ERROR');
}
