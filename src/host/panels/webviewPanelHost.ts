import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { answerRequest, methodsOf, type RequestHandlers, type RequestTable } from '../../protocol/requests.ts';
import { assertNever, parseWebviewMessage, type HostToWebview, type ResponseMessage } from '../../protocol/rpc.ts';
import { createNonce, renderWebviewHtml } from './webviewHtml.ts';

export interface PanelSpec<T extends RequestTable> {
  readonly viewType: string;
  readonly title: string;
  /** Bundle under dist/webview/, e.g. 'home' for dist/webview/home.js. */
  readonly app: string;
  /** The panel's requests table (src/protocol): the methods it answers and how their params are read. */
  readonly requests: T;
  /** Extra stylesheets from media/, after the shared webview.css. */
  readonly styles?: readonly string[];
  /**
   * The app has a boot script (webview/<app>/boot.ts, built to dist/webview/<app>.boot.js): it is
   * inlined in the HTML and runs as the HTML is parsed, before the bundle is fetched and compiled.
   */
  readonly boot?: boolean;
}

/** Boot scripts by path, read once; null when there is none (the page then starts without it). */
const boots = new Map<string, string | null>();

function bootScript(file: string): string | undefined {
  if (!boots.has(file)) {
    let source: string | null;
    try {
      source = readFileSync(file, 'utf8');
    } catch {
      source = null;
    }
    boots.set(file, source);
  }
  return boots.get(file) ?? undefined;
}

/**
 * Owns one webview panel: options, CSP'd HTML, the ready handshake, request/reply dispatch and
 * disposal. Subclasses supply a handler per request of their table (given validated, typed
 * params) and push events with `post`.
 * State the webview needs after a reload lives in the webview (getState/setState); the host only
 * re-pushes fresh data on each `ready`.
 */
export abstract class WebviewPanelHost<T extends RequestTable, E> implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly didHandle = new vscode.EventEmitter<{ readonly method: string; readonly ok: boolean }>();
  private readonly didReady = new vscode.EventEmitter<void>();
  private readonly didDispose = new vscode.EventEmitter<void>();
  private disposed = false;
  /** Events posted before the page listens would be lost; they wait here for `ready`. */
  private queued: E[] | undefined = [];
  /** Fires after each request from the webview was answered. */
  readonly onDidHandleRequest = this.didHandle.event;
  /** Fires each time the webview (re)loads and says it is ready. */
  readonly onDidBecomeReady = this.didReady.event;
  readonly onDidDispose = this.didDispose.event;
  protected abstract readonly handlers: RequestHandlers<T>;

  /** The answer to a page's `copyText` request: the text on the clipboard. */
  protected async copyToClipboard({ text }: { readonly text: string }): Promise<null> {
    await vscode.env.clipboard.writeText(text);
    return null;
  }
  private readonly methods: ReadonlySet<string>;

  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  protected constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly spec: PanelSpec<T>,
    private readonly extensionUri: vscode.Uri,
    protected readonly log: vscode.LogOutputChannel,
  ) {
    this.methods = methodsOf(spec.requests);
    const webview = panel.webview;
    // A restored panel comes back with the options it was serialized with; set them again so
    // resource roots always match this version of the extension.
    webview.options = WebviewPanelHost.webviewOptions(extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'labbook.svg');
    webview.html = this.html(webview);
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      panel.onDidDispose(() => this.dispose()),
      this.didHandle,
      this.didReady,
    );
  }

  /** Sends an event to the webview, or queues it until the page says it is ready. */
  protected post(event: E): Thenable<boolean> {
    if (this.disposed) return Promise.resolve(false);
    if (this.queued) {
      this.queued.push(event);
      return Promise.resolve(true);
    }
    const message: HostToWebview<E> = { kind: 'event', event };
    return this.panel.webview.postMessage(message);
  }

  /** Called after each ready handshake (first load and every reload of the page). */
  protected onReady(): Promise<void> {
    return Promise.resolve();
  }

  /** Whether the page has loaded and said it is ready since the panel was created. */
  get isReady(): boolean {
    return this.queued === undefined;
  }

  private html(webview: vscode.Webview): string {
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    return renderWebviewHtml({
      title: this.spec.title,
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${this.spec.app}.js`)).toString(),
      bootScript: this.spec.boot ? bootScript(vscode.Uri.joinPath(dist, `${this.spec.app}.boot.js`).fsPath) : undefined,
      styleUris: ['webview.css', ...(this.spec.styles ?? [])].map((css) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', css)).toString()),
    });
  }

  private async receive(raw: unknown): Promise<void> {
    const reply = await this.dispatch(raw);
    if (reply && !this.disposed) await this.panel.webview.postMessage(reply);
  }

  /**
   * Handles one message as it came from the webview and returns the reply to post, if any.
   * Public so that automation and tests drive exactly the path the webview's messages take.
   */
  async dispatch(raw: unknown): Promise<ResponseMessage | undefined> {
    const message = parseWebviewMessage(raw, this.methods);
    switch (message.kind) {
      case 'ready': {
        this.log.debug(`${this.spec.viewType}: webview ready`);
        const queued = this.queued ?? [];
        this.queued = undefined;
        for (const event of queued) await this.post(event);
        try {
          await this.onReady();
        } catch (err) {
          this.log.error(`${this.spec.viewType}: could not send the panel's state`, err);
        }
        this.didReady.fire();
        return undefined;
      }
      case 'invalid':
        this.log.warn(`${this.spec.viewType}: ignored a malformed message: ${message.reason}`);
        return message.id === undefined
          ? undefined
          : { kind: 'response', id: message.id, ok: false, error: { code: 'unknownMethod', message: message.reason } };
      case 'request': {
        const reply = await answerRequest(this.spec.requests, this.handlers, message, (err) =>
          this.log.error(`${this.spec.viewType}: request ${message.method} failed`, err),
        );
        this.didHandle.fire({ method: message.method, ok: reply.ok });
        return reply;
      }
      default:
        return assertNever(message, 'message');
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.panel.dispose();
    this.didDispose.fire();
    this.didDispose.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
