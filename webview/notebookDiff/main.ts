// The Notebook Diff panel: asks the host for the diff under the user's noise toggles and renders it
// (cells in reading order, changed ones eagerly, unchanged runs collapsed), with change navigation.
import type {
  DiffLayout,
  DiffSource,
  DiffToggles,
  NotebookDiffData,
  NotebookDiffEvent,
  NotebookDiffRequests,
  NotebookDiffState,
} from '../../src/protocol/notebookDiff.ts';
import { DIFF_TOGGLE_KEYS, isDiffSource, isDiffToggles } from '../../src/protocol/notebookDiff.ts';
import { assertNever } from '../../src/protocol/rpc.ts';
import { el } from '../shared/dom.ts';
import { RpcClient } from '../shared/rpcClient.ts';
import { vscodeApi } from '../shared/vscodeApi.ts';
import { renderCells, renderCollapsedRun, renderExpandedRun, switchMarkdownView } from './cellView.ts';
import { buildHeader, readToggles, showPosition, showSummary, showToggles } from './header.ts';
import { MarkdownViews, type SavedMarkdownViews } from './markdownViews.ts';
import { renderKeyChanges } from './outputView.ts';
import { errorMessage } from '../../src/shared/errorMessage.ts';

/**
 * What the page keeps across reloads: the host revives the panel from `source` (which every
 * NotebookDiffData carries); the last diff is kept too when small, to show at once; and the
 * Source | Rendered pick of each markdown cell the user switched.
 */
type SavedState = Omit<NotebookDiffState, 'source'> & {
  readonly source?: DiffSource;
  readonly data?: NotebookDiffData;
  readonly markdownViews?: SavedMarkdownViews;
};

/** Above this, the diff is not kept in the webview state (VS Code serializes it on every save). */
const MAX_SAVED_DATA_CHARS = 1_000_000;
const DEFAULT_TOGGLES: DiffToggles = { ignoreExecutionCounts: true, ignoreVolatileMetadata: true, ignoreOutputOnlyChanges: true, ignoreWhitespace: true };

const api = vscodeApi<SavedState>();
const rpc = new RpcClient<NotebookDiffRequests, NotebookDiffEvent>(api);
const app = document.getElementById('app') as HTMLElement;
const header = buildHeader();
const list = el('div', { className: 'cells', attrs: { 'data-testid': 'cells' } });
app.replaceChildren(header.root, list);

const saved = api.getState();
let toggles: DiffToggles = saved && isDiffToggles(saved.toggles) ? pickToggles(saved.toggles) : DEFAULT_TOGGLES;
let layout: DiffLayout = saved?.layout === 'inline' ? 'inline' : 'sideBySide';
let currentChange = typeof saved?.currentChange === 'number' ? saved.currentChange : -1;
let data: NotebookDiffData | null = null;
let dataFitsState = false;
let changes: HTMLElement[] = [];
/** First diff index of each unchanged run the user expanded; reset when a new diff arrives. */
const expanded = new Set<number>();
/** The Source | Rendered view the user picked per markdown cell, by cell: kept across diffs and reloads. */
const markdownViews = new MarkdownViews(saved?.markdownViews);
let requestSeq = 0;

function pickToggles(value: DiffToggles): DiffToggles {
  return Object.fromEntries(DIFF_TOGGLE_KEYS.map((key) => [key, value[key]])) as unknown as DiffToggles;
}

function save(): void {
  const source = data?.source ?? (isDiffSource(saved?.source) ? saved.source : undefined);
  const state: SavedState = {
    ...(source ? { source } : {}),
    toggles,
    layout,
    currentChange,
    markdownViews: markdownViews.toSaved(),
    ...(data && dataFitsState ? { data } : {}),
  };
  api.setState(state);
}

function show(next: NotebookDiffData): void {
  if (next !== data) expanded.clear();
  data = next;
  dataFitsState = JSON.stringify(next).length <= MAX_SAVED_DATA_CHARS;
  toggles = pickToggles(next.diff.options);
  showToggles(header, toggles, layout);
  showSummary(header, next);
  renderList();
}

function renderList(): void {
  if (!data) {
    list.replaceChildren(el('p', { className: 'muted', text: 'Computing the diff…' }));
    showPosition(header, -1, 0);
    return;
  }
  const top: Node[] = [];
  if (!data.diff.stats.hasChanges) top.push(el('p', { className: 'muted', text: 'No changes under the current filters.' }));
  if (data.diff.metadata.length) top.push(el('section', { className: 'notebook-metadata' }, [el('h2', { text: 'Notebook metadata' }), renderKeyChanges(data.diff.metadata, 'metadata')]));
  list.replaceChildren(...top, renderCells(data, layout, expanded, markdownViews));
  list.classList.toggle('side-by-side', layout === 'sideBySide');
  changes = [...list.querySelectorAll<HTMLElement>('.cell[data-change]')];
  currentChange = Math.min(currentChange, changes.length - 1);
  markCurrent();
}

async function load(): Promise<void> {
  const seq = ++requestSeq;
  app.setAttribute('aria-busy', 'true');
  try {
    const result = await rpc.request('getDiff', { toggles });
    if (seq !== requestSeq) return; // a newer request (other toggles) is on its way
    header.alert.textContent = '';
    show(result);
    save();
  } catch (err) {
    if (seq !== requestSeq) return;
    header.alert.textContent = `Could not compute the notebook diff: ${errorMessage(err)}`;
  }
  app.setAttribute('aria-busy', 'false');
}

function go(delta: 1 | -1): void {
  const n = changes.length;
  if (!n) return;
  currentChange = currentChange < 0 ? (delta > 0 ? 0 : n - 1) : (currentChange + delta + n) % n;
  const target = changes[currentChange] as HTMLElement;
  target.scrollIntoView({ block: 'start' });
  target.focus({ preventScroll: true });
  markCurrent();
  save();
}

function markCurrent(): void {
  list.querySelector('.cell.current')?.classList.remove('current');
  changes[currentChange]?.classList.add('current');
  showPosition(header, currentChange, changes.length);
}

// One listener per kind of control, whatever the number of cells.
header.root.addEventListener('change', (e) => {
  const input = e.target as HTMLInputElement;
  if (input.dataset.toggle) {
    toggles = readToggles(header);
    save();
    void load();
  } else if (input.dataset.layout) {
    layout = input.dataset.layout === 'inline' ? 'inline' : 'sideBySide';
    save();
    renderList();
  }
});
header.prev.addEventListener('click', () => go(-1));
header.next.addEventListener('click', () => go(1));

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.defaultPrevented) return;
  const t = e.target as HTMLElement;
  if (t instanceof HTMLTextAreaElement || t.isContentEditable || (t instanceof HTMLInputElement && !['checkbox', 'radio', 'button'].includes(t.type))) return;
  const down = (!e.altKey && e.key === 'n') || (e.altKey && e.key === 'ArrowDown');
  const up = (!e.altKey && e.key === 'p') || (e.altKey && e.key === 'ArrowUp');
  if (!down && !up) return;
  e.preventDefault();
  go(down ? 1 : -1);
});

list.addEventListener('click', (e) => {
  const target = e.target as HTMLElement;
  const run = target.closest<HTMLElement>('button.run');
  if (run && data) {
    const start = Number(run.dataset.runStart);
    const end = Number(run.dataset.runEnd);
    const open = run.getAttribute('aria-expanded') !== 'true';
    if (open) expanded.add(start);
    else expanded.delete(start);
    const replacement = open ? renderExpandedRun(data, start, end, layout, markdownViews) : renderCollapsedRun(start, end);
    (open ? run : (run.parentElement as HTMLElement)).replaceWith(replacement);
    (replacement.matches('button') ? replacement : (replacement.querySelector('button.run') as HTMLElement)).focus();
    return;
  }
  const mdButton = target.closest<HTMLElement>('[data-md-view-button]');
  const picked = mdButton && switchMarkdownView(mdButton);
  if (picked) {
    markdownViews.set(...picked);
    save();
    return;
  }
  const mode = target.closest<HTMLElement>('[data-image-mode]');
  const compare = mode?.closest<HTMLElement>('.image-compare');
  if (mode && compare) {
    compare.dataset.mode = mode.dataset.imageMode;
    for (const b of compare.querySelectorAll('[data-image-mode]')) b.setAttribute('aria-pressed', String(b === mode));
    applyImageMode(compare);
  }
});

list.addEventListener('input', (e) => {
  const compare = (e.target as HTMLElement).closest<HTMLElement>('.image-compare');
  if (compare) applyImageMode(compare);
});

/** Swipe clips the remote image to the right of the slider; onion skin fades it over the base. CSSOM styles are allowed by the CSP. */
function applyImageMode(compare: HTMLElement): void {
  const value = Number((compare.querySelector('.image-slider') as HTMLInputElement).value);
  const top = compare.querySelector('.stack-remote') as HTMLElement;
  top.style.clipPath = compare.dataset.mode === 'swipe' ? `inset(0 0 0 ${value}%)` : '';
  top.style.opacity = compare.dataset.mode === 'onion' ? String(value / 100) : '';
}

rpc.onEvent((event) => {
  switch (event.type) {
    case 'sourceChanged':
      void load();
      return;
    case 'goToChange':
      go(event.direction === 'previous' ? -1 : 1);
      return;
    default:
      assertNever(event, 'event');
  }
});

// Show what we had before a reload at once, then ask the host for the current diff.
showToggles(header, toggles, layout);
if (saved?.data) show(saved.data);
else renderList();
rpc.ready();
void load();
