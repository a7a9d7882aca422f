/**
 * The envelope every webview panel speaks. A panel's contract (see home.ts) fills in:
 * - its requests, webview → host, each answered by exactly one response with the same id; each
 *   defined once in the panel's `requests` table (requests.ts), which also validates its params;
 * - its events, host → webview, a tagged union pushed whenever the host's state changes.
 * Payloads are plain JSON: no class instances, dates as ISO strings.
 */

import { isRecord } from '../shared/isRecord.ts';

/** Re-exported: the panels' contracts read their saved states with it. */
export { isRecord };

export interface ReadyMessage {
  readonly kind: 'ready';
}

/** A request as it travels; `params` are untrusted until the method's table entry read them. */
export interface RequestMessage<M extends string = string, P = unknown> {
  readonly kind: 'request';
  readonly id: number;
  readonly method: M;
  readonly params: P;
}

export interface RpcError {
  readonly message: string;
  /** A stable machine-readable code, e.g. 'unknownMethod', 'badParams', 'failed'. */
  readonly code: string;
}

export type ResponseMessage =
  | { readonly kind: 'response'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly kind: 'response'; readonly id: number; readonly ok: false; readonly error: RpcError };

export interface EventMessage<E> {
  readonly kind: 'event';
  readonly event: E;
}

export type WebviewToHost = ReadyMessage | RequestMessage;
export type HostToWebview<E> = ResponseMessage | EventMessage<E>;

/**
 * Reads the envelope of an untrusted message from a webview: the ready handshake, a request of
 * one of `methods` (its params still unread: see answerRequest in requests.ts), or `invalid` with
 * the reason, and the id when there was one so the webview can be answered with an error.
 */
export function parseWebviewMessage(
  raw: unknown,
  methods: ReadonlySet<string>,
): WebviewToHost | { readonly kind: 'invalid'; readonly id?: number; readonly reason: string } {
  if (!isRecord(raw)) return { kind: 'invalid', reason: 'message is not an object' };
  if (raw.kind === 'ready') return { kind: 'ready' };
  if (raw.kind !== 'request') return { kind: 'invalid', reason: `unknown message kind ${JSON.stringify(raw.kind)}` };
  const id = raw.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return { kind: 'invalid', reason: 'request has no numeric id' };
  if (typeof raw.method !== 'string' || !methods.has(raw.method)) {
    return { kind: 'invalid', id, reason: `unknown method ${JSON.stringify(raw.method)}` };
  }
  return { kind: 'request', id, method: raw.method, params: raw.params };
}

/** Reads an untrusted message from the host, on the webview side. */
export function parseHostMessage<E>(raw: unknown): HostToWebview<E> | undefined {
  if (!isRecord(raw)) return undefined;
  if (raw.kind === 'event' && isRecord(raw.event)) return raw as unknown as EventMessage<E>;
  if (raw.kind === 'response' && typeof raw.id === 'number' && typeof raw.ok === 'boolean') {
    if (raw.ok) return raw as unknown as ResponseMessage;
    if (isRecord(raw.error) && typeof raw.error.message === 'string') return raw as unknown as ResponseMessage;
  }
  return undefined;
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
