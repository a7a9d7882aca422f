import * as vscode from 'vscode';
import { HOME_VIEW_TYPE, homeRequests, type HomeEvent, type HomeRequests, type HomeStatus } from '../../protocol/home.ts';
import type { RequestHandlers } from '../../protocol/requests.ts';
import { WebviewPanelHost, type PanelSpec } from './webviewPanelHost.ts';

const SPEC: PanelSpec<HomeRequests> = { viewType: HOME_VIEW_TYPE, title: 'Labbook', app: 'home', requests: homeRequests };

/** Reads the status the Home panel shows; supplied by the extension's wiring. */
export type HomeStatusSource = () => Promise<HomeStatus>;

/** The Labbook Home panel: what Labbook is, which store it uses, and where to go next. */
export class HomePanel extends WebviewPanelHost<HomeRequests, HomeEvent> {
  private static current: HomePanel | undefined;

  protected readonly handlers: RequestHandlers<HomeRequests> = {
    getStatus: async () => this.readStatus(),
    runCommand: async ({ command }) => {
      await vscode.commands.executeCommand(command);
      return null;
    },
  };

  private constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    log: vscode.LogOutputChannel,
    private readonly readStatus: HomeStatusSource,
  ) {
    super(panel, SPEC, extensionUri, log);
    this.onDidDispose(() => {
      if (HomePanel.current === this) HomePanel.current = undefined;
    });
  }

  static currentPanel(): HomePanel | undefined {
    return HomePanel.current;
  }

  /** Reveals the open Home panel or opens a new one. */
  static show(extensionUri: vscode.Uri, log: vscode.LogOutputChannel, readStatus: HomeStatusSource): HomePanel {
    if (HomePanel.current) {
      HomePanel.current.panel.reveal();
      return HomePanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      SPEC.viewType,
      SPEC.title,
      vscode.ViewColumn.Active,
      WebviewPanelHost.webviewOptions(extensionUri),
    );
    return (HomePanel.current = new HomePanel(panel, extensionUri, log, readStatus));
  }

  /** Adopts a panel VS Code restored after a reload (its webview state comes back by itself). */
  static revive(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    log: vscode.LogOutputChannel,
    readStatus: HomeStatusSource,
  ): HomePanel {
    HomePanel.current?.dispose();
    return (HomePanel.current = new HomePanel(panel, extensionUri, log, readStatus));
  }

  /** Pushes fresh status, e.g. after a settings change. The page asks for it on load itself. */
  async refresh(): Promise<void> {
    await this.post({ type: 'status', status: await this.readStatus() });
  }
}
