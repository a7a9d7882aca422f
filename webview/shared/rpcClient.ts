import type { MethodOf, ParamsOf, RequestTable, ResultOf } from '../../src/protocol/requests.ts';
import { parseHostMessage, type RequestMessage, type RpcError, type WebviewToHost } from '../../src/protocol/rpc.ts';
import type { VsCodeApi } from './vscodeApi.ts';

export class RpcRequestError extends Error {
  override readonly name = 'RpcRequestError';
  readonly code: string;
  constructor(error: RpcError) {
    super(error.message);
    this.code = error.code;
  }
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The webview end of a panel's contract: awaited requests typed by the panel's requests table
 * (errors come back as rejections) and a listener for the host's events. Every request times out.
 */
export class RpcClient<T extends RequestTable, E> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: ((event: E) => void)[] = [];
  /**
   * Events that came before anyone listened (a boot script's client says ready before the page's
   * code is loaded): they wait for the first listener, undefined once it came. A page that never
   * listens keeps the last few only.
   */
  private held: E[] | undefined = [];
  private static readonly HELD_EVENTS = 32;
  private readonly api: VsCodeApi<unknown>;
  private readonly timeoutMs: number;

  constructor(api: VsCodeApi<unknown>, target: Pick<Window, 'addEventListener'> = window, timeoutMs = 15_000) {
    this.api = api;
    this.timeoutMs = timeoutMs;
    target.addEventListener('message', (e: Event) => this.receive((e as MessageEvent).data));
  }

  onEvent(listener: (event: E) => void): void {
    this.listeners.push(listener);
    const held = this.held;
    this.held = undefined;
    // After the code that registers the listener has run to its end, as a later event would.
    if (held?.length) queueMicrotask(() => held.forEach(listener));
  }

  /** Tells the host the page is listening; the host answers by pushing the panel's state. */
  ready(): void {
    this.send({ kind: 'ready' });
  }

  request<M extends MethodOf<T>>(method: M, params: ParamsOf<T, M>): Promise<ResultOf<T, M>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcRequestError({ code: 'timeout', message: `No answer to ${method} within ${this.timeoutMs / 1000} s` }));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      const message: RequestMessage<M, ParamsOf<T, M>> = { kind: 'request', id, method, params };
      this.send(message);
    });
  }

  private send(message: WebviewToHost): void {
    this.api.postMessage(message);
  }

  private receive(raw: unknown): void {
    const message = parseHostMessage<E>(raw);
    if (!message) return;
    if (message.kind === 'event') {
      if (this.held) {
        this.held.push(message.event);
        if (this.held.length > RpcClient.HELD_EVENTS) this.held.shift();
      }
      else for (const listener of this.listeners) listener(message.event);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new RpcRequestError(message.error));
  }
}
