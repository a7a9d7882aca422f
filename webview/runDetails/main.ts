// The Run Details panel: asks the host for one run's details and shows them in tabs (overview,
// params, metrics, tags and note, artifacts, log, code, environment, data). Static tabs render
// from the details; the others load when first shown. The host pushes fresh details as the run
// changes; the UI state (tab, filters, sort, open folders, selection) survives reloads.
import type { RunDetails, RunDetailsEvent, RunDetailsRequests, RunDetailsResult, RunDetailsTab } from '../../src/protocol/runDetails.ts';
import { assertNever } from '../../src/protocol/rpc.ts';
import { el } from '../shared/dom.ts';
import { RpcClient } from '../shared/rpcClient.ts';
import { vscodeApi } from '../shared/vscodeApi.ts';
import { buildArtifacts } from './artifacts.ts';
import { buildCode } from './code.ts';
import { type Ctx, errorText, initialUi, type SavedState } from './context.ts';
import { buildData, buildEnvironment } from './environment.ts';
import { buildLog, LOG_POLL_MS } from './log.ts';
import { renderMetrics } from './metrics.ts';
import { renderLineage } from './lineage.ts';
import { renderOverview, statusBadge } from './overview.ts';
import { renderParams } from './params.ts';
import { buildTabs } from './tabs.ts';
import { renderTags } from './tags.ts';

/** Above this, the details are not kept in the webview state (VS Code serializes it on every save). */
const MAX_SAVED_DETAILS_CHARS = 500_000;

const api = vscodeApi<SavedState>();
const rpc = new RpcClient<RunDetailsRequests, RunDetailsEvent>(api);
const app = document.getElementById('app') as HTMLElement;
const saved = api.getState();
const ui = initialUi(saved);
let details: RunDetails | null = null;
let detailsFitState = false;
/** Whether `details` came from the host since this page loaded (not from the saved state). */
let detailsFromHost = false;

const title = el('h1', { className: 'title', attrs: { 'data-testid': 'title' } });
const status = el('span', { className: 'head-status' });
const subtitle = el('p', { className: 'muted subtitle', attrs: { 'data-testid': 'subtitle' } });
const banner = el('p', { className: 'banner', attrs: { role: 'status', 'data-testid': 'banner' } });
const alert = el('p', { className: 'error', attrs: { role: 'alert', 'data-testid': 'alert' } });
const refreshButton = el('button', { text: 'Refresh', attrs: { type: 'button', 'data-action': 'refresh', title: 'Read the run again' } });
const empty = el('div', { className: 'empty-state', attrs: { 'data-testid': 'empty-state', hidden: '' } });
const tabs = buildTabs((tab) => selectTab(tab));
const body = el('div', { className: 'tab-area' }, [tabs.list, ...Object.values(tabs.panels)]);
app.replaceChildren(
  el('header', { className: 'panel-head' }, [el('div', { className: 'title-row' }, [title, status, refreshButton]), subtitle, banner, alert]),
  empty,
  body,
);

const ctx: Ctx = {
  rpc,
  ui,
  details: () => details,
  save,
  show: (result) => show(result, true),
  selectTab: (tab, focus) => selectTab(tab, focus),
};

const artifacts = buildArtifacts(ctx, tabs.panels.artifacts);
const log = buildLog(ctx, tabs.panels.log);
const code = buildCode(ctx, tabs.panels.code);
const environment = buildEnvironment(ctx, tabs.panels.environment);
const data = buildData(ctx, tabs.panels.data);
/** Tabs read on demand (`again`: they were read before, and may keep what they show meanwhile). */
const lazy: Partial<Record<RunDetailsTab, (again: boolean) => void>> = {
  artifacts: (again) => artifacts.load(again),
  log: () => void log.load(),
  code: () => void code.load(),
  environment: () => void environment.load(),
  data: () => void data.load(),
};
/** Lazy tabs whose content is current, and those read at least once. */
const loaded = new Set<RunDetailsTab>();
const everLoaded = new Set<RunDetailsTab>();
let logPoll: ReturnType<typeof setInterval> | undefined;

function save(): void {
  api.setState({ ...ui, ...(details && detailsFitState ? { details } : {}) });
}

function selectTab(tab: RunDetailsTab, focus = false): void {
  ui.tab = tab;
  save();
  tabs.select(tab, focus);
  loadLazy(tab);
  pollLog();
}

function loadLazy(tab: RunDetailsTab): void {
  const load = lazy[tab];
  if (!load || loaded.has(tab)) return;
  loaded.add(tab);
  load(everLoaded.has(tab));
  everLoaded.add(tab);
}

/** What the lazy tabs show may be stale: the visible one reads again now, the others when shown. */
function staleLazyTabs(): void {
  loaded.clear();
  loadLazy(ui.tab);
}

/** While the run is running and its log is on screen, the log is read again every few seconds. */
function pollLog(): void {
  const live = ui.tab === 'log' && details?.overview.status === 'RUNNING';
  if (live && !logPoll) logPoll = setInterval(() => void log.load(), LOG_POLL_MS);
  if (!live && logPoll) {
    clearInterval(logPoll);
    logPoll = undefined;
  }
}

/** Re-renders a tab, keeping focus (and the caret) on the control that had it, by its test id. */
function keepingFocus(panel: HTMLElement, render: () => void): void {
  const active = document.activeElement as HTMLElement | null;
  const id = active && panel.contains(active) ? active.dataset.testid : undefined;
  const caret = active instanceof HTMLInputElement ? { start: active.selectionStart, end: active.selectionEnd } : null;
  render();
  if (!id) return;
  const again = panel.querySelector<HTMLElement>(`[data-testid="${CSS.escape(id)}"]`);
  again?.focus();
  if (again instanceof HTMLInputElement && caret) again.setSelectionRange(caret.start, caret.end);
}

/** `edited`: the answer to the user's own edit, shown even where an edit form has focus. */
function show(result: RunDetailsResult, edited = false): void {
  ui.ref = result.ref;
  alert.textContent = '';
  if (result.kind !== 'details') {
    details = null;
    detailsFitState = false;
    title.textContent = result.kind === 'missing' ? 'Run not found' : 'Run unavailable';
    status.replaceChildren();
    subtitle.textContent = `Run ${result.ref.runId} · store ${result.ref.store}`;
    banner.textContent = '';
    empty.replaceChildren(el('p', { className: 'error', text: result.message }), el('p', { className: 'muted', text: result.kind === 'missing' ? 'Close this panel, or refresh if the run comes back.' : 'Refresh once the store is reachable again.' }));
    empty.hidden = false;
    body.hidden = true;
    save();
    pollLog();
    return;
  }
  // The first answer after a reload replaces saved details: the lazy tabs were just read anyway.
  const changed = detailsFromHost && details !== null && details.loadedAt !== result.details.loadedAt;
  detailsFromHost = true;
  details = result.details;
  detailsFitState = JSON.stringify(details).length <= MAX_SAVED_DETAILS_CHARS;
  empty.hidden = true;
  body.hidden = false;
  renderDetails(details, edited);
  save();
  if (changed) staleLazyTabs();
  pollLog();
}

function renderDetails(d: RunDetails, edited = false): void {
  const o = d.overview;
  title.textContent = o.runName;
  status.replaceChildren(statusBadge(o.status));
  subtitle.textContent = `${o.experimentName ?? `experiment ${o.experimentId}`} · ${o.runId}`;
  banner.textContent = o.lifecycleStage === 'deleted' ? 'This run is deleted. Restore it from the Experiments view to edit it.' : d.readOnly ? 'Read-only store.' : '';
  banner.className = `banner${o.lifecycleStage === 'deleted' ? ' warn' : ''}`;
  keepingFocus(tabs.panels.overview, () => {
    renderOverview(ctx, tabs.panels.overview, d);
    renderLineage(tabs.panels.overview, d);
  });
  keepingFocus(tabs.panels.params, () => renderParams(ctx, tabs.panels.params, d));
  keepingFocus(tabs.panels.metrics, () => renderMetrics(ctx, tabs.panels.metrics, d));
  // An edit in progress is not thrown away by a live refresh.
  if (edited || !tabs.panels.tags.querySelector('.editing input:focus, .note-editor')) keepingFocus(tabs.panels.tags, () => renderTags(ctx, tabs.panels.tags, d));
}

async function load(): Promise<void> {
  app.setAttribute('aria-busy', 'true');
  try {
    show(await rpc.request('getDetails', null));
  } catch (err) {
    alert.textContent = errorText('read the run', err);
    if (!details) {
      empty.replaceChildren(el('p', { className: 'error', text: errorText('read the run', err) }));
      empty.hidden = false;
      body.hidden = true;
    }
  }
  app.setAttribute('aria-busy', 'false');
}

refreshButton.addEventListener('click', () => {
  void load();
  staleLazyTabs();
});

rpc.onEvent((event) => {
  switch (event.type) {
    case 'changed':
      show(event.result);
      return;
    default:
      assertNever(event.type, 'event');
  }
});

// Show what we had before a reload at once, then ask the host for the current details.
title.textContent = 'Loading run…';
if (saved?.details) {
  details = saved.details;
  detailsFitState = true;
  renderDetails(saved.details);
}
tabs.select(ui.tab);
loadLazy(ui.tab);
rpc.ready();
void load();
