// The column chooser: every column with a search box, a checkbox to show or hide it, a pin toggle,
// drag (or Alt+↑/↓) to reorder, and the presets. Long lists show the first matches only: with 12k
// columns the search is how one finds a column (and the DOM stays small).
import type { ColumnPreset } from '../../src/protocol/runsTable.ts';
import { el } from '../shared/dom.ts';
import type { ColumnLayout } from './columns.ts';

const SHOWN_MAX = 300;
/** Every preset (the Record's type makes a new one a compile error here). */
const PRESET_LABELS: Record<ColumnPreset, string> = { all: 'All columns', differing: 'Differing only', key: 'Key metrics' };
const PRESETS = Object.keys(PRESET_LABELS) as ColumnPreset[];

export interface ChooserHooks {
  onChange(): void;
  onPreset(preset: ColumnPreset): void;
}

export class ColumnChooser {
  readonly root: HTMLElement;
  private readonly search: HTMLInputElement;
  private readonly list: HTMLElement;
  private readonly note: HTMLElement;
  private readonly preset: HTMLSelectElement;
  private readonly layout: ColumnLayout;
  private readonly hooks: ChooserHooks;
  private dragged: string | undefined;

  constructor(layout: ColumnLayout, hooks: ChooserHooks) {
    this.layout = layout;
    this.hooks = hooks;
    this.search = el('input', { attrs: { type: 'search', placeholder: 'Search columns', 'aria-label': 'Search columns', 'data-testid': 'chooser-search' } });
    this.preset = el('select', { attrs: { 'aria-label': 'Column preset', 'data-testid': 'preset' } }, PRESETS.map((p) => el('option', { text: PRESET_LABELS[p], attrs: { value: p } })));
    this.list = el('ul', { className: 'rt-chooser-list', attrs: { role: 'listbox', 'aria-label': 'Columns', 'data-testid': 'chooser-list' } });
    this.note = el('p', { className: 'muted rt-chooser-note' });
    const close = el('button', { text: 'Done', attrs: { type: 'button', 'data-action': 'close-chooser' } });
    this.root = el('aside', { className: 'rt-chooser', attrs: { 'aria-label': 'Columns', 'data-testid': 'chooser' } }, [
      el('div', { className: 'rt-chooser-head' }, [this.search, this.preset, close]),
      el('p', { className: 'muted rt-hint', text: 'Drag to reorder (or Alt+↑/↓). Pinned columns stay on the left.' }),
      this.list,
      this.note,
    ]);
    this.root.hidden = true;
    close.addEventListener('click', () => this.toggle(false));
    this.search.addEventListener('input', () => this.render());
    this.preset.addEventListener('change', () => hooks.onPreset(this.preset.value as ColumnPreset));
    this.root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.toggle(false);
    });
    this.wireList();
  }

  toggle(open = this.root.hidden): void {
    this.root.hidden = !open;
    if (open) {
      this.render();
      this.search.focus();
    }
  }

  setPreset(preset: ColumnPreset): void {
    this.preset.value = preset;
  }

  render(): void {
    if (this.root.hidden) return;
    const query = this.search.value.trim().toLowerCase();
    const defs = this.layout.defsInOrder.filter((d) => !query || d.id.toLowerCase().includes(query) || d.label.toLowerCase().includes(query));
    const items = defs.slice(0, SHOWN_MAX).map((d) => {
      const visible = this.layout.isVisible(d.id);
      const pinned = this.layout.isPinned(d.id);
      const box = el('input', { attrs: { type: 'checkbox', 'data-visible': d.id, 'aria-label': `Show ${d.id}` } });
      box.checked = visible;
      const pin = el('button', { className: `rt-pin${pinned ? ' on' : ''}`, text: pinned ? 'Pinned' : 'Pin', attrs: { type: 'button', 'data-pin': d.id, 'aria-pressed': String(pinned), title: pinned ? 'Unpin' : 'Pin left' } });
      const item = el('li', { className: 'rt-chooser-item', attrs: { role: 'option', 'aria-selected': String(visible), draggable: 'true', tabindex: '0', 'data-item': d.id } }, [
        el('span', { className: 'rt-grip', text: '⠿', attrs: { 'aria-hidden': 'true' } }),
        box,
        el('span', { className: 'rt-chooser-label', text: d.id, attrs: { title: d.id } }),
        el('span', { className: `rt-kind kind-${d.kind}`, text: d.kind }),
        ...(this.layout.isPresetHidden(d.id) ? [el('span', { className: 'muted', text: 'hidden by preset' })] : []),
        pin,
      ]);
      return item;
    });
    this.list.replaceChildren(...items);
    this.note.textContent = defs.length > SHOWN_MAX ? `${defs.length - SHOWN_MAX} more columns match: refine the search.` : `${defs.length} column${defs.length === 1 ? '' : 's'}`;
  }

  private wireList(): void {
    this.list.addEventListener('change', (e) => {
      const id = (e.target as HTMLElement).dataset.visible;
      if (id === undefined) return;
      this.layout.setVisible(id, (e.target as HTMLInputElement).checked);
      this.changed();
    });
    this.list.addEventListener('click', (e) => {
      const id = (e.target as HTMLElement).closest<HTMLElement>('[data-pin]')?.dataset.pin;
      if (id === undefined) return;
      const pin = !this.layout.isPinned(id);
      if (pin && !this.layout.isVisible(id)) this.layout.setVisible(id, true);
      this.layout.setPinned(id, pin);
      this.changed();
    });
    this.list.addEventListener('keydown', (e) => {
      const id = (e.target as HTMLElement).dataset.item;
      if (id === undefined || !e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
      e.preventDefault();
      this.layout.shift(id, e.key === 'ArrowUp' ? -1 : 1);
      this.changed();
      this.list.querySelector<HTMLElement>(`[data-item="${CSS.escape(id)}"]`)?.focus();
    });
    this.list.addEventListener('dragstart', (e) => {
      this.dragged = (e.target as HTMLElement).closest<HTMLElement>('[data-item]')?.dataset.item;
      if (this.dragged) e.dataTransfer?.setData('text/plain', this.dragged);
    });
    this.list.addEventListener('dragover', (e) => {
      if (this.dragged) e.preventDefault();
    });
    this.list.addEventListener('drop', (e) => {
      e.preventDefault();
      const target = (e.target as HTMLElement).closest<HTMLElement>('[data-item]')?.dataset.item;
      if (this.dragged && target && target !== this.dragged) {
        this.layout.move(this.dragged, target);
        this.changed();
      }
      this.dragged = undefined;
    });
  }

  private changed(): void {
    this.render();
    this.hooks.onChange();
  }
}
