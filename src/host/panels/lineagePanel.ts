import * as vscode from 'vscode';
import { nodeId, type LineageGraph, type LineageNode } from '../../core/lineage/types.ts';
import {
  isLineageState,
  LINEAGE_VIEW_TYPE,
  lineageNodeLabel,
  lineageRefLabel,
  lineageRequests,
  refOfNode,
  type LineageEvent,
  type LineageFocus,
  type LineageRequests,
  type LineageResult,
} from '../../protocol/lineage.ts';
import { BadParamsError, type RequestHandlers } from '../../protocol/requests.ts';
import { isRecord } from '../../protocol/rpc.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { LineageSession, staleView } from '../lineage/lineageSession.ts';
import { affectsRoot, type StoreChangeEvent } from '../stores/storeChanges.ts';
import type { StoreResolver } from './notebookDiffPanel.ts';
import { WebviewPanelHost, type PanelSpec } from './webviewPanelHost.ts';

const SPEC: PanelSpec<LineageRequests> = {
  viewType: LINEAGE_VIEW_TYPE,
  title: 'Lineage',
  app: 'lineage',
  requests: lineageRequests,
  styles: ['lineage.css'],
};

const REFRESH_DEBOUNCE_MS = 300;
/** Fingerprinting a graph's data files for stale marks stops after this (the rest are 'unknown'). */
const STALE_CHECK_MS = 30_000;

export interface LineagePanelDeps {
  readonly stores: StoreResolver;
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  /** The store-change hub's event: a change of the focus's store reads the graph again. */
  readonly onDidChange?: StoreChangeEvent;
  /** Hops around the focus when the panel opens (the `labbook.lineage.hops` setting). */
  readonly defaultHops: () => number;
}

const keyOf = (focus: LineageFocus) => `${focus.store}\n${nodeId(focus.ref)}`;

/**
 * The lineage of one node of one store, as a graph: read by a LineageSession (the neighbourhood
 * and the user's expansions), stale marks computed in the background and pushed when ready, opened
 * nodes handed to the run details, the editor or the page's own side pane.
 */
export class LineagePanel extends WebviewPanelHost<LineageRequests, LineageEvent> {
  private static readonly open = new Map<string, LineagePanel>();
  readonly focus: LineageFocus;
  private readonly deps: LineagePanelDeps;
  private readonly key: string;
  private sessionPromise: Promise<LineageSession> | undefined;
  private initial: { readonly hops: number; readonly expansions: LineageSession['expansions'] };
  private seq = 0;
  /** Every read of the session runs after the one before: graphs are numbered in the order they are built. */
  private reads: Promise<unknown> = Promise.resolve();
  /** Stops the stale check of a graph a newer one superseded. */
  private staleCheck: AbortController | undefined;
  /** The store changed while the panel was hidden: the next ask reads again. */
  private outdated = false;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  protected readonly handlers: RequestHandlers<LineageRequests> = {
    getGraph: () => {
      const outdated = this.outdated;
      return this.answer((s) => (outdated ? s.reload() : s.read()));
    },
    refresh: () => this.answer((s) => s.reload()),
    setHops: ({ hops }) => this.answer((s) => s.setHops(hops)),
    expand: async ({ nodeId: id, side, hops, more }) => {
      const session = await this.session();
      if (!session.graph?.nodes.some((n) => n.id === id)) throw new BadParamsError(`The node ${id} is not in the graph.`, 'nodeId');
      return this.answer((s) => s.expand(id, side, hops, more));
    },
    open: async ({ nodeId: id }) => {
      await this.openNode(await this.nodeOf(id));
      return null;
    },
    showLineageFrom: async ({ nodeId: id }) => {
      const ref = refOfNode(await this.nodeOf(id));
      await vscode.commands.executeCommand('labbook.showLineage', { rootId: this.focus.store, ref });
      return null;
    },
    copyText: (params) => this.copyToClipboard(params),
    compareWithTrainingData: async ({ nodeId: id }) => {
      const node = await this.nodeOf(id);
      if (node.kind === 'run') await vscode.commands.executeCommand('labbook.compareDataWith', { rootId: this.focus.store, runId: node.runId });
      else if (node.kind === 'data' && node.entryKind === 'file' && node.absolutePath) await vscode.commands.executeCommand('labbook.compareDataWithTrainingData', { rootId: this.focus.store, uri: vscode.Uri.file(node.absolutePath) });
      else throw new BadParamsError('Compare with Training Data works on a data file or a run.', 'nodeId');
      return null;
    },
  };

  private constructor(panel: vscode.WebviewPanel, focus: LineageFocus, initial: LineagePanel['initial'], deps: LineagePanelDeps) {
    super(panel, SPEC, deps.extensionUri, deps.log);
    this.focus = focus;
    this.deps = deps;
    this.initial = initial;
    this.key = keyOf(focus);
    panel.title = `Lineage: ${lineageRefLabel(focus.ref)}`;
    LineagePanel.open.get(this.key)?.dispose();
    LineagePanel.open.set(this.key, this);
    this.onDidDispose(() => {
      if (this.refreshTimer) clearTimeout(this.refreshTimer);
      this.staleCheck?.abort();
      if (LineagePanel.open.get(this.key) === this) LineagePanel.open.delete(this.key);
    });
    if (deps.onDidChange) {
      const subscription = deps.onDidChange((change) => {
        if (affectsRoot(change, focus.store)) this.scheduleRefresh();
      });
      this.onDidDispose(() => subscription.dispose());
    }
  }

  /** Reveals the panel already showing this focus, or opens one. */
  static show(focus: LineageFocus, deps: LineagePanelDeps): LineagePanel {
    const existing = LineagePanel.open.get(keyOf(focus));
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(SPEC.viewType, SPEC.title, vscode.ViewColumn.Active, WebviewPanelHost.webviewOptions(deps.extensionUri));
    return new LineagePanel(panel, focus, { hops: deps.defaultHops(), expansions: [] }, deps);
  }

  /** For registerWebviewPanelSerializer: a restored panel comes back with its focus, hops and expansions; without them it closes. */
  static serializer(deps: LineagePanelDeps): vscode.WebviewPanelSerializer {
    return {
      deserializeWebviewPanel: (panel, state: unknown) => {
        // The last graph is the page's (it drops one it cannot draw): the host revives from the rest.
        const revivable = isRecord(state) ? { ...state, last: undefined } : state;
        if (!isLineageState(revivable)) panel.dispose();
        else new LineagePanel(panel, revivable.focus, { hops: revivable.hops, expansions: revivable.expansions }, deps);
        return Promise.resolve();
      },
    };
  }

  static disposeAll(): void {
    for (const panel of [...LineagePanel.open.values()]) panel.dispose();
  }

  private session(): Promise<LineageSession> {
    this.sessionPromise ??= (async () => {
      const store = await this.deps.stores(this.focus.store);
      if (!store) throw new Error(`The tracking store '${this.focus.store}' is not available in this window.`);
      return new LineageSession(store, this.focus.ref, this.initial.hops, this.initial.expansions);
    })();
    // A store that could not be opened is asked again next time.
    this.sessionPromise.catch(() => (this.sessionPromise = undefined));
    return this.sessionPromise;
  }

  private async nodeOf(id: string): Promise<LineageNode> {
    const node = (await this.session()).graph?.nodes.find((n) => n.id === id);
    if (!node) throw new BadParamsError(`The node ${id} is not in the graph.`, 'nodeId');
    return node;
  }

  /**
   * Runs a read of the session and answers with the graph, or with what went wrong (shown in the
   * page, never thrown). Reads run one at a time, so a store-change reload and an expansion do not
   * interleave: the last graph built has the highest number, and its stale marks are sent.
   */
  private answer(read: (session: LineageSession) => Promise<LineageGraph>): Promise<LineageResult> {
    const answered = this.reads.then(() => this.readAndAnswer(read));
    this.reads = answered.catch(() => undefined);
    return answered;
  }

  private async readAndAnswer(read: (session: LineageSession) => Promise<LineageGraph>): Promise<LineageResult> {
    const seq = ++this.seq;
    this.staleCheck?.abort();
    this.staleCheck = undefined;
    try {
      const session = await this.session();
      this.outdated = false;
      const readGraph = await read(session);
      // From a file: say so when no run read it as it is now (the hash names only this content).
      const unread = this.focus.ref.kind === 'data' && session.hops > 0 && readGraph.edges.length === 0;
      const graph = unread ? { ...readGraph, notes: [...readGraph.notes, 'No run of this store read this file or folder as it is now: a run that read an earlier version of it is found from that run.'] } : readGraph;
      this.initial = { hops: session.hops, expansions: session.expansions };
      const focusNode = graph.nodes.find((n) => n.id === graph.focus);
      const label = focusNode ? lineageNodeLabel(focusNode) : lineageRefLabel(this.focus.ref);
      this.panel.title = `Lineage: ${label}`;
      const staleCheck = graph.nodes.some((n) => n.kind === 'data');
      if (staleCheck) this.checkStale(session, seq, graph);
      return { kind: 'graph', seq, focus: this.focus, label, hops: session.hops, expansions: session.expansions, graph, staleCheck };
    } catch (err) {
      if (err instanceof BadParamsError) throw err;
      this.log.warn(`${LINEAGE_VIEW_TYPE}: could not read the lineage of ${nodeId(this.focus.ref)}: ${errorMessage(err)}`);
      return { kind: 'error', focus: this.focus, label: lineageRefLabel(this.focus.ref), message: errorMessage(err) };
    }
  }

  /**
   * Fingerprints the graph's data files in the background (each file once until the store is read
   * again); the marks go to the page if the graph is still the latest, and a newer graph stops it.
   */
  private checkStale(session: LineageSession, seq: number, graph: LineageGraph): void {
    const check = new AbortController();
    this.staleCheck = check;
    session.staleMarks(graph, { timeoutMs: STALE_CHECK_MS, signal: check.signal }).then(
      (marks) => {
        if (seq === this.seq && !check.signal.aborted) void this.post({ type: 'stale', seq, marks: staleView(marks) });
      },
      (err: unknown) => this.log.warn(`${LINEAGE_VIEW_TYPE}: stale marks failed: ${errorMessage(err)}`),
    );
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      // A hidden page reloads when shown again, and asks then.
      if (!this.isReady || !this.panel.visible) {
        this.outdated = true;
        return;
      }
      void this.answer((s) => s.reload()).then((result) => this.post({ type: 'graph', result }));
    }, REFRESH_DEBOUNCE_MS);
  }

  private async openNode(node: LineageNode): Promise<void> {
    const openRun = (runId: string, what: string) => {
      if (!runId) throw new Error(`${what} was not registered from a run.`);
      return vscode.commands.executeCommand('labbook.openRunDetails', { rootId: this.focus.store, runId });
    };
    switch (node.kind) {
      case 'run':
        await openRun(node.runId, 'The run');
        return;
      case 'loggedModel':
        await openRun(node.sourceRunId, `The logged model ${node.name}`);
        return;
      case 'modelVersion':
        await openRun(node.runId, `Version ${node.version} of ${node.name}`);
        return;
      case 'alias': {
        const store = await this.deps.stores(this.focus.store);
        const version = await store?.getModelVersionByAlias(node.name, node.alias);
        await openRun(version?.runId ?? '', `${node.name}@${node.alias}`);
        return;
      }
      case 'data':
        if (node.absolutePath === '') throw new Error(`Where ${node.path || 'this data'} is on disk was not recorded.`);
        await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(node.absolutePath));
        return;
      case 'dataset':
        // Shown in the page's side pane.
        return;
    }
  }
}
