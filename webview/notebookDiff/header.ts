// The panel's header, built once so focus stays on a control while the cells below re-render:
// title, side labels, stats, the noise toggles, the layout switch and change navigation.
import type { DiffLayout, DiffToggles, NotebookDiffData } from '../../src/protocol/notebookDiff.ts';
import { DIFF_TOGGLE_KEYS } from '../../src/protocol/notebookDiff.ts';
import { el } from '../shared/dom.ts';
import type { DiffStats } from './types.ts';

export const TOGGLE_LABELS: Readonly<Record<keyof DiffToggles, string>> = {
  ignoreExecutionCounts: 'Ignore execution counts',
  ignoreVolatileMetadata: 'Ignore volatile metadata',
  // Checked means hidden, like the option it sets.
  ignoreOutputOnlyChanges: 'Hide output-only changes',
  ignoreWhitespace: 'Ignore whitespace',
};

const LAYOUTS: readonly [DiffLayout, string][] = [
  ['sideBySide', 'Side by side'],
  ['inline', 'Inline'],
];

export interface Header {
  readonly root: HTMLElement;
  readonly title: HTMLElement;
  readonly sides: HTMLElement;
  readonly stats: HTMLElement;
  readonly toggles: Readonly<Record<keyof DiffToggles, HTMLInputElement>>;
  readonly layouts: Readonly<Record<DiffLayout, HTMLInputElement>>;
  readonly prev: HTMLButtonElement;
  readonly next: HTMLButtonElement;
  readonly position: HTMLElement;
  readonly alert: HTMLElement;
}

export function buildHeader(): Header {
  const toggles = {} as Record<keyof DiffToggles, HTMLInputElement>;
  const toggleLabels = DIFF_TOGGLE_KEYS.map((key) => {
    const input = el('input', { attrs: { type: 'checkbox', id: `toggle-${key}`, 'data-toggle': key } });
    toggles[key] = input;
    return el('label', { className: 'toggle', attrs: { for: input.id } }, [input, document.createTextNode(` ${TOGGLE_LABELS[key]}`)]);
  });
  const layouts = {} as Record<DiffLayout, HTMLInputElement>;
  const layoutLabels = LAYOUTS.map(([layout, label]) => {
    const input = el('input', { attrs: { type: 'radio', name: 'layout', id: `layout-${layout}`, value: layout, 'data-layout': layout } });
    layouts[layout] = input;
    return el('label', { className: 'toggle', attrs: { for: input.id } }, [input, document.createTextNode(` ${label}`)]);
  });
  const prev = el('button', { text: 'Previous change', attrs: { type: 'button', 'data-nav': 'prev', title: 'Previous change (p, Alt+Up, Shift+F7)' } });
  const next = el('button', { text: 'Next change', attrs: { type: 'button', 'data-nav': 'next', title: 'Next change (n, Alt+Down, F7)' } });
  const position = el('span', { className: 'position', attrs: { 'data-testid': 'position', 'aria-live': 'polite' } });
  const title = el('h1', { className: 'title', attrs: { 'data-testid': 'title' } });
  const sides = el('p', { className: 'sides muted', attrs: { 'data-testid': 'sides' } });
  const stats = el('p', { className: 'stats', attrs: { 'data-testid': 'stats' } });
  const alert = el('p', { className: 'error', attrs: { role: 'alert', 'data-testid': 'alert' } });
  const root = el('header', { className: 'panel-head' }, [
    title,
    sides,
    stats,
    el('div', { className: 'controls' }, [
      el('fieldset', { className: 'toggles' }, [el('legend', { text: 'Noise filters' }), ...toggleLabels]),
      el('fieldset', { className: 'layouts' }, [el('legend', { text: 'Layout' }), ...layoutLabels]),
      el('div', { className: 'nav', attrs: { role: 'group', 'aria-label': 'Change navigation' } }, [prev, next, position]),
    ]),
    alert,
  ]);
  return { root, title, sides, stats, toggles, layouts, prev, next, position, alert };
}

export function showToggles(header: Header, toggles: DiffToggles, layout: DiffLayout): void {
  for (const key of DIFF_TOGGLE_KEYS) header.toggles[key].checked = toggles[key];
  header.layouts[layout].checked = true;
}

export function readToggles(header: Header): DiffToggles {
  return Object.fromEntries(DIFF_TOGGLE_KEYS.map((key) => [key, header.toggles[key].checked])) as unknown as DiffToggles;
}

export function showSummary(header: Header, data: NotebookDiffData): void {
  header.title.textContent = data.title;
  header.sides.textContent = `base: ${data.baseLabel} ↔ remote: ${data.remoteLabel}`;
  header.stats.textContent = statsText(data.diff.stats, data.diff.metadata.length);
}

export function statsText(stats: DiffStats, metadataChanges: number): string {
  const parts = [`${stats.modified} modified`, `${stats.added} added`, `${stats.removed} removed`, `${stats.moved} moved`, `${stats.unchanged} unchanged`];
  if (metadataChanges) parts.push(`${metadataChanges} notebook metadata change${metadataChanges === 1 ? '' : 's'}`);
  let text = parts.join(' · ');
  if (stats.outputOnlyChangesHidden) text += ` (${stats.outputOnlyChangesHidden} output-only change${stats.outputOnlyChangesHidden === 1 ? '' : 's'} hidden)`;
  return text;
}

/** "change k of N" (k 0-based in, 1-based out); the buttons do nothing when there is nothing to visit. */
export function showPosition(header: Header, current: number, total: number): void {
  header.position.textContent = total === 0 ? 'No changes' : current < 0 ? `${total} change${total === 1 ? '' : 's'}` : `change ${current + 1} of ${total}`;
  header.prev.disabled = total === 0;
  header.next.disabled = total === 0;
}
