// The popovers: a column's menu (sort, quick filter, pin, hide, metric value, group by, sparkline)
// and the group-by picker. One popover at a time; Escape or a click outside closes it.
import type { ColumnDef, MetricValue, QuickFilter } from '../../src/protocol/runsTable.ts';
import { el } from '../shared/dom.ts';

const METRIC_VALUE_LABELS: Record<MetricValue, string> = { last: 'Last value', min: 'Minimum', max: 'Maximum' };
export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;

export class Popover {
  readonly root: HTMLElement;
  private opener: HTMLElement | undefined;

  constructor() {
    this.root = el('div', { className: 'rt-popover', attrs: { role: 'dialog', 'data-testid': 'popover' } });
    this.root.hidden = true;
    this.root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        this.close();
      }
    });
    document.addEventListener('pointerdown', (e) => {
      if (!this.root.hidden && !this.root.contains(e.target as Node) && !this.opener?.contains(e.target as Node)) this.close();
    });
  }

  open(anchor: HTMLElement, label: string, content: readonly Node[]): void {
    this.opener = anchor;
    this.root.setAttribute('aria-label', label);
    this.root.replaceChildren(...content);
    this.root.hidden = false;
    const box = anchor.getBoundingClientRect();
    this.root.style.top = `${Math.round(box.bottom + 2)}px`;
    this.root.style.left = `${Math.round(Math.max(4, Math.min(box.left, window.innerWidth - 280)))}px`;
    this.root.querySelector<HTMLElement>('input, select, button')?.focus();
  }

  close(): void {
    if (this.root.hidden) return;
    this.root.hidden = true;
    this.root.replaceChildren();
    this.opener?.focus();
  }
}

export interface ColumnMenuState {
  readonly def: ColumnDef;
  readonly sort: 'ascending' | 'descending' | 'none';
  readonly pinned: boolean;
  readonly metricValue: MetricValue;
  readonly grouped: boolean;
  readonly sparkline: boolean;
  readonly filter: QuickFilter | undefined;
  /** Values of the column in the loaded rows, for the value-set filter. */
  readonly seenValues: readonly string[];
}

export interface ColumnMenuActions {
  sort(descending: boolean | null): void;
  filter(filter: QuickFilter | null): void;
  pin(pinned: boolean): void;
  hide(): void;
  metricValue(value: MetricValue): void;
  groupBy(on: boolean): void;
  sparkline(on: boolean): void;
}

function action(text: string, name: string, run: () => void): HTMLElement {
  const button = el('button', { text, attrs: { type: 'button', 'data-menu-action': name } });
  button.addEventListener('click', run);
  return button;
}

/** The menu of one column; actions close it through `done`. */
export function columnMenu(state: ColumnMenuState, actions: ColumnMenuActions, done: () => void): Node[] {
  const { def } = state;
  const run = (fn: () => void) => () => {
    fn();
    done();
  };
  const out: Node[] = [el('h3', { className: 'rt-pop-title', text: def.id })];
  if (def.searchable) {
    out.push(el('div', { className: 'rt-pop-row' }, [
      action('Sort ascending', 'sort-asc', run(() => actions.sort(false))),
      action('Sort descending', 'sort-desc', run(() => actions.sort(true))),
      ...(state.sort !== 'none' ? [action('Clear sort', 'sort-clear', run(() => actions.sort(null)))] : []),
    ]));
    out.push(quickFilterForm(state, (f) => run(() => actions.filter(f))()));
  }
  if (def.kind === 'metric') {
    const select = el('select', { attrs: { 'aria-label': 'Metric value', 'data-menu-action': 'metric-value' } }, (Object.keys(METRIC_VALUE_LABELS) as MetricValue[]).map((v) => el('option', { text: METRIC_VALUE_LABELS[v], attrs: { value: v } })));
    select.value = state.metricValue;
    select.addEventListener('change', run(() => actions.metricValue(select.value as MetricValue)));
    out.push(el('label', { className: 'rt-pop-row', text: 'Show ' }, [select]));
    out.push(el('div', { className: 'rt-pop-row' }, [action(state.sparkline ? 'Hide sparkline' : 'Sparkline of this metric', 'sparkline', run(() => actions.sparkline(!state.sparkline)))]));
  }
  const tail: HTMLElement[] = [
    action(state.pinned ? 'Unpin' : 'Pin left', 'pin', run(() => actions.pin(!state.pinned))),
    action('Hide column', 'hide', run(() => actions.hide())),
  ];
  if (def.kind === 'param' || def.kind === 'tag') tail.push(action(state.grouped ? 'Stop grouping by it' : 'Group by it', 'group', run(() => actions.groupBy(!state.grouped))));
  out.push(el('div', { className: 'rt-pop-row' }, tail));
  return out;
}

/** A range for numbers and times, a set of values for strings and the status. */
function quickFilterForm(state: ColumnMenuState, apply: (filter: QuickFilter | null) => void): HTMLElement {
  const { def, filter } = state;
  const form = el('form', { className: 'rt-quick', attrs: { 'data-testid': 'quick-filter' } });
  const buttons = el('div', { className: 'rt-pop-row' }, [
    el('button', { text: 'Apply filter', attrs: { type: 'submit', 'data-menu-action': 'filter-apply' } }),
    ...(filter ? [action('Remove filter', 'filter-remove', () => apply(null))] : []),
  ]);
  if (def.valueType === 'number' || def.valueType === 'duration' || def.valueType === 'time') {
    const current = filter?.kind === 'range' ? filter : undefined;
    const min = el('input', { attrs: { type: 'number', step: 'any', placeholder: 'min', 'aria-label': 'Minimum', 'data-range': 'min', value: current?.min === undefined ? '' : String(current.min) } });
    const max = el('input', { attrs: { type: 'number', step: 'any', placeholder: 'max', 'aria-label': 'Maximum', 'data-range': 'max', value: current?.max === undefined ? '' : String(current.max) } });
    form.append(el('div', { className: 'rt-pop-row' }, [el('span', { text: 'Between ' }), min, el('span', { text: ' and ' }), max]), buttons);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const lo = min.value.trim() === '' ? undefined : Number(min.value);
      const hi = max.value.trim() === '' ? undefined : Number(max.value);
      if ((lo !== undefined && !Number.isFinite(lo)) || (hi !== undefined && !Number.isFinite(hi))) return;
      apply(lo === undefined && hi === undefined ? null : { columnId: def.id, kind: 'range', ...(lo !== undefined ? { min: lo } : {}), ...(hi !== undefined ? { max: hi } : {}) });
    });
    return form;
  }
  const chosen = new Set(filter?.kind === 'values' ? filter.values : []);
  const candidates = def.valueType === 'status' ? [...RUN_STATUSES] : [...new Set([...chosen, ...state.seenValues])].slice(0, 50);
  const boxes = candidates.map((value) => {
    const box = el('input', { attrs: { type: 'checkbox', 'data-value': value } });
    box.checked = chosen.has(value);
    return el('label', { className: 'rt-value' }, [box, el('span', { text: value })]);
  });
  const other = el('input', { attrs: { type: 'text', placeholder: 'other values, comma-separated', 'aria-label': 'Other values', 'data-other': '' } });
  form.append(el('div', { className: 'rt-values' }, boxes), ...(def.valueType === 'status' ? [] : [other]), buttons);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const values = [...form.querySelectorAll<HTMLInputElement>('input[data-value]')].filter((b) => b.checked).map((b) => b.dataset.value ?? '');
    for (const v of other.value.split(',')) if (v.trim()) values.push(v.trim());
    apply(values.length ? { columnId: def.id, kind: 'values', values: [...new Set(values)] } : null);
  });
  return form;
}

/** The group-by picker: params and tags, with "all params except …" as one click. */
export function groupByPicker(defs: readonly ColumnDef[], current: readonly string[], apply: (groupBy: string[]) => void): Node[] {
  const candidates = defs.filter((d) => d.kind === 'param' || d.kind === 'tag').slice(0, 500);
  const boxes = candidates.map((d) => {
    const box = el('input', { attrs: { type: 'checkbox', 'data-group-by': d.id } });
    box.checked = current.includes(d.id);
    return el('label', { className: 'rt-value' }, [box, el('span', { text: d.id })]);
  });
  const list = el('div', { className: 'rt-values' }, boxes);
  const chosen = () => [...list.querySelectorAll<HTMLInputElement>('input[data-group-by]')].filter((b) => b.checked).map((b) => b.dataset.groupBy ?? '');
  const allParams = action('All params', 'group-all-params', () => {
    for (const b of list.querySelectorAll<HTMLInputElement>('input[data-group-by]')) b.checked = (b.dataset.groupBy ?? '').startsWith('params.');
  });
  return [
    el('h3', { className: 'rt-pop-title', text: 'Group rows by' }),
    el('p', { className: 'muted rt-hint', text: 'Pick params or tags; e.g. all params, then untick the seed.' }),
    list,
    el('div', { className: 'rt-pop-row' }, [
      allParams,
      action('Apply', 'group-apply', () => apply(chosen())),
      action('No grouping', 'group-none', () => apply([])),
    ]),
  ];
}
