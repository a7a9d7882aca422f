// The training–serving skew panel: one per (repository, service, entities file). The host runs the
// check (src/core/feast/feastSkew.ts, Feast in the repository's interpreter) and sends the page a
// plain model with every value already written as text; the page draws it and applies the
// threshold the user sets (kept in its state, with the last result, for a restore).
import * as vscode from 'vscode';
import { checkFeastSkew } from '../../core/feast/feastSkew.ts';
import type { RequestHandlers } from '../../protocol/requests.ts';
import {
  FEAST_SKEW_VIEW_TYPE,
  feastSkewRequests,
  readFeastSkewState,
  skewPage,
  type FeastSkewEvent,
  type FeastSkewRequests,
  type SkewResult,
  type SkewSource,
} from '../../protocol/feastSkew.ts';
import { WebviewPanelHost, type PanelSpec } from './webviewPanelHost.ts';

const SPEC: PanelSpec<FeastSkewRequests> = {
  viewType: FEAST_SKEW_VIEW_TYPE,
  title: 'Feast Skew',
  app: 'feastSkew',
  requests: feastSkewRequests,
  styles: ['feastSkew.css'],
};

export interface FeastSkewDeps {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  /** The interpreter of a repository folder (the Feature Store view's). */
  readonly interpreterFor: (repo: string) => Promise<string>;
}

export class FeastSkewPanel extends WebviewPanelHost<FeastSkewRequests, FeastSkewEvent> {
  private static readonly open = new Map<string, FeastSkewPanel>();
  readonly source: SkewSource;
  private readonly key: string;
  private readonly deps: FeastSkewDeps;
  /** The check under way, if any: a second ask while it runs gets the same answer. */
  private running: Promise<SkewResult> | undefined;

  protected readonly handlers: RequestHandlers<FeastSkewRequests> = {
    check: () => (this.running ??= this.check().finally(() => (this.running = undefined))),
    openEntities: async () => {
      await vscode.window.showTextDocument(vscode.Uri.file(this.source.entities), { preview: true });
      return null;
    },
  };

  private constructor(panel: vscode.WebviewPanel, source: SkewSource, deps: FeastSkewDeps) {
    super(panel, SPEC, deps.extensionUri, deps.log);
    this.source = source;
    this.deps = deps;
    this.key = FeastSkewPanel.keyOf(source);
    panel.title = `Skew: ${source.service}`;
    FeastSkewPanel.open.set(this.key, this);
    this.onDidDispose(() => {
      if (FeastSkewPanel.open.get(this.key) === this) FeastSkewPanel.open.delete(this.key);
    });
  }

  private async check(): Promise<SkewResult> {
    const python = await this.deps.interpreterFor(this.source.repo);
    this.log.info(`Feast skew check of ${this.source.service} in ${this.source.repo} over ${this.source.entities} with ${python}`);
    const result = await checkFeastSkew(python, this.source.repo, this.source.service, this.source.entities, { sample: this.source.sample });
    if (!result.ok) {
      this.log.warn(`Feast skew check of ${this.source.service}: ${result.message}`);
      return { kind: 'failed', message: result.message };
    }
    return { kind: 'report', report: skewPage(result.report) };
  }

  /** The page keeps the source in its state, so VS Code can restore the panel after a reload. */
  protected override async onReady(): Promise<void> {
    await this.post({ type: 'source', source: this.source });
  }

  private static keyOf(source: SkewSource): string {
    return JSON.stringify([source.repo, source.service, source.entities, source.sample]);
  }

  /** Reveals the panel checking exactly this, or opens one. */
  static show(source: SkewSource, deps: FeastSkewDeps): FeastSkewPanel {
    const existing = FeastSkewPanel.open.get(FeastSkewPanel.keyOf(source));
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(SPEC.viewType, SPEC.title, vscode.ViewColumn.Active, WebviewPanelHost.webviewOptions(deps.extensionUri));
    return new FeastSkewPanel(panel, source, deps);
  }

  /** For `registerWebviewPanelSerializer(FEAST_SKEW_VIEW_TYPE, …)`: revives from the page's state, else disposes. */
  static serializer(deps: FeastSkewDeps): vscode.WebviewPanelSerializer {
    return {
      deserializeWebviewPanel: (panel, state: unknown) => {
        const { source } = readFeastSkewState(state);
        if (source) new FeastSkewPanel(panel, source, deps);
        else panel.dispose();
        return Promise.resolve();
      },
    };
  }

  static disposeAll(): void {
    for (const panel of [...FeastSkewPanel.open.values()]) panel.dispose();
  }
}
