// The Notebook Merge panel: asks the host for the three-way merge of a conflicted notebook, shows
// its cells in order with each conflict's versions side by side, and sends the user's resolutions
// back one at a time (the host keeps them); "Mark as Resolved" has the host write the notebook.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { NotebookMergeData, NotebookMergeEvent, NotebookMergeRequests, NotebookMergeState, ResolveTarget } from '../../src/protocol/notebookMerge.ts';
import { conflictsLeft, conflictsOf, isMergeSource, OUTPUT_CHOICES, readMergeResolutions } from '../../src/protocol/notebookMerge.ts';
import { assertNever } from '../../src/protocol/rpc.ts';
import { errorMessage } from '../../src/shared/errorMessage.ts';
import { el } from '../shared/dom.ts';
import { RpcClient } from '../shared/rpcClient.ts';
import { vscodeApi } from '../shared/vscodeApi.ts';
import { renderMerge, type ViewState } from './cellView.ts';
import { buildHeader, setEnabled, showProgress, showSummary } from './header.ts';
import type { MergeResolutions, OutputPolicy } from './types.ts';

/** What the page keeps across reloads; the last merge too when small, to show it at once. */
type SavedState = Partial<NotebookMergeState> & { readonly data?: NotebookMergeData };

/** Above this, the merge is not kept in the webview state (VS Code serializes it on every save). */
const MAX_SAVED_DATA_CHARS = 1_000_000;

const api = vscodeApi<SavedState>();
const rpc = new RpcClient<NotebookMergeRequests, NotebookMergeEvent>(api);
const app = document.getElementById('app') as HTMLElement;
const header = buildHeader();
const list = el('div', { className: 'cells', attrs: { 'data-testid': 'cells' } });
app.replaceChildren(header.root, list);

const saved = api.getState();
let data: NotebookMergeData | undefined;
let dataFitsState = false;
let resolutions: MergeResolutions = readMergeResolutions(saved?.resolutions);
let currentConflict = typeof saved?.currentConflict === 'number' ? saved.currentConflict : -1;
let scrollY = typeof saved?.scrollY === 'number' ? saved.scrollY : 0;
let conflicts: HTMLElement[] = [];
/** The signature of the merge the drafts were typed for: a merge of other content drops them. */
let signature = typeof saved?.signature === 'string' ? saved.signature : undefined;
/** Set when the last reload failed: what is shown is out of date, so Mark as Resolved stays disabled. */
let stale = false;
const view: ViewState = {
  drafts: new Map(Object.entries(saved?.drafts ?? {}).filter(([, v]) => typeof v === 'string').map(([k, v]) => [Number(k), v])),
  pendingOutputs: new Map(
    Object.entries(saved?.pendingOutputs ?? {})
      .filter((entry): entry is [string, OutputPolicy] => (OUTPUT_CHOICES as readonly unknown[]).includes(entry[1]))
      .map(([k, v]) => [Number(k), v]),
  ),
  editing: new Set(),
};
for (const cell of view.drafts.keys()) view.editing.add(cell);
/** Requests go one after another, so resolutions arrive at the host in the order they were clicked. */
let queue: Promise<unknown> = Promise.resolve();
let requestSeq = 0;
/** Set once the host wrote the notebook: the page stays as a record, its actions do nothing. */
let finished = false;
/** Set while a Mark as Resolved request runs: a second click sends nothing. */
let marking = false;

function save(): void {
  const source = data?.source ?? (isMergeSource(saved?.source) ? saved.source : undefined);
  const state: SavedState = {
    ...(source ? { source } : {}),
    resolutions,
    currentConflict,
    scrollY,
    drafts: Object.fromEntries([...view.drafts].map(([k, v]) => [String(k), v])),
    pendingOutputs: Object.fromEntries([...view.pendingOutputs].map(([k, v]) => [String(k), v])),
    ...(signature !== undefined ? { signature } : {}),
    ...(data && dataFitsState ? { data } : {}),
  };
  api.setState(state);
}

function render(): void {
  if (!data) {
    list.replaceChildren(el('p', { className: 'muted', text: 'Merging the notebook…' }));
    showProgress(header, 0, 0, -1);
    setEnabled(header.markResolved, false);
    return;
  }
  const focused = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('[data-conflict]')?.dataset.conflict;
  list.replaceChildren(...renderMerge(data.merge, resolutions, view));
  conflicts = [...list.querySelectorAll<HTMLElement>('[data-conflict]')];
  currentConflict = Math.min(currentConflict, conflicts.length - 1);
  markCurrent();
  if (focused !== undefined) list.querySelector<HTMLElement>(`[data-conflict="${focused}"]`)?.focus({ preventScroll: true });
}

function markCurrent(): void {
  list.querySelector('.cell.current')?.classList.remove('current');
  conflicts[currentConflict]?.classList.add('current');
  if (data) showProgress(header, conflictsLeft(data.merge, resolutions).length, conflictsOf(data.merge).length, currentConflict);
  if (stale || marking || finished) setEnabled(header.markResolved, false);
}

function show(next: NotebookMergeData): void {
  if (next.signature !== signature) {
    // Drafts, pending output picks and open editors are by merged cell index: in another merge they would land on another conflict.
    if (signature !== undefined) {
      view.drafts.clear();
      view.editing.clear();
      view.pendingOutputs.clear();
    }
    signature = next.signature;
  }
  data = next;
  // New data (e.g. the same file conflicted again after it was resolved): the page is live again.
  finished = false;
  list.classList.remove('finished');
  dataFitsState = JSON.stringify(next).length <= MAX_SAVED_DATA_CHARS;
  resolutions = readMergeResolutions(next.resolutions);
  showSummary(header, next);
  render();
}

async function load(): Promise<void> {
  const seq = ++requestSeq;
  app.setAttribute('aria-busy', 'true');
  try {
    const result = await rpc.request('getMerge', null);
    if (seq !== requestSeq) return;
    if (stale) header.alert.textContent = '';
    stale = false;
    const first = !data;
    show(result);
    if (first) window.scrollTo(0, scrollY);
    save();
  } catch (err) {
    if (seq !== requestSeq) return;
    // The host forgot the merge; what is shown stays as a record, but cannot be written.
    stale = true;
    setEnabled(header.markResolved, false);
    header.alert.textContent = `Could not merge the notebook: ${errorMessage(err)} (Mark as Resolved is disabled until it can be merged again.)`;
  }
  app.setAttribute('aria-busy', 'false');
}

/** Sends one resolution; the host answers with all of them. */
function resolve(target: ResolveTarget): Promise<void> {
  const run = async () => {
    app.setAttribute('aria-busy', 'true');
    try {
      // With the merge it was made on: the host refuses it for another one (and the page reloads).
      resolutions = readMergeResolutions(await rpc.request('resolve', { target, ...(data?.signature !== undefined ? { signature: data.signature } : {}) }));
      header.alert.textContent = '';
      render();
      save();
    } catch (err) {
      header.alert.textContent = `Could not record the resolution: ${errorMessage(err)}`;
    }
    app.setAttribute('aria-busy', 'false');
  };
  const next = queue.then(run);
  queue = next;
  return next;
}

function go(delta: 1 | -1): void {
  const n = conflicts.length;
  if (!n) return;
  currentConflict = currentConflict < 0 ? (delta > 0 ? 0 : n - 1) : (currentConflict + delta + n) % n;
  const target = conflicts[currentConflict] as HTMLElement;
  target.scrollIntoView({ block: 'start' });
  target.focus({ preventScroll: true });
  markCurrent();
  save();
}

async function markResolved(): Promise<void> {
  if (marking || header.markResolved.hasAttribute('disabled')) return;
  marking = true;
  setEnabled(header.markResolved, false);
  await queue;
  app.setAttribute('aria-busy', 'true');
  header.status.textContent = '';
  try {
    const done = await rpc.request('markResolved', data?.signature !== undefined ? { signature: data.signature } : {});
    header.alert.textContent = '';
    header.status.textContent =
      done.notStaged !== undefined ? `Wrote ${done.file}, but it was not staged: ${done.notStaged}.` : done.staged ? `Wrote ${done.file} and staged it (git add).` : `Wrote ${done.file}.`;
    finished = true;
    list.classList.add('finished');
  } catch (err) {
    header.alert.textContent = `Not resolved: ${errorMessage(err)}`;
    if (!stale) setEnabled(header.markResolved, true);
  }
  marking = false;
  app.setAttribute('aria-busy', 'false');
}

function enabledTarget(e: Event, selector: string): HTMLElement | undefined {
  const target = (e.target as HTMLElement).closest<HTMLElement>(selector);
  return target && !target.hasAttribute('disabled') ? target : undefined;
}

header.prev.addEventListener('click', (e) => {
  if (enabledTarget(e, '[data-nav]')) go(-1);
});
header.next.addEventListener('click', (e) => {
  if (enabledTarget(e, '[data-nav]')) go(1);
});
header.markResolved.addEventListener('click', () => void markResolved());

list.addEventListener('click', (e) => {
  // A stale page (its merge could not be loaded again) takes no clicks: they would land on another merge.
  if (!data || finished || stale) return;
  const merge = data.merge;
  const take = enabledTarget(e, '[data-take]');
  if (take) {
    const cell = Number(take.dataset.cell);
    const outputs = view.pendingOutputs.get(cell);
    view.editing.delete(cell);
    void resolve({ kind: 'cell', cell, resolution: { take: take.dataset.take as 'local', ...(outputs ? { outputs } : {}) } });
    return;
  }
  const choice = enabledTarget(e, '[data-choice]');
  if (choice) {
    void resolve({ kind: 'metadata', key: choice.dataset.metadata ?? '', choice: choice.dataset.choice as 'local' });
    return;
  }
  const outputsButton = enabledTarget(e, '[data-outputs]');
  if (outputsButton) {
    const cell = Number(outputsButton.dataset.cell);
    const outputs = outputsButton.dataset.outputs as OutputPolicy;
    const current = Object.hasOwn(resolutions.cells, cell) ? resolutions.cells[cell] : undefined;
    if (current) void resolve({ kind: 'cell', cell, resolution: { ...current, outputs } });
    // A clean cell's resolution is its outputs alone (the host ignores its `take`).
    else if (!merge.cells[cell]?.conflicts.length) void resolve({ kind: 'cell', cell, resolution: { take: 'local', outputs } });
    else {
      // Not resolved yet: the pick goes with the version the user takes next (kept over a reload).
      view.pendingOutputs.set(cell, outputs);
      render();
      save();
    }
    return;
  }
  const action = enabledTarget(e, '[data-action]');
  if (!action) return;
  const cell = Number(action.dataset.cell);
  switch (action.dataset.action) {
    case 'edit':
      view.editing.add(cell);
      render();
      list.querySelector<HTMLTextAreaElement>(`textarea[data-cell="${cell}"]`)?.focus();
      return;
    case 'apply-edit': {
      const area = list.querySelector<HTMLTextAreaElement>(`textarea[data-cell="${cell}"]`);
      if (!area) return;
      const outputs = view.pendingOutputs.get(cell) ?? (Object.hasOwn(resolutions.cells, cell) ? resolutions.cells[cell]?.outputs : undefined);
      view.drafts.delete(cell);
      view.editing.delete(cell);
      void resolve({ kind: 'cell', cell, resolution: { take: 'edited', source: area.value, ...(outputs ? { outputs } : {}) } });
      return;
    }
    case 'cancel-edit':
      view.drafts.delete(cell);
      view.editing.delete(cell);
      render();
      save();
      return;
    case 'undo':
      view.pendingOutputs.delete(cell);
      void resolve({ kind: 'cell', cell, resolution: null });
      return;
    case 'undo-metadata':
      void resolve({ kind: 'metadata', key: action.dataset.metadata ?? '', choice: null });
      return;
    default:
      return;
  }
});

list.addEventListener('input', (e) => {
  const area = e.target as HTMLElement;
  if (area instanceof HTMLTextAreaElement && area.dataset.cell) {
    view.drafts.set(Number(area.dataset.cell), area.value);
    save();
  }
});

// The scroll position is saved once scrolling pauses: each save serializes the whole state (the
// merge itself, up to MAX_SAVED_DATA_CHARS), too much for every frame of a scroll.
let scrollSave: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('scroll', () => {
  clearTimeout(scrollSave);
  scrollSave = setTimeout(() => {
    scrollY = Math.round(window.scrollY);
    save();
  }, 150);
});

rpc.onEvent((event) => {
  switch (event.type) {
    case 'sourceChanged':
      void load();
      return;
    case 'goToConflict':
      go(event.direction === 'previous' ? -1 : 1);
      return;
    default:
      assertNever(event, 'event');
  }
});

// Show what we had before a reload at once, then ask the host for the current merge.
if (saved?.data) {
  show({ ...saved.data, resolutions });
  window.scrollTo(0, scrollY);
} else render();
rpc.ready();
void load();
