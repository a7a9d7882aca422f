// The HTTP side of Labbook's MLflow-compatible endpoint: bearer-token check, bounded bodies,
// JSON in and out, and every failure as MLflow's error body. Never throws into the caller.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TrackingError } from '../../store/errors.ts';
import { errorMessage } from '../../../shared/errorMessage.ts';

export const MAX_JSON_BYTES = 32 * 1024 * 1024;
export const MAX_ARTIFACT_BYTES = 2 * 1024 * 1024 * 1024;

export type RequestParams = Readonly<Record<string, unknown>>;

/** Whether the request carries `Authorization: Bearer <token>` (compared in constant time). */
export function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1].trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A percent-encoded path part; a malformed escape is the caller's error, not a 500. */
export function decodePathPart(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new TrackingError('BAD_REQUEST', `Malformed percent-encoding in the request path: '${text.slice(0, 100)}'.`);
  }
}

/** The whole body as one Buffer (chunks kept as they come, one concat), refused past `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  // Listeners, not `for await`: the async iterator costs a promise per chunk on the ingest path.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // Stop reading at once (as before): the rest of an oversized body is never buffered.
        req.destroy();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    // A client that hangs up mid-body: 'close' without 'end'.
    const onClose = () => {
      cleanup();
      reject(new TrackingError('BAD_REQUEST', 'The client closed the connection before the request body ended.'));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function tooLarge(limit: number): TrackingError {
  return new TrackingError('INVALID_PARAMETER_VALUE', `The request body is larger than ${limit} bytes.`);
}

/** Query string and JSON body merged, as MLflow's server reads GET and POST parameters. */
export async function readParams(req: IncomingMessage, url: URL): Promise<RequestParams> {
  const params: Record<string, unknown> = {};
  // POSTs (log-batch) seldom carry a query string: skip building its key set.
  for (const key of url.search ? new Set(url.searchParams.keys()) : []) {
    const all = url.searchParams.getAll(key);
    params[key] = all.length > 1 ? all : all[0];
  }
  if (req.method === 'GET' || req.method === 'HEAD') return params;
  const body = await readBody(req, MAX_JSON_BYTES);
  if (body.length === 0) return params;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new TrackingError('BAD_REQUEST', `Malformed JSON in the request body: ${errorMessage(err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TrackingError('BAD_REQUEST', 'The request body must be a JSON object.');
  }
  return { ...params, ...(parsed as Record<string, unknown>) };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const error = err instanceof TrackingError ? err : new TrackingError('INTERNAL_ERROR', `Internal error: ${errorMessage(err)}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, error.httpStatus, error.toJSON());
}
