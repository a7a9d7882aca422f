// The merged cells in reading order: clean ones compact (a badge for where they came from, the
// source behind a disclosure), each conflict expanded with base, local and remote side by side and
// its actions. Every value is set as text.
import { custom, el } from '../shared/dom.ts';
import type { CellConflict, CellResolution, KeyConflict, MergedCell, MergeResolutions, NotebookMerge, OutputPolicy, Side, SourceRegion } from './types.ts';

const SIDES: readonly Side[] = ['base', 'local', 'remote'];
const OUTPUT_CHOICES: readonly [OutputPolicy, string][] = [
  ['clear', 'Clear'],
  ['local', 'Local'],
  ['remote', 'Remote'],
  ['both', 'Both'],
];
const ORIGIN_LABEL: Readonly<Record<MergedCell['origin'], string>> = {
  unchanged: 'unchanged',
  local: 'local',
  remote: 'remote',
  same: 'same on both',
  combined: 'combined',
  conflict: 'conflict',
};
const TAKE_TEXT: Readonly<Record<CellResolution['take'], string>> = {
  local: 'took local',
  remote: 'took remote',
  both: 'took both (local, then remote)',
  base: 'took base',
  delete: 'deleted the cell',
  edited: 'edited source',
};

/** What the page holds besides the merge: edit drafts, outputs picked before a version, open editors. */
export interface ViewState {
  readonly drafts: Map<number, string>;
  readonly pendingOutputs: Map<number, OutputPolicy>;
  readonly editing: Set<number>;
}

function lines(text: string): string[] {
  if (text === '') return [];
  const out = text.split('\n');
  if (out[out.length - 1] === '') out.pop();
  return out;
}

function button(text: string, attrs: Record<string, string>, pressed = false, enabled = true): HTMLElement {
  const b = custom('vscode-button', { text, attrs: { secondary: '', ...attrs, 'aria-pressed': String(pressed) } });
  if (!enabled) b.setAttribute('disabled', '');
  return b;
}

/** One side's source: the agreed lines plain, this side's part of each conflicting region highlighted. */
function sourceView(side: Side, regions: readonly SourceRegion[] | undefined, source: string | undefined): HTMLElement {
  const pre = el('pre', { className: `source side-${side}`, attrs: { 'data-side': side } });
  if (source === undefined && !regions) {
    pre.append(el('span', { className: 'absent', text: side === 'base' ? '(no base version: added on both sides)' : `(deleted on ${side})` }));
    return pre;
  }
  const push = (text: string, className: string) => pre.append(el('span', { className, text: `${text}\n` }));
  if (regions) {
    for (const region of regions) {
      if ('ok' in region) for (const line of region.ok) push(line, 'line');
      else {
        const mine = region.conflict[side];
        if (mine.length === 0) pre.append(el('span', { className: 'line hl empty', text: '(no lines)\n' }));
        for (const line of mine) push(line, 'line hl');
      }
    }
  } else {
    for (const line of lines(source ?? '')) push(line, 'line');
  }
  return pre;
}

function json(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

/** Key conflicts as a table: the key, then each side's value. */
export function keyTable(keys: readonly KeyConflict[], caption: string): HTMLElement {
  const head = el('tr', {}, ['key', ...SIDES].map((h) => el('th', { text: h, attrs: { scope: 'col' } })));
  const rows = keys.map((k) => el('tr', {}, [el('td', { className: 'key', text: k.path.join('/') }), ...SIDES.map((s) => el('td', { className: `value side-${s}`, text: json(k[s]) }))]));
  return el('table', { className: 'keys' }, [el('caption', { text: caption }), el('thead', {}, [head]), el('tbody', {}, rows)]);
}

function conflictFacts(conflicts: readonly CellConflict[]): Node[] {
  const out: Node[] = [];
  for (const c of conflicts) {
    switch (c.kind) {
      case 'deleted':
        out.push(el('p', { className: 'note', text: `Deleted on ${c.deletedBy}, changed on ${c.deletedBy === 'local' ? 'remote' : 'local'}.` }));
        break;
      case 'added':
        out.push(el('p', { className: 'note', text: 'Added on both sides at the same place, differently.' }));
        break;
      case 'metadata':
        out.push(keyTable(c.keys, c.part === 'attachments' ? 'Attachments changed on both sides' : 'Cell metadata changed on both sides'));
        break;
      case 'cellType':
        out.push(el('p', { className: 'note', text: `Cell type: base ${c.base ?? '(none)'}, local ${c.local}, remote ${c.remote}.` }));
        break;
      case 'executionCount':
        out.push(el('p', { className: 'note', text: `Execution count: base ${c.base ?? '–'}, local ${c.local ?? '–'}, remote ${c.remote ?? '–'}.` }));
        break;
      case 'source':
        break;
    }
  }
  return out;
}

function outputsRow(index: number, cell: MergedCell, resolution: CellResolution | undefined, view: ViewState): HTMLElement | undefined {
  const decided = cell.outputs;
  if (!decided) return undefined;
  const current = resolution?.outputs ?? view.pendingOutputs.get(index) ?? decided.policy;
  return el('div', { className: 'outputs-choice', attrs: { role: 'group', 'aria-label': 'Outputs' } }, [
    el('span', { className: 'fact', text: `Outputs (changed on both sides: local ${decided.local.length}, remote ${decided.remote.length}):` }),
    ...OUTPUT_CHOICES.map(([policy, label]) => button(label, { 'data-outputs': policy, 'data-cell': String(index) }, policy === current)),
  ]);
}

function kinds(conflicts: readonly CellConflict[]): string {
  return conflicts.map((c) => (c.kind === 'metadata' && c.part === 'attachments' ? 'attachments' : c.kind)).join(' · ');
}

function conflictCell(index: number, k: number, cell: MergedCell, resolution: CellResolution | undefined, view: ViewState): HTMLElement {
  const versions = cell.versions ?? {};
  const source = cell.conflicts.find((c): c is Extract<CellConflict, { kind: 'source' }> => c.kind === 'source');
  const status = resolution ? `Resolved: ${TAKE_TEXT[resolution.take]}${resolution.outputs ? `, outputs ${resolution.outputs}` : ''}` : 'Unresolved';
  const head = el('div', { className: 'cell-head' }, [
    el('span', { className: 'badge badge-conflict', text: 'conflict' }),
    el('span', { className: 'fact', text: `${cell.cell.cellType} · ${kinds(cell.conflicts)}` }),
    el('span', { className: 'fact', text: SIDES.map((s) => `${s} ${cell[s] === null ? '–' : `#${cell[s] + 1}`}`).join(' · ') }),
    el('span', { className: `resolution ${resolution ? 'done' : 'open'}`, text: status, attrs: { 'data-testid': 'resolution' } }),
  ]);
  const columns = el('div', { className: 'sides3' }, SIDES.map((side) =>
    el('div', { className: `side side-${side}` }, [el('div', { className: 'side-label', text: side }), sourceView(side, versions[side] ? source?.regions : undefined, versions[side]?.source)]),
  ));
  const take = (label: string, what: CellResolution['take'], enabled = true) => button(label, { 'data-take': what, 'data-cell': String(index) }, resolution?.take === what, enabled);
  const actions = el('div', { className: 'actions', attrs: { role: 'group', 'aria-label': 'Resolve' } }, [
    take('Take Local', 'local', versions.local !== undefined),
    take('Take Remote', 'remote', versions.remote !== undefined),
    take('Take Both', 'both', versions.local !== undefined && versions.remote !== undefined),
    ...(versions.base ? [take('Take Base', 'base')] : []),
    take('Delete', 'delete'),
    button('Edit', { 'data-action': 'edit', 'data-cell': String(index) }, resolution?.take === 'edited'),
    ...(resolution ? [button('Undo', { 'data-action': 'undo', 'data-cell': String(index), title: 'Mark this conflict unresolved again' })] : []),
  ]);
  const children: Node[] = [head, columns, ...conflictFacts(cell.conflicts), actions];
  if (resolution && !view.editing.has(index)) children.push(resultView(cell, resolution));
  if (view.editing.has(index)) children.push(editor(index, cell, resolution, view));
  const outputs = outputsRow(index, cell, resolution, view);
  if (outputs) children.push(outputs);
  return el('section', { className: `cell conflict ${resolution ? 'resolved' : 'unresolved'}`, attrs: { 'data-conflict': String(k), 'data-cell': String(index), tabindex: '-1' } }, children);
}

/** What the resolution puts in the notebook, as source. */
function resultView(cell: MergedCell, resolution: CellResolution): HTMLElement {
  const v = cell.versions ?? {};
  let sources: (string | undefined)[];
  switch (resolution.take) {
    case 'edited':
      sources = [resolution.source ?? ''];
      break;
    case 'both':
      sources = [v.local?.source, v.remote?.source];
      break;
    case 'delete':
      sources = [];
      break;
    default:
      sources = [v[resolution.take]?.source];
  }
  const present = sources.filter((x): x is string => x !== undefined);
  const body = present.length ? present.map((text) => el('pre', { className: 'source', text })) : [el('pre', { className: 'source' }, [el('span', { className: 'absent', text: '(no cell: deleted)' })])];
  return el('div', { className: 'result', attrs: { 'data-testid': 'result' } }, [el('div', { className: 'side-label', text: `Result${present.length > 1 ? ` (${present.length} cells)` : ''}` }), ...body]);
}

/** The result source, editable: the applied edit, else the draft, else local's version (remote's when local deleted it). */
function editor(index: number, cell: MergedCell, resolution: CellResolution | undefined, view: ViewState): HTMLElement {
  const initial = (resolution?.take === 'edited' ? resolution.source : undefined) ?? view.drafts.get(index) ?? cell.versions?.local?.source ?? cell.versions?.remote?.source ?? cell.cell.source;
  const area = el('textarea', { className: 'edit-source', attrs: { 'data-cell': String(index), 'aria-label': 'Result source', spellcheck: 'false', rows: String(Math.min(30, Math.max(4, lines(initial).length + 1))) } });
  area.value = initial;
  return el('div', { className: 'editor' }, [
    area,
    el('div', { className: 'actions' }, [
      button('Use Edited Source', { 'data-action': 'apply-edit', 'data-cell': String(index) }),
      button('Cancel', { 'data-action': 'cancel-edit', 'data-cell': String(index) }),
    ]),
  ]);
}

function firstLine(source: string): string {
  const line = source.split('\n', 1)[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

function cleanCell(index: number, cell: MergedCell, resolution: CellResolution | undefined, view: ViewState): HTMLElement {
  const summary = el('summary', {}, [
    el('span', { className: `badge badge-${cell.origin}`, text: ORIGIN_LABEL[cell.origin] }),
    el('span', { className: 'fact', text: cell.cell.cellType }),
    el('span', { className: 'preview', text: firstLine(cell.cell.source) || '(empty)' }),
  ]);
  const body = el('pre', { className: 'source', text: cell.cell.source });
  const details = el('details', {}, [summary, body]);
  // The outputs choice stays in sight when the source is folded.
  const outputs = outputsRow(index, cell, resolution, view);
  return el('div', { className: `cell clean origin-${cell.origin}`, attrs: { 'data-cell': String(index) } }, outputs ? [details, outputs] : [details]);
}

/** Notebook metadata conflicts, each with its own choice. */
function metadataSection(merge: NotebookMerge, r: MergeResolutions, first: number): HTMLElement | undefined {
  if (merge.metadata.conflicts.length === 0) return undefined;
  const items = merge.metadata.conflicts.map((conflict, i) => {
    const key = conflict.path.join('/');
    const chosen = Object.hasOwn(r.metadata, key) ? r.metadata[key] : undefined;
    const choose = (label: string, side: Side) => button(label, { 'data-metadata': key, 'data-choice': side }, chosen === side);
    return el('section', { className: `cell conflict metadata-conflict ${chosen ? 'resolved' : 'unresolved'}`, attrs: { 'data-conflict': String(first + i), 'data-key': key, tabindex: '-1' } }, [
      el('div', { className: 'cell-head' }, [
        el('span', { className: 'badge badge-conflict', text: 'conflict' }),
        el('span', { className: 'fact', text: 'notebook metadata' }),
        el('span', { className: `resolution ${chosen ? 'done' : 'open'}`, text: chosen ? `Resolved: took ${chosen}` : 'Unresolved', attrs: { 'data-testid': 'resolution' } }),
      ]),
      keyTable([conflict], `Notebook metadata ${key}`),
      el('div', { className: 'actions', attrs: { role: 'group', 'aria-label': 'Resolve' } }, [
        choose('Take Local', 'local'),
        choose('Take Remote', 'remote'),
        ...(conflict.base !== undefined ? [choose('Take Base', 'base')] : []),
        ...(chosen ? [button('Undo', { 'data-action': 'undo-metadata', 'data-metadata': key })] : []),
      ]),
    ]);
  });
  return el('section', { className: 'notebook-metadata' }, [el('h2', { text: 'Notebook metadata' }), ...items]);
}

/** The whole list: conflicted cells numbered in order, then notebook metadata conflicts. */
export function renderMerge(merge: NotebookMerge, r: MergeResolutions, view: ViewState): Node[] {
  let k = 0;
  const cells = merge.cells.map((cell, i) => {
    const resolution = Object.hasOwn(r.cells, i) ? r.cells[i] : undefined;
    return cell.conflicts.length ? conflictCell(i, k++, cell, resolution, view) : cleanCell(i, cell, resolution, view);
  });
  const metadata = metadataSection(merge, r, k);
  return [...cells, ...(metadata ? [metadata] : [])];
}
